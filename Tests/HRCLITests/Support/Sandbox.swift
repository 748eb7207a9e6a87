import Foundation
import HRLines
import HRTestSupport
import Synchronization
import Testing

/// What a finished process left: its standard output and error and its exit status.
struct ToolResult {
  let stdout: String
  let stderr: String
  let status: Int32

  /// The non-empty lines of standard output.
  var lines: [String] { stdout.split(separator: "\n").map(String.init) }

  /// Standard output parsed as JSON Lines.
  var objects: [[String: Any]] {
    lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
  }

  /// The non-empty lines of standard error.
  var errorLines: [String] { stderr.split(separator: "\n").map(String.init) }
}

/// A scratch directory with a real store and a real YAML configuration, in which the built
/// executables run the way a district script runs them.
final class Sandbox {
  let directory: URL
  var store: String { directory.appendingPathComponent("hr.sqlite").path }
  var config: String { directory.appendingPathComponent("hr.yaml").path }

  /// The directory holding the built executables (next to the test bundle).
  static let binDirectory: URL = {
    if let dir = ProcessInfo.processInfo.environment["HR_BIN_DIR"] { return URL(fileURLWithPath: dir) }
    var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    while url.path != "/" {
      url.deleteLastPathComponent()
      if FileManager.default.isExecutableFile(atPath: url.appendingPathComponent("hr-create").path) { return url }
    }
    return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(".build/debug")
  }()

  /// The example configuration of the repository (`examples/hr.yaml`).
  static let exampleConfiguration = Repository.exampleConfiguration

  /// Creates a sandbox with `configuration` (default: the example one) as `hr.yaml` and, unless
  /// `newStore` is false, an empty store, as a district has once `hr-create` has first run.
  init(configuration: String = Sandbox.exampleConfiguration, newStore: Bool = true) throws {
    directory = FileManager.default.temporaryDirectory.appendingPathComponent("hr-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    try configuration.write(toFile: config, atomically: true, encoding: .utf8)
    if newStore { try FileManager.default.copyItem(atPath: try Sandbox.emptyStore(), toPath: store) }
  }

  /// An empty store made once by `hr-create` on no input, copied into every sandbox that wants one.
  private static func emptyStore() throws -> String {
    try emptyStoreLock.withLock { path in
      if let path { return path }
      let template = try Sandbox(newStore: false)
      let made = try template.run("hr-create", ["--quiet"])
      #expect(made.status == 0, "\(made.stderr)")
      let copy = FileManager.default.temporaryDirectory.appendingPathComponent("hr-empty-\(UUID().uuidString).sqlite").path
      try FileManager.default.copyItem(atPath: template.store, toPath: copy)
      removeAtExit(copy)
      path = copy
      return copy
    }
  }
  private static let emptyStoreLock = Mutex<String?>(nil)

  /// Removes `path` when the test process exits: for what a static holds for every test (the
  /// empty store, a suite's shared sandbox), which no deinit ever removes.
  static func removeAtExit(_ path: String) {
    leftovers.withLock { paths in
      if paths.isEmpty { atexit { Sandbox.removeLeftovers() } }
      paths.append(path)
    }
  }
  private static let leftovers = Mutex<[String]>([])

  private static func removeLeftovers() {
    for path in leftovers.withLock({ $0 }) { try? FileManager.default.removeItem(atPath: path) }
  }

  deinit {
    try? FileManager.default.removeItem(at: directory)
  }

  /// Writes a file in the sandbox and returns its path.
  @discardableResult
  func write(_ name: String, _ contents: String) throws -> String {
    let path = directory.appendingPathComponent(name).path
    try contents.write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  /// Reads a file of the sandbox.
  func read(_ name: String) throws -> String {
    try String(contentsOfFile: directory.appendingPathComponent(name).path, encoding: .utf8)
  }

  /// The environment a district script would set: store, configuration, operator and today.
  func environment(operator id: String?, today: String?) -> [String: String] {
    var env = ProcessInfo.processInfo.environment
    env["HR_STORE"] = store
    env["HR_CONFIG"] = config
    env["HR_OPERATOR"] = id
    env["HR_TODAY"] = today
    env["PATH"] = Sandbox.binDirectory.path + ":" + (env["PATH"] ?? "/usr/bin:/bin")
    return env
  }

  /// Runs one built tool with `stdin` as its standard input.
  func run(
    _ tool: String, _ arguments: [String] = [], stdin: String = "", operator id: String? = "admin-city",
    today: String? = "2026-11-26"
  ) throws -> ToolResult {
    try execute(
      Sandbox.binDirectory.appendingPathComponent(tool), arguments, stdin: Data(stdin.utf8),
      environment: environment(operator: id, today: today))
  }

  /// Runs a bash command line in the sandbox, with the tools on PATH: for real pipelines.
  func shell(_ command: String, operator id: String? = "admin-city", today: String? = "2026-11-26") throws -> ToolResult {
    try execute(
      URL(fileURLWithPath: "/bin/bash"), ["-o", "pipefail", "-c", command], stdin: Data(),
      environment: environment(operator: id, today: today))
  }

  /// Runs an SQL statement on the store with the `sqlite3` command-line tool.
  func sqlite(_ sql: String) throws -> String {
    let result = try execute(URL(fileURLWithPath: "/usr/bin/sqlite3"), [store, sql], stdin: Data(), environment: [:])
    #expect(result.status == 0, "sqlite3 failed: \(result.stderr)")
    return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
  }

  /// Runs a process with files for its standard streams, so no pipe can fill up and block it.
  private func execute(_ executable: URL, _ arguments: [String], stdin: Data, environment: [String: String]) throws -> ToolResult
  {
    let id = UUID().uuidString
    let inURL = directory.appendingPathComponent(".in-\(id)")
    let outURL = directory.appendingPathComponent(".out-\(id)")
    let errURL = directory.appendingPathComponent(".err-\(id)")
    try stdin.write(to: inURL)
    try Data().write(to: outURL)
    try Data().write(to: errURL)
    defer { for url in [inURL, outURL, errURL] { try? FileManager.default.removeItem(at: url) } }
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.environment = environment
    process.currentDirectoryURL = directory
    process.standardInput = try FileHandle(forReadingFrom: inURL)
    process.standardOutput = try FileHandle(forWritingTo: outURL)
    process.standardError = try FileHandle(forWritingTo: errURL)
    try process.run()
    process.waitUntilExit()
    return ToolResult(
      stdout: try String(contentsOf: outURL, encoding: .utf8), stderr: try String(contentsOf: errURL, encoding: .utf8),
      status: process.terminationStatus)
  }
}
