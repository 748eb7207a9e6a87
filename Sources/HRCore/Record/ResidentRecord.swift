import GRDB

/// 档案状态: 在管 (active) or archived for one of the reasons of §7; `purging` only inside a purge.
package enum RecordStatus: String, Codable, Sendable {
  case active
  case archived
  case purging
}

/// 档案终止原因 (annex 1, 六): why a record left active management.
package enum ArchiveReason: String, Codable, Sendable, CaseIterable {
  case lost
  case deceased
  case movedOut = "moved_out"
}

/// One resident's record: the cover, the basic information and where it is managed (§4).
package struct ResidentRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
  package static let databaseTableName = "record"

  package var recordNo: String
  package var division: String
  package var name: String
  package var sex: Int
  package var birthDate: LocalDate
  package var idNumber: String?
  package var birthCertNo: String?
  package var motherIdNumber: String?
  package var managingOrg: String
  package var managingDistrict: String
  package var status: RecordStatus
  package var archiveReason: ArchiveReason?
  package var archivedOn: LocalDate?
  package var deathDate: LocalDate?
  package var phone: String?
  package var currentAddress: String?
  package var registeredAddress: String?
  package var ethnicity: String?
  package var workUnit: String?
  /// Structured fields are kept as compact JSON text.
  package var emergencyContact: String?
  package var responsibleDoctor: String?
  package var pastHistory: String?
  package var familyHistory: String?
  package var bloodType: String?
  package var paymentMethods: String?
  /// 开放限制: excluded from de-identified exports and withheld from some guardians (§5, §10).
  package var restricted: Bool
  /// The latest of creation, services and contacts: what the one-year lost rule counts from.
  package var lastContact: LocalDate
  /// 转迁保护期: no transfer may be requested before this date (annex 1, 四(三)6).
  package var protectedUntil: LocalDate?
  package var createdOn: LocalDate
  package var createdBy: String
  package var createdAt: String

  /// The column of each property. Spelt out rather than converted from camel case on every row:
  /// every tool reads records on its hot path. A new stored property needs its case here.
  enum CodingKeys: String, CodingKey {
    case recordNo = "record_no"
    case division
    case name
    case sex
    case birthDate = "birth_date"
    case idNumber = "id_number"
    case birthCertNo = "birth_cert_no"
    case motherIdNumber = "mother_id_number"
    case managingOrg = "managing_org"
    case managingDistrict = "managing_district"
    case status
    case archiveReason = "archive_reason"
    case archivedOn = "archived_on"
    case deathDate = "death_date"
    case phone
    case currentAddress = "current_address"
    case registeredAddress = "registered_address"
    case ethnicity
    case workUnit = "work_unit"
    case emergencyContact = "emergency_contact"
    case responsibleDoctor = "responsible_doctor"
    case pastHistory = "past_history"
    case familyHistory = "family_history"
    case bloodType = "blood_type"
    case paymentMethods = "payment_methods"
    case restricted
    case lastContact = "last_contact"
    case protectedUntil = "protected_until"
    case createdOn = "created_on"
    case createdBy = "created_by"
    case createdAt = "created_at"
  }

  package enum Columns {
    package static let recordNo = Column("record_no")
    package static let managingOrg = Column("managing_org")
    package static let managingDistrict = Column("managing_district")
    package static let status = Column("status")
    package static let lastContact = Column("last_contact")
  }

  /// Where the record is managed, for the role checks of §9.
  package var scope: Scope { Scope(org: managingOrg, district: managingDistrict) }

  /// Loads the record with this number, through a prepared statement: every line of every tool
  /// looks a record up.
  package static func find(_ recordNo: String, in db: Database) throws -> ResidentRecord? {
    try ResidentRecord.fetchOne(db.cachedStatement(sql: "SELECT * FROM record WHERE record_no = ?"), arguments: [recordNo])
  }
}

extension DerivableRequest<ResidentRecord> {
  /// Records in active management (在管).
  package func active() -> Self {
    filter(ResidentRecord.Columns.status == RecordStatus.active.rawValue)
  }

  /// Records managed by `org`.
  package func managed(by org: String) -> Self {
    filter(ResidentRecord.Columns.managingOrg == org)
  }

  /// Records managed by organisations of `district`.
  package func managed(inDistrict district: String) -> Self {
    filter(ResidentRecord.Columns.managingDistrict == district)
  }
}
