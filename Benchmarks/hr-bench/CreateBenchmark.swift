import ArgumentParser
import Foundation
import HRCore

/// Measures `hr-create` on a fresh store: generated residents piped in, records/second out.
struct CreateBenchmark: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "create", abstract: "Create generated residents and print records/second.")

  @OptionGroup var options: BenchOptions
  @Option(help: "How many residents.") var count = 100_000

  func run() throws {
    let dir = try options.makeWorkdir()
    let today = LocalDate("2026-11-26")!
    let config = dir.appendingPathComponent("bench.yaml")
    try benchConfiguration.write(to: config, atomically: true, encoding: .utf8)
    let people = dir.appendingPathComponent("people.jsonl")
    FileManager.default.createFile(atPath: people.path, contents: nil)
    var handle = try FileHandle(forWritingTo: people)
    try writePeople(to: &handle, count: count, seed: options.seed, today: today)
    try handle.close()
    let store = dir.appendingPathComponent("bench.sqlite")
    for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: store.path + suffix) }

    let timing = try timedRun(
      options.binDirectory.appendingPathComponent("hr-create"),
      ["--store", store.path, "--config", config.path, "--operator", "bench-city", "--today", "\(today)", "--quiet"],
      input: people, output: dir.appendingPathComponent("created.jsonl"), environment: [:])
    guard timing.status == 0 else { throw RunFailure("hr-create exited \(timing.status)") }
    report("hr-create", items: count, timing: timing, unit: "records")
  }
}

struct RunFailure: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}
