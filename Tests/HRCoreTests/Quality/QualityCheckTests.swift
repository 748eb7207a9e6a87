import GRDB
import HRLines
import Testing

@testable import HRCore

@Suite("Quality findings")
struct QualityCheckTests {
  typealias Fixture = QualityFixture

  /// A store whose data is right in every way a finding looks at, including rows that come close:
  /// services entered in time, a recent contract, an old contract with a recent contact, a
  /// transfer not yet due, a death entered in time, newborns still within their 90 days, and an
  /// archived record with a gap (archived records are out of management).
  static func cleanStore() throws -> AuditTestStore {
    let sandbox = try AuditTestStore()
    try sandbox.store.write { db in
      for number in 1...4 {
        var record = Fixture.Record(String(format: "500103001001%05d", number))
        record.birthDate = "1980-05-\(String(format: "%02d", number))"
        record.idNumber = Fixture.residentID(record.birthDate, sequence: number)
        try record.insert(db)
      }
      try Fixture.service(db, "50010300100100001", date: "2026-10-01", enteredOn: "2026-10-03", late: false)
      try Fixture.contract(db, "50010300100100001", signedOn: "2026-10-01")
      try Fixture.contract(db, "50010300100100002", signedOn: "2025-01-01")
      try Fixture.contact(db, "50010300100100002", date: "2026-11-01")
      try Fixture.transfer(db, "50010300100100003", requestedOn: "2026-11-20", due: "2026-11-27")
      try Fixture.transfer(db, "50010300100100004", requestedOn: "2025-01-02", due: "2025-01-09", status: "completed")

      var newborn = Fixture.Record("50010300100100005")
      (newborn.idNumber, newborn.birthCertNo, newborn.birthDate) = (nil, "A123456789", "2026-09-01")
      try newborn.insert(db)
      var twin = Fixture.Record("50010300100100006")
      (twin.idNumber, twin.motherIdNumber, twin.birthDate, twin.sex) = (
        nil, Fixture.residentID("1995-03-04", female: true), "2026-11-01", 2
      )
      try twin.insert(db)

      var dead = Fixture.Record("50010300100100007")
      (dead.status, dead.archiveReason, dead.phone) = ("archived", "deceased", nil)
      dead.idNumber = Fixture.residentID("1980-05-06", sequence: 7)
      try dead.insert(db)
      try Fixture.death(
        db, dead.recordNo, deathDate: "2026-10-01", reportedOn: "2026-10-02", enteredOn: "2026-10-05", late: false)
    }
    return sandbox
  }

  static func findings(
    _ sandbox: AuditTestStore, coverage: Coverage = .city, kinds: Set<FindingKind> = Set(FindingKind.allCases)
  ) throws -> [Finding] {
    let check = QualityCheck(rules: Rules(), today: Fixture.today, coverage: coverage, kinds: kinds)
    var found: [Finding] = []
    try sandbox.store.read { db in try check.run(in: db) { found.append($0) } }
    return found
  }

  @Test func aCleanStoreHasNoFinding() throws {
    #expect(try Self.findings(Self.cleanStore()).isEmpty)
  }

  /// For each kind: the defects crafted into the clean store, and the findings they must give
  /// (record number and detail), in order.
  static let cases: [(kind: FindingKind, craft: @Sendable (Database) throws -> Void, expected: [(String, String)])] = [
    (
      .missingField,
      { db in
        var gaps = Fixture.Record("50010300100100101")
        (gaps.sex, gaps.phone, gaps.responsibleDoctor, gaps.currentAddress) = (0, nil, "　", " ")
        gaps.idNumber = Fixture.residentID("1980-05-06", sequence: 41)
        try gaps.insert(db)
        var nameless = Fixture.Record("50010300100100102")
        (nameless.name, nameless.idNumber, nameless.registeredAddress) = ("", nil, "")
        try nameless.insert(db)
      },
      [
        ("50010300100100101", #"{"field":"sex"}"#), ("50010300100100101", #"{"field":"current_address"}"#),
        ("50010300100100101", #"{"field":"phone"}"#), ("50010300100100101", #"{"field":"responsible_doctor"}"#),
        ("50010300100100102", #"{"field":"name"}"#), ("50010300100100102", #"{"field":"identifier"}"#),
        ("50010300100100102", #"{"field":"registered_address"}"#),
      ]
    ),
    (
      .invalidID,
      { db in
        var wrongCheck = Fixture.Record("50010300100100201")
        let valid = Fixture.residentID("1980-05-06", sequence: 42)
        wrongCheck.idNumber = String(valid.dropLast()) + (valid.last == "1" ? "2" : "1")
        try wrongCheck.insert(db)
        var legacy = Fixture.Record("50010300100100202")
        legacy.idNumber = "500103800506121"
        try legacy.insert(db)
        var child = Fixture.Record("50010300100100203")
        (child.idNumber, child.birthCertNo, child.motherIdNumber, child.birthDate) = (
          nil, "b12345678", "990103198001010011", "2026-11-01"
        )
        try child.insert(db)
      },
      [
        ("50010300100100201", #"{"field":"id_number","reason":"check_digit"}"#),
        ("50010300100100202", #"{"field":"id_number","reason":"not_normalised"}"#),
        ("50010300100100203", #"{"field":"mother_id_number","reason":"unknown_province"}"#),
        ("50010300100100203", #"{"field":"birth_cert_no","reason":"malformed"}"#),
      ]
    ),
    (
      .idMismatch,
      { db in
        var contradicted = Fixture.Record("50010300100100301")
        (contradicted.idNumber, contradicted.sex, contradicted.birthDate) = (
          Fixture.residentID("1990-02-03", female: true), 1, "1990-02-04"
        )
        try contradicted.insert(db)
        // An invalid number that also contradicts: an invalid_id finding, not an id_mismatch.
        var invalid = Fixture.Record("50010300100100302")
        let valid = Fixture.residentID("1990-02-03", female: true, sequence: 9)
        (invalid.idNumber, invalid.sex) = (String(valid.dropLast()) + (valid.last == "1" ? "2" : "1"), 1)
        try invalid.insert(db)
      },
      [
        ("50010300100100301", #"{"field":"sex","stored":1,"from_id_number":2}"#),
        ("50010300100100301", #"{"field":"birth_date","stored":"1990-02-04","from_id_number":"1990-02-03"}"#),
      ]
    ),
    (
      .newbornWithoutID,
      { db in
        var certificate = Fixture.Record("50010300100100401")
        (certificate.idNumber, certificate.birthCertNo, certificate.birthDate) = (nil, "B000000401", "2026-07-01")
        try certificate.insert(db)
        var motherLinked = Fixture.Record("50010300100100402")
        (motherLinked.idNumber, motherLinked.motherIdNumber, motherLinked.birthDate) = (
          nil, Fixture.residentID("1990-02-03", female: true), "2026-08-27"
        )
        try motherLinked.insert(db)
        var exactlyNinety = Fixture.Record("50010300100100403")
        (exactlyNinety.idNumber, exactlyNinety.birthCertNo, exactlyNinety.birthDate) = (nil, "B000000403", "2026-08-28")
        try exactlyNinety.insert(db)
        var upgraded = Fixture.Record("50010300100100404")
        (upgraded.birthCertNo, upgraded.birthDate) = ("B000000404", "2026-01-02")
        upgraded.idNumber = Fixture.residentID("2026-01-02", sequence: 44)
        try upgraded.insert(db)
      },
      [
        ("50010300100100401", #"{"identifier":"birth_cert_no","birth_date":"2026-07-01","days_old":148,"limit_days":90}"#),
        ("50010300100100402", #"{"identifier":"mother_id_number","birth_date":"2026-08-27","days_old":91,"limit_days":90}"#),
      ]
    ),
    (
      .lateServiceEntry,
      { db in
        try Fixture.Record("50010300100100501").insert(db)
        try Fixture.service(db, "50010300100100501", date: "2026-10-01", enteredOn: "2026-10-20", late: true)
        var archived = Fixture.Record("50010300100100502")
        (archived.status, archived.archiveReason) = ("archived", "lost")
        try archived.insert(db)
        try Fixture.service(db, "50010300100100502", date: "2025-03-01", enteredOn: "2025-03-09", late: true, org: "500106001")
      },
      [
        (
          "50010300100100501",
          #"{"service_id":2,"type":"hypertension_followup","date":"2026-10-01","org":"500103001","entered_on":"2026-10-20","delay_days":19}"#
        ),
        (
          "50010300100100502",
          #"{"service_id":3,"type":"hypertension_followup","date":"2025-03-01","org":"500106001","entered_on":"2025-03-09","delay_days":8}"#
        ),
      ]
    ),
    (
      .signedWithoutContact,
      { db in
        for number in 601...606 { try Fixture.Record("50010300100100\(number)").insert(db) }
        try Fixture.contract(db, "50010300100100601", signedOn: "2026-03-01")
        try Fixture.contract(db, "50010300100100602", signedOn: "2026-03-01")
        try Fixture.contact(db, "50010300100100602", date: "2026-05-01")
        try Fixture.contract(db, "50010300100100603", signedOn: "2026-03-01")
        try Fixture.service(db, "50010300100100603", date: "2026-11-01", enteredOn: "2026-11-01", late: false)
        try Fixture.contract(db, "50010300100100604", signedOn: "2026-05-28")  // exactly 182 days ago
        try Fixture.contract(db, "50010300100100605", signedOn: "2026-05-27")  // 183 days ago
        try Fixture.contract(db, "50010300100100606", signedOn: "2024-01-01")
        try Fixture.contract(db, "50010300100100606", signedOn: "2026-09-01")  // signed again
      },
      [
        (
          "50010300100100601",
          #"{"signed_on":"2026-03-01","last_service":null,"last_contact":null,"days_since":270,"limit_days":182}"#
        ),
        (
          "50010300100100602",
          #"{"signed_on":"2026-03-01","last_service":null,"last_contact":"2026-05-01","days_since":209,"limit_days":182}"#
        ),
        (
          "50010300100100605",
          #"{"signed_on":"2026-05-27","last_service":null,"last_contact":null,"days_since":183,"limit_days":182}"#
        ),
      ]
    ),
    (
      .lateDeathEntry,
      { db in
        var dead = Fixture.Record("50010300100100701")
        (dead.status, dead.archiveReason) = ("archived", "deceased")
        try dead.insert(db)
        try Fixture.death(
          db, dead.recordNo, deathDate: "2026-08-20", reportedOn: "2026-09-01", enteredOn: "2026-10-15", late: true)
      },
      [
        (
          "50010300100100701",
          #"{"event_id":2,"death_date":"2026-08-20","reported_on":"2026-09-01","entered_on":"2026-10-15","delay_days":44}"#
        )
      ]
    ),
    (
      .transferOverdue,
      { db in
        for number in 801...802 { try Fixture.Record("50010300100100\(number)").insert(db) }
        try Fixture.transfer(db, "50010300100100801", requestedOn: "2026-11-10", due: "2026-11-17")
        try Fixture.transfer(db, "50010300100100802", requestedOn: "2026-11-19", due: "2026-11-26")  // due today: not yet overdue
      },
      [
        (
          "50010300100100801",
          #"{"transfer_id":3,"from_org":"500103001","to_org":"500106001","requested_on":"2026-11-10","due":"2026-11-17","days_overdue":9}"#
        )
      ]
    ),
  ]

  @Test(arguments: cases.indices)
  func eachKindOfFindingIsFoundOnACraftedStore(case index: Int) throws {
    let (kind, craft, expected) = Self.cases[index]
    let sandbox = try Self.cleanStore()
    try sandbox.store.write(craft)
    // Other kinds may follow from the same defect (a sex of 0 also contradicts an ID number); the
    // clean store shows that nothing is found where nothing is wrong.
    let found = try Self.findings(sandbox).filter { $0.kind == kind }
    #expect(found.map(\.recordNo) == expected.map(\.0), "\(kind)")
    #expect(found.map(\.detail.compact) == expected.map(\.1), "\(kind)")
    #expect(found.first?.json.keys == ["record_no", "finding", "detail"])
  }

  @Test func findingsComeByKindInTheListedOrderThenByRecord() throws {
    let sandbox = try Self.cleanStore()
    for (_, craft, _) in Self.cases.reversed() { try sandbox.store.write(craft) }
    let found = try Self.findings(sandbox)
    let kinds = found.map(\.kind)
    #expect(Set(kinds) == Set(FindingKind.allCases))
    #expect(kinds == kinds.sorted { FindingKind.allCases.firstIndex(of: $0)! < FindingKind.allCases.firstIndex(of: $1)! })
    let limited = try Self.findings(sandbox, kinds: [.transferOverdue, .idMismatch])
    #expect(Set(limited.map(\.kind)) == [.idMismatch, .transferOverdue])
    #expect(limited.first?.kind == .idMismatch)
    #expect(limited.last?.kind == .transferOverdue)
  }

  @Test func findingsAreLimitedToTheRecordsTheCoverageReaches() throws {
    let sandbox = try Self.cleanStore()
    try sandbox.store.write { db in
      for (number, org, district) in [(901, "500103002", "500103"), (902, "500106001", "500106")] {
        var record = Fixture.Record("50010300100100\(number)")
        (record.org, record.district, record.phone) = (org, district, nil)
        try record.insert(db)
      }
    }
    #expect(try Self.findings(sandbox, coverage: .org("500103001")).isEmpty)
    #expect(try Self.findings(sandbox, coverage: .org("500103002")).map(\.recordNo) == ["50010300100100901"])
    #expect(try Self.findings(sandbox, coverage: .district("500106")).map(\.recordNo) == ["50010300100100902"])
    #expect(try Self.findings(sandbox, coverage: .district("500103")).map(\.recordNo) == ["50010300100100901"])
    #expect(try Self.findings(sandbox, coverage: .city).count == 2)
    #expect(try Self.findings(sandbox, coverage: .nothing).isEmpty)
  }

  @Test func theCompletenessConditionAgreesWithTheMissingFieldFindings() throws {
    let sandbox = try Self.cleanStore()
    try sandbox.store.write(Self.cases[0].craft)
    let incomplete = Set(try Self.findings(sandbox, kinds: [.missingField]).map(\.recordNo))
    let counted = try sandbox.store.read { db in
      try String.fetchSet(
        db, sql: "SELECT record_no FROM record r WHERE status = 'active' AND \(CoverField.anyEmptySQL(alias: "r"))")
    }
    #expect(counted == incomplete)
    #expect(counted.count == 2)
  }

  @Test(arguments: [Coverage.city, .org("500103001")])
  func lateServicesAreReadThroughTheirOwnIndexNotEveryService(coverage: Coverage) throws {
    let sandbox = try AuditTestStore()
    let query = QualityCheck.lateServiceQuery(coverage: coverage)
    let plan = try sandbox.store.read { db in
      try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + query.sql, arguments: query.arguments).map { $0["detail"] as String }
    }
    #expect(plan.contains { $0.contains("USING INDEX service_late") }, "\(plan)")
  }

  /// A number made of 17 digits and their right check character.
  static func checked(_ body: String) -> String {
    body + String(ResidentID.checkCharacter(body.utf8.map { Int($0 - 48) }))
  }

  @Test(
    arguments: [
      (checked("50010319800506121"), nil), ("500103800506121", "not_normalised"), ("5001031980050612", "malformed"),
      (checked("99010319800506121"), "unknown_province"), (checked("50010319800230121"), "impossible_birth_date"),
      (checked("50010320271201121"), "future_birth_date"), ("50010319800506121" + "Y", "malformed"),
    ] as [(String, String?)])
  func storedIDNumbersAreCheckedAgainstGB11643(number: String, problem: String?) {
    #expect(QualityCheck.residentIDProblem(number, today: Fixture.today) == problem)
  }

  @Test func aWrongCheckDigitIsNamed() {
    let valid = Self.checked("50010319800506121")
    let wrong = String(valid.dropLast()) + (valid.last == "1" ? "2" : "1")
    #expect(QualityCheck.residentIDProblem(wrong, today: Fixture.today) == "check_digit")
  }
}
