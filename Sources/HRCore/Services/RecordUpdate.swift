import GRDB
import HRLines

extension RejectionCode {
  /// A line that carries more than one of `set`, `service`, `tag`, `contract`, `contact`.
  package static let severalChanges = RejectionCode("several_changes")
}

/// One `hr-update` line: a record named by `record_no` (or `id_number`) and exactly one change to
/// it — basic information, a service record, a tag, a family-doctor contract or a contact (hr(7) THE RECORD and SERVICES AND TAGS).
package enum RecordUpdate {
  /// The changes a line may carry, in the order the manual lists them.
  package static let changeKinds = ["set", "service", "tag", "contract", "contact"]

  /// Every field an `hr-update` line may hold; any other is an `unknown_field` rejection (hr(7) COMMON BEHAVIOUR).
  package static let lineFields: Set<String> = Set(["record_no", "id_number"] + changeKinds)

  /// Applies one line in the caller's transaction and returns its output object.
  ///
  /// A line carries exactly one change, so that it has one result, one audit event and one reason
  /// to be rejected: a line with two would be half-applied or need two answers.
  package static func apply(_ object: JSONObject, session: Session, in db: Database) throws -> JSONObject {
    let fields = try Fields(object, allowed: lineFields)
    let kinds = changeKinds.filter { fields.has($0) }
    guard let kind = kinds.first else {
      throw LineRejection(
        .missingField, "missing change: one of 'set', 'service', 'tag', 'contract' or 'contact'", details: ["field": "set"])
    }
    guard kinds.count == 1 else {
      throw LineRejection(
        .severalChanges,
        "a line carries exactly one change, found \(kinds.map { "'\($0)'" }.joined(separator: " and ")); put each on its own line",
        details: ["field": .string(kinds[1])])
    }
    let selection = try RecordSelection(both: fields, today: session.today)
    func change() throws -> JSONObject {
      guard let change = try fields.object(kind) else { throw fields.invalid(kind, "must be an object, found null") }
      return change
    }
    if kind == "service" {
      // The line's rules read a few of the record's columns: only those are read.
      let subject = try Registry.record(selectedBy: selection, in: db, find: ServiceSubject.find)
      return try ServiceLog.add(try change(), to: subject, session: session, in: db)
    }
    let record = try Registry.record(selectedBy: selection, in: db)
    let change = try change()
    switch kind {
    case "set": return try Registry.update(record, set: change, session: session, in: db)
    case "tag": return try HealthTags.apply(change, to: record, session: session, in: db)
    case "contract": return try FamilyDoctor.sign(change, for: record, session: session, in: db)
    default: return try FamilyDoctor.contact(change, with: record, session: session, in: db)
    }
  }
}

/// The checks every kind of `hr-update` change shares.
enum UpdateRules {
  /// Refuses a date of care outside the resident's life: before the birth date or after a
  /// recorded death (hr(7) SERVICES AND TAGS). Dates after today are refused where they are read.
  static func requireWithinLifetime(
    _ date: LocalDate, of record: some ManagedRecord, key: String, in fields: Fields
  ) throws(LineRejection) {
    guard date >= record.birthDate else { throw fields.invalid(key, "is before the birth date \(record.birthDate)") }
    if let death = record.deathDate, date > death {
      throw fields.invalid(key, "is after the death date \(death)")
    }
  }

  /// Refuses a serving organisation the operator does not belong to: a clinician or an
  /// organisation's administrator records services only in its own organisation's name, a district
  /// administrator in its district's (hr(7) ROLES, 谁服务，谁负责). The denial is audited.
  static func requireServing(
    _ org: Organisation, session: Session, auditAs action: String, record: some ManagedRecord
  ) throws(LineRejection) {
    let staff = session.staff
    guard !staff.may(.write, in: Scope(org: org.code, district: org.district)) else { return }
    throw .forbidden(
      staff, mayNot: "record services in the name of organisation '\(org.code)'", auditAs: action,
      recordNo: record.recordNo, detail: ["serving_org": .string(org.code), "managing_org": .string(record.managingOrg)],
      details: ["field": "service.org"])
  }

  /// One row: `OR FAIL` refuses what ABORT would, and SQLite keeps no statement journal for it.
  private static let touchRecord = PreparedSQL(
    "UPDATE OR FAIL record SET last_contact = max(last_contact, ?), restricted = (restricted OR ?) WHERE record_no = ?")

  /// Raises the record's last contact to `date` and marks it restricted when asked, in one
  /// statement and only when something changes, which it notes in `written` for the event to read
  /// the record back (``StateDigest/handOverUpdates(of:in:)``).
  static func touch(
    _ record: some ManagedRecord, contactOn date: LocalDate?, restrict: Bool, noting written: inout StateRows,
    in db: Database
  ) throws {
    let raises = date.map { $0 > record.lastContact } ?? false
    let restricts = restrict && !record.restricted
    guard raises || restricts else { return }
    try touchRecord.statement(in: db).run(in: db) { bind in
      bind.date(raises ? date : record.lastContact)
      bind.bool(restricts)
      bind.text(record.recordNo)
    }
    written.noteUpdate(of: "record", key: record.recordNo.databaseValue)
  }
}
