import GRDB
import HRLines

#if canImport(GRDBSQLite)
import GRDBSQLite
#elseif canImport(SQLite3)
import SQLite3
#endif

extension RejectionCode {
  /// An ID, birth-certificate or mother's ID number that fails its standard (GB 11643 …).
  package static let invalidID = RejectionCode("invalid_id")
  /// `sex` or `birth_date` contradicts the ID number.
  package static let idMismatch = RejectionCode("id_mismatch")
  /// The person already has a record: the next step is a transfer, not a second record (annex 1, 二(六)).
  package static let duplicateRecord = RejectionCode("duplicate_record")
  /// The division code's district is not configured, or the organisation lies in another district.
  package static let unknownDistrict = RejectionCode("unknown_district")
  /// The division has given all 99,999 record numbers.
  package static let sequenceExhausted = RejectionCode("sequence_exhausted")
}

/// A record that already holds an identifier, as the duplicate check reports it.
package struct ExistingRecord: Sendable, Equatable {
  package let recordNo: String
  package let managingOrg: String
  package let status: RecordStatus
  package let archiveReason: ArchiveReason?
  /// The kind of identifier that matched (`id_number`, `birth_cert_no`, `mother_id_number`).
  package let matchedKind: String
}

/// The identifiers a line names, validated: the input of the duplicate check (查验).
package struct IdentifierFields: Sendable {
  package var residentID: ResidentID?
  package var birthCertificate: BirthCertificateNumber?
  package var motherLink: MotherLink?

  /// The identifiers in the order they are looked up.
  package var all: [Identifier] {
    [
      residentID.map(Identifier.residentID), birthCertificate.map(Identifier.birthCertificate),
      motherLink.map(Identifier.motherLink),
    ].compactMap { $0 }
  }

  /// The fields as given, for the output line: `id_number`, `birth_cert_no`, `mother_id_number`.
  package var output: JSONObject {
    var out = JSONObject()
    if let residentID { out["id_number"] = .string(residentID.value) }
    if let birthCertificate { out["birth_cert_no"] = .string(birthCertificate.value) }
    if let motherLink { out["mother_id_number"] = .string(motherLink.mother.value) }
    if residentID?.wasConverted == true { out["id_converted"] = true }
    return out
  }

  /// Reads and validates the identifier fields; a mother link also needs `name` and `birth_date`.
  package init(_ fields: Fields, today: LocalDate) throws(LineRejection) {
    func identity<T>(_ key: String, _ make: (String) throws(IdentityError) -> T) throws(LineRejection) -> T? {
      guard let value = fields.value(key) else { return nil }
      guard let raw = value.stringValue else {
        guard case .number = value else { throw fields.invalid(key, "must be a string, found \(value.typeName)") }
        throw fields.invalid(key, "must be a string, found the number \(value.compact): \(Normalisation.spreadsheetAdvice)")
      }
      guard !Normalisation.isExponentForm(raw) else {
        throw LineRejection(
          .invalidID, "field '\(key)' is '\(raw)': \(Normalisation.spreadsheetAdvice)", details: ["field": .string(key)])
      }
      do {
        return try make(raw)
      } catch {
        throw LineRejection(.invalidID, error.description, details: ["field": .string(key)])
      }
    }
    residentID = try identity("id_number") { text throws(IdentityError) in try ResidentID(text, today: today) }
    birthCertificate = try identity("birth_cert_no") { text throws(IdentityError) in try BirthCertificateNumber(text) }
    if let mother = try identity("mother_id_number", { text throws(IdentityError) in try ResidentID(text, today: today) }) {
      let name = try fields.requiredText("name", maxLength: 50)
      motherLink = MotherLink(mother: mother, name: name, birthDate: try fields.requiredDate("birth_date"))
    }
    guard residentID != nil || birthCertificate != nil || motherLink != nil else {
      throw LineRejection(
        .missingField, "missing identifier: one of 'id_number', 'birth_cert_no' or 'mother_id_number'",
        details: ["field": "id_number"])
    }
  }
}

/// The register of records: creation after the duplicate check, and the lookups the check needs.
package enum Registry {
  /// The fields `hr-create` accepts; any other is an `unknown_field` rejection.
  package static let createFields: Set<String> = Set(
    [
      "id_number", "birth_cert_no", "mother_id_number", "name", "sex", "birth_date", "division", "org",
      "tags", "created_on",
    ] + BasicInformation.optionalFields)

  private static let holderOfIdentifier = PreparedSQL(
    """
    SELECT r.record_no, r.managing_org, r.status, r.archive_reason
    FROM identifier i JOIN record r ON r.record_no = i.record_no
    WHERE i.kind = ? AND i.value = ?
    """)

  /// The record that holds `identifier` now or held it once, if any.
  package static func holder(of identifier: Identifier, in db: Database) throws -> ExistingRecord? {
    // Every line of hr-create asks this for each identifier: stepped in place, without a row object.
    try holderOfIdentifier.statement(in: db).first(
      in: db,
      { bind in
        bind.text(identifier.kind)
        bind.text(identifier.key)
      },
      read: { row in
        ExistingRecord(
          recordNo: columnText(row, 0) ?? "", managingOrg: columnText(row, 1) ?? "",
          status: columnText(row, 2).flatMap(RecordStatus.init) ?? .active,
          archiveReason: columnText(row, 3).flatMap(ArchiveReason.init), matchedKind: identifier.kind)
      })
  }

  /// The first record holding any of the identifiers.
  package static func holder(of identifiers: IdentifierFields, in db: Database) throws -> ExistingRecord? {
    for identifier in identifiers.all {
      if let existing = try holder(of: identifier, in: db) { return existing }
    }
    return nil
  }

  /// Registers a new identifier for `recordNo` (also an old one kept as an alias after an upgrade).
  package static func register(
    _ identifier: Identifier, for recordNo: String, current: Bool = true, on date: LocalDate, in db: Database
  ) throws {
    try registerStatement.statement(in: db).run(in: db) { bind in
      bind.text(identifier.kind)
      bind.text(identifier.key)
      bind.text(recordNo)
      bind.bool(current)
      bind.date(date)
    }
  }

  /// Registers the identifiers of a record just created, in the order their unit's audit state
  /// reads them (by kind, then value), and hands their rows to `written`.
  static func register(
    _ identifiers: [Identifier], for recordNo: String, on date: LocalDate, in db: Database, written: inout StateRows
  ) throws {
    let ordered = identifiers.sorted {
      $0.kind == $1.kind ? $0.key.bytewisePrecedes($1.key) : $0.kind.bytewisePrecedes($1.kind)
    }
    for identifier in ordered {
      let row = try registerStatement.statement(in: db).runCapturing(in: db) { bind in
        bind.text(identifier.kind)
        bind.text(identifier.key)
        bind.text(recordNo)
        bind.bool(true)
        bind.date(date)
      }
      written.add(row, table: "identifier", key: recordNo.databaseValue)
    }
  }

  private static let registerStatement = PreparedSQL(
    "INSERT INTO identifier (kind, value, record_no, current, added_on) VALUES (?, ?, ?, ?, ?)")

  /// The rejection that points a duplicate at the record that already exists. It names another
  /// record's number, managing organisation and status, so it is an audited lookup
  /// (`record.check`, outcome `rejected`) like `hr-create --check`, kept even when the run is a
  /// dry run or rolls back (第二十八条: every use of a record is traceable).
  package static func duplicate(_ existing: ExistingRecord) -> LineRejection {
    var details: JSONObject = [
      "record_no": .string(existing.recordNo), "managing_org": .string(existing.managingOrg),
      "status": .string(existing.status.rawValue),
    ]
    if let reason = existing.archiveReason { details["archive_reason"] = .string(reason.rawValue) }
    return LineRejection(
      .duplicateRecord,
      "the resident already has record '\(existing.recordNo)' (by \(existing.matchedKind)), managed by '\(existing.managingOrg)'; request a transfer instead of a second record",
      details: details,
      audit: lookup(
        of: existing.recordNo, outcome: .rejected,
        detail: ["exists": true, "code": .string(RejectionCode.duplicateRecord.rawValue), "by": .string(existing.matchedKind)]))
  }

  /// The audit action of every lookup that shows one record's details to an operator who is not
  /// changing it: `hr-create --check`, a duplicate, an off-site refusal. `LineRunner` keeps these
  /// events even when the run is a dry run or rolls back.
  package static let lookupAction = "record.check"

  /// A lookup of `recordNo`, as the audit trail keeps it.
  package static func lookup(of recordNo: String?, outcome: AuditOutcome = .ok, detail: JSONObject) -> AuditEntry {
    AuditEntry(action: lookupAction, recordNo: recordNo, outcome: outcome, detail: detail)
  }

  private static let takeNumber = PreparedSQL("UPDATE division_sequence SET last = last + 1 WHERE division = ?")
  private static let firstNumber = PreparedSQL("INSERT INTO division_sequence (division, last) VALUES (?, 1)")
  private static let numberTaken = PreparedSQL("SELECT last FROM division_sequence WHERE division = ?")

  /// Takes the next record number of `division`, never reusing one, not even after a purge (hr(7) THE RECORD).
  ///
  /// The number is taken, then checked: a division out of numbers is refused after the taking,
  /// which the line loop undoes with the line. Two statements rather than an upsert with
  /// `RETURNING`, which makes SQLite build a temporary table for each record.
  static func nextRecordNumber(in division: DivisionCode, db: Database) throws -> RecordNumber {
    try takeNumber.statement(in: db).run(in: db) {
      $0.text(division.value)
    }
    var last = 1
    if sqlite3_changes(db.sqliteConnection) == 0 {
      try firstNumber.statement(in: db).run(in: db) {
        $0.text(division.value)
      }
    } else {
      last =
        try numberTaken.statement(in: db).first(
          in: db, { $0.text(division.value) }, read: { Int(sqlite3_column_int64($0, 0)) }) ?? 1
    }
    guard last <= RecordNumber.maximumSequence else {
      throw LineRejection(
        .sequenceExhausted, "division '\(division)' has given all \(RecordNumber.maximumSequence) record numbers")
    }
    return RecordNumber(division: division, sequence: last)
  }
}
