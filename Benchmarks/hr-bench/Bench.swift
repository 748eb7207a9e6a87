import ArgumentParser
import Foundation
import HRCore
import HRFixtures
import HRLines

@main
struct Bench: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "hr-bench",
    abstract: "Generate sample residents and measure the tools on them.",
    discussion:
      "Each benchmark runs the built executables the way a district script would, on a fresh store, and prints its figures.",
    subcommands: [
      People.self, CreateBenchmark.self, StartupBenchmark.self, ArchiveBenchmark.self, VerifyBenchmark.self,
      TransferBenchmark.self, ServiceBenchmark.self, ExportBenchmark.self, DeidBenchmark.self, MetricsBenchmark.self,
      ScaleBenchmark.self, FloorWrite.self, VerifyFloor.self,
    ])
}

/// Options shared by the benchmarks: where to work and which executables to run.
struct BenchOptions: ParsableArguments {
  @Option(help: "Working directory for the store and generated input (default: a fresh temporary one).")
  var workdir: String?

  @Option(help: "Seed of the generated population.")
  var seed: UInt64 = 2024

  @Option(help: "Directory of the hr executables to measure (default: the one hr-bench was built into).")
  var bin: String?

  /// The directory holding the executables to measure: `--bin`, else the one this benchmark was built into.
  var binDirectory: URL {
    if let bin { return URL(fileURLWithPath: bin) }
    return URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
  }

  func makeWorkdir() throws -> URL {
    let url =
      workdir.map { URL(fileURLWithPath: $0) }
      ?? FileManager.default.temporaryDirectory.appendingPathComponent("hr-bench-\(getpid())")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }
}

/// How many times the benchmarks that measure a tool against its floor run both.
struct PairOptions: ParsableArguments {
  @Option(
    help: """
      Runs of each tool and of its floor, one after the other on the same input and store (put \
      back before each pair): each pair's ratio and the median are printed, since a shared \
      machine moves one run by more than the figures compared.
      """)
  var pairs = 1
}

/// A benchmark's fresh working directory: the bench configuration, an empty store, and the way to
/// run a built tool on them, timed.
struct BenchSetup {
  let directory: URL
  let config: URL
  let store: URL
  let binDirectory: URL

  /// Makes the working directory, writes the configuration and removes any store left there.
  init(options: BenchOptions, storeName: String = "bench.sqlite") throws {
    directory = try options.makeWorkdir()
    binDirectory = options.binDirectory
    config = directory.appendingPathComponent("bench.yaml")
    try benchConfiguration.write(to: config, atomically: true, encoding: .utf8)
    store = directory.appendingPathComponent(storeName)
    removeStore(store)
  }

  /// A file of the working directory.
  func file(_ name: String) -> URL { directory.appendingPathComponent(name) }

  /// Copies the store as it is now to `name` in the working directory, to put it back before
  /// each pair of runs after the first (``restoreStore(from:)``); no store, no copy.
  func keepStore(as name: String) throws -> URL {
    let kept = file(name)
    try Self.copy(store, to: kept)
    return kept
  }

  /// Runs a tool (`tool`) and its floor `pairs.count` times on the store as it is now, put back
  /// before each pair after the first (removed again, when there was none), and prints each
  /// pair's figures under `label`, the reference floors in the first pair only, then the
  /// summary. Returns the tool's timing and the rows the floor wrote, pair by pair.
  func measurePairs(
    _ pairs: Pairs, floorName: String, label: String, items: Int, unit: String, tool: () throws -> Timing
  ) throws -> [(timing: Timing, rows: Int)] {
    let before = pairs.count > 1 ? try keepStore(as: "\(floorName)-before.sqlite") : nil
    var runs: [(timing: Timing, rows: Int)] = []
    for pair in 1...pairs.count {
      pairs.start(pair)
      if pair > 1, let before { try restoreStore(from: before) }
      let floor = try Floor(of: store, in: self, name: floorName)
      // The reference floors once: they tell where the distance lies, not how it moves.
      let references = pair == 1 ? try ReferenceFloors(of: store, in: self, name: floorName) : nil
      let timing = try tool()
      let (floorTiming, rows) = try floor.measure()
      compare(label, items: items, tool: timing, floor: floorTiming, unit: unit, pairs: pairs)
      if let references {
        ReferenceFloors.show(try references.measure(lines: items, rows: rows), tool: timing, items: items, unit: unit)
      }
      runs.append((timing, rows))
    }
    pairs.summarize()
    return runs
  }

  /// Puts back the store kept by ``keepStore(as:)``.
  func restoreStore(from kept: URL) throws { try Self.copy(kept, to: store) }

  /// Replaces the files of the store `target` with those of `source`.
  private static func copy(_ source: URL, to target: URL) throws {
    for (from, to) in zip(storeFiles(of: source), storeFiles(of: target)) {
      try? FileManager.default.removeItem(atPath: to)
      if FileManager.default.fileExists(atPath: from) { try FileManager.default.copyItem(atPath: from, toPath: to) }
    }
  }

  /// Writes `count` generated residents to `people.jsonl`, each passed through `adjust`.
  func writePeople(
    count: Int, seed: UInt64, today: LocalDate, birthCertificates: Double = 0.02, adjust: (inout JSONObject) -> Void = { _ in }
  ) throws -> URL {
    let url = file("people.jsonl")
    _ = FileManager.default.createFile(atPath: url.path, contents: nil)
    var handle = try FileHandle(forWritingTo: url)
    defer { try? handle.close() }
    try hr_bench.writePeople(
      to: &handle, count: count, seed: seed, today: today, birthCertificates: birthCertificates, adjust: adjust)
    return url
  }

  /// Runs a built tool on this store as the bench operator, with `input` as its standard input and
  /// its output in the file `output`; a non-zero exit ends the benchmark.
  func run(
    _ tool: String, _ arguments: [String], today: LocalDate, input: URL, output: String, peak: Bool = true
  ) throws -> Timing {
    let common = ["--store", store.path, "--config", config.path, "--operator", "bench-city", "--today", "\(today)"]
    let timing = try timedRun(
      binDirectory.appendingPathComponent(tool), arguments + common, input: input, output: file(output), environment: [:],
      peak: peak)
    guard timing.status == 0 else { throw RunFailure("\(tool) \(arguments.first ?? "") exited \(timing.status)") }
    return timing
  }
}

/// The files of a store: the database, its log and its shared memory.
func storeFiles(of store: URL) -> [String] { ["", "-wal", "-shm"].map { store.path + $0 } }

/// Removes a store's files, those that exist.
func removeStore(_ store: URL) {
  for file in storeFiles(of: store) { try? FileManager.default.removeItem(atPath: file) }
}

/// The sample configuration's organisations, over which generated residents are spread.
let samplePlaces: [Population.Place] = [
  .init(org: "500103001", district: "500103"), .init(org: "500103002", district: "500103"),
  .init(org: "500106001", district: "500106"), .init(org: "500112001", district: "500112"),
  .init(org: "500229001", district: "500229"),
]

/// The configuration the benchmarks run under: one city administrator over the sample
/// organisations, in a training installation, since the runs claim their date with `--today`.
let benchConfiguration = """
  training: true
  orgs:
    "500103001": {name: 解放碑社区卫生服务中心, district: "500103"}
    "500103002": {name: 七星岗社区卫生服务中心, district: "500103"}
    "500106001": {name: 小龙坎社区卫生服务中心, district: "500106"}
    "500112001": {name: 龙溪社区卫生服务中心, district: "500112"}
    "500229001": {name: 葛城街道社区卫生服务中心, district: "500229"}
  operators:
    bench-city: {name: 基准测试, role: city_admin}
    bench-admin: {name: 基准审批, role: city_admin}

  """

struct People: ParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Print generated residents as hr-create input.")

  @Option(help: "How many residents.") var count = 300
  @Option(help: "Seed of the generated population.") var seed: UInt64 = 2024
  @Option(help: "Date the ages are counted to.") var today = "2026-11-26"
  @Option(help: "Share of newborns registered by birth certificate.") var birthCertificates = 0.02

  func run() throws {
    guard let date = LocalDate(today) else { throw ValidationError("--today must be YYYY-MM-DD") }
    var out = FileHandle.standardOutput
    try writePeople(to: &out, count: count, seed: seed, today: date, birthCertificates: birthCertificates)
  }
}

/// Writes `count` generated residents as JSON Lines, each passed through `adjust`.
func writePeople(
  to handle: inout FileHandle, count: Int, seed: UInt64, today: LocalDate, birthCertificates: Double = 0.02,
  adjust: (inout JSONObject) -> Void = { _ in }
) throws {
  var buffer: [UInt8] = []
  for var person in Population(
    count: count, seed: seed, places: samplePlaces, today: today, birthCertificateShare: birthCertificates)
  {
    adjust(&person)
    JSONValue.object(person).write(compactTo: &buffer)
    buffer.append(UInt8(ascii: "\n"))
    if buffer.count > 1 << 20 {
      try handle.write(contentsOf: buffer)
      buffer.removeAll(keepingCapacity: true)
    }
  }
  try handle.write(contentsOf: buffer)
}

/// What a timed run took: wall-clock seconds, CPU seconds (user and system), peak resident memory
/// and the exit status.
struct Timing {
  let seconds: Double
  let cpuSeconds: Double
  /// Peak resident set, in bytes (the child's own `ru_maxrss`, not the largest of all children).
  var peakBytes: Int = 0
  let status: Int32
}

/// Runs an executable with its standard input from `input` and its output to `output`, and times
/// it; `wait4` gives this child's own CPU time and peak memory. With `peak` false the peak is not
/// taken, and the run is timed without the few milliseconds `/usr/bin/time` adds to it, which the
/// start-up figures cannot carry.
func timedRun(
  _ executable: URL, _ arguments: [String], input: URL, output: URL, environment: [String: String], peak: Bool = true
) throws -> Timing {
  let inputFD = open(input.path, O_RDONLY)
  guard inputFD >= 0 else { throw RunFailure("cannot open \(input.path)") }
  defer { close(inputFD) }
  let outputFD = open(output.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
  guard outputFD >= 0 else { throw RunFailure("cannot create \(output.path)") }
  defer { close(outputFD) }
  var actions = posix_spawn_file_actions_t()
  posix_spawn_file_actions_init(&actions)
  defer { posix_spawn_file_actions_destroy(&actions) }
  posix_spawn_file_actions_adddup2(&actions, inputFD, 0)
  posix_spawn_file_actions_adddup2(&actions, outputFD, 1)
  let merged = ProcessInfo.processInfo.environment.merging(environment) { $1 }
  // posix_spawn shares this process's memory until the exec, and Linux keeps that high-water mark
  // in the child's ru_maxrss. /usr/bin/time forks from its own small image, so the peak it
  // reports (%M) is the tool's own; wait4 still gives the CPU time of both.
  let trampoline = "/usr/bin/time"
  let viaTime = peak && FileManager.default.isExecutableFile(atPath: trampoline)
  let peakFile = output.path + ".peak"
  let command =
    viaTime ? [trampoline, "-f", "%M", "-o", peakFile, "--", executable.path] + arguments : [executable.path] + arguments
  let argv = command.map { strdup($0) } + [nil]
  let envp = merged.map { strdup("\($0)=\($1)") } + [nil]
  defer { for pointer in argv + envp { free(pointer) } }
  var pid: pid_t = 0
  settleWrites()
  let start = DispatchTime.now().uptimeNanoseconds
  let spawned = posix_spawn(&pid, command[0], &actions, nil, argv, envp)
  guard spawned == 0 else { throw RunFailure("cannot run \(executable.path): \(String(cString: strerror(spawned)))") }
  var status: Int32 = 0
  var usage = rusage()
  while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
  let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
  let exited = status & 0x7f == 0
  var peakKiB = peak ? usage.ru_maxrss : 0
  if viaTime, let text = try? String(contentsOfFile: peakFile, encoding: .utf8),
    let reported = text.split(separator: "\n").last.flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) })
  {
    peakKiB = reported
  }
  try? FileManager.default.removeItem(atPath: peakFile)
  return Timing(
    seconds: seconds, cpuSeconds: cpuSeconds(usage), peakBytes: peakKiB * 1024,
    status: exited ? (status >> 8) & 0xff : 128 + (status & 0x7f))
}

/// Writes out every file change still in memory (the store just copied, the input just
/// generated) before a timed run starts, so that the run does not wait for them: a tool commits
/// many times and a commit's sync can wait for other files' data, which favoured the floor's one
/// commit more with each pair of runs.
func settleWrites() { sync() }

/// User plus system seconds of a resource usage.
func cpuSeconds(_ usage: rusage) -> Double {
  Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

/// CPU seconds used so far by this process, all threads.
func ownCPUSeconds() -> Double {
  var usage = rusage()
  getrusage(RUSAGE_SELF.rawValue, &usage)
  return cpuSeconds(usage)
}

/// Prints one benchmark figure in a form that is easy to read and to grep: the wall-clock rate, and
/// the rate per CPU second, which a busy shared machine disturbs far less.
func report(_ name: String, items: Int, timing: Timing, unit: String) {
  let rate = Double(items) / timing.seconds
  let cpuRate = Double(items) / max(timing.cpuSeconds, 1e-9)
  var line =
    "\(name): \(items) \(unit) in \(String(format: "%.2f", timing.seconds)) s = \(String(format: "%.0f", rate)) \(unit)/second"
    + " (\(String(format: "%.2f", timing.cpuSeconds)) CPU s = \(String(format: "%.0f", cpuRate)) \(unit)/CPU second)"
  if timing.peakBytes > 0 { line += ", peak \(String(format: "%.1f", Double(timing.peakBytes) / 1048576)) MiB" }
  print(line)
}

/// Prints a tool's figures next to its floor: the ratio of wall and of CPU seconds; and keeps them
/// in `pairs`, when given, for its summary.
func compare(
  _ name: String, items: Int, tool: Timing, floor: Timing, unit: String, pairs: Pairs? = nil,
  floorName: String = "SQLite writing the same rows"
) {
  report(name, items: items, timing: tool, unit: unit)
  report("  floor (\(floorName))", items: items, timing: floor, unit: unit)
  print(
    "  ratio hr/floor: \(String(format: "%.2f", tool.seconds / max(floor.seconds, 1e-9)))x wall, "
      + "\(String(format: "%.2f", tool.cpuSeconds / max(floor.cpuSeconds, 1e-9)))x CPU")
  pairs?.add(name, tool: tool, floor: floor)
}

/// The timings of each tool and its floor over several pairs of runs (`--pairs`), summed up at
/// the end: each pair's ratio, and the medians.
final class Pairs {
  /// How many pairs each tool runs.
  let count: Int
  private var runs: [(name: String, tool: [Timing], floor: [Timing])] = []

  init(_ count: Int) throws {
    guard count >= 1 else { throw RunFailure("--pairs must be at least 1") }
    self.count = count
  }

  /// Announces a pair after the first.
  func start(_ pair: Int) {
    if pair > 1 { print("pair \(pair) of \(count):") }
  }

  func add(_ name: String, tool: Timing, floor: Timing) {
    if let index = runs.firstIndex(where: { $0.name == name }) {
      runs[index].tool.append(tool)
      runs[index].floor.append(floor)
    } else {
      runs.append((name, [tool], [floor]))
    }
  }

  /// Prints, after more than one pair, each tool's ratios and their median, and the median times.
  func summarize() {
    guard count > 1 else { return }
    func format(_ value: Double) -> String { String(format: "%.2f", value) }
    for (name, tool, floor) in runs {
      let wall = zip(tool, floor).map { $0.seconds / max($1.seconds, 1e-9) }
      let cpu = zip(tool, floor).map { $0.cpuSeconds / max($1.cpuSeconds, 1e-9) }
      print(
        "\(name), \(wall.count) pairs: ratio hr/floor \(wall.map { format($0) + "x" }.joined(separator: " ")) wall, "
          + "median \(format(median(wall)))x (CPU median \(format(median(cpu)))x); "
          + "median hr \(format(median(tool.map(\.seconds)))) s, floor \(format(median(floor.map(\.seconds)))) s")
    }
  }
}

/// The middle value, or the mean of the two middle ones.
func median(_ values: [Double]) -> Double {
  let sorted = values.sorted()
  guard !sorted.isEmpty else { return 0 }
  return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}
