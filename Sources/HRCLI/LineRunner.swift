import GRDB
import HRCore
import HRLines

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The loop every writing tool runs: read JSON Lines, handle each line in the store, print one
/// result per accepted line in input order, report every rejected line, commit in batches (hr(7)).
///
/// Each batch is one `BEGIN IMMEDIATE` transaction; output is written once its batch has committed.
/// A rejected line leaves nothing behind. The rules refuse a line before it writes, so the lines
/// of a batch run without a savepoint each, which would make SQLite copy every page a line touches;
/// a line refused after it wrote (a division out of numbers) undoes the batch to its start, and the
/// batch runs again with that line and the ones after it each in a savepoint.
/// With `--all-or-nothing` or `--dry-run` the whole run is one transaction, each line in a
/// savepoint; a dry run still writes its output batch by batch, since it never commits.
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
  /// Runs on the writer's connection before the first line: the tool's set-up, e.g. which inserts
  /// it hands to the audit event itself.
  let prepare: (Database) throws -> Void

  init(
    tool: String, options: LineOptions, session: Session, verb: String, rerunIsSafe: Bool,
    prepare: @escaping (Database) throws -> Void, openStore: @escaping () throws -> Store
  ) {
    self.tool = tool
    self.options = options
    self.session = session
    self.verb = verb
    self.rerunIsSafe = rerunIsSafe
    self.prepare = prepare
    self.openStore = openStore
  }

  /// Runs `handle` on every input line; returns 0 when every line was accepted, 65 otherwise.
  ///
  /// An I/O error on standard output or the rejects file ends the run (exit 74) with a message
  /// that says how far the committed work goes, so a script knows where to resume.
  package func run(_ handle: (JSONObject, Database) throws -> JSONObject) throws -> ExitStatus {
    var batches = try InputBatches(files: options.files, batchSize: options.batchSize, input: options.input)
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
    // Lines answered with a record that was already there (hr-create --skip-existing).
    var existing = 0
    var committed = Committed()
    // Refusals the trail must keep even if the whole run is rolled back (denials, already_served).
    var keptRefusals: [AuditEntry] = []
    // Lookups of records (record.check) the trail keeps even from a dry run or a rolled-back run:
    // what the operator was shown stays shown.
    var keptLookups: [AuditEntry] = []

    func failure(_ what: String) -> RunError {
      RunError(.io, "\(what): \(String(cString: strerror(errno))); \(committed.summary(rerunIsSafe: rerunIsSafe))")
    }

    // Closes the rejects file and the progress line, and prints the summary; returns 0 when every
    // line was accepted, 65 otherwise.
    func finish() throws -> ExitStatus {
      guard report.finish() else { throw failure("cannot close rejects file '\(options.rejects ?? "")'") }
      progress.finish()
      if !options.quiet {
        let existingCount = existing > 0 ? ", \(existing) existing" : ""
        var summary =
          "\(tool): \(accepted - existing) \(options.dryRun ? "would be \(verb)" : verb)\(existingCount), \(report.count) rejected"
        if options.dryRun {
          summary += " (dry run: nothing committed)"
        } else if options.allOrNothing && report.count > 0 {
          summary += " (all or nothing: nothing committed)"
        }
        StandardError.write(summary + "\n")
      }
      return report.count == 0 ? .ok : .dataError
    }

    var batch: (file: String, lines: [InputLine])?
    do {
      batch = try batches.next()
    } catch let error as RunError {
      throw RunError(error.status, "\(error.message); \(committed.summary(rerunIsSafe: rerunIsSafe))")
    }
    let store = try openStore()
    // Without a line there is nothing to write: the store is opened (created, migrated, checked),
    // and its writer left alone.
    guard batch != nil else { return try finish() }
    try store.writeWithoutTransaction { db in
      try prepare(db)
      do {
        if wholeRun { try db.beginTransaction(.immediate) }
        let firstSeq = wholeRun ? try Self.lastSeq(in: db) : 0
        var read = Committed()
        while let (file, lines) = batch {
          if !wholeRun { try db.beginTransaction(.immediate) }
          let start = (output: output.count, report: report.mark, accepted: accepted, existing: existing)
          // Lines from `guarded` on run in a savepoint each; the rejections of lines before
          // `reported` are on standard error already, from a pass that was undone.
          var guarded = wholeRun ? 0 : lines.count
          var reported = 0
          var index = 0
          while index < lines.count {
            let line = lines[index]
            switch handleLine(line, handle, db: db, savepoint: index >= guarded) {
            case .accepted(let result):
              try output.append(result)
              accepted += 1
              if result["result"] == "exists" { existing += 1 }
            case .rejected(_, wrote: true) where index < guarded:
              // Undone with the whole batch so far: a savepoint held open over the batch would make
              // SQLite copy every page the batch touches, and walk that copy at every statement.
              try db.rollback()
              try db.beginTransaction(.immediate)
              output.truncate(to: start.output)
              report.truncate(to: start.report)
              (accepted, existing) = (start.accepted, start.existing)
              (guarded, reported, index) = (index, max(reported, index), 0)
              continue
            case .rejected(let rejection, _):
              report.add(rejection, file: file, line: line, announce: index >= reported)
              if let audit = rejection.audit {
                try AuditTrail.append(audit, by: session.staff, in: db)
                if spool != nil, audit.action != Registry.lookupAction { keptRefusals.append(audit) }
              }
            case .failed(let error):
              throw error
            }
            if index >= reported { progress.tick(accepted: accepted, rejected: report.count) }
            index += 1
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
            keptLookups = try Self.lookups(after: firstSeq, in: db)
            try db.rollback()
          } else {
            try db.commit()
            committed = read
            guard spool?.copy(to: 1) ?? true else { throw failure("cannot write standard output") }
          }
        }
      } catch {
        if db.isInsideTransaction { try? db.rollback() }
        // A store that fails half-way (a full disk) says, like a failed output, how far the
        // committed work goes; a lock not taken in time keeps the wait the store reports (exit 75).
        guard let failure = error as? DatabaseError, ![.SQLITE_BUSY, .SQLITE_LOCKED].contains(failure.resultCode) else {
          throw error
        }
        throw RunError(
          .io, "\(StoreError.failed(failure, path: store.path)); \(committed.summary(rerunIsSafe: rerunIsSafe))")
      }
      let kept = keptLookups + (wholeRun && !options.dryRun && report.count > 0 ? keptRefusals : [])
      if !kept.isEmpty {
        try db.inTransaction(.immediate) {
          for audit in kept { try AuditTrail.append(audit, by: session.staff, in: db) }
          return .commit
        }
      }
    }
    return try finish()
  }

  /// The sequence number of the last event of the trail, 0 when it is empty.
  private static func lastSeq(in db: Database) throws -> Int {
    try Int.fetchOne(db.cachedStatement(sql: "SELECT coalesce(max(seq), 0) FROM audit_event")) ?? 0
  }

  /// The lookups (`record.check`) appended after `seq` in this transaction, to append again once it
  /// is rolled back. The claimed date is left out: appending adds it again.
  private static func lookups(after seq: Int, in db: Database) throws -> [AuditEntry] {
    let rows = try Row.fetchCursor(
      db.cachedStatement(
        sql: "SELECT record_no, outcome, detail FROM audit_event WHERE seq > ? AND action = ? ORDER BY seq"),
      arguments: [seq, Registry.lookupAction])
    var entries: [AuditEntry] = []
    while let row = try rows.next() {
      var detail = (try? JSONParser.parseObject(Array((row["detail"] as String? ?? "{}").utf8))) ?? JSONObject()
      detail["today"] = nil
      entries.append(
        Registry.lookup(
          of: row["record_no"], outcome: AuditOutcome(rawValue: row["outcome"] as String? ?? "") ?? .ok, detail: detail))
    }
    return entries
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
      let what =
        "\(lines) \(lines == 1 ? "line" : "lines") committed before the error, through line \(last.line) of '\(last.file)'"
      return rerunIsSafe ? what + "; rerunning the same input is safe: duplicates are rejected" : what
    }
  }

  private enum LineOutcome {
    case accepted(JSONObject)
    /// `wrote`: the line changed rows before it was refused, outside a savepoint that undid them.
    case rejected(LineRejection, wrote: Bool = false)
    case failed(any Error)
  }

  /// Parses and handles one line, inside its own savepoint when `savepoint` is true.
  private func handleLine(
    _ line: InputLine, _ handle: (JSONObject, Database) throws -> JSONObject, db: Database, savepoint: Bool
  ) -> LineOutcome {
    if line.isTooLong {
      return .rejected(LineRejection(.lineTooLong, "line is longer than \(LineReader.maximumLineLength) bytes"))
    }
    if let problem = line.problem { return .rejected(LineRejection(.malformedRow, problem)) }
    let object: JSONObject
    do {
      object = try JSONParser.parseObject(line.bytes)
    } catch {
      return .rejected(LineRejection(RejectionCode(error.code), error.message))
    }
    // Every row a statement inserts, updates or deletes counts, those of triggers too; a statement
    // that fails is undone by SQLite and counts none.
    let changes = db.totalChangesCount
    do {
      if savepoint {
        var result: JSONObject?
        try db.inSavepoint {
          result = try handle(object, db)
          return .commit
        }
        return .accepted(result!)
      }
      return .accepted(try handle(object, db))
    } catch let rejection as LineRejection {
      return .rejected(rejection, wrote: !savepoint && db.totalChangesCount != changes)
    } catch let error as StoredValueError {
      // One unreadable record stops only the lines that need it.
      return .rejected(
        LineRejection(.unreadableRecord, error.description, details: error.recordNo.map { ["record_no": .string($0)] } ?? [:]),
        wrote: !savepoint && db.totalChangesCount != changes)
    } catch {
      return .failed(error)
    }
  }
}

extension LineRunner {
  /// Runs a command that reads lines, the same way for every tool: an input that is the store, and
  /// an output file that would overwrite the store or an input, are refused (exit 64) before
  /// anything is opened; then the operator's session for `action` (exit 77 when the role may never
  /// take it; a command that `writes` claims a date only in a training installation), then
  /// `makeHandler`, which may check the options against the session and returns what each line
  /// does, then the store, `prepare` on the writer's connection, and the loop.
  package static func run(
    _ command: String, action: Action, verb: String, rerunIsSafe: Bool = false, common: CommonOptions, lines: LineOptions,
    createsStore: Bool = false, writes: Bool = true, prepare: @escaping (Database) throws -> Void = { _ in },
    _ makeHandler: (Session) throws -> (JSONObject, Database) throws -> JSONObject
  ) throws {
    let tool = String(command.prefix { $0 != " " })
    try runTool(tool) {
      try refuseReadingStore(inputs: lines.files, store: common.storePath)
      if let rejects = lines.rejects {
        try refuseOverwriting(
          "--rejects", output: rejects, store: common.storePath, inputs: lines.files,
          configuration: common.configurationPath)
      }
      let session = try common.session(requiring: action, for: command, writes: writes && !lines.dryRun)
      let handle = try makeHandler(session)
      let runner = LineRunner(
        tool: tool, options: lines, session: session, verb: verb, rerunIsSafe: rerunIsSafe, prepare: prepare
      ) { try common.openStore(creating: createsStore, tool: tool) }
      return try runner.run(handle)
    }
  }
}
