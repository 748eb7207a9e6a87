import GRDB
import HRCore
import HRLines
import Testing

@Suite("Purge after the 15-year retention (annex 1, 六(二)4)")
struct PurgeTests {
  /// A record created in 2005 and archived as lost on `archivedOn`.
  func archived(on archivedOn: String, in fixture: ArchiveFixture, org: String = "500103001") throws -> String {
    let recordNo = try fixture.createRecord(org: org, createdOn: "2005-01-01")
    let result = try fixture.line(
      Archive.lost, ["record_no": .string(recordNo), "evidence": "3 calls unanswered"], today: archivedOn)
    #expect(result.code == nil)
    return recordNo
  }

  func purge(
    _ fixture: ArchiveFixture, before: String, today: String = "2026-11-26", batchSize: Int = 500, dryRun: Bool = false,
    operator operatorID: String = "admin-city"
  ) throws -> [String] {
    var lines: [String] = []
    try fixture.store.purgeArchived(
      before: LocalDate(before)!, session: try fixture.session(operatorID, today: today), batchSize: batchSize, dryRun: dryRun
    ) { batch in lines += batch.map(\.compact) }
    return lines
  }

  @Test(
    "the latest date a purge may name is today minus retention_years",
    arguments: [("2026-11-26", "2011-11-26"), ("2028-02-29", "2013-02-28"), ("2027-03-01", "2012-03-01")])
  func latestPurgeDateIsTodayMinusTheRetentionYears(today: String, latest: String) {
    #expect(Archive.latestPurgeDate(today: LocalDate(today)!, rules: Rules()) == LocalDate(latest))
  }

  @Test("a retention longer than the calendar reaches back keeps every archive", arguments: [2025, 2026, 100_000])
  func aRetentionBeyondTheCalendarKeepsEverything(years: Int) throws {
    var rules = Rules()
    rules.retentionYears = years
    let latest = Archive.latestPurgeDate(today: LocalDate("2026-11-26")!, rules: rules)
    #expect(latest == LocalDate.earliest)
    #expect(latest < LocalDate("2026-11-26")!.adding(years: -15)!)
  }

  @Test func aDateInsideTheRetentionPeriodDeletesNothing() throws {
    let fixture = try ArchiveFixture()
    let old = try archived(on: "2010-06-01", in: fixture)
    #expect(
      throws: ArchiveError.withinRetention(before: LocalDate("2011-11-27")!, latestAllowed: LocalDate("2011-11-26")!, years: 15)
    ) {
      try purge(fixture, before: "2011-11-27")
    }
    #expect(try fixture.record(old)?.status == .archived)
    #expect(
      try fixture.count(
        "SELECT count(*) FROM audit_event WHERE action = 'record.purge' AND outcome = 'rejected' AND record_no IS NULL") == 1)
  }

  @Test func aFourteenYearOldArchiveIsKeptAndAFifteenYearOldOneIsPurged() throws {
    let fixture = try ArchiveFixture()
    let fourteen = try archived(on: "2012-11-26", in: fixture)
    let fifteen = try archived(on: "2011-11-25", in: fixture)
    #expect(throws: ArchiveError.self) { try purge(fixture, before: "2012-11-27") }
    let lines = try purge(fixture, before: "2011-11-26")
    #expect(lines == [#"{"record_no":"\#(fifteen)","status":"purged","archive_reason":"lost","archived_on":"2011-11-25"}"#])
    #expect(try fixture.record(fifteen) == nil)
    #expect(try fixture.record(fourteen)?.status == .archived)
  }

  @Test func aRecordArchivedOnTheDateItselfIsKept() throws {
    let fixture = try ArchiveFixture()
    let onTheDay = try archived(on: "2011-11-26", in: fixture)
    #expect(try purge(fixture, before: "2011-11-26").isEmpty)
    #expect(try fixture.record(onTheDay)?.status == .archived)
  }

  @Test func activeRecordsAreNeverPurged() throws {
    let fixture = try ArchiveFixture()
    let active = try fixture.createRecord(createdOn: "2005-01-01")
    let reactivated = try archived(on: "2007-01-01", in: fixture)
    _ = try fixture.line(
      Archive.reactivate, ["record_no": .string(reactivated), "contact_date": "2008-01-01"], today: "2008-01-01")
    #expect(try purge(fixture, before: "2011-01-01").isEmpty)
    #expect(try fixture.record(active)?.status == .active)
    #expect(try fixture.record(reactivated)?.status == .active)
  }

  @Test func purgeDeletesEveryRowOfTheRecordAndKeepsTheAuditTrail() throws {
    let fixture = try ArchiveFixture()
    let recordNo = try fixture.createRecord(createdOn: "2005-01-01")
    let kept = try fixture.createRecord(createdOn: "2005-01-01")
    for other in [recordNo, kept] {
      try fixture.serve(other, on: "2006-03-01")
      try fixture.store.write { db in
        // Rows of every append-only table, as hr-update and hr-transfer will write them.
        try db.execute(
          sql: """
            INSERT INTO amendment (service_id, record_no, changes, reason, approved_by, entered_on, entered_at, entered_by)
              SELECT service_id, record_no, '{}', 'typo', 'admin-jfb', '2006-03-02', 't', 'doc-li' FROM service WHERE record_no = :r;
            INSERT INTO tag (record_no, code, entered_on, entered_at, entered_by) VALUES (:r, 'hypertension', '2006-03-01', 't', 'doc-li');
            INSERT INTO contract (record_no, doctor, signed_on, entered_on, entered_at, entered_by) VALUES (:r, 'doc-li', '2006-03-01', '2006-03-01', 't', 'doc-li');
            INSERT INTO contact (record_no, date, method, entered_on, entered_at, entered_by) VALUES (:r, '2006-04-01', 'phone', '2006-04-01', 't', 'doc-li');
            INSERT INTO record_history (record_no, field, old_value, new_value, changed_on, changed_at, changed_by) VALUES (:r, 'phone', NULL, '13800000000', '2006-04-01', 't', 'doc-li');
            INSERT INTO transfer (record_no, from_org, to_org, from_district, to_district, kind, reason, consent_method, consent_ref, status, requested_on, requested_at, requested_by)
              VALUES (:r, '500103001', '500103002', '500103', '500103', 'intra_district', 'own_request', 'signed_form', 'F1', 'cancelled', '2006-05-01', 't', 'doc-li');
            UPDATE record SET last_contact = '2006-04-01' WHERE record_no = :r;
            """,
          arguments: ["r": other])
      }
      _ = try fixture.line(
        Archive.lost, ["record_no": .string(other), "evidence": "3 calls unanswered"],
        today: other == kept ? "2012-01-01" : "2008-01-01")
    }
    let auditBefore = try fixture.count("SELECT count(*) FROM audit_event")

    #expect(try purge(fixture, before: "2010-01-01").count == 1)
    for table in [
      "record", "identifier", "service", "amendment", "tag", "contract", "contact", "record_history", "archive_event", "transfer",
    ] {
      #expect(try fixture.count("SELECT count(*) FROM \(table) WHERE record_no = ?", [recordNo]) == 0, "\(table)")
      #expect(try fixture.count("SELECT count(*) FROM \(table) WHERE record_no = ?", [kept]) == 1, "\(table)")
    }
    #expect(try fixture.count("SELECT count(*) FROM audit_event") == auditBefore + 1)
    #expect(
      try fixture.auditActions(for: recordNo) == ["record.create:ok", "service.add:ok", "record.archive:ok", "record.purge:ok"])
    let events = try fixture.store.read { db in try AuditEvent.fetchAll(db, sql: "SELECT * FROM audit_event ORDER BY seq") }
    var previous = AuditEvent.genesisHash
    for event in events {
      #expect(event.prevHash == previous)
      #expect(event.hash == event.computedHash)
      previous = event.hash
    }
  }

  @Test func recordNumbersAreNeverGivenAgainAfterAPurge() throws {
    let fixture = try ArchiveFixture()
    let purged = try fixture.createRecord(createdOn: "2005-01-01", division: "500103001002")
    _ = try fixture.line(Archive.lost, ["record_no": .string(purged), "evidence": "3 calls unanswered"], today: "2008-01-01")
    #expect(try purge(fixture, before: "2010-01-01").count == 1)
    let next = try fixture.createRecord(createdOn: "2026-11-26", division: "500103001002")
    #expect(purged == "50010300100200001")
    #expect(next == "50010300100200002")
  }

  @Test func purgeGoesInBatchesOldestFirst() throws {
    let fixture = try ArchiveFixture()
    var expected: [(String, String)] = []
    for year in [2009, 2006, 2008, 2007, 2010] {
      let on = "\(year)-03-01"
      expected.append((on, try archived(on: on, in: fixture)))
    }
    let lines = try purge(fixture, before: "2011-01-01", batchSize: 2)
    #expect(lines.count == 5)
    #expect(
      lines
        == expected.sorted { $0 < $1 }.map {
          #"{"record_no":"\#($0.1)","status":"purged","archive_reason":"lost","archived_on":"\#($0.0)"}"#
        })
    #expect(try fixture.count("SELECT count(*) FROM record") == 0)
  }

  @Test func aDryRunListsWhatWouldGoAndDeletesNothing() throws {
    let fixture = try ArchiveFixture()
    for year in [2006, 2007, 2008] { _ = try archived(on: "\(year)-03-01", in: fixture) }
    let auditBefore = try fixture.count("SELECT count(*) FROM audit_event")
    #expect(try purge(fixture, before: "2011-01-01", batchSize: 2, dryRun: true).count == 3)
    #expect(try fixture.count("SELECT count(*) FROM record WHERE status = 'archived'") == 3)
    #expect(try fixture.count("SELECT count(*) FROM audit_event") == auditBefore)
  }

  @Test("only a city administrator may purge", arguments: ["admin-jfb", "admin-yz", "auditor-1"])
  func onlyACityAdministratorMayPurge(operatorID: String) throws {
    let fixture = try ArchiveFixture()
    let old = try archived(on: "2006-03-01", in: fixture)
    #expect(throws: SessionError.self) { try purge(fixture, before: "2011-01-01", operator: operatorID) }
    #expect(try fixture.record(old)?.status == .archived)
  }

  @Test func thePurgeWalksTheArchivedIndex() throws {
    let fixture = try ArchiveFixture()
    let plan = try fixture.store.read { db in
      try Row.fetchAll(
        db,
        sql: """
          EXPLAIN QUERY PLAN SELECT record_no, archive_reason, archived_on FROM record
          WHERE status = 'archived' AND archived_on < ? AND (archived_on, record_no) > (?, ?)
          ORDER BY archived_on, record_no LIMIT ?
          """,
        arguments: ["2011-01-01", "", "", 500]
      ).map { $0["detail"] as String }.joined(separator: "\n")
    }
    #expect(plan.contains("record_by_archived_on"))
    #expect(!plan.contains("TEMP B-TREE"))
  }
}
