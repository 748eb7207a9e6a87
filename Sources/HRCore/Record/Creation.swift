import GRDB
import HRLines

extension Registry {
  /// Creates one record from an `hr-create` line: validates every field, refuses an operator
  /// outside the organisation's scope, runs the duplicate check against every identifier ever
  /// held, takes the division's next record number, and writes the record, its identifiers, its
  /// tags and the audit event in the caller's transaction (hr(7) IDENTITY and THE RECORD; annex 1 二(六)).
  ///
  /// With `skipExisting`, a line whose identifiers all belong to one record already in the register
  /// is answered with that record (`"result":"exists"`) instead of a rejection, so that a nightly
  /// load can be fed again; the lookup is audited as `record.check`. A line that matches only some
  /// of its identifiers, or two records, is still a `duplicate_record` rejection.
  package static func create(
    _ object: JSONObject, session: Session, in db: Database, skipExisting: Bool = false
  ) throws -> JSONObject {
    let fields = try Fields(object, allowed: createFields)
    let today = session.today
    let identifiers = try IdentifierFields(fields, today: today)
    guard let name = try BasicInformation.name(in: fields) else { throw fields.missing("name") }

    let givenSex = try BasicInformation.sex(in: fields)
    let givenBirth = try fields.pastDate("birth_date", today: today)
    let sex: Sex
    let birthDate: LocalDate
    if let id = identifiers.residentID {
      if let givenSex, givenSex != id.sex {
        throw LineRejection(
          .idMismatch, "sex '\(givenSex.rawValue)' contradicts id number '\(id)' (\(id.sex.rawValue))", details: ["field": "sex"])
      }
      if let givenBirth, givenBirth != id.birthDate {
        throw LineRejection(
          .idMismatch, "birth date '\(givenBirth)' contradicts id number '\(id)' (\(id.birthDate))",
          details: ["field": "birth_date"])
      }
      sex = id.sex
      birthDate = id.birthDate
    } else {
      guard let givenSex else { throw fields.missing("sex") }
      guard let givenBirth else { throw fields.missing("birth_date") }
      sex = givenSex
      birthDate = givenBirth
    }

    let division = try BasicInformation.division(in: fields)
    let configuration = session.configuration
    guard configuration.districts[division.district] != nil else {
      throw LineRejection(
        .unknownDistrict, "division '\(division)' lies in district '\(division.district)', which is not configured",
        details: ["field": "division"])
    }
    guard let orgCode = try fields.code("org") ?? session.staff.org else { throw fields.missing("org") }
    guard let org = configuration.orgs[orgCode] else {
      throw LineRejection(.notFound, "unknown organisation '\(orgCode)'", details: ["field": "org"])
    }
    guard org.district == division.district else {
      throw LineRejection(
        .unknownDistrict,
        "organisation '\(orgCode)' is in district '\(org.district)', not in the division's district '\(division.district)'",
        details: ["field": "org"])
    }
    let createdOn = try fields.pastDate("created_on", today: today) ?? today
    guard createdOn >= birthDate else {
      throw fields.invalid("created_on", "is before the birth date \(birthDate)")
    }
    let basic = try BasicInformation.fields.map { field in (field, try BasicInformation.storedValue(of: field, in: fields)) }
    let tags = try tagCodes(in: fields)

    try session.authorize(.write, in: Scope(org: org.code, district: org.district), auditAs: "record.create", recordNo: nil)
    if let existing = try holder(of: identifiers, in: db) {
      guard skipExisting, try identifiers.all.allSatisfy({ try holder(of: $0, in: db)?.recordNo == existing.recordNo }) else {
        throw duplicate(existing)
      }
      try AuditTrail.append(
        lookup(of: existing.recordNo, detail: ["exists": true, "skip_existing": true]), by: session.staff, in: db)
      return result(
        "exists", recordNo: existing.recordNo, identifiers: identifiers, managingOrg: existing.managingOrg,
        status: existing.status)
    }

    let recordNo = try nextRecordNumber(in: division, db: db)
    let now = Timestamp.now()
    var record = ResidentRecord(
      recordNo: recordNo.value, division: division.value, name: name, sex: sex.rawValue, birthDate: birthDate,
      idNumber: identifiers.residentID?.value, birthCertNo: identifiers.birthCertificate?.value,
      motherIdNumber: identifiers.motherLink?.mother.value, managingOrg: org.code, managingDistrict: org.district,
      status: .active, archiveReason: nil, archivedOn: nil, deathDate: nil,
      phone: nil, currentAddress: nil, registeredAddress: nil, ethnicity: nil, workUnit: nil, emergencyContact: nil,
      responsibleDoctor: nil, pastHistory: nil, familyHistory: nil, bloodType: nil, paymentMethods: nil,
      restricted: tags.contains(where: \.isRestricting), lastContact: createdOn, protectedUntil: nil,
      createdOn: createdOn, createdBy: session.staff.id, createdAt: now)
    for (field, value) in basic { record[keyPath: field.property] = value }
    // The rows written are handed to the audit event, which then need not read them back.
    var written = StateRows()
    written.add(try record.insertPrepared(db), table: "record", key: recordNo.value.databaseValue)
    try register(identifiers.all, for: recordNo.value, on: today, in: db, written: &written)
    for tag in tags {
      try HealthTags.insert(
        recordNo.value, code: tag.value, source: "hr-create", since: createdOn, on: today, at: now, by: session.staff.id,
        in: db, written: &written)
    }
    try AuditTrail.append(
      AuditEntry(
        action: "record.create", recordNo: recordNo.value,
        detail: ["division": .string(division.value), "managing_org": .string(org.code)]),
      by: session.staff, in: db, written: written)

    return result("created", recordNo: recordNo.value, identifiers: identifiers, managingOrg: org.code, status: .active)
  }

  /// The line `hr-create` prints for a record it created or found (`result`): its number, the
  /// line's identifiers, the organisation that manages it and its status.
  private static func result(
    _ result: String, recordNo: String, identifiers: IdentifierFields, managingOrg: String, status: RecordStatus
  ) -> JSONObject {
    var out: JSONObject = ["record_no": .string(recordNo)]
    for (key, value) in identifiers.output { out[key] = value }
    out["managing_org"] = .string(managingOrg)
    out["status"] = .string(status.rawValue)
    out["result"] = .string(result)
    return out
  }

  /// Looks up a line's identifiers without creating anything (`hr-create --check`); the lookup is
  /// itself a use of the register and is audited.
  package static func check(_ object: JSONObject, session: Session, in db: Database) throws -> JSONObject {
    let identifiers = try IdentifierFields(Fields(selecting: object), today: session.today)
    let existing = try holder(of: identifiers, in: db)
    try AuditTrail.append(lookup(of: existing?.recordNo, detail: ["exists": .bool(existing != nil)]), by: session.staff, in: db)
    var out = identifiers.output
    out["exists"] = .bool(existing != nil)
    out["record_no"] = existing.map { .string($0.recordNo) } ?? .null
    out["managing_org"] = existing.map { .string($0.managingOrg) } ?? .null
    out["status"] = existing.map { .string($0.status.rawValue) } ?? .null
    return out
  }

  /// Tags given at creation: codes, or objects with `code` (the source is the creating tool). A
  /// person has one value of a valued tag at a time (one weight status, one blood type), as a tag
  /// line keeps it; two values in one line are refused rather than both set.
  static func tagCodes(in fields: Fields) throws(LineRejection) -> [TagCode] {
    guard let items = try fields.array("tags") else { return [] }
    var codes: [TagCode] = []
    for item in items {
      let text: String?
      if let object = item.objectValue {
        text = try Fields(object, allowed: ["code"], path: "tags[].").text("code", maxLength: 40)
      } else {
        text = item.stringValue
      }
      guard let text else { throw fields.invalid("tags", "must hold tag codes, found \(item.compact)") }
      let code: TagCode
      do {
        code = try TagCode(settable: text)
      } catch {
        throw fields.invalid("tags", error.description)
      }
      if codes.contains(code) { continue }
      if let kind = code.valuedKind, let other = codes.first(where: { $0.valuedKind == kind }) {
        throw fields.invalid("tags", "gives both '\(other)' and '\(code)'; a resident has one '\(kind)' at a time")
      }
      codes.append(code)
    }
    return codes
  }
}
