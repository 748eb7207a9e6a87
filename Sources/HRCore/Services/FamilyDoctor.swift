import GRDB
import HRLines

#if canImport(GRDBSQLite)
import GRDBSQLite
#elseif canImport(SQLite3)
import SQLite3
#endif

/// 家庭医生签约: contracts with a family doctor and the contacts that keep a signed resident's record
/// up to date, at least every half year (annex 1, 三(四)).
package enum FamilyDoctor {
  /// The fields of a `contract` object.
  package static let contractFields: Set<String> = ["doctor", "team", "signed_on"]
  /// The fields of a `contact` object.
  package static let contactFields: Set<String> = ["date", "method"]
  /// How a contact was made (联系对接), a fixed list so that counts by method mean something.
  package static let contactMethods: [String] = ["in_person", "home_visit", "phone", "sms", "video", "online", "other"]

  /// Appends a contract in the caller's transaction. The same contract entered twice (same doctor,
  /// team and date) prints `unchanged`.
  /// Output: `{"record_no", "result":"contract_added"|"unchanged", "contract_id", "doctor", "team", "signed_on"}`.
  package static func sign(
    _ object: JSONObject, for record: ResidentRecord, session: Session, in db: Database
  ) throws -> JSONObject {
    let fields = try Fields(object, allowed: contractFields, path: "contract.")
    let doctor = try fields.requiredText("doctor", maxLength: 50)
    let team = try fields.text("team", maxLength: 100)
    guard let signedOn = try fields.pastDate("signed_on", today: session.today) else { throw fields.missing("signed_on") }
    try session.authorize(.write, in: record.scope, auditAs: "contract.add", recordNo: record.recordNo)
    try record.requireActive(for: "contract")
    try UpdateRules.requireWithinLifetime(signedOn, of: record, key: "signed_on", in: fields)

    let existing = try db.cachedStatement(
      sql:
        "SELECT contract_id FROM contract WHERE record_no = ? AND signed_on = ? AND doctor = ? AND team IS ? ORDER BY contract_id LIMIT 1"
    ).first(
      in: db,
      { bind in
        bind.text(record.recordNo)
        bind.date(signedOn)
        bind.text(doctor)
        bind.text(team)
      }, read: { Int(sqlite3_column_int64($0, 0)) })
    func output(_ result: String, _ id: Int) -> JSONObject {
      [
        "record_no": .string(record.recordNo), "result": .string(result), "contract_id": .int(id), "doctor": .string(doctor),
        "team": team.map { .string($0) } ?? .null, "signed_on": .string(signedOn.description),
      ]
    }
    if let existing { return output("unchanged", existing) }
    try db.cachedStatement(
      sql: """
        INSERT INTO contract (record_no, doctor, team, signed_on, entered_on, entered_at, entered_by)
        VALUES (?, ?, ?, ?, ?, ?, ?)
        """
    ).execute(arguments: [record.recordNo, doctor, team, signedOn, session.today, Timestamp.now(), session.staff.id])
    let contractID = Int(db.lastInsertedRowID)
    try AuditTrail.append(
      AuditEntry(
        action: "contract.add", recordNo: record.recordNo,
        detail: ["contract_id": .int(contractID), "signed_on": .string(signedOn.description)]),
      by: session.staff, in: db)
    return output("contract_added", contractID)
  }

  /// Appends a contact in the caller's transaction and raises the record's last contact, which the
  /// lost-to-follow-up rule counts from (annex 1 六). The same contact entered twice (same date and method)
  /// prints `unchanged`.
  /// Output: `{"record_no", "result":"contact_added"|"unchanged", "contact_id", "date", "method"}`.
  package static func contact(
    _ object: JSONObject, with record: ResidentRecord, session: Session, in db: Database
  ) throws -> JSONObject {
    let fields = try Fields(object, allowed: contactFields, path: "contact.")
    guard let date = try fields.pastDate("date", today: session.today) else { throw fields.missing("date") }
    let method = try fields.requiredText("method", maxLength: 20)
    guard contactMethods.contains(method) else {
      throw fields.invalid("method", "'\(method)' is not one of \(contactMethods.joined(separator: ", "))")
    }
    try session.authorize(.write, in: record.scope, auditAs: "contact.add", recordNo: record.recordNo)
    try record.requireActive(for: "contact")
    try UpdateRules.requireWithinLifetime(date, of: record, key: "date", in: fields)

    let existing = try db.cachedStatement(
      sql: "SELECT contact_id FROM contact WHERE record_no = ? AND date = ? AND method = ? ORDER BY contact_id LIMIT 1"
    ).first(
      in: db,
      { bind in
        bind.text(record.recordNo)
        bind.date(date)
        bind.text(method)
      }, read: { Int(sqlite3_column_int64($0, 0)) })
    func output(_ result: String, _ id: Int) -> JSONObject {
      [
        "record_no": .string(record.recordNo), "result": .string(result), "contact_id": .int(id),
        "date": .string(date.description), "method": .string(method),
      ]
    }
    if let existing { return output("unchanged", existing) }
    try db.cachedStatement(
      sql: "INSERT INTO contact (record_no, date, method, entered_on, entered_at, entered_by) VALUES (?, ?, ?, ?, ?, ?)"
    ).execute(arguments: [record.recordNo, date, method, session.today, Timestamp.now(), session.staff.id])
    let contactID = Int(db.lastInsertedRowID)
    var written = StateRows()
    try UpdateRules.touch(record, contactOn: date, restrict: false, noting: &written, in: db)
    try AuditTrail.append(
      AuditEntry(
        action: "contact.add", recordNo: record.recordNo,
        detail: ["contact_id": .int(contactID), "date": .string(date.description), "method": .string(method)]),
      by: session.staff, in: db, written: written)
    return output("contact_added", contactID)
  }
}
