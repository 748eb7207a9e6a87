import Foundation
import GRDB
import HRCore

/// Rows written straight into the store, as the tools that own these tables (hr-create, hr-update,
/// hr-transfer, hr-archive) would leave them, following Schema.swift column for column: a store
/// can be crafted with exactly the defects a finding is about.
enum QualityFixture {
  static let today = LocalDate("2026-11-26")!

  /// A GB 11643 number for a birth date and sex, from a region code and a two-digit sequence.
  static func residentID(_ birth: String, female: Bool = false, region: String = "500103", sequence: Int = 12) -> String {
    let body = region + birth.replacingOccurrences(of: "-", with: "") + String(format: "%02d", sequence) + (female ? "2" : "1")
    return body + String(ResidentID.checkCharacter(body.utf8.map { Int($0 - 48) }))
  }

  /// A record with every cover field filled, managed by 解放碑 (500103001) unless told otherwise.
  struct Record {
    var recordNo: String
    var name = "张三"
    var sex = 1
    var birthDate = "1980-05-06"
    var idNumber: String? = QualityFixture.residentID("1980-05-06")
    var birthCertNo: String?
    var motherIdNumber: String?
    var division = "500103001001"
    var org = "500103001"
    var district = "500103"
    var status = "active"
    var archiveReason: String?
    var phone: String? = "13800000000"
    var currentAddress: String? = "重庆市民族路1号"
    var registeredAddress: String? = "重庆市民族路1号"
    var responsibleDoctor: String? = "家庭医生团队1"
    var createdOn = "2026-01-05"

    init(_ recordNo: String) { self.recordNo = recordNo }

    func insert(_ db: Database) throws {
      try db.execute(
        sql: """
          INSERT INTO record (record_no, division, name, sex, birth_date, id_number, birth_cert_no, mother_id_number,
            managing_org, managing_district, status, archive_reason, phone, current_address, registered_address,
            responsible_doctor, last_contact, created_on, created_by, created_at)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'fixture', '2026-01-05T02:00:00.000Z')
          """,
        arguments: [
          recordNo, division, name, sex, birthDate, idNumber, birthCertNo, motherIdNumber, org, district, status,
          archiveReason, phone, currentAddress, registeredAddress, responsibleDoctor, createdOn, createdOn,
        ])
    }
  }

  static func service(
    _ db: Database, _ recordNo: String, date: String, enteredOn: String, late: Bool, org: String = "500103001"
  ) throws {
    try db.execute(
      sql: """
        INSERT INTO service (record_no, type, date, org, late, entered_on, entered_at, entered_by)
        VALUES (?, 'hypertension_followup', ?, ?, ?, ?, ?, 'doc-li')
        """,
      arguments: [recordNo, date, org, late, enteredOn, enteredOn + "T02:00:00.000Z"])
  }

  static func contract(_ db: Database, _ recordNo: String, signedOn: String) throws {
    try db.execute(
      sql: """
        INSERT INTO contract (record_no, doctor, team, signed_on, entered_on, entered_at, entered_by)
        VALUES (?, '李医生', '团队1', ?, ?, ?, 'doc-li')
        """,
      arguments: [recordNo, signedOn, signedOn, signedOn + "T02:00:00.000Z"])
  }

  static func contact(_ db: Database, _ recordNo: String, date: String) throws {
    try db.execute(
      sql:
        "INSERT INTO contact (record_no, date, method, entered_on, entered_at, entered_by) VALUES (?, ?, 'phone', ?, ?, 'doc-li')",
      arguments: [recordNo, date, date, date + "T02:00:00.000Z"])
  }

  static func death(
    _ db: Database, _ recordNo: String, deathDate: String, reportedOn: String, enteredOn: String, late: Bool
  ) throws {
    try db.execute(
      sql: """
        INSERT INTO archive_event (record_no, action, effective_on, death_date, death_cause, reported_on, late,
          entered_on, entered_at, entered_by)
        VALUES (?, 'deceased', ?, ?, '心肌梗死', ?, ?, ?, ?, 'admin-jfb')
        """,
      arguments: [recordNo, enteredOn, deathDate, reportedOn, late, enteredOn, enteredOn + "T02:00:00.000Z"])
  }

  static func transfer(_ db: Database, _ recordNo: String, requestedOn: String, due: String, status: String = "pending") throws {
    try db.execute(
      sql: """
        INSERT INTO transfer (record_no, from_org, to_org, from_district, to_district, kind, reason, consent_method,
          consent_ref, status, requested_on, requested_at, requested_by, due)
        VALUES (?, '500103001', '500106001', '500103', '500106', 'cross_district', 'residence_change', 'signed_form',
          'F-1', ?, ?, ?, 'admin-xlk', ?)
        """,
      arguments: [recordNo, status, requestedOn, requestedOn + "T02:00:00.000Z", due])
  }
}
