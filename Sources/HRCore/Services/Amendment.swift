import GRDB
import HRLines

extension RejectionCode {
  /// An amendment whose approver is missing, unknown, the operator itself, or not an
  /// administrator of the serving organisation (or above) (annex 1, 三(一)).
  package static let invalidApprover = RejectionCode("invalid_approver")
}

extension ServiceLog {
  /// The fields of an `hr-update amend` line.
  package static let amendFields: Set<String> = ["service_id", "record_no", "changes", "reason", "approved_by"]

  /// The fields an amendment may correct. The serving organisation, the free flag and the entry
  /// marks (`late`, `off_site`) are what the service was and stay as saved: a wrong organisation is
  /// a different service, and timeliness is judged on the entry as made.
  package static let amendableFields: Set<String> = ["type", "date", "summary", "restricted"]

  /// Corrects a saved service (勘误): the correction is stored beside the original with its time,
  /// reason, operator and approver, and the original row is never touched (annex 1, 三(一):
  /// 确需勘误的须经基层医疗卫生机构指定的管理员审批同意方可修改，需注明修改时间).
  ///
  /// The operator must be able to write in the serving organisation's name; the approver must be a
  /// declared operator other than the operator, allowed to approve amendments for the serving
  /// organisation (its `org_admin`, the district's administrator or a city administrator, hr(7) ROLES).
  /// Output: `{"record_no", "result":"amended"|"unchanged", "service_id", "amendment_id", "changed", "approved_by"}`.
  package static func amend(_ object: JSONObject, session: Session, in db: Database) throws -> JSONObject {
    // The line is validated whole before the store is read: a malformed line gets its field error
    // whatever the store holds, and a rerun of the corrected line meets the same checks.
    let line = try AmendmentLine(object, configuration: session.configuration, today: session.today)
    let (service, record) = try subject(of: line, in: db)
    let serving = Scope(org: service.org, district: session.configuration.district(ofOrg: service.org) ?? "")
    let staff = session.staff
    guard staff.may(.write, in: serving) else {
      throw LineRejection.forbidden(
        staff, mayNot: "amend services of organisation '\(service.org)'", auditAs: "service.amend",
        recordNo: record.recordNo, detail: ["service_id": .int(line.serviceID), "serving_org": .string(service.org)])
    }
    try record.requireActive(for: "amendment")
    let approver = try requireApprover(line.approverID, for: service, serving: serving, session: session)

    let stored = try line.correction(of: service.current, for: record)
    let before = service.current
    let after = before.applying(stored)
    let changed = JSONValue.array(
      ["type", "date", "summary", "restricted"].filter { key in
        switch key {
        case "type": after.type != before.type
        case "date": after.date != before.date
        case "summary": after.summary != before.summary
        default: after.restricted != before.restricted
        }
      }.map { .string($0) })
    guard changed != [] else {
      return [
        "record_no": .string(record.recordNo), "result": "unchanged", "service_id": .int(line.serviceID),
        "amendment_id": service.amendments.last.map { .int($0.amendmentID) } ?? .null, "changed": changed,
        "approved_by": .string(approver),
      ]
    }
    try requireFreeService(service, after: after, before: before, of: record, configuration: session.configuration, in: db)

    let now = Timestamp.now()
    try db.cachedStatement(
      sql: """
        INSERT INTO amendment (service_id, record_no, changes, reason, approved_by, entered_on, entered_at, entered_by)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        """
    ).execute(arguments: [line.serviceID, record.recordNo, stored.compact, line.reason, approver, session.today, now, staff.id])
    let amendmentID = Int(db.lastInsertedRowID)
    // A corrected date only ever raises the last contact: lowering it could hide a real contact.
    var written = StateRows()
    try UpdateRules.touch(record, contactOn: after.date, restrict: after.restricted, noting: &written, in: db)
    try AuditTrail.append(
      AuditEntry(
        action: "service.amend", recordNo: record.recordNo,
        detail: [
          "service_id": .int(line.serviceID), "amendment_id": .int(amendmentID), "changed": changed,
          "approved_by": .string(approver), "org": .string(service.org),
        ]),
      by: staff, in: db, written: written)
    return [
      "record_no": .string(record.recordNo), "result": "amended", "service_id": .int(line.serviceID),
      "amendment_id": .int(amendmentID), "changed": changed, "approved_by": .string(approver),
    ]
  }

  /// The service a line corrects and its record: `not_found` when either is missing, `invalid_value`
  /// when the line's `record_no` names another record than the service's.
  private static func subject(of line: AmendmentLine, in db: Database) throws -> (RecordedService, ResidentRecord) {
    guard let service = try ServiceHistory.service(id: line.serviceID, in: db) else {
      throw LineRejection(.notFound, "no service '\(line.serviceID)'", details: ["field": "service_id"])
    }
    if let number = line.recordNumber, number.value != service.recordNo {
      throw line.fields.invalid(
        "record_no", "is '\(number)', but service '\(line.serviceID)' belongs to record '\(service.recordNo)'")
    }
    guard let record = try ResidentRecord.find(service.recordNo, in: db) else {
      throw LineRejection(.notFound, "no record '\(service.recordNo)'")
    }
    return (service, record)
  }

  /// Refuses a correction of a free service that would make it one the resident is not eligible
  /// for, or one over the type's free services of the year.
  private static func requireFreeService(
    _ service: RecordedService, after: ServiceContent, before: ServiceContent, of record: ResidentRecord,
    configuration: Configuration, in db: Database
  ) throws {
    guard service.free else { return }
    if after.type != before.type || after.date != before.date, let policy = configuration.services[after.type] {
      try requireEligible(record, for: after.type, policy: policy, on: after.date)
    }
    if after.type != before.type || after.date.year != before.date.year,
      let limit = configuration.services[after.type]?.freePerYear
    {
      let earlier = try ServiceHistory.freeServices(
        ofRecord: record.recordNo, type: after.type, year: after.date.year, excluding: service.serviceID, in: db)
      if earlier.count >= limit, let last = earlier.last {
        throw alreadyServed(
          record: record, type: after.type, date: after.date, org: service.org, limit: limit, earlier: last,
          action: "service.amend", offSite: service.offSite)
      }
    }
  }

  /// Refuses an approver who is missing, undeclared, the operator, or without the right to approve
  /// amendments for the serving organisation, the refused attempt staying in the audit trail;
  /// returns the approver's id.
  private static func requireApprover(
    _ id: String?, for service: RecordedService, serving: Scope, session: Session
  ) throws(LineRejection) -> String {
    let staff = session.staff
    let problem: String
    if let id {
      if let approver = session.configuration.operators[id] {
        if approver.id == staff.id {
          problem = "the approver must be someone other than the operator '\(staff.id)'"
        } else if !approver.may(.approveAmendment, in: serving) {
          problem = approver.mayNot("approve amendments for organisation '\(service.org)'", as: "approver")
        } else {
          return approver.id
        }
      } else {
        problem = "unknown approver '\(id)': approvers are operators declared in the configuration"
      }
    } else {
      problem = "missing field 'approved_by': a saved service is corrected only with an administrator's approval"
    }
    throw LineRejection(
      .invalidApprover, problem, details: ["field": "approved_by"],
      audit: AuditEntry(
        action: "service.amend", recordNo: service.recordNo, outcome: .rejected,
        detail: [
          "code": "invalid_approver", "service_id": .int(service.serviceID),
          "approved_by": id.map { .string($0) } ?? .null,
        ]))
  }
}

/// An `hr-update amend` line read and validated without the store: the service it corrects, the
/// corrections, the reason and the approver's id.
struct AmendmentLine {
  let fields: Fields
  let serviceID: Int
  let recordNumber: RecordNumber?
  let reason: String
  let approverID: String?
  /// The `changes` object, for the messages of the checks that need the stored service.
  let changes: Fields
  let type: String?
  let date: LocalDate?
  let summary: JSONObject?
  let restricted: Bool?

  /// Reads every field of the line: a configured service type, a date not after today, a summary
  /// object and a boolean restriction.
  init(_ object: JSONObject, configuration: Configuration, today: LocalDate) throws(LineRejection) {
    fields = try Fields(object, allowed: ServiceLog.amendFields)
    guard let serviceID = try fields.integer("service_id") else { throw fields.missing("service_id") }
    self.serviceID = serviceID
    guard let changesObject = try fields.object("changes") else { throw fields.missing("changes") }
    changes = try Fields(changesObject, allowed: ServiceLog.amendableFields, path: "changes.")
    guard !changesObject.isEmpty else {
      throw LineRejection(.missingField, "'changes' names no field to correct", details: ["field": "changes"])
    }
    reason = try fields.requiredText("reason", maxLength: 500)
    approverID = try fields.text("approved_by", maxLength: 64)
    recordNumber = try fields.recordNumber()

    if changes.has("type") {
      let type = try changes.requiredText("type", maxLength: 40)
      guard configuration.services[type] != nil else {
        throw changes.invalid(
          "type", "'\(type)' is not a configured service type; expected one of \(ServiceLog.typeList(configuration))")
      }
      self.type = type
    } else {
      type = nil
    }
    if changes.has("date") {
      guard let date = try changes.pastDate("date", today: today) else { throw changes.missing("date") }
      self.date = date
    } else {
      date = nil
    }
    if changes.has("summary") {
      guard let summary = try changes.object("summary") else { throw changes.missing("summary") }
      self.summary = summary
    } else {
      summary = nil
    }
    if changes.has("restricted") {
      guard let restricted = try changes.bool("restricted") else { throw changes.missing("restricted") }
      self.restricted = restricted
    } else {
      restricted = nil
    }
  }

  /// The correction as the amendment keeps it, after the checks that need the stored service and
  /// record: a date within the resident's life, and no restriction lifted.
  func correction(of before: ServiceContent, for record: ResidentRecord) throws(LineRejection) -> JSONObject {
    var stored = JSONObject()
    if let type {
      stored["type"] = .string(type)
      if type == ServiceLog.restrictingType { stored["restricted"] = true }
    }
    if let date {
      try UpdateRules.requireWithinLifetime(date, of: record, key: "date", in: changes)
      stored["date"] = .string(date.description)
    }
    if let summary { stored["summary"] = .object(summary) }
    if let restricted {
      guard restricted || !before.restricted else {
        throw changes.invalid("restricted", "cannot lift the restriction of a withheld service")
      }
      if restricted { stored["restricted"] = true }
    }
    return stored
  }
}
