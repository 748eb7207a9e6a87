import ArgumentParser
import Foundation
import GRDB
import HRCLI
import HRCore
import HRFixtures
import HRLines

/// Builds a store of millions of generated residents and measures `hr-create` on it: how long the
/// store took to build and its bytes per resident; `hr-create` throughput on it next to the same
/// lines on an empty store, each run beside its floor on that store (`--no-floor` skips them);
/// and what one `hr-create --check` line costs for the whole process.
///
/// The store is built in this process with `Registry.create`, the code `hr-create` runs for each
/// line, in transactions of `--batch` residents: the same rows, identifiers and audit events,
/// without parsing ten million lines back. An interrupted build is continued with `--resume`.
struct ScaleBenchmark: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "scale", abstract: "Build a store of millions of residents and measure hr-create on it.")

  @OptionGroup var options: BenchOptions
  @Option(help: "Residents in the store.") var residents = 10_000_000
  @Option(help: "Residents created per transaction while building.") var batch = 50_000
  @Option(help: "Residents each timed hr-create run adds.") var measure = 20_000
  @Option(help: "Timed hr-create runs on each store (each adds other residents).") var runs = 3
  @Option(help: "Timed one-line hr-create --check runs on each store.") var checkRuns = 21
  @Flag(help: "Continue a build left in the working directory, keeping the residents it holds.") var resume = false
  @Flag(help: "Only build the store; measure nothing.") var buildOnly = false
  @Flag(
    inversion: .prefixedNo,
    help: """
      Measure each run's floor too: SQLite writing the same rows into a fresh store and into a copy of \
      the large one (which needs as much free disk as the store).
      """)
  var floor = true

  /// The generated people's date of reference, as in the other benchmarks.
  static let today = LocalDate("2026-11-26")!

  func run() throws {
    let directory = try options.makeWorkdir()
    let config = directory.appendingPathComponent("scale.yaml")
    try scaleConfiguration.write(to: config, atomically: true, encoding: .utf8)
    let store = directory.appendingPathComponent("scale.sqlite")
    if !resume {
      removeStore(store)
    }
    // As many people as are drawn: the build, the city-wide slices and the intakes, which keep
    // one organisation's residents out of the people drawn, each stop on their own.
    var people = Population(
      count: Int.max, seed: options.seed, places: scalePlaces, today: Self.today, townships: 10)
    guard let known = people.next() else { return }
    let checkKnown = try writeLines([known], to: directory.appendingPathComponent("check-known.jsonl"))
    try build(store: store.path, config: config, people: &people, first: known)
    if buildOnly { return }

    guard let lines = try drawLines(from: &people, notIn: store, directory: directory) else { return }

    // The floor of each run: the same rows in the tool's order, committed as the tool commits
    // them, so that the two stores differ for SQLite only in what they already hold.
    let plan = Floor.Plan.toolOrder(batch: try LineOptions.parse([]).batchSize)
    let largeCopy = directory.appendingPathComponent("scale-floor.sqlite")
    defer { removeStore(largeCopy) }
    var largeFloor: Floor?
    if floor {
      try copyWhole(store, to: largeCopy)
      largeFloor = Floor(following: store, copy: largeCopy, in: directory, name: "scale-large", plan: plan)
    }

    let empty = directory.appendingPathComponent("empty.sqlite")
    for (name, inputs) in [("city-wide slices", lines.slices), ("one organisation's intake", lines.intakes)] {
      var emptyTimings: [Timing] = []
      var largeTimings: [Timing] = []
      var emptyFloorTimings: [Timing] = []
      var largeFloorTimings: [Timing] = []
      for input in inputs {
        removeStore(empty)
        let emptyFloor = floor ? try Floor(of: empty, in: directory, name: "scale-empty", plan: plan) : nil
        emptyTimings.append(try create(input, store: empty, config: config, directory: directory))
        let emptyRows = try emptyFloor?.measure(lines: measure)
        largeTimings.append(try create(input, store: store, config: config, directory: directory))
        let largeRows = try largeFloor?.measure(lines: measure)
        if let emptyRows, let largeRows {
          guard emptyRows.rows == largeRows.rows else {
            throw RunFailure("the floor wrote \(emptyRows.rows) rows into the empty store, \(largeRows.rows) into the large one")
          }
          emptyFloorTimings.append(emptyRows.timing)
          largeFloorTimings.append(largeRows.timing)
        }
      }
      let (onEmpty, onLarge) = (Rates(emptyTimings, items: measure), Rates(largeTimings, items: measure))
      say(
        "hr-create of \(measure) residents, \(name), median of \(runs): \(Rates.compared(onEmpty, onLarge)); "
          + "peak \(mib(largeTimings.map(\.peakBytes).max() ?? 0)) MiB")
      guard !emptyFloorTimings.isEmpty else { continue }
      let emptyFloor = Rates(emptyFloorTimings, items: measure)
      let largeFloor = Rates(largeFloorTimings, items: measure)
      say(
        "  floor (SQLite writing the same rows in the tool's order), median of \(runs): "
          + Rates.compared(emptyFloor, largeFloor))
      say(
        "  ratio hr/floor, median: empty store \(String(format: "%.2f", emptyFloor.wall / onEmpty.wall))x wall, "
          + "large store \(String(format: "%.2f", largeFloor.wall / onLarge.wall))x wall")
    }

    for (name, line) in [("a resident in the store", checkKnown), ("a resident not in the store", lines.checkUnknown)] {
      for (storeName, path) in [("large store", store), ("empty store", empty)] {
        var timings: [Timing] = []
        for _ in 0..<checkRuns {
          // A run of milliseconds: timed without `/usr/bin/time` (`timedRun`), no peak printed.
          timings.append(
            try tool(["--check", "--quiet"], input: line, store: path, config: config, directory: directory, peak: false))
        }
        say(
          "hr-create --check, one line, \(name), \(storeName): median \(ms(median(timings.map(\.seconds)))) ms wall, "
            + "\(ms(median(timings.map(\.cpuSeconds)))) ms CPU over \(checkRuns) runs")
      }
    }
  }

  /// Writes the lines to measure: `runs` city-wide slices and `runs` intakes of one organisation
  /// each, of `measure` people the store does not hold, and one more such person for `--check`.
  /// The store is open only here: the copy of its files that the floor takes must not be read
  /// while this process holds it open, for closing a file this process opened drops every lock
  /// the process holds on it, its connections' included, and a tool would then take the store for
  /// unused and remove its log from under them.
  func drawLines(from people: inout Population, notIn store: URL, directory: URL) throws -> MeasuredLines? {
    // The measured lines are people the store does not hold yet: after a resumed build, the
    // replay of the generator stops short by the residents it passed over, whose successors the
    // store already holds.
    let large = try Store(path: store.path)
    func next() throws -> JSONObject? {
      while let person = people.next() {
        let identifiers = try IdentifierFields(Fields(selecting: person), today: Self.today)
        if try large.read({ db in try Registry.holder(of: identifiers, in: db) }) == nil { return person }
      }
      return nil
    }
    var slices: [URL] = []
    for run in 0..<runs {
      var lines: [JSONObject] = []
      while lines.count < measure, let person = try next() { lines.append(person) }
      guard lines.count == measure else { throw RunFailure("the generator ran out of people") }
      slices.append(try writeLines(lines, to: directory.appendingPathComponent("slice-\(run).jsonl")))
    }
    guard let unknown = try next() else { return nil }
    let checkUnknown = try writeLines([unknown], to: directory.appendingPathComponent("check-new.jsonl"))
    // One institution's intake: the next residents of one organisation (a district's 80
    // divisions here), the way a primary-care institution loads its new residents; the city-wide
    // slices mix all 3,040 divisions of the city in every batch.
    var intakes: [URL] = []
    for run in 0..<runs {
      let org = scalePlaces[(run * 7 + 11) % scalePlaces.count].org
      var lines: [JSONObject] = []
      while lines.count < measure, let person = try next() {
        if person["org"]?.stringValue == org { lines.append(person) }
      }
      guard lines.count == measure else { throw RunFailure("the generator ran out of people") }
      intakes.append(try writeLines(lines, to: directory.appendingPathComponent("intake-\(run).jsonl")))
    }

    return MeasuredLines(slices: slices, intakes: intakes, checkUnknown: checkUnknown)
  }

  /// The input files of the measured runs.
  struct MeasuredLines {
    let slices: [URL]
    let intakes: [URL]
    let checkUnknown: URL
  }

  /// Creates the residents the store lacks, `batch` to a transaction, and prints the progress
  /// and, at the end, the time taken and the bytes per resident.
  func build(store path: String, config: URL, people: inout Population, first: JSONObject) throws {
    let configuration = try Configuration.parse(
      yaml: try String(contentsOf: config, encoding: .utf8), file: config.path)
    let session = try Session(
      configuration: configuration, operatorID: "bench-city", today: Self.today, realToday: LocalDate.todayInChina())
    let store = try Store(path: path)
    // The build alone keeps the pages of the indexes it grows in 2 GiB of cache rather than the
    // tools' 16 MiB: the store it leaves is the same, built sooner.
    try store.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA cache_size = -2097152") }
    let stored = try store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM record") ?? 0 }
    // The generator is replayed up to the residents already stored, so that a resumed build goes
    // on with the same people.
    var done = stored
    var pending: JSONObject? = stored == 0 ? first : nil
    for _ in 0..<max(0, stored - 1) { _ = people.next() }
    if stored > 0 { say("resuming at \(stored) residents") }

    let start = monotonicSeconds()
    let startCPU = ownCPUSeconds()
    var lastReport = (time: start, cpu: startCPU, done: done)
    // A person the store already holds is passed over: residents another run added (other lines
    // measured on this store), or, after a resume, the people passed over before, which the
    // replay above counted as not yet created. A duplicate is refused before anything is written.
    var skipped = 0
    while done < residents {
      let count = min(batch, residents - done)
      try store.write { db in
        var created = 0
        while created < count {
          guard let person = pending ?? people.next() else { return }
          pending = nil
          do {
            _ = try Registry.create(person, session: session, in: db)
            created += 1
          } catch let rejection as LineRejection where rejection.code == .duplicateRecord {
            skipped += 1
          }
        }
      }
      done += count
      if done / 1_000_000 != (done - count) / 1_000_000 || done == residents {
        let (now, cpu) = (monotonicSeconds(), ownCPUSeconds())
        let added = Double(done - lastReport.done)
        let total = "\(done) residents: \(rate(now - start)) s, \(rate(cpu - startCPU)) CPU s"
        let last = "last \(done - lastReport.done) at \(rate(added / (now - lastReport.time))) records/s"
        let perCPU = "\(rate(added / (cpu - lastReport.cpu)))/CPU s"
        say("\(total); \(last) (\(perCPU)), store \(bytes(Self.size(path)))")
        lastReport = (now, cpu, done)
      }
    }
    let (wall, cpu) = (monotonicSeconds() - start, ownCPUSeconds() - startCPU)
    if skipped > 0 { say("passed over \(skipped) generated residents the store already held") }
    if done > stored {
      say(
        "built \(done - stored) residents in \(String(format: "%.0f", wall)) s (\(String(format: "%.0f", cpu)) CPU s) = "
          + "\(rate(Double(done - stored) / wall)) records/s")
    }
    let (pages, pageSize, free, events) = try store.read { db in
      (
        try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0, try Int.fetchOne(db, sql: "PRAGMA page_size") ?? 0,
        try Int.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0,
        try Int.fetchOne(db, sql: "SELECT max(seq) FROM audit_event") ?? 0
      )
    }
    say(
      "store: \(done) residents, \(events) audit events, \(bytes(pages * pageSize)) in pages (\(free) free), "
        + "\(String(format: "%.0f", Double(pages * pageSize) / Double(max(done, 1)))) bytes per resident")
  }

  /// The median records/second of some runs, by wall-clock and by CPU time.
  struct Rates {
    let wall: Double
    let cpu: Double

    init(_ timings: [Timing], items: Int) {
      wall = median(timings.map { Double(items) / $0.seconds })
      cpu = median(timings.map { Double(items) / $0.cpuSeconds })
    }

    /// Both stores' rates, and the large store's share of the empty one's.
    static func compared(_ empty: Rates, _ large: Rates) -> String {
      func rate(_ value: Double) -> String { String(format: "%.0f", value) }
      return "empty store \(rate(empty.wall)) records/s (\(rate(empty.cpu))/CPU s); large store \(rate(large.wall)) "
        + "records/s (\(rate(large.cpu))/CPU s); large/empty: \(rate(100 * large.wall / empty.wall))% wall, "
        + "\(rate(100 * large.cpu / empty.cpu))% CPU"
    }
  }

  /// Copies the files of `store` to `copy` as they are, after making sure the disk holds them.
  func copyWhole(_ store: URL, to copy: URL) throws {
    removeStore(copy)
    let needed = Self.size(store.path)
    let free =
      (try FileManager.default.attributesOfFileSystem(forPath: copy.deletingLastPathComponent().path)[.systemFreeSize]
        as? Int) ?? 0
    guard free > needed + (1 << 30) else {
      throw RunFailure("the floor needs a copy of the store, \(bytes(needed)), and \(bytes(free)) are free (--no-floor skips it)")
    }
    say("copying the store for the floor (\(bytes(needed)))")
    for suffix in ["", "-wal"] where FileManager.default.fileExists(atPath: store.path + suffix) {
      try FileManager.default.copyItem(atPath: store.path + suffix, toPath: copy.path + suffix)
    }
  }

  /// The size of the store and its write-ahead log, in bytes.
  static func size(_ path: String) -> Int {
    ["", "-wal"].reduce(0) { total, suffix in
      total + ((try? FileManager.default.attributesOfItem(atPath: path + suffix)[.size] as? Int) ?? 0)
    }
  }

  /// Runs `hr-create` on `input` against `store`, adding its residents; a failure ends the benchmark.
  func create(_ input: URL, store: URL, config: URL, directory: URL) throws -> Timing {
    try tool(["--quiet"], input: input, store: store, config: config, directory: directory)
  }

  func tool(_ arguments: [String], input: URL, store: URL, config: URL, directory: URL, peak: Bool = true) throws -> Timing {
    let common = [
      "--store", store.path, "--config", config.path, "--operator", "bench-city", "--today", "\(Self.today)",
    ]
    let timing = try timedRun(
      options.binDirectory.appendingPathComponent("hr-create"), arguments + common, input: input,
      output: directory.appendingPathComponent("scale.out"), environment: [:], peak: peak)
    guard timing.status == 0 else { throw RunFailure("hr-create \(arguments.joined(separator: " ")) exited \(timing.status)") }
    return timing
  }

  func writeLines(_ objects: [JSONObject], to url: URL) throws -> URL {
    var buffer: [UInt8] = []
    for object in objects {
      JSONValue.object(object).write(compactTo: &buffer)
      buffer.append(UInt8(ascii: "\n"))
    }
    try Data(buffer).write(to: url)
    return url
  }

  /// Prints a line at once, so that a build's progress reaches a log file as it goes.
  func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

  func monotonicSeconds() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

  func rate(_ value: Double) -> String { String(format: "%.0f", value) }
  func ms(_ seconds: Double) -> String { String(format: "%.1f", 1000 * seconds) }
  func mib(_ bytes: Int) -> String { String(format: "%.1f", Double(bytes) / 1_048_576) }
  func bytes(_ count: Int) -> String { String(format: "%.2f GiB", Double(count) / Double(1 << 30)) }
}

/// One organisation in each of Chongqing's 38 districts and counties, so that ten million
/// residents spread over enough divisions (each gives at most 99,999 record numbers).
let scalePlaces: [Population.Place] = ChongqingDistricts.all.map { .init(org: $0.code + "001", district: $0.code) }

/// The scale benchmark's configuration: the organisations of ``scalePlaces`` and the bench operators.
let scaleConfiguration: String = {
  var text = "training: true\norgs:\n"
  for district in ChongqingDistricts.all {
    text += "  \"\(district.code)001\": {name: \(district.name)社区卫生服务中心, district: \"\(district.code)\"}\n"
  }
  return text + "operators:\n  bench-city: {name: 基准测试, role: city_admin}\n"
}()
