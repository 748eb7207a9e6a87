import ArgumentParser
import Foundation
import HRCore
import HRFixtures

/// Measures `hr-archive` on a fresh store: the candidates listing, archiving every candidate as
/// lost through the pipe, and purging them all once the retention period has passed.
struct ArchiveBenchmark: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "archive", abstract: "List, archive and purge generated residents and print records/second.")

  @OptionGroup var options: BenchOptions
  @OptionGroup var pairing: PairOptions
  @Option(help: "How many residents.") var count = 100_000

  func run() throws {
    let setup = try BenchSetup(options: options, storeName: "archive.sqlite")
    let empty = setup.file("empty")
    _ = FileManager.default.createFile(atPath: empty.path, contents: nil)

    // Residents created in 2012, never served since: all are candidates by mid-2016.
    let people = try setup.writePeople(count: count, seed: options.seed, today: LocalDate("2010-01-01")!, birthCertificates: 0) {
      $0["created_on"] = "2012-01-01"
    }
    _ = try setup.run("hr-create", ["--quiet"], today: LocalDate("2012-01-01")!, input: people, output: "created.jsonl")

    let listed = try setup.run(
      "hr-archive", ["candidates"], today: LocalDate("2016-06-01")!, input: empty, output: "candidates.jsonl")
    report("hr-archive candidates", items: count, timing: listed, unit: "records")

    _ = try setup.measurePairs(
      try Pairs(pairing.pairs), floorName: "lost", label: "hr-archive lost", items: count, unit: "records"
    ) {
      try setup.run(
        "hr-archive", ["lost", "--evidence", "3 calls unanswered", "--quiet"], today: LocalDate("2016-06-01")!,
        input: setup.file("candidates.jsonl"), output: "lost.jsonl")
    }

    let purged = try setup.run(
      "hr-archive", ["purge", "--before", "2016-06-02", "--quiet"], today: LocalDate("2031-06-02")!, input: empty,
      output: "purged.jsonl")
    report("hr-archive purge", items: count, timing: purged, unit: "records")
  }
}
