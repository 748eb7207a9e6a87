#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import GRDB
import HRCore

/// The loop every writing tool runs: read JSON Lines, handle each line in the store, print one
/// result per accepted line in input order, report every rejected line, commit in batches (hr(7)).
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
  /// Whether feeding the same input again never applies a line twice (a record that exists is a
  /// `duplicate_record` rejection), which a run stopped by an I/O error says.
  package let rerunIsSafe: Bool
  /// Opens the store once the first input has arrived: in a pipeline the tool before this one may be
  /// creating it.
  let openStore: () throws -> Store

  init(
    tool: String, options: LineOptions, session: Session, verb: String, rerunIsSafe: Bool,
    openStore: @escaping () throws -> Store
  ) {
    self.tool = tool
    self.options = options
    self.session = session
    self.verb = verb
    self.rerunIsSafe = rerunIsSafe
    self.openStore = openStore
  }

  /// Runs `handle` on every input line; returns 0 when every line was accepted, 65 otherwise.
  ///
  /// An I/O error on standard output or the rejects file ends the run (exit 74) with a message
  /// that says how far the committed work goes, so a script knows where to resume.
  package func run(_ handle: (JSONObject, Database) throws -> JSONObject) throws -> ExitStatus {
    var batches = try InputBatches(files: options.files, batchSize: options.batchSize)
    defer { batches.closeFiles() }
    var report = try RejectReport(tool: tool, path: options.rejects)
    defer { report.discard() }
    let wholeRun = options.allOrNothing || options.dryRun
    // With --all-or-nothing nothing may be printed before the final commit: the results wait in an
    // unlinked temporary file rather than in memory, which would grow with the input.
    let spool = options.allOrNothing && !options.dryRun ? try Spool() : nil
    defer { spool?.discard() }
    var output = OutputBuffer(fd: spool?.fd ?? 1)
    var progress = Progress(tool: tool, verb: verb)
    var accepted = 0
    var committed = Committed()
    // Refusals the trail must keep even if the whole run is rolled back (denials, already_served).
    var keptRefusals: [AuditEntry] = []

    func failure(_ what: String) -> RunError {
      RunError(.io, "\(what): \(String(cString: strerror(errno))); \(committed.summary(rerunIsSafe: rerunIsSafe))")
    }

    var batch: (file: String, lines: [InputLine])?
    do {
      batch = try batches.next()
    } catch let error as RunError {
      throw RunError(error.status, "\(error.message); \(committed.summary(rerunIsSafe: rerunIsSafe))")
    }
    try openStore().writeWithoutTransaction { db in
      do {
        if wholeRun { try db.beginTransaction(.immediate) }
        var read = Committed()
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
          read.count(lines.count, through: lines.last, of: file)
          // The rejects of a batch reach their file before the batch commits: a rejected line
          // is never committed without its report.
          guard report.flush() else { throw failure("cannot write rejects file '\(options.rejects ?? "")'") }
          // A batch's results are printed once it has committed; a dry run commits nothing, so its
          // results need not wait; an all-or-nothing run's go to the spool.
          if !wholeRun {
            try db.commit()
            committed = read
          }
          guard output.write() else { throw failure("cannot write standard output") }
          do {
            batch = try batches.next()
          } catch let error as RunError {
            throw RunError(error.status, "\(error.message); \(committed.summary(rerunIsSafe: rerunIsSafe))")
          }
        }
        if wholeRun {
          if options.dryRun || report.count > 0 {
            try db.rollback()
          } else {
            try db.commit()
            committed = read
            guard spool?.copy(to: 1) ?? true else { throw failure("cannot write standard output") }
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
    guard report.finish() else { throw failure("cannot close rejects file '\(options.rejects ?? "")'") }
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

  /// How far the committed lines go, for the message of a run that stops half-way.
  private struct Committed {
    private(set) var lines = 0
    private var last: (file: String, line: Int)?

    mutating func count(_ lines: Int, through line: InputLine?, of file: String) {
      self.lines += lines
      if let line { last = (file, line.number) }
    }

    func summary(rerunIsSafe: Bool) -> String {
      guard let last, lines > 0 else { return "nothing was committed" }
      let what = "\(lines) \(lines == 1 ? "line" : "lines") committed before the error, through line \(last.line) of '\(last.file)'"
      return rerunIsSafe ? what + "; rerunning the same input is safe: duplicates are rejected" : what
    }
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
    } catch let error as StoredValueError {
      // One unreadable record stops only the lines that need it.
      return .rejected(
        LineRejection(.unreadableRecord, error.description, details: error.recordNo.map { ["record_no": .string($0)] } ?? [:]))
    } catch {
      return .failed(error)
    }
  }
}

extension LineRunner {
  /// Runs a command that reads lines, the same way for every tool: an output file that would
  /// overwrite the store or an input is refused (exit 64) before anything is opened; then the
  /// operator's session for `action` (exit 77 when the role may never take it), then `makeHandler`,
  /// which may check the options against the session and returns what each line does, then the
  /// store and the loop.
  package static func run(
    _ command: String, action: Action, verb: String, rerunIsSafe: Bool = false, common: CommonOptions, lines: LineOptions,
    createsStore: Bool = false, _ makeHandler: (Session) throws -> (JSONObject, Database) throws -> JSONObject
  ) throws {
    let tool = String(command.prefix { $0 != " " })
    try runTool(tool) {
      if let rejects = lines.rejects {
        try refuseOverwriting(
          "--rejects", output: rejects, store: common.storePath, inputs: lines.files,
          configuration: common.configurationPath)
      }
      let session = try common.session(requiring: action, for: command)
      let handle = try makeHandler(session)
      let runner = LineRunner(tool: tool, options: lines, session: session, verb: verb, rerunIsSafe: rerunIsSafe) {
        try common.openStore(creating: createsStore, tool: tool)
      }
      return try runner.run(handle)
    }
  }
}

/// Reports rejected lines: GNU-style messages on standard error and, with `--rejects`, JSON
/// objects that keep the original line so a fixed file can be fed back.
///
/// The objects are buffered and written once a batch is done, before it commits; every write and
/// the final close are checked, since a lost reject is a lost line.
struct RejectReport {
  let tool: String
  private var fd: Int32?
  private var bytes: [UInt8] = []
  private(set) var count = 0

  init(tool: String, path: String?) throws {
    self.tool = tool
    if let path {
      // 0640 less the umask the configuration set: 0600, or 0640 when the store is group-readable.
      let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o640)
      guard fd >= 0 else {
        throw RunError(.cannotCreate, "cannot create '\(path)': \(String(cString: strerror(errno)))")
      }
      // A file that was already there keeps its mode through O_TRUNC; it holds residents' lines now.
      var info = stat()
      if fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, info.st_uid == geteuid() {
        _ = fchmod(fd, FilePermissions.currentFileMode)
      }
      self.fd = fd
    }
  }

  mutating func add(_ rejection: LineRejection, file name: String, line: InputLine) {
    count += 1
    StandardError.write("\(tool):\(name):\(line.number): \(rejection.code): \(rejection.message)\n")
    guard fd != nil else { return }
    var object: JSONObject = ["line": .int(line.number), "file": .string(name), "code": .string(rejection.code.rawValue), "error": .string(rejection.message)]
    for (key, value) in rejection.details where object[key] == nil { object[key] = value }
    object["input"] = .string(String(decoding: line.bytes, as: UTF8.self))
    JSONValue.object(object).write(compactTo: &bytes)
    bytes.append(UInt8(ascii: "\n"))
  }

  /// Writes what is buffered; false on an I/O error, with `errno` set.
  mutating func flush() -> Bool {
    guard let fd, !bytes.isEmpty else { return true }
    defer { bytes.removeAll(keepingCapacity: true) }
    return bytes.withUnsafeBytes { writeAll(fd, $0) }
  }

  /// Flushes and closes the file; false on an I/O error, with `errno` set (a full disk may only
  /// show at close on a network file system).
  mutating func finish() -> Bool {
    guard let fd else { return true }
    let flushed = flush()
    self.fd = nil
    return close(fd) == 0 && flushed
  }

  /// Closes the file without checking, on the way out of a run that has already failed.
  mutating func discard() {
    if let fd { _ = close(fd) }
    fd = nil
  }
}

/// A progress line on standard error once a second, only when a person is watching.
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
