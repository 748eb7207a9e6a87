import GRDB
import HRLines

extension RejectionCode {
  /// A field that exists but that `set` may not change: the record number, identifiers (except the
  /// ID-number upgrade), the managing organisation and `created_*` (hr(7) IDENTITY and THE RECORD).
  package static let notSettable = RejectionCode("not_settable")
}

/// One basic-information field as it was and as it is now, the row `record_history` keeps.
package struct FieldChange: Sendable, Equatable {
  /// The input name of the field, e.g. `phone`.
  package let field: String
  /// The value before the change, as stored; nil when the field was empty.
  package let old: String?
  /// The value after the change, as stored; nil when it was cleared.
  package let new: String?

  /// Creates a change of one field.
  package init(field: String, old: String?, new: String?) {
    self.field = field
    self.old = old
    self.new = new
  }
}

/// One field `set` may change: its input name, how `record_history` keeps its value, and how a
/// line's value is validated onto the record.
struct SettableField: Sendable {
  let name: String
  /// The value as `record_history` keeps it: text, the sex as its code, dates as YYYY-MM-DD.
  let history: @Sendable (ResidentRecord) -> String?
  /// Validates the line's value and puts it on the record; nil for `id_number`, which is an
  /// identifier upgrade rather than a field (`Registry.idNumberUpgrade`).
  let read: (@Sendable (inout ResidentRecord, Fields, LocalDate) throws(LineRejection) -> Void)?
}

extension Registry {
  /// The fields `set` may change, in the order a line's changes are applied, kept and reported:
  /// the one list the refusal of unknown fields, the reading of a line and `record_history` share.
  static let settableFields: [SettableField] =
    [
      SettableField(name: "id_number", history: \.idNumber, read: nil),
      SettableField(name: "name", history: \.name) { record, fields, _ throws(LineRejection) in
        guard let name = try BasicInformation.name(in: fields) else { throw fields.missing("name") }
        record.name = name
      },
      SettableField(name: "sex", history: { String($0.sex) }) { record, fields, _ throws(LineRejection) in
        guard let sex = try BasicInformation.sex(in: fields) else { throw fields.missing("sex") }
        record.sex = sex.rawValue
      },
      SettableField(name: "birth_date", history: { $0.birthDate.description }) { record, fields, today throws(LineRejection) in
        guard let birthDate = try fields.pastDate("birth_date", today: today) else { throw fields.missing("birth_date") }
        guard birthDate <= record.createdOn else {
          throw fields.invalid("birth_date", "is after the record's creation date \(record.createdOn)")
        }
        record.birthDate = birthDate
      },
      SettableField(name: "division", history: \.division) { record, fields, _ throws(LineRejection) in
        let division = try BasicInformation.division(in: fields)
        guard division.district == record.managingDistrict else {
          throw LineRejection(
            .unknownDistrict,
            "division '\(division)' lies in district '\(division.district)', outside the managing organisation's district '\(record.managingDistrict)'; a move to another district is a transfer (hr-transfer request)",
            details: ["field": "set.division"])
        }
        record.division = division.value
      },
    ]
    + BasicInformation.fields.map { field in
      SettableField(name: field.name, history: { $0[keyPath: field.property] }) { record, fields, _ throws(LineRejection) in
        record[keyPath: field.property] = try BasicInformation.storedValue(of: field, in: fields)
      }
    }

  private static let settableNames = Set(settableFields.map(\.name))

  /// Fields `set` refuses by name, each with the way that change is really made, so the refusal
  /// tells the operator where to go instead of only saying no.
  package static let unsettableFields: [String: String] = [
    "record_no": "the record number is the record's master index and never changes",
    "birth_cert_no":
      "identifiers are never replaced; a record created from a birth certificate or a mother link takes an id number with 'set.id_number'",
    "mother_id_number":
      "identifiers are never replaced; a record created from a birth certificate or a mother link takes an id number with 'set.id_number'",
    "org": "changing the managing organisation is a transfer (hr-transfer request)",
    "managing_org": "changing the managing organisation is a transfer (hr-transfer request)",
    "created_on": "the creation details of a record never change",
    "created_by": "the creation details of a record never change",
    "created_at": "the creation details of a record never change",
    "tags": "tags are appended with a 'tag' line",
    "status": "a record is archived and reactivated with hr-archive",
    "death_date": "a death is entered with hr-archive deceased",
  ]

  /// Applies a `set` object to a record (个人基本信息更新, annex 1 三(一)、三(三)): validates every
  /// field as `hr-create` does, keeps each old value in `record_history`, upgrades a birth-certificate
  /// or mother-linked record to an ID number while keeping the old identifier as an alias
  /// (annex 1, 二(四)), and appends one `record.update` audit event, all in the caller's transaction.
  ///
  /// A `set` that would change nothing prints `unchanged` and writes nothing, so a rerun is harmless.
  package static func update(
    _ record: ResidentRecord, set object: JSONObject, session: Session, in db: Database
  ) throws -> JSONObject {
    let fields = try settable(object)
    try session.authorize(.write, in: record.scope, auditAs: "record.update", recordNo: record.recordNo)
    try record.requireActive(for: "update")
    let (updated, upgrade) = try applying(fields, to: record, today: session.today)
    let changes = settableFields.compactMap { field -> FieldChange? in
      let old = field.history(record)
      let new = field.history(updated)
      return old == new ? nil : FieldChange(field: field.name, old: old, new: new)
    }
    let changed = JSONValue.array(changes.map { .string($0.field) })
    guard !changes.isEmpty else {
      return ["record_no": .string(record.recordNo), "result": "unchanged", "changed": changed]
    }
    let aliases = try save(updated, changes, of: record, upgrade: upgrade, session: session, in: db)
    var detail: JSONObject = ["changed": changed]
    if !aliases.isEmpty { detail["aliases"] = .array(aliases.map { .string($0) }) }
    var written = StateRows()
    written.noteUpdate(of: "record", key: record.recordNo.databaseValue)
    try AuditTrail.append(
      AuditEntry(action: "record.update", recordNo: record.recordNo, detail: detail), by: session.staff, in: db,
      written: written)

    var out: JSONObject = ["record_no": .string(record.recordNo), "result": "updated", "changed": changed]
    if let upgrade {
      out["id_number"] = .string(upgrade.value)
      if upgrade.wasConverted { out["id_converted"] = true }
    }
    return out
  }

  /// The fields of a `set` object, refused when one is not settable (naming the way that change is
  /// made), unknown, or when the object names none.
  private static func settable(_ object: JSONObject) throws(LineRejection) -> Fields {
    for key in object.keys {
      if let reason = unsettableFields[key] {
        throw LineRejection(
          .notSettable, "field 'set.\(key)' cannot be set: \(reason)", details: ["field": .string("set." + key)])
      }
    }
    let fields = try Fields(object, allowed: settableNames, path: "set.")
    guard !object.isEmpty else {
      throw LineRejection(.missingField, "'set' names no field to change", details: ["field": "set"])
    }
    return fields
  }

  /// The record as the `set` leaves it, and the ID number it takes when it had none: each field
  /// validated as `hr-create` validates it, then the sex and birth date checked against the ID number.
  private static func applying(
    _ fields: Fields, to record: ResidentRecord, today: LocalDate
  ) throws(LineRejection) -> (ResidentRecord, upgrade: ResidentID?) {
    var updated = record
    for field in settableFields where fields.has(field.name) {
      try field.read?(&updated, fields, today)
    }
    let upgrade = try idNumberUpgrade(fields, of: record, today: today)
    if let upgrade {
      updated.idNumber = upgrade.value
      try checkAgreement(
        of: &updated, with: upgrade, givenSex: fields.has("sex"), givenBirth: fields.has("birth_date"), upgrading: true)
    } else if let idText = updated.idNumber, let id = try? ResidentID(idText, today: today) {
      try checkAgreement(
        of: &updated, with: id, givenSex: fields.has("sex"), givenBirth: fields.has("birth_date"), upgrading: false)
    }
    return (updated, upgrade)
  }

  /// Writes an accepted `set`: the upgraded identifiers, the mother link under a corrected name or
  /// birth date, the record's changed columns and one `record_history` row a field. Returns the
  /// identifier kinds kept as aliases by an upgrade.
  private static func save(
    _ updated: ResidentRecord, _ changes: [FieldChange], of record: ResidentRecord, upgrade: ResidentID?,
    session: Session, in db: Database
  ) throws -> [String] {
    let today = session.today
    var aliases: [String] = []
    if let upgrade {
      aliases = try upgradeIdentifiers(of: record.recordNo, to: upgrade, on: today, in: db)
    }
    if updated.name != record.name || updated.birthDate != record.birthDate {
      try relinkMother(of: record, as: updated, on: today, in: db)
    }
    try updated.updateChanges(db, from: record)
    let now = Timestamp.now()
    let history = try db.cachedStatement(
      sql: """
        INSERT INTO record_history (record_no, field, old_value, new_value, changed_on, changed_at, changed_by)
        VALUES (?, ?, ?, ?, ?, ?, ?)
        """)
    for change in changes {
      try history.execute(arguments: [record.recordNo, change.field, change.old, change.new, today, now, session.staff.id])
    }
    return aliases
  }

  /// The ID number a `set` gives a record that has none yet; nil when the line gives none or the
  /// record already holds the same number. An ID number, once held, is never replaced.
  private static func idNumberUpgrade(
    _ fields: Fields, of record: ResidentRecord, today: LocalDate
  ) throws(LineRejection) -> ResidentID? {
    guard fields.has("id_number") else { return nil }
    guard let value = fields.value("id_number") else { throw fields.invalid("id_number", "cannot be cleared") }
    guard let text = value.stringValue else {
      guard case .number = value else { throw fields.invalid("id_number", "must be a string, found \(value.typeName)") }
      throw fields.invalid("id_number", "must be a string, found the number \(value.compact): \(Normalisation.spreadsheetAdvice)")
    }
    let id: ResidentID
    do {
      id = try ResidentID(text, today: today)
    } catch {
      throw LineRejection(.invalidID, error.description, details: ["field": "set.id_number"])
    }
    if let current = record.idNumber {
      guard current == id.value else {
        throw LineRejection(
          .notSettable,
          "field 'set.id_number' cannot be set: record '\(record.recordNo)' already has id number '\(current)', and an id number is never replaced",
          details: ["field": "set.id_number"])
      }
      return nil
    }
    return id
  }

  /// Refuses a sex or birth date that contradicts the record's ID number. On an upgrade the stored
  /// values count as given, as at creation (hr(7) IDENTITY); only an unknown or unspecified sex (GB/T 2261.1
  /// 0, 9) is replaced by the sex the number encodes.
  private static func checkAgreement(
    of updated: inout ResidentRecord, with id: ResidentID, givenSex: Bool, givenBirth: Bool, upgrading: Bool
  ) throws(LineRejection) {
    if updated.sex != id.sex.rawValue {
      if !givenSex, upgrading, updated.sex == Sex.unknown.rawValue || updated.sex == Sex.unspecified.rawValue {
        updated.sex = id.sex.rawValue
      } else {
        let whose = givenSex ? "sex" : "the record's sex"
        throw LineRejection(
          .idMismatch,
          "\(whose) '\(updated.sex)' contradicts id number '\(id)' (\(id.sex.rawValue))\(givenSex ? "" : "; set the right sex in the same line")",
          details: ["field": "set.sex"])
      }
    }
    if updated.birthDate != id.birthDate {
      let whose = givenBirth ? "birth date" : "the record's birth date"
      throw LineRejection(
        .idMismatch,
        "\(whose) '\(updated.birthDate)' contradicts id number '\(id)' (\(id.birthDate))\(givenBirth ? "" : "; set the right birth date in the same line")",
        details: ["field": "set.birth_date"])
    }
  }

  /// Gives the record its ID number: refused as `duplicate_record` when another record holds or
  /// once held the number; every identifier the record had stays, no longer current, as an alias
  /// that still finds it (annex 1, 二(四)). Returns the kinds kept as aliases.
  private static func upgradeIdentifiers(
    of recordNo: String, to id: ResidentID, on date: LocalDate, in db: Database
  ) throws -> [String] {
    if let existing = try holder(of: .residentID(id), in: db), existing.recordNo != recordNo {
      throw duplicate(existing)
    }
    let aliases = try String.fetchAll(
      db.cachedStatement(sql: "SELECT DISTINCT kind FROM identifier WHERE record_no = ? AND current = 1 ORDER BY kind"),
      arguments: [recordNo])
    try db.cachedStatement(sql: "UPDATE identifier SET current = 0 WHERE record_no = ? AND current = 1")
      .execute(arguments: [recordNo])
    try register(.residentID(id), for: recordNo, on: date, in: db)
    return aliases
  }

  /// Keeps a mother-linked record findable after its name or birth date is corrected: the link
  /// under the new name and date is registered and the old one stays as an alias. Refused as
  /// `duplicate_record` when a sibling already holds the new link (twins are told apart by name).
  /// The new link is current only while the record has no ID number; once it has one (upgraded
  /// before or in the same line), every mother link is an alias, but still one the duplicate check
  /// finds, so the renamed child cannot be created a second time through the mother.
  private static func relinkMother(
    of record: ResidentRecord, as updated: ResidentRecord, on date: LocalDate, in db: Database
  ) throws {
    guard let motherText = record.motherIdNumber, let mother = try? ResidentID(motherText, today: date) else { return }
    let new = MotherLink(mother: mother, name: updated.name, birthDate: updated.birthDate)
    let current = updated.idNumber == nil
    if let existing = try holder(of: .motherLink(new), in: db) {
      guard existing.recordNo == record.recordNo else { throw duplicate(existing) }
      try db.cachedStatement(
        sql: "UPDATE identifier SET current = (value = ? AND ?) WHERE record_no = ? AND kind = 'mother_id_number'"
      )
      .execute(arguments: [new.key, current, record.recordNo])
      return
    }
    try db.cachedStatement(sql: "UPDATE identifier SET current = 0 WHERE record_no = ? AND kind = 'mother_id_number'")
      .execute(arguments: [record.recordNo])
    try register(.motherLink(new), for: record.recordNo, current: current, on: date, in: db)
  }

  /// The basic-information changes of a record, oldest first: what `set` kept in `record_history`.
  package static func history(of recordNo: String, in db: Database) throws -> [(change: FieldChange, on: LocalDate, by: String)] {
    try HistoryRow.fetchAll(
      db.cachedStatement(
        sql: """
          SELECT record_no, field, old_value, new_value, changed_on, changed_by
          FROM record_history WHERE record_no = ? ORDER BY id
          """),
      arguments: [recordNo]
    ).map { row in (FieldChange(field: row.field, old: row.oldValue, new: row.newValue), row.changedOn, row.changedBy) }
  }
}

/// A row of `record_history`, read by column name.
private struct HistoryRow: Decodable, StoredRecord {
  static let storedTable = "record_history"
  let field, changedBy: String
  let oldValue, newValue: String?
  let changedOn: LocalDate

}
