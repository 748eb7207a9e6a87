import GRDB
import Testing

@testable import HRCore

/// A role asking for an area at a level, and what it gets.
struct MetricsReachCase: Sendable, CustomTestStringConvertible {
  let role: String
  let org: String?
  let district: String?
  let level: MetricsLevel
  /// `org:X`, `district:X`, `city`, `forbidden` or `usage`.
  let outcome: String
  var testDescription: String { "\(role) \(org ?? district ?? "-") by \(level.rawValue) → \(outcome)" }
}

@Suite("Evaluation indicators")
struct EvaluationTests {
  typealias Fixture = QualityFixture

  static let configuration: HRCore.Configuration = {
    var configuration = Configuration.defaults
    configuration.orgs["500103001"] = Organisation(code: "500103001", name: "解放碑", district: "500103")
    configuration.orgs["500103002"] = Organisation(code: "500103002", name: "七星岗", district: "500103")
    configuration.orgs["500106001"] = Organisation(code: "500106001", name: "小龙坎", district: "500106")
    let operators = [
      OperatorEntry(id: "doc", name: "医生", role: .clinician, org: "500103001", district: "500103"),
      OperatorEntry(id: "org", name: "机构管理员", role: .orgAdmin, org: "500103001", district: "500103"),
      OperatorEntry(id: "district", name: "区管理员", role: .districtAdmin, district: "500103"),
      OperatorEntry(id: "city", name: "市管理员", role: .cityAdmin),
      OperatorEntry(id: "auditor", name: "审计员", role: .auditor),
      OperatorEntry(id: "researcher", name: "研究员", role: .researcher),
    ]
    for entry in operators { configuration.operators[entry.id] = entry }
    return configuration
  }()

  static func session(_ id: String, today: String = "2026-11-26") throws -> Session {
    try Session(configuration: configuration, operatorID: id, today: LocalDate(today)!)
  }

  @Test("A rate is num/den to four decimals, and null with nothing to count")
  func rates() {
    #expect(Rate(num: 620, den: 1000).json == ["value": .double(0.62), "num": 620, "den": 1000])
    #expect(Rate(num: 1, den: 3).value == 0.3333)
    #expect(Rate(num: 2, den: 3).value == 0.6667)
    #expect(Rate(num: 0, den: 0).json == ["value": .null, "num": 0, "den": 0])
  }

  /// The evaluation `hr-metrics --org/--district --by` asks for, as the command builds it.
  static func evaluation(
    org: String?, district: String?, level: MetricsLevel, period: MetricsPeriod, session: Session
  ) throws -> Evaluation {
    let coverage = try session.coverage(for: .metrics, org: org, district: district)
    return try Evaluation(coverage: coverage, level: level, period: period, configuration: session.configuration)
  }

  @Test("A past year stands on 31 December, this year on today, and a future year is refused")
  func periods() throws {
    let today = LocalDate("2026-11-26")!
    #expect(try MetricsPeriod(year: 2025, today: today).asOf == LocalDate("2025-12-31")!)
    #expect(try MetricsPeriod(year: 2026, today: today).asOf == today)
    #expect(try MetricsPeriod(year: 2026, today: today).start == LocalDate("2026-01-01")!)
    #expect(throws: MetricsError.self) { try MetricsPeriod(year: 2027, today: today) }
  }

  @Test(
    "Each role evaluates its own organisation, district or the city, and no unit wider than that",
    arguments: [
      MetricsReachCase(role: "doc", org: nil, district: nil, level: .org, outcome: "org:500103001"),
      MetricsReachCase(role: "doc", org: "500103001", district: nil, level: .org, outcome: "org:500103001"),
      MetricsReachCase(role: "doc", org: "500103002", district: nil, level: .org, outcome: "forbidden"),
      MetricsReachCase(role: "doc", org: nil, district: nil, level: .district, outcome: "forbidden"),
      // A district narrowed to what an organisation administrator reaches: their organisation.
      MetricsReachCase(role: "org", org: nil, district: "500103", level: .org, outcome: "org:500103001"),
      MetricsReachCase(role: "org", org: nil, district: "500106", level: .org, outcome: "forbidden"),
      MetricsReachCase(role: "district", org: nil, district: nil, level: .district, outcome: "district:500103"),
      MetricsReachCase(role: "district", org: "500103002", district: nil, level: .org, outcome: "org:500103002"),
      MetricsReachCase(role: "district", org: "500106001", district: nil, level: .org, outcome: "forbidden"),
      MetricsReachCase(role: "district", org: nil, district: nil, level: .city, outcome: "forbidden"),
      MetricsReachCase(role: "city", org: nil, district: nil, level: .city, outcome: "city"),
      MetricsReachCase(role: "city", org: nil, district: "500106", level: .city, outcome: "usage"),
      MetricsReachCase(role: "city", org: "500106001", district: nil, level: .district, outcome: "usage"),
      MetricsReachCase(role: "auditor", org: nil, district: "500106", level: .district, outcome: "district:500106"),
      MetricsReachCase(role: "researcher", org: nil, district: nil, level: .org, outcome: "forbidden"),
    ])
  func reach(test: MetricsReachCase) throws {
    let session = try Self.session(test.role)
    let period = try MetricsPeriod(year: 2026, today: session.today)
    let outcome: String
    do {
      let evaluation = try Self.evaluation(
        org: test.org, district: test.district, level: test.level, period: period, session: session)
      switch evaluation.filter {
      case .org(let org): outcome = "org:\(org)"
      case .district(let district, _): outcome = "district:\(district)"
      case nil: outcome = "city"
      }
    } catch let error as ScopeError {
      if case .beyondReach = error { outcome = "forbidden" } else { outcome = "usage" }
    } catch MetricsError.levelWiderThanScope where test.org == nil && test.district == nil {
      outcome = "forbidden"
    } catch {
      outcome = "usage"
    }
    #expect(outcome == test.outcome)
  }

  @Test("Completeness counts the active records without a missing_field finding of the quality check")
  func completenessAgreesWithTheQualityCheck() throws {
    let sandbox = try AuditTestStore()
    try sandbox.store.write { db in
      for number in 1...6 {
        var record = Fixture.Record(String(format: "500103001001%05d", number))
        record.idNumber = Fixture.residentID(record.birthDate, sequence: number)
        if number == 2 { record.phone = " " }
        if number == 3 { record.responsibleDoctor = nil }
        if number == 4 { (record.currentAddress, record.phone) = ("\u{3000}", nil) }
        if number == 6 { (record.status, record.archiveReason, record.phone) = ("archived", "lost", nil) }
        try record.insert(db)
      }
    }
    let session = try Self.session("city")
    let evaluation = try Self.evaluation(
      org: nil, district: nil, level: .city, period: try MetricsPeriod(year: 2026, today: session.today), session: session)
    let city = try #require(try sandbox.store.read { db in try evaluation.run(in: db) }.first)
    let incomplete = try sandbox.store.read { db in
      var records = Set<String>()
      try QualityCheck(rules: Rules(), today: session.today, coverage: .city, kinds: [.missingField]).run(in: db) {
        records.insert($0.recordNo)
      }
      return records.count
    }
    #expect(incomplete == 3)
    #expect(city.tally.active == 5)
    #expect(city.tally.lost == 1)
    #expect(city.tally.complete == city.tally.active - incomplete)
  }

  @Test("As of a past day, a record counts at the organisation and in the status its history gave it then")
  func historyDecidesThePast() throws {
    let sandbox = try AuditTestStore()
    try sandbox.store.write { db in
      // Moved to 小龙坎 on 2026-01-05: at 解放碑 at the end of 2025.
      var moved = Fixture.Record("50010300100100001")
      (moved.org, moved.district, moved.createdOn) = ("500106001", "500106", "2024-01-01")
      try moved.insert(db)
      try db.execute(
        sql: """
          INSERT INTO transfer (record_no, from_org, to_org, from_district, to_district, kind, reason, consent_method,
            consent_ref, status, requested_on, requested_at, requested_by, due, decided_on)
          VALUES ('50010300100100001', '500103001', '500106001', '500103', '500106', 'cross_district', 'residence_change',
            'signed_form', 'F-1', 'completed', '2025-12-20', '2025-12-20T02:00:00.000Z', 'doc', '2025-12-27', '2026-01-05')
          """)
      // Died on 2025-12-30, entered on 2026-01-04: deceased at the end of 2025 (its death date decides).
      var dead = Fixture.Record("50010300100100002")
      (dead.status, dead.archiveReason, dead.createdOn) = ("archived", "deceased", "2024-01-01")
      dead.idNumber = Fixture.residentID(dead.birthDate, sequence: 2)
      try dead.insert(db)
      try db.execute(sql: "UPDATE record SET death_date = '2025-12-30' WHERE record_no = '50010300100100002'")
      try Fixture.death(
        db, "50010300100100002", deathDate: "2025-12-30", reportedOn: "2026-01-02", enteredOn: "2026-01-04", late: false)
      // Lost in 2025, reactivated in 2026: lost at the end of 2025, active now.
      var back = Fixture.Record("50010300100100003")
      back.createdOn = "2024-01-01"
      back.idNumber = Fixture.residentID(back.birthDate, sequence: 3)
      try back.insert(db)
      for (action, day) in [("lost", "2025-06-01"), ("reactivated", "2026-02-01")] {
        try db.execute(
          sql: """
            INSERT INTO archive_event (record_no, action, effective_on, entered_on, entered_at, entered_by)
            VALUES ('50010300100100003', ?, ?, ?, ?, 'org')
            """,
          arguments: [action, day, day, day + "T02:00:00.000Z"])
      }
      // Created in 2026: nowhere in 2025.
      var new = Fixture.Record("50010300100100004")
      new.idNumber = Fixture.residentID(new.birthDate, sequence: 4)
      (new.createdOn) = ("2026-03-01")
      try new.insert(db)
    }
    func units(_ year: Int) throws -> [String: MetricsTally] {
      let session = try Self.session("city")
      let evaluation = try Self.evaluation(
        org: nil, district: nil, level: .org, period: try MetricsPeriod(year: year, today: session.today), session: session)
      let units = try sandbox.store.read { db in try evaluation.run(in: db) }
      return Dictionary(uniqueKeysWithValues: units.map { ($0.code, $0.tally) })
    }
    let past = try units(2025)
    #expect(past["500103001"]?.active == 1)
    #expect(past["500103001"]?.deceased == 1)
    #expect(past["500103001"]?.lost == 1)
    #expect(past["500106001"]?.active == 0)
    #expect(past["500103002"] == MetricsTally())
    let now = try units(2026)
    #expect(now["500103001"]?.active == 2)
    #expect(now["500103001"]?.deceased == 1)
    #expect(now["500103001"]?.lost == 0)
    #expect(now["500106001"]?.active == 1)
  }
}
