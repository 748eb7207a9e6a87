import GRDB
import HRLines

/// 档案开放: one resident's full record opened for a viewer the viewer table allows, every
/// opening an audit event the resident's access report shows (第十五条, 第十六条, 第二十五条).
package enum RecordView {
  /// The audit action of a viewing: break-the-glass has its own, so that an access report and a
  /// log query find it at once.
  package static func auditAction(for kind: ViewerKind) -> String {
    kind == .emergency ? "record.view.emergency" : "record.view"
  }

  /// Opens the record a line names (`record_no` or `id_number`) for the line's viewer, in the
  /// caller's transaction, and appends the `record.view` event beside it; a refused viewer is a
  /// rejection that names the missing condition, with its denied event.
  ///
  /// A dry run checks the viewer and prints `{"record_no","viewer","disclosure","dry_run":true}`
  /// without the record: a dry run commits no viewing, so it may show nothing it would audit. It
  /// still finds the record a line names, by an ID number too, and tells its number: that is a
  /// lookup of the register (`record.check`), which the trail keeps from a dry run as from
  /// `hr-create --check`, so that trying ID numbers one after another leaves a trace; a refused
  /// viewer's denial, which a dry run drops, is kept as such a lookup with outcome `denied`.
  package static func open(
    _ object: JSONObject, defaults: Viewer.Defaults, dryRun: Bool, session: Session, in db: Database
  ) throws -> JSONObject {
    let viewer = try Viewer(line: object, defaults: defaults, today: session.today)
    let record = try Registry.record(selectedBy: Fields(selecting: object), session: session, in: db)
    let disclosure: Disclosure
    do {
      disclosure = try viewer.disclosure(of: record, session: session, in: db)
    } catch var refusal as LineRejection where dryRun && refusal.audit != nil {
      // A dry run keeps no denial, but the refusal names the record the line found: the trail
      // keeps it as the lookup it was, refused.
      var detail = refusal.audit?.detail ?? [:]
      detail["dry_run"] = true
      refusal.audit = Registry.lookup(of: record.recordNo, outcome: .denied, detail: detail)
      throw refusal
    }
    if dryRun {
      var detail = viewer.json
      detail["disclosure"] = .string(disclosure.rawValue)
      detail["dry_run"] = true
      try AuditTrail.append(Registry.lookup(of: record.recordNo, detail: detail), by: session.staff, in: db)
      return [
        "record_no": .string(record.recordNo), "viewer": .object(viewer.json), "disclosure": .string(disclosure.rawValue),
        "dry_run": true,
      ]
    }
    let content = try RecordContent.read(record, disclosure: disclosure, today: session.today, in: db)
    var detail = viewer.json
    detail["disclosure"] = .string(disclosure.rawValue)
    if viewer.kind == .emergency { detail["break_the_glass"] = true }
    try AuditTrail.append(
      AuditEntry(action: auditAction(for: viewer.kind), recordNo: record.recordNo, detail: detail), by: session.staff, in: db)

    var out: JSONObject = ["record_no": .string(record.recordNo), "viewer": .object(viewer.json)]
    out["disclosure"] = .string(disclosure.rawValue)
    for (key, value) in content { out[key] = value }
    return out
  }
}

/// The parts of a record a viewing prints, read in one place so that what a guardian of an adult
/// may not see is left out of every part (第十五条).
enum RecordContent {
  /// The keys after `record_no`, `viewer` and `disclosure`, in this order: `cover`, `basic_information`,
  /// `history`, `tags`, `tag_history`, `services`, `contracts`, `contacts`, `transfers`, `archive_history`.
  static func read(_ record: ResidentRecord, disclosure: Disclosure, today: LocalDate, in db: Database) throws -> JSONObject {
    let withholding = disclosure == .withholdingRestricted
    var out = JSONObject()
    out["cover"] = .object(cover(record, withholding: withholding))
    out["basic_information"] = .object(basicInformation(record))
    out["history"] = .array(
      try Registry.history(of: record.recordNo, in: db).map { item in
        .object([
          "field": .string(item.change.field), "old": item.change.old.map(JSONValue.string) ?? .null,
          "new": item.change.new.map(JSONValue.string) ?? .null, "changed_on": .string(item.on.description),
          "changed_by": .string(item.by),
        ])
      })
    let tags = try HealthTags.current(of: record, on: today, in: db).filter { !withholding || !TagCode.restricting.contains($0) }
    out["tags"] = .array(tags.map(JSONValue.string))
    out["tag_history"] = .array(try tagHistory(record.recordNo, withholding: withholding, in: db))
    let services = try ServiceHistory.services(ofRecord: record.recordNo, in: db).filter { !withholding || !isRestricted($0) }
    out["services"] = .array(services.map { .object($0.json) })
    out["contracts"] = .array(try contracts(record.recordNo, in: db))
    out["contacts"] = .array(try contacts(record.recordNo, in: db))
    out["transfers"] = .array(try Transfer.all(for: record.recordNo, in: db).map { .object($0.output) })
    out["archive_history"] = .array(try ArchiveEvent.history(of: record.recordNo, in: db).map { .object($0.json) })
    return out
  }

  /// Whether a service is withheld from the guardian of an adult: restricted, or a mental-disorder
  /// follow-up, as first saved or as any amendment made it (a restriction is never lifted, and a
  /// service amended away from `mental_followup` still was one).
  static func isRestricted(_ service: RecordedService) -> Bool {
    if service.original.restricted || service.original.type == ServiceLog.restrictingType { return true }
    var content = service.original
    for amendment in service.amendments {
      content = content.applying(amendment.changes)
      if content.restricted || content.type == ServiceLog.restrictingType { return true }
    }
    return false
  }

  /// 档案封面: numbers, identity, management and state. A viewing that withholds restricted
  /// services leaves out `last_contact`, which may be the date of a withheld one.
  private static func cover(_ record: ResidentRecord, withholding: Bool) -> JSONObject {
    func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
    func date(_ value: LocalDate?) -> JSONValue { value.map { .string($0.description) } ?? .null }
    return [
      "record_no": .string(record.recordNo), "name": .string(record.name), "sex": .int(record.sex),
      "birth_date": .string(record.birthDate.description), "id_number": text(record.idNumber),
      "birth_cert_no": text(record.birthCertNo), "mother_id_number": text(record.motherIdNumber),
      "division": .string(record.division), "managing_org": .string(record.managingOrg),
      "managing_district": .string(record.managingDistrict), "status": .string(record.status.rawValue),
      "archive_reason": text(record.archiveReason?.rawValue), "archived_on": date(record.archivedOn),
      "death_date": date(record.deathDate), "created_on": .string(record.createdOn.description),
      "created_by": .string(record.createdBy), "last_contact": withholding ? .null : date(record.lastContact),
      "protected_until": date(record.protectedUntil),
    ]
  }

  /// 个人基本信息: the optional fields in the order `hr-create` documents them, structured ones as JSON.
  private static func basicInformation(_ record: ResidentRecord) -> JSONObject {
    var out = JSONObject()
    for field in BasicInformation.fields {
      guard let stored = record[keyPath: field.property] else {
        out[field.name] = .null
        continue
      }
      out[field.name] = field.isStructured ? ((try? JSONParser.parse(stored)) ?? .string(stored)) : .string(stored)
    }
    return out
  }

  /// Every tag row, oldest first: the tags set and ended, so a tag's history is traceable.
  private static func tagHistory(_ recordNo: String, withholding: Bool, in db: Database) throws -> [JSONValue] {
    let rows = try TagRow.fetchAll(
      db.cachedStatement(
        sql: """
          SELECT record_no, tag_id, code, source, since, ended, entered_on, entered_by
          FROM tag WHERE record_no = ? ORDER BY tag_id
          """),
      arguments: [recordNo])
    return rows.compactMap { row -> JSONValue? in
      if withholding && TagCode.restricting.contains(row.code) { return nil }
      return .object([
        "tag_id": .int(row.tagID), "code": .string(row.code), "source": row.source.map(JSONValue.string) ?? .null,
        "since": row.since.map(JSONValue.string) ?? .null, "ended": row.ended.map(JSONValue.string) ?? .null,
        "entered_on": .string(row.enteredOn), "entered_by": .string(row.enteredBy),
      ])
    }
  }

  /// 家庭医生签约: the contracts, oldest first.
  private static func contracts(_ recordNo: String, in db: Database) throws -> [JSONValue] {
    try ContractRow.fetchAll(
      db.cachedStatement(
        sql: """
          SELECT record_no, contract_id, doctor, team, signed_on, entered_on, entered_by
          FROM contract WHERE record_no = ? ORDER BY signed_on, contract_id
          """),
      arguments: [recordNo]
    ).map { row in
      .object([
        "contract_id": .int(row.contractID), "doctor": .string(row.doctor), "team": row.team.map(JSONValue.string) ?? .null,
        "signed_on": .string(row.signedOn), "entered_on": .string(row.enteredOn), "entered_by": .string(row.enteredBy),
      ])
    }
  }

  /// 联系对接: the contacts, oldest first.
  private static func contacts(_ recordNo: String, in db: Database) throws -> [JSONValue] {
    try ContactRow.fetchAll(
      db.cachedStatement(
        sql: """
          SELECT record_no, contact_id, date, method, entered_on, entered_by
          FROM contact WHERE record_no = ? ORDER BY date, contact_id
          """),
      arguments: [recordNo]
    ).map { row in
      .object([
        "contact_id": .int(row.contactID), "date": .string(row.date), "method": .string(row.method),
        "entered_on": .string(row.enteredOn), "entered_by": .string(row.enteredBy),
      ])
    }
  }
}

/// A row of `tag` as a view prints it, dates as stored.
private struct TagRow: Decodable, StoredRecord {
  static let storedTable = "tag"
  let tagID: Int
  let code, enteredOn, enteredBy: String
  let source, since, ended: String?

}

/// A row of `contract` as a view prints it, dates as stored.
private struct ContractRow: Decodable, StoredRecord {
  static let storedTable = "contract"
  let contractID: Int
  let doctor, signedOn, enteredOn, enteredBy: String
  let team: String?

}

/// A row of `contact` as a view prints it, dates as stored.
private struct ContactRow: Decodable, StoredRecord {
  static let storedTable = "contact"
  let contactID: Int
  let date, method, enteredOn, enteredBy: String

}

extension ArchiveEvent {
  /// The event as a viewing prints it: `{"action","effective_on","evidence","death_date",
  /// "death_cause","reported_on","left_on","contact_date","correction","late"}`.
  package var json: JSONObject {
    func date(_ value: LocalDate?) -> JSONValue { value.map { .string($0.description) } ?? .null }
    func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
    let stated = particulars
    return [
      "action": .string(action.rawValue), "effective_on": .string(effectiveOn.description),
      "evidence": text(stated.evidence), "death_date": date(stated.deathDate), "death_cause": text(stated.deathCause),
      "reported_on": date(stated.reportedOn), "left_on": date(stated.leftOn), "contact_date": date(stated.contactDate),
      "correction": text(stated.correction), "late": .bool(late),
    ]
  }
}
