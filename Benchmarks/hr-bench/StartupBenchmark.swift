import ArgumentParser
import Foundation
import HRCore

/// Measures what a tool costs before it does any work: `hr-create --version`, and a run on empty
/// input against an existing store; the median wall-clock and CPU time of many runs.
struct StartupBenchmark: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "startup", abstract: "Print the median time of hr-create --version and of a run on empty input.")

  @OptionGroup var options: BenchOptions
  @Option(help: "Runs of each.") var runs = 50

  func run() throws {
    let setup = try BenchSetup(options: options, storeName: "startup.sqlite")
    let today = LocalDate("2026-11-26")!
    let empty = setup.file("empty")
    _ = FileManager.default.createFile(atPath: empty.path, contents: nil)
    let people = try setup.writePeople(count: 100, seed: options.seed, today: today)
    _ = try setup.run("hr-create", ["--quiet"], today: today, input: people, output: "created.jsonl")

    let tool = setup.binDirectory.appendingPathComponent("hr-create")
    func version(peak: Bool) throws -> Timing {
      try timedRun(tool, ["--version"], input: empty, output: setup.file("version.out"), environment: [:], peak: peak)
    }
    func emptyRun(peak: Bool) throws -> Timing {
      try setup.run("hr-create", ["--quiet"], today: today, input: empty, output: "empty.out", peak: peak)
    }
    // The timed runs start the tool itself; the peak comes from one more run of each, through
    // `/usr/bin/time`, whose own start would weigh on a figure of a few milliseconds.
    var versions: [Timing] = []
    var emptyRuns: [Timing] = []
    for _ in 0..<runs {
      versions.append(try version(peak: false))
      emptyRuns.append(try emptyRun(peak: false))
    }
    show("hr-create --version", versions, peak: try version(peak: true))
    show("hr-create on empty input, existing store", emptyRuns, peak: try emptyRun(peak: true))
  }

  func show(_ name: String, _ timings: [Timing], peak: Timing) {
    print(
      "\(name): median \(String(format: "%.1f", 1000 * median(timings.map(\.seconds)))) ms wall, "
        + "\(String(format: "%.1f", 1000 * median(timings.map(\.cpuSeconds)))) ms CPU over \(timings.count) runs, "
        + "peak \(String(format: "%.1f", Double(peak.peakBytes) / 1048576)) MiB")
  }
}
