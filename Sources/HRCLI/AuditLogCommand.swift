import ArgumentParser
import HRCore
import HRLines

extension AuditOutcome: ExpressibleByArgument {}

/// `hr-audit log`: the events of the trail the operator may see, as stored.
struct AuditLogCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "log",
    abstract: "List audit events, filtered, as stored.",
    discussion: """
      Prints one event a line: {"seq","at","operator","role","org","action","record_no","outcome",\
      "detail","prev_hash","hash"}, in seq order. Dates are days in China Standard Time. The listing \
      is itself audited (action audit.log) and stops just before that event.
      """)

  @OptionGroup var common: CommonOptions

  @Option(help: ArgumentHelp("Only events about this record.", valueName: "record_no"), transform: Normalisation.identifier)
  var record: String?

  @Option(
    help: ArgumentHelp("Only events done by this operator (--operator names who runs the command).", valueName: "operator"))
  var by: String?

  @Option(
    help: ArgumentHelp("Only this action, or every action of an area with 'area.*' (e.g. 'transfer.*').", valueName: "action"))
  var action: String?

  @Option(help: ArgumentHelp("Only events with this outcome.", valueName: "ok|denied|rejected"))
  var outcome: AuditOutcome?

  @Option(help: ArgumentHelp("Only events on or after this day.", valueName: "YYYY-MM-DD"))
  var since: LocalDate?

  @Option(help: ArgumentHelp("Only events on or before this day.", valueName: "YYYY-MM-DD"))
  var until: LocalDate?

  @OptionGroup var listing: ListingOptions

  func validate() throws {
    if let record, (try? RecordNumber(record)) == nil {
      throw ValidationError("--record '\(record)' is not a record number of 17 digits")
    }
    if let action, action.isEmpty || action == ".*" { throw ValidationError("--action must name an action or 'area.*'") }
    // Both are kept in the listing's own audit event as given: text with a control character (a
    // terminal's escape sequence) or of any length has no place in the trail.
    for (value, option) in [(by, "by"), (action, "action")] {
      do {
        _ = try OptionError.text(value, option: option, maxLength: 100)
      } catch {
        throw ValidationError(error.description)
      }
    }
  }

  func run() throws {
    try runTool("hr-audit") {
      let run = try AuditRun(common, command: "hr-audit log")
      var filter = AuditLogFilter()
      filter.recordNo = record
      filter.operatorID = by
      filter.action = action
      filter.outcome = outcome
      filter.since = since
      filter.until = until
      if let record {
        try run.check {
          try run.store.read { db in try AuditReading.authorizeRecord(record, session: run.session, auditAs: "audit.log", in: db)
          }
        }
      }
      var detail = JSONObject()
      if let by { detail["by"] = .string(by) }
      if let action { detail["action"] = .string(action) }
      if let outcome { detail["outcome"] = .string(outcome.rawValue) }
      if let since { detail["since"] = .string(since.description) }
      if let until { detail["until"] = .string(until.description) }
      filter.beforeSeq = try AuditReading.record(
        AuditEntry(action: "audit.log", recordNo: record, detail: detail), by: run.session.staff, in: run.store)
      var writer = ListingWriter(format: listing.format, columns: AuditEvent.outputKeys)
      try AuditLog.events(filter, coverage: run.session.staff.coverage(for: .audit), in: run.store) { event in
        try writer.append(event.json)
      }
      try writer.finish()
      return .ok
    }
  }
}

/// `hr-audit access`: the access report of one record, for its resident.
struct AuditAccessCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "access",
    abstract: "List who viewed, exported or changed one record, for its resident.",
    discussion: """
      Prints one line per event about the record: {"record_no","at","use","action","outcome",\
      "operator","operator_name","role","org","org_name","detail"}, where use is viewed, emergency \
      (opened without the resident's authorisation, break-the-glass), exported, changed, looked_up \
      or audited. Producing the report is itself audited (action audit.access).
      """)

  @OptionGroup var common: CommonOptions

  @Option(help: ArgumentHelp("The record.", valueName: "record_no"), transform: Normalisation.identifier)
  var record: String?

  @Option(
    help: ArgumentHelp(
      "The resident's ID number, instead of the record number (any ID number the record ever held).", valueName: "id"),
    transform: Normalisation.identifier)
  var idNumber: String?

  @OptionGroup var listing: ListingOptions

  func validate() throws {
    guard (record == nil) != (idNumber == nil) else {
      throw ValidationError("name the record with exactly one of --record and --id-number")
    }
    if let record, (try? RecordNumber(record)) == nil {
      throw ValidationError("--record '\(record)' is not a record number of 17 digits")
    }
  }

  func run() throws {
    try runTool("hr-audit") {
      let run = try AuditRun(common, command: "hr-audit access")
      let recordNo = try run.check {
        try run.store.read { db in
          let recordNo: String
          if let record {
            recordNo = record
          } else {
            let id: ResidentID
            do {
              id = try ResidentID(idNumber!, today: run.session.today)
            } catch {
              throw RunError(.usage, "--id-number: \(error)")
            }
            recordNo = try AuditReading.recordNumber(holding: id, in: db)
          }
          try AuditReading.authorizeRecord(recordNo, session: run.session, auditAs: "audit.access", in: db)
          return recordNo
        }
      }
      let seq = try AuditReading.record(
        AuditEntry(action: "audit.access", recordNo: recordNo), by: run.session.staff, in: run.store)
      var writer = ListingWriter(format: listing.format, columns: AccessReport.outputKeys)
      try run.store.read { db in
        try AccessReport.entries(for: recordNo, before: seq, configuration: run.session.configuration, in: db) { entry in
          try writer.append(entry)
        }
      }
      try writer.finish()
      return .ok
    }
  }
}
