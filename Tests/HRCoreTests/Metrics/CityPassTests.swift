import GRDB
import Testing

@testable import HRCore

@Suite("The whole city's records counted in one pass")
struct CityPassTests {
  typealias Fixture = QualityFixture

  static let orgs = [("500103001", "500103"), ("500103002", "500103"), ("500106001", "500106")]

  /// Ninety records over three organisations with every kind of fact the records pass reads:
  /// ages, archive reasons and deaths, services (some with an amended date), contacts,
  /// contracts, tags set, ended and set again, and history after 2025 (transfers, a loss undone).
  static func store() throws -> AuditTestStore {
    let sandbox = try AuditTestStore()
    try sandbox.store.write { db in
      for i in 0..<90 {
        let number = String(format: "50010300100%06d", i)
        let (org, district) = orgs[i % 3]
        var record = Fixture.Record(number)
        (record.org, record.district) = (org, district)
        record.birthDate = String(format: "%04d-%02d-%02d", 1940 + (i * 7) % 85, 1 + i % 12, 1 + i % 28)
        record.idNumber = Fixture.residentID(record.birthDate, sequence: i % 100)
        record.createdOn = i % 10 == 9 ? "2026-03-01" : "2024-01-01"
        if i % 11 == 1 { (record.status, record.archiveReason) = ("archived", "lost") }
        if i % 13 == 2 { (record.status, record.archiveReason) = ("archived", "deceased") }
        if i % 17 == 3 { (record.status, record.archiveReason) = ("archived", "moved_out") }
        try record.insert(db)
        if i % 13 == 2 {
          let death = i % 2 == 0 ? "2025-06-20" : "2025-12-30"
          try db.execute(sql: "UPDATE record SET death_date = ? WHERE record_no = ?", arguments: [death, number])
          try Fixture.death(db, number, deathDate: death, reportedOn: "2026-01-02", enteredOn: "2026-01-04", late: false)
        }
        for k in 0..<(i % 4) {
          try db.execute(
            sql: """
              INSERT INTO service (record_no, type, date, org, late, off_site, entered_on, entered_at, entered_by)
              VALUES (?, 'consultation', date('2024-12-01', '+' || ? || ' days'), ?, 0, 0, '2026-01-01',
                '2026-01-01T00:00:00Z', 'doc')
              """,
            arguments: [number, (i * 37 + k * 101) % 720, org])
        }
        if i % 4 != 0, i % 7 == 0 || i % 7 == 3 {
          // Moved out of every window, or into this year's.
          let date = i % 7 == 0 ? "2023-01-01" : "2026-10-01"
          try db.execute(
            sql: """
              INSERT INTO amendment (service_id, record_no, changes, reason, approved_by, entered_on, entered_at, entered_by)
              SELECT min(service_id), record_no, json_object('date', ?), '日期录错', 'admin', '2026-01-01',
                '2026-01-01T00:00:00Z', 'doc'
              FROM service WHERE record_no = ?
              """,
            arguments: [date, number])
        }
        if i % 5 == 0 { try Fixture.contact(db, number, date: "2026-06-01") }
        if i % 5 == 1 { try Fixture.contact(db, number, date: "2025-09-01") }
        if i % 4 == 0 { try Fixture.contract(db, number, signedOn: "2024-02-01") }
        if i % 4 == 1 { try Fixture.contract(db, number, signedOn: "2025-08-01") }
        if i % 8 == 1 { try Fixture.contract(db, number, signedOn: "2023-02-01") }
        var tags: [(code: String, since: String, ended: String?)] = []
        if i % 3 == 0 { tags.append(("hypertension", "2024-01-01", nil)) }
        if i % 6 == 0 { tags.append(("hypertension", "2024-01-01", "2025-09-01")) }
        if i % 9 == 0 { tags.append(("hypertension", "2026-01-01", nil)) }
        if i % 4 == 2 { tags.append(("diabetes", "2025-02-01", nil)) }
        for tag in tags {
          try db.execute(
            sql: """
              INSERT INTO tag (record_no, code, source, since, ended, entered_on, entered_at, entered_by)
              VALUES (?, ?, 'doc', ?, ?, ?, '2024-01-01T00:00:00Z', 'doc')
              """,
            arguments: [number, tag.code, tag.since, tag.ended, tag.since])
        }
        if i % 10 == 4 {
          let (from, fromDistrict) = orgs[(i + 1) % 3]
          try db.execute(
            sql: """
              INSERT INTO transfer (record_no, from_org, to_org, from_district, to_district, kind, reason, consent_method,
                consent_ref, status, requested_on, requested_at, requested_by, due, decided_on)
              VALUES (?, ?, ?, ?, ?, 'cross_district', 'residence_change', 'signed_form', 'F-1', 'completed',
                '2025-12-20', '2025-12-20T02:00:00.000Z', 'doc', '2025-12-27', '2026-01-15')
              """,
            arguments: [number, from, org, fromDistrict, district])
        }
        if i % 12 == 5, record.status == "active" {
          for (action, day) in [("lost", "2025-05-01"), ("reactivated", "2026-02-01")] {
            try db.execute(
              sql: """
                INSERT INTO archive_event (record_no, action, effective_on, entered_on, entered_at, entered_by)
                VALUES (?, ?, ?, ?, ?, 'org')
                """,
              arguments: [number, action, day, day, day + "T02:00:00.000Z"])
          }
        }
      }
    }
    return sandbox
  }

  static func tallies(
    _ coverage: Coverage, _ level: MetricsLevel, year: Int, in sandbox: AuditTestStore
  ) throws
    -> [String: MetricsTally]
  {
    let period = try MetricsPeriod(year: year, today: Fixture.today)
    let evaluation = try Evaluation(
      coverage: coverage, level: level, period: period, configuration: EvaluationTests.configuration)
    let units = try sandbox.store.read { db in try evaluation.run(in: db) }
    return Dictionary(uniqueKeysWithValues: units.map { ($0.code, $0.tally) })
  }

  @Test(
    "The city's pass counts each organisation and district as the grouped queries of one of them do",
    arguments: [2025, 2026])
  func cityPassAgreesWithScopedQueries(year: Int) throws {
    let sandbox = try Self.store()
    let byOrg = try Self.tallies(.city, .org, year: year, in: sandbox)
    #expect(byOrg.count == 3)
    for (org, _) in Self.orgs {
      let scoped = try Self.tallies(.org(org), .org, year: year, in: sandbox)
      #expect(scoped[org] == byOrg[org], "\(org) \(year)")
    }
    let byDistrict = try Self.tallies(.city, .district, year: year, in: sandbox)
    for district in ["500103", "500106"] {
      let scoped = try Self.tallies(.district(district), .district, year: year, in: sandbox)
      #expect(scoped[district] == byDistrict[district], "\(district) \(year)")
    }
    // Every count the pass makes is there to compare.
    var city = MetricsTally()
    for tally in byOrg.values { city.add(tally) }
    #expect(city.active > 0 && city.lost > 0 && city.deceased > 0 && city.movedOut > 0)
    #expect(city.used > 0 && city.used < city.active)
    #expect(city.signed > 0 && city.signedTimely > 0 && city.signedTimely < city.signed)
    // elderly, child_0_6, hypertension, diabetes.
    #expect([0, 1, 3, 4].allSatisfy { city.keyPopulations[$0] > 0 }, "\(city.keyPopulations)")
    #expect(city.deceasedWithService > 0 || year == 2026)
  }
}
