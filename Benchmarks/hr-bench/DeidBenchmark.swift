import ArgumentParser
import Foundation
import HRCore
import HRFixtures

/// Measures `hr-export deid` over a large population: records/second and the peak resident memory
/// of the export process.
///
/// The population is written with `Registry.create` and `RecordUpdate.apply` — the code `hr-create`
/// and `hr-update` run — in large transactions, so that building a million records does not
/// dominate the run; then an approval is granted with the built `hr-export approve` and the built
/// `hr-export deid` is timed on the store.
struct DeidBenchmark: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "deid", abstract: "Build a population and print hr-export deid's records/second and peak memory.")

  @OptionGroup var options: BenchOptions
  @Option(help: "How many residents.") var residents = 1_000_000
  @Option(help: "Records written per transaction while building the store.") var batch = 20_000
  @Option(help: "Smallest equivalence class (export.k).") var k = 5
  @Option(help: "Distinct tag sets per class (export.l); 0 for off.") var l = 2
  @Flag(help: "Reuse the store of an earlier run in --workdir instead of building one.") var reuse = false

  func run() throws {
    let setup = try BenchSetup(options: options, storeName: reuse ? "deid-kept.sqlite" : "deid.sqlite")
    let today = LocalDate("2026-11-26")!
    let keyPath = setup.file("pseudonym.key").path
    try "benchmark pseudonym key, 32 bytes or more".write(toFile: keyPath, atomically: false, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: keyPath)
    let yaml = benchConfiguration + "  bench-researcher: {name: 研究员, role: researcher}\n"
      + "export:\n  k: \(k)\n" + (l > 0 ? "  l: \(l)\n" : "") + "  age_band_years: 5\n  pseudonym_key_file: \(keyPath)\n"
    try yaml.write(to: setup.config, atomically: true, encoding: .utf8)
    let store = reuse ? setup.file("deid.sqlite") : setup.store

    if !reuse {
      let start = DispatchTime.now().uptimeNanoseconds
      try build(at: store.path, yaml: yaml, today: today)
      let built = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
      print("built \(residents) records (tags, services) in \(String(format: "%.1f", built)) s")
    }

    let approval = setup.file("approval.jsonl")
    try (#"{"ref":"BENCH-\#(getpid())","grantee":"bench-researcher","scope":"city","purpose":"benchmark","expires":"2099-12-31"}"# + "\n")
      .write(to: approval, atomically: true, encoding: .utf8)
    let common = ["--store", store.path, "--config", setup.config.path, "--today", "\(today)"]
    let approved = try timedRun(
      setup.binDirectory.appendingPathComponent("hr-export"), ["approve", "--quiet", "--operator", "bench-city"] + common,
      input: approval, output: setup.file("approved.jsonl"), environment: [:])
    guard approved.status == 0 else { throw RunFailure("hr-export approve exited \(approved.status)") }

    let timing = try timedRun(
      setup.binDirectory.appendingPathComponent("hr-export"),
      ["deid", "--approval", "BENCH-\(getpid())", "--report", setup.file("report.json").path, "--operator", "bench-researcher"] + common,
      input: URL(fileURLWithPath: "/dev/null"), output: setup.file("deid.jsonl"), environment: [:])
    guard timing.status == 0 else { throw RunFailure("hr-export deid exited \(timing.status)") }
    report("hr-export deid", items: residents, timing: timing, unit: "records")
    print("peak resident memory of the largest child: \(peakChildMemoryKiB() / 1024) MiB")
    print("report: " + (try String(contentsOf: setup.file("report.json"), encoding: .utf8)), terminator: "")
  }

  /// Writes the population: a quarter with hypertension, a tenth with diabetes, one in fifty
  /// restricted, half with a consultation.
  func build(at path: String, yaml: String, today: LocalDate) throws {
    let configuration = try HRCore.Configuration.parse(yaml: yaml, file: "bench.yaml")
    let session = try Session(configuration: configuration, operatorID: "bench-city", today: today)
    let store = try Store(path: path)
    var people = Population(count: residents, seed: options.seed, places: samplePlaces, today: today).makeIterator()
    var index = 0
    var random = SplitMix64(seed: options.seed &+ 7)
    while index < residents {
      try store.write { db in
        for _ in 0..<min(batch, residents - index) {
          guard let person = people.next() else { return }
          let created = try Registry.create(person, session: session, in: db)
          guard let recordNo = created["record_no"] else { continue }
          let org = person["org"] ?? "500103001"
          var lines: [JSONObject] = []
          if index % 4 == 0 { lines.append(["record_no": recordNo, "tag": ["code": "hypertension", "since": "2026-01-01"]]) }
          if index % 10 == 0 { lines.append(["record_no": recordNo, "tag": ["code": "diabetes", "since": "2026-01-01"]]) }
          if index % 50 == 0 { lines.append(["record_no": recordNo, "tag": ["code": "special_disease", "since": "2026-01-01"]]) }
          if index % 2 == 0 {
            let date = today.adding(days: -random.next(below: 300)).description
            lines.append(["record_no": recordNo, "service": ["type": "consultation", "date": .string(date), "org": org]])
          }
          for line in lines {
            do {
              _ = try RecordUpdate.apply(line, session: session, in: db)
            } catch is LineRejection {
              // A service before a newborn's birth is refused, as hr-update would refuse it.
            }
          }
          index += 1
        }
      }
    }
  }
}

/// The peak resident set size, in KiB, of the largest child this process has waited for.
func peakChildMemoryKiB() -> Int {
  var usage = rusage()
  getrusage(RUSAGE_CHILDREN.rawValue, &usage)
  return usage.ru_maxrss
}
