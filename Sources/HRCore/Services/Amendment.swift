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
    let fields = try Fields(object, allowed: amendFields)
    guard let serviceID = try fields.integer("service_id") else { throw fields.missing("service_id") }
    guard let changesObject = try fields.object("changes") else { throw fields.missing("changes") }
    let changes = try Fields(changesObject, allowed: amendableFields, path: "changes.")
    guard !changesObject.isEmpty else {
      throw LineRejection(.missingField, "'changes' names no field to correct", details: ["field": "changes"])
    }
    let reason = try fields.requiredText("reason", maxLength: 500)
    let approverID = try fields.text("approved_by", maxLength: 64)

    guard let service = try ServiceHistory.service(id: serviceID, in: db) else {
      throw LineRejection(.notFound, "no service '\(serviceID)'", details: ["field": "service_id"])
    }
    if let number = try fields.recordNumber(), number.value != service.recordNo {
      throw fields.invalid("record_no", "is '\(number)', but service '\(serviceID)' belongs to record '\(service.recordNo)'")
    }
    guard let record = try ResidentRecord.find(service.recordNo, in: db) else {
      throw LineRejection(.notFound, "no record '\(service.recordNo)'")
    }
    let configuration = session.configuration
    let serving = Scope(org: service.org, district: configuration.district(ofOrg: service.org) ?? "")
    let staff = session.staff
    guard staff.may(.write, in: serving) else {
      throw LineRejection.forbidden(
        staff, mayNot: "amend services of organisation '\(service.org)'", auditAs: "service.amend",
        recordNo: record.recordNo, detail: ["service_id": .int(serviceID), "serving_org": .string(service.org)])
    }
    try record.requireActive(for: "amendment")
    let approver = try requireApprover(approverID, for: service, serving: serving, session: session)

    let before = service.current
    let today = session.today
    var stored = JSONObject()
    if changes.has("type") {
      let type = try changes.requiredText("type", maxLength: 40)
      guard configuration.services[type] != nil else {
        throw changes.invalid("type", "'\(type)' is not a configured service type; expected one of \(typeList(configuration))")
      }
      stored["type"] = .string(type)
      if type == restrictingType { stored["restricted"] = true }
    }
    if changes.has("date") {
      guard let date = try changes.pastDate("date", today: today) else { throw changes.missing("date") }
      try UpdateRules.requireWithinLifetime(date, of: record, key: "date", in: changes)
      stored["date"] = .string(date.description)
    }
    if changes.has("summary") {
      guard let patch = try changes.object("summary") else { throw changes.missing("summary") }
      stored["summary"] = .object(patch)
    }
    if changes.has("restricted") {
      guard let restricted = try changes.bool("restricted") else { throw changes.missing("restricted") }
      guard restricted || !before.restricted else {
        throw changes.invalid("restricted", "cannot lift the restriction of a withheld service")
      }
      if restricted { stored["restricted"] = true }
    }
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
        "record_no": .string(record.recordNo), "result": "unchanged", "service_id": .int(serviceID),
        "amendment_id": service.amendments.last.map { .int($0.amendmentID) } ?? .null, "changed": changed,
        "approved_by": .string(approver),
      ]
    }
    if service.free, after.type != before.type || after.date != before.date, let policy = configuration.services[after.type] {
      try requireEligible(record, for: after.type, policy: policy, on: after.date)
    }
    if service.free, after.type != before.type || after.date.year != before.date.year,
      let limit = configuration.services[after.type]?.freePerYear
    {
      let earlier = try ServiceHistory.freeServices(
        ofRecord: record.recordNo, type: after.type, year: after.date.year, excluding: serviceID, in: db)
      if earlier.count >= limit, let last = earlier.last {
        throw alreadyServed(
          record: record, type: after.type, date: after.date, org: service.org, limit: limit, earlier: last,
          action: "service.amend", offSite: service.offSite)
      }
    }

    let now = Timestamp.now()
    try db.cachedStatement(
      sql: """
        INSERT INTO amendment (service_id, record_no, changes, reason, approved_by, entered_on, entered_at, entered_by)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        """
    ).execute(arguments: [serviceID, record.recordNo, stored.compact, reason, approver, today, now, staff.id])
    let amendmentID = Int(db.lastInsertedRowID)
    // A corrected date only ever raises the last contact: lowering it could hide a real contact.
    try UpdateRules.touch(record, contactOn: after.date, restrict: after.restricted, in: db)
    try AuditTrail.append(
      AuditEntry(
        action: "service.amend", recordNo: record.recordNo,
        detail: [
          "service_id": .int(serviceID), "amendment_id": .int(amendmentID), "changed": changed,
          "approved_by": .string(approver), "org": .string(service.org),
        ]),
      by: staff, in: db)
    return [
      "record_no": .string(record.recordNo), "result": "amended", "service_id": .int(serviceID),
      "amendment_id": .int(amendmentID), "changed": changed, "approved_by": .string(approver),
    ]
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
