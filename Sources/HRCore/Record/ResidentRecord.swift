import GRDB
import HRLines

/// 档案状态: 在管 (active) or archived for one of the reasons of annex 1 六; `purging` only inside a purge.
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

/// One resident's record: the cover, the basic information and where it is managed (hr(7) THE RECORD).
///
/// Rows are read and written column by column rather than through `Codable`: creating a record is
/// the hot path of `hr-create`, and the generic coding spent most of its time converting names.
package struct ResidentRecord: ManagedRecord, Sendable, Equatable {

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
  /// 开放限制: excluded from de-identified exports and withheld from some guardians (hr(7) SERVICES AND TAGS, 第四章, annex 2).
  package var restricted: Bool
  /// The latest of creation, services and contacts: what the one-year lost rule counts from.
  package var lastContact: LocalDate
  /// 转迁保护期: no transfer may be requested before this date (annex 1, 四(三)6).
  package var protectedUntil: LocalDate?
  package var createdOn: LocalDate
  package var createdBy: String
  package var createdAt: String

  /// Loads the record with this number, through a statement prepared once per connection: every
  /// tool that selects records does this for each line.
  ///
  /// The columns are selected by name and read by position, which spares a search among the
  /// row's column names for each of them.
  package static func find(_ recordNo: String, in db: Database) throws -> ResidentRecord? {
    // Every line of hr-update, hr-transfer and hr-archive reads its record: stepped in place, without a row object.
    try selectByNumber.statement(in: db).first(in: db, { $0.text(recordNo) }) { statement in
      var columns = StoredColumns(statement, table: "record", names: columnNames)
      return try ResidentRecord(columnsInOrder: &columns)
    }
  }

  private static let selectByNumber = PreparedSQL("SELECT \(columnNames.joined(separator: ", ")) FROM record WHERE record_no = ?")
}

extension ResidentRecord: FetchableRecord, PersistableRecord {
  package static let databaseTableName = "record"

  /// Reads a row of `record`; a value that does not read back as its type is a
  /// `StoredValueError` naming the record, never a trap.
  package init(row: Row) throws {
    let recordNo: String = try row.stored("record_no", in: "record", record: nil)
    func value<T: DatabaseValueConvertible>(_ column: String) throws(StoredValueError) -> T {
      try row.stored(column, in: "record", record: recordNo)
    }
    self.recordNo = recordNo
    division = try value("division")
    name = try value("name")
    sex = try value("sex")
    birthDate = try value("birth_date")
    idNumber = try value("id_number")
    birthCertNo = try value("birth_cert_no")
    motherIdNumber = try value("mother_id_number")
    managingOrg = try value("managing_org")
    managingDistrict = try value("managing_district")
    status = try RecordStatus(stored: try value("status"), in: "record", column: "status", record: recordNo)
    let reason: String? = try value("archive_reason")
    archiveReason = try reason.map { try ArchiveReason(stored: $0, in: "record", column: "archive_reason", record: recordNo) }
    archivedOn = try value("archived_on")
    deathDate = try value("death_date")
    phone = try value("phone")
    currentAddress = try value("current_address")
    registeredAddress = try value("registered_address")
    ethnicity = try value("ethnicity")
    workUnit = try value("work_unit")
    emergencyContact = try value("emergency_contact")
    responsibleDoctor = try value("responsible_doctor")
    pastHistory = try value("past_history")
    familyHistory = try value("family_history")
    bloodType = try value("blood_type")
    paymentMethods = try value("payment_methods")
    restricted = try value("restricted")
    lastContact = try value("last_contact")
    protectedUntil = try value("protected_until")
    createdOn = try value("created_on")
    createdBy = try value("created_by")
    createdAt = try value("created_at")
  }

  /// Reads a row that holds exactly `columnNames`, in that order, by position.
  private init(columnsInOrder columns: inout StoredColumns) throws {
    let recordNo: String = try columns.next()
    columns.recordNo = recordNo
    func value<T: DatabaseValueConvertible>() throws(StoredValueError) -> T { try columns.next() }
    self.recordNo = recordNo
    division = try value()
    name = try value()
    sex = try value()
    birthDate = try value()
    idNumber = try value()
    birthCertNo = try value()
    motherIdNumber = try value()
    managingOrg = try value()
    managingDistrict = try value()
    status = try RecordStatus(stored: try value(), in: "record", column: "status", record: recordNo)
    let reason: String? = try value()
    archiveReason = try reason.map { try ArchiveReason(stored: $0, in: "record", column: "archive_reason", record: recordNo) }
    archivedOn = try value()
    deathDate = try value()
    phone = try value()
    currentAddress = try value()
    registeredAddress = try value()
    ethnicity = try value()
    workUnit = try value()
    emergencyContact = try value()
    responsibleDoctor = try value()
    pastHistory = try value()
    familyHistory = try value()
    bloodType = try value()
    paymentMethods = try value()
    restricted = try value()
    lastContact = try value()
    protectedUntil = try value()
    createdOn = try value()
    createdBy = try value()
    createdAt = try value()
  }

  package func encode(to container: inout PersistenceContainer) {
    for (column, value) in zip(Self.columnNames, databaseValues) { container[column] = value }
  }

  /// Inserts the record through one prepared statement, cached for the connection: creating records
  /// is the hot path of `hr-create`. Returns the row's columns as its audit state hashes them
  /// (``StateRows``): every column is bound in the table's order, text to TEXT and integers to
  /// INTEGER columns, so the bytes bound are the bytes stored.
  package func insertPrepared(_ db: Database) throws -> [UInt8] {
    try Self.insert.statement(in: db).runCapturing(in: db, bindColumns)
  }

  /// Hands the record's row, as an UPDATE that made it equal to this value has just left it, to the
  /// event that records the change (``StateRows``), which then need not read it back: reading it
  /// back was a twentieth of the work of archiving a record. The caller changes every column it
  /// updates both here and in the store; debug builds (the tests) check at each event that the
  /// row handed over is the stored one.
  package func handOver(to written: inout StateRows) {
    written.add(Bindings.captured(bindColumns), table: "record", key: recordNo.databaseValue)
  }

  /// Binds every column in the table's order.
  private func bindColumns(_ bind: inout Bindings) {
    bind.text(recordNo)
    bind.text(division)
    bind.text(name)
    bind.integer(sex)
    bind.date(birthDate)
    bind.text(idNumber)
    bind.text(birthCertNo)
    bind.text(motherIdNumber)
    bind.text(managingOrg)
    bind.text(managingDistrict)
    bind.text(status.rawValue)
    bind.text(archiveReason?.rawValue)
    bind.date(archivedOn)
    bind.date(deathDate)
    bind.text(phone)
    bind.text(currentAddress)
    bind.text(registeredAddress)
    bind.text(ethnicity)
    bind.text(workUnit)
    bind.text(emergencyContact)
    bind.text(responsibleDoctor)
    bind.text(pastHistory)
    bind.text(familyHistory)
    bind.text(bloodType)
    bind.text(paymentMethods)
    bind.bool(restricted)
    bind.date(lastContact)
    bind.date(protectedUntil)
    bind.date(createdOn)
    bind.text(createdBy)
    bind.text(createdAt)
  }

  /// The columns of the table, in the order of `databaseValues`.
  private static let columnNames = [
    "record_no",
    "division",
    "name",
    "sex",
    "birth_date",
    "id_number",
    "birth_cert_no",
    "mother_id_number",
    "managing_org",
    "managing_district",
    "status",
    "archive_reason",
    "archived_on",
    "death_date",
    "phone",
    "current_address",
    "registered_address",
    "ethnicity",
    "work_unit",
    "emergency_contact",
    "responsible_doctor",
    "past_history",
    "family_history",
    "blood_type",
    "payment_methods",
    "restricted",
    "last_contact",
    "protected_until",
    "created_on",
    "created_by",
    "created_at",
  ]

  private static let insert = PreparedSQL(
    "INSERT INTO record (\(columnNames.joined(separator: ", "))) VALUES (\(columnNames.map { _ in "?" }.joined(separator: ", ")))"
  )

  private var databaseValues: [(any DatabaseValueConvertible)?] {
    [
      recordNo,
      division,
      name,
      sex,
      birthDate,
      idNumber,
      birthCertNo,
      motherIdNumber,
      managingOrg,
      managingDistrict,
      status.rawValue,
      archiveReason?.rawValue,
      archivedOn,
      deathDate,
      phone,
      currentAddress,
      registeredAddress,
      ethnicity,
      workUnit,
      emergencyContact,
      responsibleDoctor,
      pastHistory,
      familyHistory,
      bloodType,
      paymentMethods,
      restricted,
      lastContact,
      protectedUntil,
      createdOn,
      createdBy,
      createdAt,
    ]
  }
}
