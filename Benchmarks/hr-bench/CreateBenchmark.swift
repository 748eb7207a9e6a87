import ArgumentParser
import Foundation
import HRCore

/// Measures `hr-create` on a fresh store: generated residents piped in, records/second out.
struct CreateBenchmark: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "create", abstract: "Create generated residents and print records/second.")

  @OptionGroup var options: BenchOptions
  @Option(help: "How many residents.") var count = 100_000

  func run() throws {
    let setup = try BenchSetup(options: options)
    let today = LocalDate("2026-11-26")!
    let people = try setup.writePeople(count: count, seed: options.seed, today: today)
    let timing = try setup.run("hr-create", ["--quiet"], today: today, input: people, output: "created.jsonl")
    report("hr-create", items: count, timing: timing, unit: "records")
  }
}

struct RunFailure: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}
