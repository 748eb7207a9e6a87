import GRDB

/// The facts of a record that a service line is checked against (``ManagedRecord``), read without
/// the rest of the row. Every service line of `hr-update` reads one; the names, addresses and
/// histories a whole ``ResidentRecord`` holds besides were most of what reading it cost, and no
/// rule of a service reads them. A service that raises the last contact notes the record for its
/// audit event, which reads the row whole for its state (``StateRows/noteUpdate(of:key:)``).
struct ServiceSubject: ManagedRecord, Sendable {
  var recordNo: String
  var managingOrg: String
  var managingDistrict: String
  var status: RecordStatus
  var archiveReason: ArchiveReason?
  var archivedOn: LocalDate?
  var birthDate: LocalDate
  var deathDate: LocalDate?
  var lastContact: LocalDate
  var restricted: Bool

  /// The record with this number, stepped in place and read by position, with the checks of the
  /// decoding by name.
  static func find(_ recordNo: String, in db: Database) throws -> ServiceSubject? {
    try select.statement(in: db).first(in: db, { $0.text(recordNo) }) { statement in
      var columns = StoredColumns(statement, table: "record", names: columnNames)
      let number: String = try columns.next()
      columns.recordNo = number
      return ServiceSubject(
        recordNo: number, managingOrg: try columns.next(), managingDistrict: try columns.next(),
        status: try columns.named(), archiveReason: try columns.optionalNamed(), archivedOn: try columns.next(),
        birthDate: try columns.next(), deathDate: try columns.next(), lastContact: try columns.next(),
        restricted: try columns.next())
    }
  }

  /// The columns `find` reads, in order.
  private static let columnNames = [
    "record_no", "managing_org", "managing_district", "status", "archive_reason", "archived_on", "birth_date",
    "death_date", "last_contact", "restricted",
  ]

  private static let select = PreparedSQL(
    "SELECT \(columnNames.joined(separator: ", ")) FROM record WHERE record_no = ?")
}
