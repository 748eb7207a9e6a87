import ArgumentParser
import Foundation
import HRCore
import HRLines

/// Measures `hr-create` on a fresh store: generated residents piped in, records/second out, next to
/// its floor (SQLite writing the same rows into hr's schema) and, for reference, `sqlite-utils
/// insert` of the same lines and `sqlite3 .import` of the same rows as CSV, and the floors of
/// `ReferenceFloors`.
struct CreateBenchmark: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "create", abstract: "Create generated residents and print records/second.")

  @OptionGroup var options: BenchOptions
  @OptionGroup var pairing: PairOptions
  @Option(help: "How many residents.") var count = 100_000
  @Option(help: "The sqlite-utils executable to compare with (skipped when not given).") var sqliteUtils: String?
  @Option(help: "The sqlite3 executable whose .import of the same rows as CSV is shown for reference (skipped when empty).")
  var sqlite3 = "/usr/bin/sqlite3"

  func run() throws {
    let setup = try BenchSetup(options: options)
    let today = LocalDate("2026-11-26")!
    let people = try setup.writePeople(count: count, seed: options.seed, today: today)
    // No store yet: each pair starts from none.
    let runs = try setup.measurePairs(
      try Pairs(pairing.pairs), floorName: "create", label: "hr-create", items: count, unit: "records"
    ) {
      try setup.run("hr-create", ["--quiet"], today: today, input: people, output: "created.jsonl")
    }
    // The last pair's run is the one compared with sqlite-utils.
    guard let (timing, rows) = runs.last else { return }
    print("(the floor writes \(rows) rows: records, identifiers, tags, sequences and audit events)")

    if let sqliteUtils {
      let database = setup.file("sqlite-utils.sqlite")
      try? FileManager.default.removeItem(at: database)
      let utils = try timedRun(
        URL(fileURLWithPath: sqliteUtils), ["insert", database.path, "people", people.path, "--nl", "--pk", "id_number"],
        input: URL(fileURLWithPath: "/dev/null"), output: setup.file("sqlite-utils.out"), environment: [:])
      guard utils.status == 0 else { throw RunFailure("sqlite-utils exited \(utils.status)") }
      report("  sqlite-utils insert --nl --pk id_number", items: count, timing: utils, unit: "records")
      print(
        "  ratio hr/sqlite-utils: \(String(format: "%.2f", timing.seconds / utils.seconds))x wall, "
          + "\(String(format: "%.2f", timing.cpuSeconds / utils.cpuSeconds))x CPU")
    }
    if !sqlite3.isEmpty {
      let csv = try writeCSV(people: people, to: setup.file("people.csv"))
      let database = setup.file("import.sqlite")
      try? FileManager.default.removeItem(at: database)
      let imported = try timedRun(
        URL(fileURLWithPath: sqlite3), [database.path, ".import --csv \(csv.path) people"],
        input: URL(fileURLWithPath: "/dev/null"), output: setup.file("import.out"), environment: [:])
      guard imported.status == 0 else { throw RunFailure("sqlite3 .import exited \(imported.status)") }
      report("  sqlite3 .import --csv (reference)", items: count, timing: imported, unit: "records")
    }
  }

  /// The generated residents as CSV with a header: one column per field any line has, `tags` as JSON text.
  func writeCSV(people: URL, to output: URL) throws -> URL {
    let columns = Array(Registry.createFields).sorted()
    var out = Array((columns.joined(separator: ",") + "\n").utf8)
    for line in try Data(contentsOf: people).split(separator: UInt8(ascii: "\n")) {
      let object = try JSONParser.parseObject(Array(line))
      let cells = columns.map { column -> String in
        guard let value = object[column] else { return "" }
        let text = value.stringValue ?? value.compact
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
      }
      out.append(contentsOf: (cells.joined(separator: ",") + "\n").utf8)
    }
    try Data(out).write(to: output)
    return output
  }
}

struct RunFailure: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}
