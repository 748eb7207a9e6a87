#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import GRDB
import HRCore

/// The loop every writing tool runs: read JSON Lines, handle each line in the store, print one
/// result per accepted line in input order, report every rejected line, commit in batches (§2).
///
/// Each batch is one `BEGIN IMMEDIATE` transaction and each line one savepoint inside it, so a
/// rejected line undoes only its own changes; output is written once its batch has committed.
/// With `--all-or-nothing` or `--dry-run` the whole run is one transaction; a dry run still writes
/// its output batch by batch, since it never commits.
package struct LineRunner {
  package let tool: String
  package let options: LineOptions
  package let session: Session
  /// The word of the summary line: `created`, `updated` …
  package let verb: String
  /// Opens the store once the first input has arrived: in a pipeline the tool before this one may be
  /// creating it.
  let openStore: () throws -> Store

  init(tool: String, options: LineOptions, session: Session, verb: String, openStore: @escaping () throws -> Store) {
    self.tool = tool
    self.options = options
    self.session = session
    self.verb = verb
    self.openStore = openStore
  }

  /// Runs `handle` on every input line; returns 0 when every line was accepted, 65 otherwise.
  package func run(_ handle: (JSONObject, Database) throws -> JSONObject) throws -> ExitStatus {
    var batches = try InputBatches(files: options.files, batchSize: options.batchSize)
    defer { batches.closeFiles() }
    var report = try RejectReport(tool: tool, path: options.rejects)
    defer { report.close() }
    let wholeRun = options.allOrNothing || options.dryRun
    // With --all-or-nothing nothing may be printed before the final commit: the results wait in an
    // unlinked temporary file rather than in memory, which would grow with the input.
    let spool = options.allOrNothing && !options.dryRun ? try Spool() : nil
    defer { spool?.discard() }
    var output = OutputBuffer(fd: spool?.fd ?? 1)
    var progress = Progress(tool: tool, verb: verb)
    var accepted = 0
    // Refusals the trail must keep even if the whole run is rolled back (denials, already_served).
    var keptRefusals: [AuditEntry] = []

    var batch = try batches.next()
    try openStore().writeWithoutTransaction { db in
      do {
        if wholeRun { try db.beginTransaction(.immediate) }
        while let (file, lines) = batch {
          if !wholeRun { try db.beginTransaction(.immediate) }
          for line in lines {
            switch handleLine(line, handle, db: db) {
            case .accepted(let result):
              try output.append(result)
              accepted += 1
            case .rejected(let rejection):
              report.add(rejection, file: file, line: line)
              if let audit = rejection.audit {
                try AuditTrail.append(audit, by: session.staff, in: db)
                if spool != nil { keptRefusals.append(audit) }
              }
            case .failed(let error):
              throw error
            }
            progress.tick(accepted: accepted, rejected: report.count)
          }
          // A batch's results are printed once it has committed; a dry run commits nothing, so its
          // results need not wait; an all-or-nothing run's go to the spool.
          if !wholeRun { try db.commit() }
          try output.flush()
          batch = try batches.next()
        }
        if wholeRun {
          if options.dryRun || report.count > 0 {
            try db.rollback()
          } else {
            try db.commit()
            guard spool?.copy(to: 1) ?? true else { throw RunError(.io, "cannot write standard output") }
          }
        }
      } catch {
        if !db.isInsideTransaction { throw error }
        try? db.rollback()
        throw error
      }
      if wholeRun, !options.dryRun, report.count > 0, !keptRefusals.isEmpty {
        try db.inTransaction(.immediate) {
          for audit in keptRefusals { try AuditTrail.append(audit, by: session.staff, in: db) }
          return .commit
        }
      }
    }
    progress.finish()
    if !options.quiet {
      var summary = "\(tool): \(accepted) \(options.dryRun ? "would be \(verb)" : verb), \(report.count) rejected"
      if options.dryRun {
        summary += " (dry run: nothing committed)"
      } else if options.allOrNothing && report.count > 0 {
        summary += " (all or nothing: nothing committed)"
      }
      StandardError.write(summary + "\n")
    }
    return report.count == 0 ? .ok : .dataError
  }

  private enum LineOutcome {
    case accepted(JSONObject)
    case rejected(LineRejection)
    case failed(any Error)
  }

  /// Parses and handles one line inside its own savepoint.
  private func handleLine(_ line: InputLine, _ handle: (JSONObject, Database) throws -> JSONObject, db: Database) -> LineOutcome {
    if line.isTooLong {
      return .rejected(LineRejection(.lineTooLong, "line is longer than \(LineReader.maximumLineLength) bytes"))
    }
    let object: JSONObject
    do {
      object = try JSONParser.parseObject(line.bytes)
    } catch {
      return .rejected(LineRejection(RejectionCode(error.code), error.message))
    }
    var result: JSONObject?
    do {
      try db.inSavepoint {
        result = try handle(object, db)
        return .commit
      }
      return .accepted(result!)
    } catch let rejection as LineRejection {
      return .rejected(rejection)
    } catch {
      return .failed(error)
    }
  }
}

extension LineRunner {
  /// Runs a command that reads lines, the same way for every tool: the operator's session for
  /// `action` (exit 77 when the role may never take it), then `makeHandler`, which may check the
  /// options against the session and returns what each line does, then the store and the loop.
  package static func run(
    _ command: String, action: Action, verb: String, common: CommonOptions, lines: LineOptions,
    createsStore: Bool = false, _ makeHandler: (Session) throws -> (JSONObject, Database) throws -> JSONObject
  ) throws {
    let tool = String(command.prefix { $0 != " " })
    try runTool(tool) {
      let session = try common.session(requiring: action, for: command)
      let handle = try makeHandler(session)
      let runner = LineRunner(tool: tool, options: lines, session: session, verb: verb) {
        try common.openStore(creating: createsStore, tool: tool)
      }
      return try runner.run(handle)
    }
  }
}

/// Reports rejected lines: GNU-style messages on standard error and, with `--rejects`, JSON
/// objects that keep the original line so a fixed file can be fed back (§2).
struct RejectReport {
  let tool: String
  private var file: UnsafeMutablePointer<FILE>?
  private(set) var count = 0

  init(tool: String, path: String?) throws {
    self.tool = tool
    if let path {
      guard let file = fopen(path, "w") else {
        throw RunError(.cannotCreate, "cannot create '\(path)': \(String(cString: strerror(errno)))")
      }
      self.file = file
    }
  }

  mutating func add(_ rejection: LineRejection, file name: String, line: InputLine) {
    count += 1
    StandardError.write("\(tool):\(name):\(line.number): \(rejection.code): \(rejection.message)\n")
    guard let file else { return }
    var object: JSONObject = ["line": .int(line.number), "file": .string(name), "code": .string(rejection.code.rawValue), "error": .string(rejection.message)]
    for (key, value) in rejection.details where object[key] == nil { object[key] = value }
    object["input"] = .string(String(decoding: line.bytes, as: UTF8.self))
    var bytes: [UInt8] = []
    JSONValue.object(object).write(compactTo: &bytes)
    bytes.append(UInt8(ascii: "\n"))
    fwrite(bytes, 1, bytes.count, file)
  }

  mutating func close() {
    if let file { fclose(file) }
    file = nil
  }
}

/// A progress line on standard error once a second, only when a person is watching (§2).
struct Progress {
  let tool: String
  let verb: String
  private let enabled = StandardError.isTerminal
  private var lastSecond = Progress.seconds()
  private var shown = false

  init(tool: String, verb: String) {
    self.tool = tool
    self.verb = verb
  }

  mutating func tick(accepted: Int, rejected: Int) {
    guard enabled else { return }
    let now = Progress.seconds()
    guard now > lastSecond else { return }
    lastSecond = now
    shown = true
    StandardError.write("\r\(tool): \(accepted) \(verb), \(rejected) rejected…")
  }

  func finish() {
    if shown { StandardError.write("\n") }
  }

  private static func seconds() -> Int { Int(time(nil)) }
}

/// An unlinked temporary file that holds an all-or-nothing run's results until the final commit.
struct Spool {
  let fd: Int32

  init() throws {
    let directory = environment("TMPDIR") ?? "/tmp"
    var template = Array("\(directory)/hr-output-XXXXXX".utf8CString)
    let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
    guard fd >= 0 else {
      throw RunError(.cannotCreate, "cannot create a temporary file in '\(directory)': \(String(cString: strerror(errno)))")
    }
    template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
    self.fd = fd
  }

  /// Copies everything spooled to `target`; false on an I/O error.
  func copy(to target: Int32) -> Bool {
    guard lseek(fd, 0, SEEK_SET) == 0 else { return false }
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
      let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
      if count < 0 && errno == EINTR { continue }
      if count < 0 { return false }
      if count == 0 { return true }
      guard chunk.withUnsafeBytes({ writeAll(target, UnsafeRawBufferPointer(rebasing: $0[0..<count])) }) else { return false }
    }
  }

  func discard() {
    close(fd)
  }
}
