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
  @Option(help: "How many residents.") var count = 100_000

  func run() throws {
    let dir = try options.makeWorkdir()
    let config = dir.appendingPathComponent("bench.yaml")
    try benchConfiguration.write(to: config, atomically: true, encoding: .utf8)
    let store = dir.appendingPathComponent("archive.sqlite")
    for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: store.path + suffix) }
    func common(today: String) -> [String] {
      ["--store", store.path, "--config", config.path, "--operator", "bench-city", "--today", today]
    }
    func tool(_ name: String) -> URL { options.binDirectory.appendingPathComponent(name) }
    func file(_ name: String) -> URL { dir.appendingPathComponent(name) }

    // Residents created in 2012, never served since: all are candidates by mid-2016.
    var people: [UInt8] = []
    for var person in Population(count: count, seed: options.seed, places: samplePlaces, today: LocalDate("2010-01-01")!, birthCertificateShare: 0) {
      person["created_on"] = "2012-01-01"
      JSONValue.object(person).write(compactTo: &people)
      people.append(UInt8(ascii: "\n"))
    }
    try Data(people).write(to: file("people.jsonl"))
    let created = try timedRun(tool("hr-create"), common(today: "2012-01-01") + ["--quiet"], input: file("people.jsonl"), output: file("created.jsonl"), environment: [:])
    guard created.status == 0 else { throw RunFailure("hr-create exited \(created.status)") }

    _ = FileManager.default.createFile(atPath: file("empty").path, contents: nil)
    let listed = try timedRun(tool("hr-archive"), ["candidates"] + common(today: "2016-06-01"), input: file("empty"), output: file("candidates.jsonl"), environment: [:])
    guard listed.status == 0 else { throw RunFailure("hr-archive candidates exited \(listed.status)") }
    report("hr-archive candidates", items: count, timing: listed, unit: "records")

    let lost = try timedRun(
      tool("hr-archive"), ["lost", "--evidence", "3 calls unanswered", "--quiet"] + common(today: "2016-06-01"),
      input: file("candidates.jsonl"), output: file("lost.jsonl"), environment: [:])
    guard lost.status == 0 else { throw RunFailure("hr-archive lost exited \(lost.status)") }
    report("hr-archive lost", items: count, timing: lost, unit: "records")

    let purged = try timedRun(
      tool("hr-archive"), ["purge", "--before", "2016-06-02", "--quiet"] + common(today: "2031-06-02"),
      input: file("empty"), output: file("purged.jsonl"), environment: [:])
    guard purged.status == 0 else { throw RunFailure("hr-archive purge exited \(purged.status)") }
    report("hr-archive purge", items: count, timing: purged, unit: "records")
  }
}
