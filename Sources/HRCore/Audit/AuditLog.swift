import GRDB
import HRLines

/// What `hr-audit log` lists: every condition given must hold.
package struct AuditLogFilter: Sendable, Equatable {
  /// Events about this record.
  package var recordNo: String?
  /// Events done by this operator.
  package var operatorID: String?
  /// An action (`service.off_site`), or every action of an area (`transfer.*`).
  package var action: String?
  /// Events that ended this way.
  package var outcome: AuditOutcome?
  /// Events on or after this day, counted in China Standard Time like every date of the toolkit.
  package var since: LocalDate?
  /// Events on or before this day, China Standard Time.
  package var until: LocalDate?
  /// Only events before this sequence number: a listing leaves out the event its own reading appended.
  package var beforeSeq: Int?
  /// Only events after this sequence number: where the next chunk of a long listing resumes.
  package var afterSeq: Int?

  /// A filter that lets every event through.
  package init() {}

  /// The filter as an SQL condition on `audit_event` named `e`, with its arguments.
  func condition() -> (sql: String, arguments: StatementArguments) {
    var conditions = SQLConditions()
    conditions.add("e.record_no = ?", ifGiven: recordNo)
    conditions.add("e.operator = ?", ifGiven: operatorID)
    if let action, action.hasSuffix(".*") {
      // `area.*`: the range of every action that starts with `area.`, which the action index serves.
      let prefix = String(action.dropLast())
      conditions.add("e.action >= ? AND e.action < ?", prefix, String(prefix.dropLast()) + "/")
    } else {
      conditions.add("e.action = ?", ifGiven: action)
    }
    conditions.add("e.outcome = ?", ifGiven: outcome?.rawValue)
    conditions.add("e.at >= ?", ifGiven: since.map(AuditLogFilter.startInUTC(of:)))
    // The last day a date may have has no day after it: nothing is later.
    conditions.add("e.at < ?", ifGiven: until?.adding(days: 1).map(AuditLogFilter.startInUTC(of:)))
    conditions.add("e.seq < ?", ifGiven: beforeSeq)
    conditions.add("e.seq > ?", ifGiven: afterSeq)
    return (conditions.sql, conditions.arguments)
  }

  /// The instant a China Standard Time day starts, as the RFC 3339 UTC text events are stamped with
  /// (midnight in Chongqing is 16:00 UTC the day before).
  static func startInUTC(of day: LocalDate) -> String {
    // The day before the first a date may have: every timestamp sorts after the empty text.
    guard let before = day.adding(days: -1) else { return "" }
    return "\(before)T16:00:00.000Z"
  }
}

extension AuditEvent {
  /// The keys of `json`, in order: the header of `--format csv` and `table`.
  package static let outputKeys = [
    "seq", "at", "operator", "role", "org", "action", "record_no", "outcome", "detail", "state", "prev_hash", "hash",
  ]

  /// The event as `hr-audit log` prints it: the keys hr-audit(1) documents, in their order, `detail`
  /// and `state` as objects, so that each event's hash can be recomputed from the listing alone.
  package var json: JSONObject {
    [
      "seq": .int(seq), "at": .string(at), "operator": .string(operatorID), "role": .string(role),
      "org": org.map(JSONValue.string) ?? .null, "action": .string(action),
      "record_no": recordNo.map(JSONValue.string) ?? .null, "outcome": .string(outcome), "detail": detailValue,
      "state": state.map { (try? JSONParser.parse($0)) ?? .string($0) } ?? .null, "prev_hash": .string(prevHash),
      "hash": .string(hash),
    ]
  }

  /// The stored detail parsed back into an object; a detail that is no longer JSON (edited by hand)
  /// is shown as the text it is.
  package var detailValue: JSONValue {
    (try? JSONParser.parse(detail)) ?? .string(detail)
  }
}

/// Listing the audit trail (hr(7) AUDIT TRAIL, `hr-audit log`) within what an operator may audit (hr(7) ROLES).
package enum AuditLog {
  /// Calls `body` with each event that matches `filter` and that `coverage` lets the operator see,
  /// in sequence order, streaming from the store.
  ///
  /// An event about a record is visible when the record is managed within the coverage now; an
  /// event about no record (a denied creation, a city-wide listing) or about a purged record only
  /// with city-wide coverage.
  package static func events(
    _ filter: AuditLogFilter, coverage: Coverage, in db: Database, limit: Int? = nil, _ body: (AuditEvent) throws -> Void
  ) throws {
    let condition = filter.condition()
    var sql = "SELECT e.* FROM audit_event e"
    var arguments = StatementArguments()
    if coverage != .city {
      let scope = coverage.recordFilter(alias: "r")
      sql += " JOIN record r ON r.record_no = e.record_no WHERE \(scope.sql) AND "
      arguments += scope.arguments
    } else {
      sql += " WHERE "
    }
    sql += condition.sql + " ORDER BY e.seq"
    arguments += condition.arguments
    if let limit {
      sql += " LIMIT ?"
      arguments += [limit]
    }
    let events = try AuditEvent.fetchCursor(db, sql: sql, arguments: arguments)
    while let event = try events.next() {
      try body(event)
    }
  }

  /// The events of `events(_:coverage:in:limit:_:)`, read in chunks of `chunk` events, each in its
  /// own read transaction that ends before the chunk is handed to `body`.
  ///
  /// A listing read through a pager can stay open for hours; one read transaction for all of it
  /// would keep its snapshot, and the write-ahead log could not be checkpointed past it and would
  /// grow with every write meanwhile. Events are never changed or deleted, and each chunk resumes
  /// after the last sequence number of the one before, so the chunks join up exactly.
  package static func events(
    _ filter: AuditLogFilter, coverage: Coverage, in store: Store, chunk: Int = 1000,
    _ body: (AuditEvent) throws -> Void
  ) throws {
    var filter = filter
    while true {
      let events = try store.read { db in
        var events: [AuditEvent] = []
        events.reserveCapacity(chunk)
        try AuditLog.events(filter, coverage: coverage, in: db, limit: chunk) { events.append($0) }
        return events
      }
      for event in events { try body(event) }
      guard events.count == chunk, let last = events.last else { return }
      filter.afterSeq = last.seq
    }
  }
}
