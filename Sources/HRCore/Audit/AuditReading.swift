import GRDB
import HRLines

/// Why `hr-audit` will not read what it was asked to, or cannot find it.
package enum AuditReadError: Error, Sendable, CustomStringConvertible {
  /// The operator asked for records beyond their reach (hr(7) ROLES); `audit` is the denial to keep.
  case forbidden(String, audit: AuditEntry)
  /// No record has this number, and no event names it that the operator may see.
  case recordNotFound(String)
  /// No record holds, or ever held, this ID number.
  case idNumberNotFound(String)

  /// The message, as `hr-audit` prints it after its name.
  package var description: String {
    switch self {
    case .forbidden(let message, _): "forbidden: \(message)"
    case .recordNotFound(let recordNo): "not_found: no record '\(recordNo)'"
    case .idNumberNotFound(let number): "not_found: no record holds id number '\(number)'"
    }
  }
}

/// The rules for reading the audit trail and the register through `hr-audit` (hr(7) ROLES: org_admin
/// its organisation's records, district_admin its district's, city_admin and auditor all).
///
/// Reading is itself a use of the records (第二十五条: 查阅、调阅 … 责任追究), so each reading that
/// shows records — `log`, `access`, `quality`, `duplicates` — appends an `audit.*` event, and each
/// refusal a denied one. `verify` and `head` show no record and append nothing, so that checking the
/// chain never moves its head.
package enum AuditReading {
  /// Checks that the operator may read the trail of `recordNo`: the record must be managed within
  /// their reach. A purged record's events remain and only city-wide readers see them.
  package static func authorizeRecord(_ recordNo: String, session: Session, auditAs action: String, in db: Database) throws {
    let staff = session.staff
    guard let record = try ResidentRecord.find(recordNo, in: db) else {
      let hasEvents =
        try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM audit_event WHERE record_no = ?)", arguments: [recordNo])
        ?? false
      guard hasEvents, staff.coverage(for: .audit) == .city else { throw AuditReadError.recordNotFound(recordNo) }
      return
    }
    guard staff.may(.audit, in: record.scope) else {
      throw denial(
        staff, "record '\(recordNo)' managed by '\(record.managingOrg)'", action: action, recordNo: recordNo,
        detail: ["managing_org": .string(record.managingOrg), "district": .string(record.managingDistrict)])
    }
  }

  /// The record that holds, or once held, an ID number: how a resident who does not know their
  /// record number asks for their access report.
  package static func recordNumber(holding idNumber: ResidentID, in db: Database) throws -> String {
    guard let holder = try Registry.holder(of: .residentID(idNumber), in: db) else {
      throw AuditReadError.idNumberNotFound(idNumber.value)
    }
    return holder.recordNo
  }

  /// Appends the event that records a reading (or its denial) in its own transaction, and returns
  /// its sequence number, so that the listing can stop just before it.
  @discardableResult
  package static func record(_ entry: AuditEntry, by staff: OperatorEntry, in store: Store) throws -> Int {
    try store.write { db in try AuditTrail.append(entry, by: staff, in: db).seq }
  }

  private static func denial(
    _ staff: OperatorEntry, _ target: String, action: String, recordNo: String? = nil, detail: JSONObject
  ) -> AuditReadError {
    .forbidden(
      staff.mayNot("audit \(target)"),
      audit: AuditEntry(action: action, recordNo: recordNo, outcome: .denied, detail: detail))
  }
}
