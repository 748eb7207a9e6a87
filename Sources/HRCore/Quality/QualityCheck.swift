import GRDB
import HRLines

/// The kinds of data-quality finding `hr-audit quality` reports (hr(7) AUDIT TRAIL), in the order it lists them.
package enum FindingKind: String, CaseIterable, Sendable {
  /// A cover field left empty (第十二条: 确保基本内容无缺失).
  case missingField = "missing_field"
  /// A stored ID number, mother's ID number or birth certificate number that fails its standard:
  /// only possible for data written before validation or by hand.
  case invalidID = "invalid_id"
  /// Stored sex or birth date that contradicts the stored ID number.
  case idMismatch = "id_mismatch"
  /// A child still known only by birth certificate or mother's ID number after
  /// `newborn_id_update_days` (annex 1, 二(四): 取得身份证号后，应当及时更新).
  case newbornWithoutID = "newborn_without_id"
  /// A service entered more than `service_entry_days` after it was given (marked late on entry).
  case lateServiceEntry = "late_service_entry"
  /// A signed resident (家庭医生签约) with neither a service nor a contact for `signed_contact_days`.
  case signedWithoutContact = "signed_without_contact"
  /// A death entered more than `death_entry_days` after it became known (marked late on entry).
  case lateDeathEntry = "late_death_entry"
  /// A transfer still pending after its confirmation was due (annex 1, 四).
  case transferOverdue = "transfer_overdue"

  /// Whether the finding is about the record as it stands, and so only about records in active
  /// management; the others are about events and are reported whatever the record's status.
  package var concernsActiveRecordsOnly: Bool {
    switch self {
    case .missingField, .invalidID, .idMismatch, .newbornWithoutID, .signedWithoutContact: true
    case .lateServiceEntry, .lateDeathEntry, .transferOverdue: false
    }
  }
}

/// One data-quality finding about one record.
package struct Finding: Equatable, Sendable {
  /// The record the finding is about.
  package let recordNo: String
  /// What was found.
  package let kind: FindingKind
  /// What a person needs to fix it: the field, the dates, the delay.
  package let detail: JSONObject

  /// `{"record_no":…,"finding":…,"detail":{…}}`, as `hr-audit quality` prints it.
  package var json: JSONObject {
    ["record_no": .string(recordNo), "finding": .string(kind.rawValue), "detail": .object(detail)]
  }
}

/// The data-quality check of the records an operator reaches (hr(7) AUDIT TRAIL; 第十二条, 第二十七条: 定期开展数据质量评估).
///
/// Each kind is one query over the store, joined where it needs another table, so a city of
/// millions of records is checked in a few passes and never one record at a time.
package struct QualityCheck: Sendable {
  /// The limits the dated findings are counted against.
  package let rules: Rules
  /// The day the dated findings are counted to.
  package let today: LocalDate
  /// The records checked.
  package let coverage: Coverage
  /// The kinds to look for, listed in `FindingKind` order whatever the order here.
  package var kinds: Set<FindingKind>

  /// Makes a check of `coverage` under `rules` on `today`, for every kind unless told otherwise.
  package init(rules: Rules, today: LocalDate, coverage: Coverage, kinds: Set<FindingKind> = Set(FindingKind.allCases)) {
    self.rules = rules
    self.today = today
    self.coverage = coverage
    self.kinds = kinds
  }

  /// Reports every finding, by kind in `FindingKind` order, then by record number.
  package func run(in db: Database, _ report: (Finding) throws -> Void) throws {
    for kind in FindingKind.allCases where kinds.contains(kind) {
      switch kind {
      case .missingField: try missingFields(db, report)
      case .invalidID: try invalidIdentifiers(db, report)
      case .idMismatch: try identityMismatches(db, report)
      case .newbornWithoutID: try newbornsWithoutID(db, report)
      case .lateServiceEntry: try lateServiceEntries(db, report)
      case .signedWithoutContact: try signedWithoutContact(db, report)
      case .lateDeathEntry: try lateDeathEntries(db, report)
      case .transferOverdue: try overdueTransfers(db, report)
      }
    }
  }

  /// The records of the coverage in active management, as an SQL condition on `r`.
  private var activeRecords: (sql: String, arguments: StatementArguments) {
    let filter = coverage.recordFilter(alias: "r")
    return ("r.status = 'active' AND \(filter.sql)", filter.arguments)
  }

  /// The active records in the coverage that meet `condition` (on `record r`), by record number:
  /// each row is the record number, then `columns`.
  private func activeRecordRows(
    _ db: Database, columns: String, where condition: String, arguments: StatementArguments = []
  ) throws -> RowCursor {
    let scope = activeRecords
    return try Row.fetchCursor(
      db,
      sql: """
        SELECT r.record_no, \(columns)
        FROM record r
        WHERE \(scope.sql) AND \(condition)
        ORDER BY r.record_no
        """,
      arguments: scope.arguments + arguments)
  }

  private func missingFields(_ db: Database, _ report: (Finding) throws -> Void) throws {
    let fields = CoverField.allCases
    let rows = try activeRecordRows(
      db, columns: fields.map { $0.emptySQL(alias: "r") }.joined(separator: ", "),
      where: CoverField.anyEmptySQL(alias: "r"))
    // By position: the columns are one flag a cover field, generated from `CoverField.allCases`.
    while let row = try rows.next() {
      let recordNo: String = row[0]
      for (position, field) in fields.enumerated() where row[position + 1] as Bool {
        try report(Finding(recordNo: recordNo, kind: .missingField, detail: ["field": .string(field.rawValue)]))
      }
    }
  }

  private func invalidIdentifiers(_ db: Database, _ report: (Finding) throws -> Void) throws {
    let rows = try activeRecordRows(
      db, columns: "r.id_number, r.mother_id_number, r.birth_cert_no",
      where: "(r.id_number IS NOT NULL OR r.mother_id_number IS NOT NULL OR r.birth_cert_no IS NOT NULL)")
    while let row = try rows.next() {
      let recordNo: String = row[0]
      for (position, field) in ["id_number", "mother_id_number", "birth_cert_no"].enumerated() {
        guard let text = row[position + 1] as String?, !text.trimmingWhitespace().isEmpty else { continue }
        let problem = field == "birth_cert_no" ? Self.birthCertificateProblem(text) : Self.residentIDProblem(text, today: today)
        if let problem {
          try report(
            Finding(recordNo: recordNo, kind: .invalidID, detail: ["field": .string(field), "reason": .string(problem)]))
        }
      }
    }
  }

  /// Why a stored ID number fails GB 11643, as a stable code, or nil when it passes and is stored
  /// in its 18-character form.
  package static func residentIDProblem(_ text: String, today: LocalDate) -> String? {
    do {
      let id = try ResidentID(text, today: today)
      // A 15-digit number or a lower-case x passes, but is not the form every lookup searches for.
      return id.value == text ? nil : "not_normalised"
    } catch {
      switch error {
      case .checkDigit: return "check_digit"
      case .impossibleBirthDate, .birthYearTooEarly: return "impossible_birth_date"
      case .futureBirthDate: return "future_birth_date"
      case .unknownProvince: return "unknown_province"
      default: return "malformed"
      }
    }
  }

  /// Why a stored birth certificate number is malformed, or nil when it has the standard form.
  package static func birthCertificateProblem(_ text: String) -> String? {
    (try? BirthCertificateNumber(text)) == nil ? "malformed" : nil
  }

  private func identityMismatches(_ db: Database, _ report: (Finding) throws -> Void) throws {
    // The SQL narrows to records whose sex or birth date differs from what the number's digits
    // say; the number is then validated, since an invalid one is an invalid_id finding instead.
    let rows = try activeRecordRows(
      db, columns: "r.id_number, r.sex, r.birth_date",
      where: """
        length(r.id_number) = 18
          AND (r.birth_date IS NOT substr(r.id_number, 7, 4) || '-' || substr(r.id_number, 11, 2) || '-' || substr(r.id_number, 13, 2)
            OR r.sex IS NOT (CASE WHEN CAST(substr(r.id_number, 17, 1) AS INTEGER) % 2 = 1 THEN 1 ELSE 2 END))
        """)
    // The sex and birth date are read as raw values: what is wrong with them is the finding.
    while let row = try rows.next() {
      let recordNo: String = row[0]
      let text: String = row[1]
      guard let id = try? ResidentID(text, today: today), id.value == text else { continue }
      let sex = row[2] as DatabaseValue
      if sex != id.sex.rawValue.databaseValue {
        try report(
          Finding(
            recordNo: recordNo, kind: .idMismatch,
            detail: ["field": "sex", "stored": Self.json(sex), "from_id_number": .int(id.sex.rawValue)]))
      }
      let birth = row[3] as DatabaseValue
      if birth != id.birthDate.description.databaseValue {
        try report(
          Finding(
            recordNo: recordNo, kind: .idMismatch,
            detail: ["field": "birth_date", "stored": Self.json(birth), "from_id_number": .string(id.birthDate.description)]))
      }
    }
  }

  private func newbornsWithoutID(_ db: Database, _ report: (Finding) throws -> Void) throws {
    let limit = rules.newbornIdUpdateDays
    let rows = try activeRecordRows(
      db, columns: "r.birth_date, r.birth_cert_no IS NOT NULL AND trim(r.birth_cert_no) <> '' AS by_certificate",
      where: """
        (r.id_number IS NULL OR trim(r.id_number) = '')
          AND ((r.birth_cert_no IS NOT NULL AND trim(r.birth_cert_no) <> '')
            OR (r.mother_id_number IS NOT NULL AND trim(r.mother_id_number) <> ''))
          AND r.birth_date < ?
        """,
      arguments: [today.adding(days: -limit) ?? LocalDate.earliest])
    while let stored = try rows.next() {
      let row = try NewbornRow(row: stored)
      try report(
        Finding(
          recordNo: row.recordNo, kind: .newbornWithoutID,
          detail: [
            "identifier": .string(row.byCertificate ? "birth_cert_no" : "mother_id_number"),
            "birth_date": .string(row.birthDate), "days_old": days(from: row.birthDate, to: today), "limit_days": .int(limit),
          ]))
    }
  }

  /// The query behind `late_service_entry`: the late services only, through the `service_late` index.
  static func lateServiceQuery(coverage: Coverage) -> (sql: String, arguments: StatementArguments) {
    let filter = coverage.recordFilter(alias: "r")
    let sql = """
      SELECT s.record_no, s.service_id, s.type, s.date, s.org, s.entered_on
      FROM service s JOIN record r ON r.record_no = s.record_no
      WHERE s.late = 1 AND \(filter.sql)
      ORDER BY s.record_no, s.service_id
      """
    return (sql, filter.arguments)
  }

  private func lateServiceEntries(_ db: Database, _ report: (Finding) throws -> Void) throws {
    let query = Self.lateServiceQuery(coverage: coverage)
    let rows = try LateServiceRow.fetchCursor(db, sql: query.sql, arguments: query.arguments)
    while let row = try rows.next() {
      try report(
        Finding(
          recordNo: row.recordNo, kind: .lateServiceEntry,
          detail: [
            "service_id": .int(row.serviceID), "type": .string(row.type), "date": .string(row.date), "org": .string(row.org),
            "entered_on": .string(row.enteredOn), "delay_days": days(from: row.date, to: row.enteredOn),
          ]))
    }
  }

  private func signedWithoutContact(_ db: Database, _ report: (Finding) throws -> Void) throws {
    let scope = activeRecords
    let limit = rules.signedContactDays
    // The latest contract, service and contact of each signed record, each found through its
    // (record_no, date) index; the latest of the three must lie within the limit.
    let rows = try SignedRow.fetchCursor(
      db,
      sql: """
        SELECT record_no, signed_on, last_service, last_contact FROM (
          SELECT r.record_no, c.signed_on,
            (SELECT max(s.date) FROM service s WHERE s.record_no = r.record_no) AS last_service,
            (SELECT max(k.date) FROM contact k WHERE k.record_no = r.record_no) AS last_contact
          FROM (SELECT record_no, max(signed_on) AS signed_on FROM contract GROUP BY record_no) c
          JOIN record r ON r.record_no = c.record_no
          WHERE \(scope.sql))
        WHERE max(signed_on, ifnull(last_service, ''), ifnull(last_contact, '')) < ?
        ORDER BY record_no
        """,
      arguments: scope.arguments + [today.adding(days: -limit) ?? LocalDate.earliest])
    while let row = try rows.next() {
      let latest = max(row.signedOn, row.lastService ?? "", row.lastContact ?? "")
      try report(
        Finding(
          recordNo: row.recordNo, kind: .signedWithoutContact,
          detail: [
            "signed_on": .string(row.signedOn), "last_service": row.lastService.map(JSONValue.string) ?? .null,
            "last_contact": row.lastContact.map(JSONValue.string) ?? .null, "days_since": days(from: latest, to: today),
            "limit_days": .int(limit),
          ]))
    }
  }

  private func lateDeathEntries(_ db: Database, _ report: (Finding) throws -> Void) throws {
    let filter = coverage.recordFilter(alias: "r")
    let rows = try LateDeathRow.fetchCursor(
      db,
      sql: """
        SELECT a.record_no, a.event_id, a.death_date, a.reported_on, a.entered_on
        FROM archive_event a JOIN record r ON r.record_no = a.record_no
        WHERE a.action = 'deceased' AND a.late = 1 AND \(filter.sql)
        ORDER BY a.record_no, a.event_id
        """,
      arguments: filter.arguments)
    while let row = try rows.next() {
      try report(
        Finding(
          recordNo: row.recordNo, kind: .lateDeathEntry,
          detail: [
            "event_id": .int(row.eventID), "death_date": row.deathDate.map(JSONValue.string) ?? .null,
            "reported_on": row.reportedOn.map(JSONValue.string) ?? .null, "entered_on": .string(row.enteredOn),
            "delay_days": row.reportedOn.map { days(from: $0, to: row.enteredOn) } ?? .null,
          ]))
    }
  }

  private func overdueTransfers(_ db: Database, _ report: (Finding) throws -> Void) throws {
    let filter = coverage.recordFilter(alias: "r")
    let rows = try OverdueRow.fetchCursor(
      db,
      sql: """
        SELECT t.record_no, t.transfer_id, t.from_org, t.to_org, t.requested_on, t.due
        FROM transfer t JOIN record r ON r.record_no = t.record_no
        WHERE t.status = 'pending' AND t.due < ? AND \(filter.sql)
        ORDER BY t.record_no, t.transfer_id
        """,
      arguments: [today] + filter.arguments)
    while let row = try rows.next() {
      try report(
        Finding(
          recordNo: row.recordNo, kind: .transferOverdue,
          detail: [
            "transfer_id": .int(row.transferID), "from_org": .string(row.fromOrg), "to_org": .string(row.toOrg),
            "requested_on": .string(row.requestedOn), "due": .string(row.due), "days_overdue": days(from: row.due, to: today),
          ]))
    }
  }

  /// Full days between two stored dates, or null when one is not a date (data edited by hand).
  private func days(from start: String, to end: String) -> JSONValue {
    guard let start = LocalDate(start), let end = LocalDate(end) else { return .null }
    return .int(end.days(since: start))
  }

  private func days(from start: String, to end: LocalDate) -> JSONValue {
    guard let start = LocalDate(start) else { return .null }
    return .int(end.days(since: start))
  }

  /// A stored value as it would be printed: numbers as numbers, text as text.
  private static func json(_ value: DatabaseValue) -> JSONValue {
    switch value.storage {
    case .null: .null
    case .int64(let number): .int(Int(number))
    case .double(let number): .double(number)
    case .string(let text): .string(text)
    case .blob: .null
    }
  }
}
