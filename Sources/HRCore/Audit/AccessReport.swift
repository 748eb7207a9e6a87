import GRDB
import HRLines

/// What an event did with a record, in the words a resident reads an access report in.
package enum RecordUse: String, Sendable, CaseIterable {
  /// The record was opened (`view`, `record.view`) for a viewer the viewer table allows.
  case viewed
  /// The record was opened in an emergency, without the resident's authorisation
  /// (`record.view.emergency`, break-the-glass, 第十六条): set apart so the resident sees it at once.
  case emergency
  /// The record left the store in an export (`export.*`).
  case exported
  /// The record was created or changed: basic information, services, tags, contacts, transfers,
  /// archiving — every other action on it.
  case changed
  /// The duplicate check found the record (`record.check`).
  case lookedUp = "looked_up"
  /// The record's own audit trail was read (`audit.*`), e.g. to produce an earlier access report.
  case audited

  /// The use an action stands for.
  package init(action: String) {
    if action.hasSuffix(".view.emergency") {
      self = .emergency
    } else if action == "view" || action.hasSuffix(".view") {
      self = .viewed
    } else if action.hasPrefix("export.") {
      self = .exported
    } else if action == "record.check" {
      self = .lookedUp
    } else if action.hasPrefix("audit.") {
      self = .audited
    } else {
      self = .changed
    }
  }
}

/// The access report for a resident (hr(7) AUDIT TRAIL, 第四章, annex 2; 第二十五条): who viewed, exported or changed their
/// record, when, and whether they were allowed.
package enum AccessReport {
  /// Calls `body` with each event about `recordNo`, in sequence order, before sequence `before`
  /// (the event that records this report itself) when given.
  package static func entries(
    for recordNo: String, before: Int?, configuration: Configuration, in db: Database, _ body: (JSONObject) throws -> Void
  ) throws {
    var filter = AuditLogFilter()
    filter.recordNo = recordNo
    filter.beforeSeq = before
    try AuditLog.events(filter, coverage: .city, in: db) { event in
      try body(entry(event, configuration: configuration))
    }
  }

  /// The keys of `entry`, in order: the header of `--format csv` and `table`.
  package static let outputKeys = [
    "record_no", "at", "use", "action", "outcome", "operator", "operator_name", "role", "org", "org_name", "detail",
  ]

  /// One line of the report: `{"record_no","at","use","action","outcome","operator",
  /// "operator_name","role","org","org_name","detail"}`, names as the configuration declares them
  /// (null for an operator or organisation no longer declared).
  package static func entry(_ event: AuditEvent, configuration: Configuration) -> JSONObject {
    [
      "record_no": event.recordNo.map(JSONValue.string) ?? .null, "at": .string(event.at),
      "use": .string(RecordUse(action: event.action).rawValue), "action": .string(event.action),
      "outcome": .string(event.outcome), "operator": .string(event.operatorID),
      "operator_name": configuration.operators[event.operatorID].map { .string($0.name) } ?? .null,
      "role": .string(event.role), "org": event.org.map(JSONValue.string) ?? .null,
      "org_name": event.org.flatMap { configuration.orgs[$0] }.map { .string($0.name) } ?? .null,
      "detail": event.detailValue,
    ]
  }
}
