import GRDB
import HRLines

#if canImport(GRDBSQLite)
import GRDBSQLite
#elseif canImport(SQLite3)
import SQLite3
#endif

extension RejectionCode {
  /// A free service limited per year that the resident already had that year, anywhere
  /// (服务拒绝, annex 1 五(四)).
  package static let alreadyServed = RejectionCode("already_served")
  /// A free service for a resident younger than the type's `min_age` (e.g. the elderly exam, 65+).
  package static let notEligible = RejectionCode("not_eligible")
}

/// Appends service records (卫生健康服务活动记录) to records: checked, marked late or off-site, and
/// never changed afterwards (annex 1, 三(一)); a correction is an amendment beside it.
package enum ServiceLog {
  /// The fields of a `service` object; any other is an `unknown_field` rejection.
  package static let serviceFields: Set<String> = ["type", "date", "org", "free", "summary", "restricted"]

  /// The service type whose records are always restricted (严重精神障碍患者管理, hr(7) SERVICES AND TAGS).
  package static let restrictingType = "mental_followup"

  /// Appends one service to `record` in the caller's transaction and returns the output object
  /// `{"record_no", "result", "service_id", "type", "date", "org", "free", "restricted", "late", "off_site"}`.
  ///
  /// The serving organisation (`org`, default the operator's) must be the operator's own (or in its
  /// reach, hr(7) ROLES); when it is not the managing organisation the service is off-site (异地服务) and
  /// audited as `service.off_site`, which any clinician or administrator may record. A free
  /// service of a type limited per year that the resident already had that year, anywhere, is
  /// refused as `already_served`, and the refusal stays in the audit trail (annex 1, 五(四)). The
  /// same service entered twice (same date, type, organisation, summary and flags) is not saved
  /// again: the line prints `unchanged` with the first one's number, so a rerun is harmless.
  static func add(_ object: JSONObject, to record: ServiceSubject, session: Session, in db: Database) throws -> JSONObject {
    let fields = try Fields(object, allowed: serviceFields, path: "service.")
    let configuration = session.configuration
    let type = try fields.requiredText("type", maxLength: 40)
    guard let policy = configuration.services[type] else {
      throw fields.invalid("type", "'\(type)' is not a configured service type; expected one of \(typeList(configuration))")
    }
    let today = session.today
    guard let date = try fields.pastDate("date", today: today) else { throw fields.missing("date") }
    guard let orgCode = try fields.code("org") ?? session.staff.org else {
      throw LineRejection(
        .missingField, "missing field 'service.org': an operator without an organisation names the serving organisation",
        details: ["field": "service.org"])
    }
    guard let org = configuration.orgs[orgCode] else {
      throw LineRejection(.notFound, "unknown organisation '\(orgCode)'", details: ["field": "service.org"])
    }
    // A type with a yearly allowance is the free national service unless the line says otherwise.
    let free = try fields.bool("free") ?? (policy.freePerYear != nil)
    let summary = try fields.object("summary") ?? JSONObject()
    let restricted = try fields.bool("restricted") ?? false || type == restrictingType

    let offSite = org.code != record.managingOrg
    let action = offSite ? "service.off_site" : "service.add"
    try UpdateRules.requireServing(org, session: session, auditAs: action, record: record)
    if offSite {
      try session.authorize(.offSiteService, in: record.scope, auditAs: action, recordNo: record.recordNo)
    }
    let fitsRecord = { () throws(LineRejection) in
      try record.requireActive(for: "service")
      try UpdateRules.requireWithinLifetime(date, of: record, key: "date", in: fields)
      if free { try requireEligible(record, for: type, policy: policy, on: date) }
    }
    if offSite {
      try withoutStoredValues(of: record, fitsRecord)
    } else {
      try fitsRecord()
    }

    let summaryText = summary.compact
    if let existing = try identical(
      to: record.recordNo, type: type, date: date, org: org.code, free: free, summary: summaryText, restricted: restricted, in: db
    ) {
      return output(existing, result: "unchanged")
    }
    if free {
      if let limit = policy.freePerYear {
        let earlier = try ServiceHistory.freeServices(ofRecord: record.recordNo, type: type, year: date.year, in: db)
        if earlier.count >= limit, let last = earlier.last {
          throw alreadyServed(
            record: record, type: type, date: date, org: org.code, limit: limit, earlier: last, action: action, offSite: offSite)
        }
      }
    }

    let late = today.days(since: date) > configuration.rules.serviceEntryDays
    let now = Timestamp.now()
    let columns = try insert.statement(in: db).runCapturing(in: db) { bind in
      bind.text(record.recordNo)
      bind.text(type)
      bind.date(date)
      bind.text(org.code)
      bind.bool(free)
      bind.text(summaryText)
      bind.bool(restricted)
      bind.bool(late)
      bind.bool(offSite)
      bind.date(today)
      bind.text(now)
      bind.text(session.staff.id)
    }
    let serviceID = Int(db.lastInsertedRowID)
    var written = StateRows()
    written.addRow(into: "service", key: Int64(serviceID), columns: columns)
    try UpdateRules.touch(record, contactOn: date, restrict: restricted, noting: &written, in: db)
    var detail: JSONObject = [
      "service_id": .int(serviceID), "type": .string(type), "date": .string(date.description), "org": .string(org.code),
      "late": .bool(late),
    ]
    if offSite { detail["managing_org"] = .string(record.managingOrg) }
    try AuditTrail.append(
      AuditEntry(action: action, recordNo: record.recordNo, detail: detail), by: session.staff, in: db, written: written)

    let saved = RecordedService(
      serviceID: serviceID, recordNo: record.recordNo, org: org.code, free: free, late: late, offSite: offSite,
      enteredOn: today, enteredAt: now, enteredBy: session.staff.id,
      original: ServiceContent(type: type, date: date, summary: summary, restricted: restricted), amendments: [])
    return output(saved, result: "service_added")
  }

  /// The configured service types for a message: the default ones in their conventional order,
  /// then the configuration's own.
  static func typeList(_ configuration: Configuration) -> String {
    let defaults = Configuration.defaultServiceTypes.filter { configuration.services[$0] != nil }
    let others = configuration.services.keys.filter { !Configuration.defaultServiceTypes.contains($0) }.sorted()
    return (defaults + others).joined(separator: ", ")
  }

  /// Refuses a free service for a resident younger than the type's `min_age` on the service date
  /// (e.g. the elderly exam, 65+), whether the service is entered or amended into that type or date.
  static func requireEligible(
    _ record: some ManagedRecord, for type: String, policy: ServicePolicy, on date: LocalDate
  ) throws(LineRejection) {
    guard let minAge = policy.minAge else { return }
    let age = record.birthDate.age(on: date)
    guard age < minAge else { return }
    throw LineRejection(
      .notEligible,
      "free '\(type)' is for residents aged \(minAge) or over, and record '\(record.recordNo)' was \(age) on \(date); enter it with \"free\":false if it was not the free service",
      details: ["field": "service.free"])
  }

  /// Runs the checks of an off-site service against the record's own values (status, birth and
  /// death dates, age) and turns their refusal into one that names none of them: the serving
  /// organisation does not manage the record, and the refusal must not tell it a resident's birth
  /// date or vital status (第二十八条). The refusal keeps its code and is an audited lookup
  /// (`record.check`), so that trying record numbers one after another leaves a trace.
  static func withoutStoredValues(
    of record: some ManagedRecord, _ checks: () throws(LineRejection) -> Void
  ) throws(LineRejection) {
    do {
      try checks()
    } catch {
      var details: JSONObject = ["record_no": .string(record.recordNo)]
      if let field = error.details["field"] { details["field"] = field }
      throw LineRejection(
        error.code,
        "record '\(record.recordNo)' cannot take this off-site service (\(error.code)); the reason lies in the record, which its managing organisation can check",
        details: details,
        audit: Registry.lookup(
          of: record.recordNo, outcome: .rejected,
          detail: ["code": .string(error.code.rawValue), "for": "service.off_site"]))
    }
  }

  /// The refusal of a second free service in one year, naming the earlier one, with the audit
  /// event (outcome `rejected`) that keeps it: the off-site refusals an evaluation counts (第二十六条).
  static func alreadyServed(
    record: some ManagedRecord, type: String, date: LocalDate, org: String, limit: Int, earlier: RecordedService,
    action: String, offSite: Bool
  ) -> LineRejection {
    let earlierDate = earlier.current.date.description
    let allowance = limit == 1 ? "once a year" : "\(limit) times a year"
    return LineRejection(
      .alreadyServed,
      "free '\(type)' is given \(allowance), and record '\(record.recordNo)' already had it on \(earlierDate) at '\(earlier.org)' (service \(earlier.serviceID))",
      details: [
        "record_no": .string(record.recordNo), "service_id": .int(earlier.serviceID), "date": .string(earlierDate),
        "org": .string(earlier.org),
      ],
      audit: AuditEntry(
        action: action, recordNo: record.recordNo, outcome: .rejected,
        detail: [
          "code": "already_served", "type": .string(type), "date": .string(date.description), "org": .string(org),
          "off_site": .bool(offSite),
          "earlier": ["service_id": .int(earlier.serviceID), "date": .string(earlierDate), "org": .string(earlier.org)],
        ]))
  }

  /// The service already saved with exactly this content, if any.
  private static func identical(
    to recordNo: String, type: String, date: LocalDate, org: String, free: Bool, summary: String, restricted: Bool,
    in db: Database
  ) throws -> RecordedService? {
    let id = try sameService.statement(in: db).first(
      in: db,
      { bind in
        bind.text(recordNo)
        bind.date(date)
        bind.text(type)
        bind.text(org)
        bind.bool(free)
        bind.text(summary)
        bind.bool(restricted)
      }, read: { Int(sqlite3_column_int64($0, 0)) })
    guard let id else { return nil }
    return try ServiceHistory.service(id: id, in: db)
  }

  /// `OR FAIL`, with the foreign key checked at the commit: no statement journal (`Store.insertWithoutStatementJournal`).
  private static let insert = PreparedSQL(
    """
    INSERT OR FAIL INTO service (record_no, type, date, org, free, summary, restricted, late, off_site, entered_on, entered_at, entered_by)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    """)

  /// Without the hint SQLite may take service_metrics_by_org (org, date, …), which holds a whole
  /// organisation's day of services, over the resident's own few.
  private static let sameService = PreparedSQL(
    """
    SELECT service_id FROM service INDEXED BY service_by_record
    WHERE record_no = ? AND date = ? AND type = ? AND org = ? AND free = ? AND summary = ? AND restricted = ?
    ORDER BY service_id LIMIT 1
    """)

  /// The output line of a service, in the documented key order.
  static func output(_ service: RecordedService, result: String) -> JSONObject {
    let content = service.current
    return [
      "record_no": .string(service.recordNo), "result": .string(result), "service_id": .int(service.serviceID),
      "type": .string(content.type), "date": .string(content.date.description), "org": .string(service.org),
      "free": .bool(service.free), "restricted": .bool(content.restricted), "late": .bool(service.late),
      "off_site": .bool(service.offSite),
    ]
  }
}
