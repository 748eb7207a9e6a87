import GRDB
import HRCore
import HRLines
import Testing

@Suite("Reactivation after renewed contact (annex 1, 六(二)2)")
struct ReactivationTests {
  /// A record created in 2020 and archived for `reason` on 2026-11-26.
  func archived(_ reason: ArchiveReason, in fixture: ArchiveFixture, org: String = "500103001") throws -> String {
    let recordNo = try fixture.createRecord(org: org, createdOn: "2020-01-01")
    let result: Result<JSONObject, LineRejection>
    switch reason {
    case .lost:
      result = try fixture.line(
        Archive.lost, ["record_no": .string(recordNo), "evidence": "3 calls unanswered"], today: "2026-11-26")
    case .movedOut:
      result = try fixture.line(Archive.movedOut, ["record_no": .string(recordNo), "left_on": "2024-06-01"], today: "2026-11-26")
    case .deceased:
      result = try fixture.line(
        Archive.deceased, ["record_no": .string(recordNo), "death_date": "2026-11-20", "death_cause": "肺炎"], today: "2026-11-26")
    }
    #expect(result.code == nil)
    return recordNo
  }

  @Test("a lost or moved-out record returns to active", arguments: [ArchiveReason.lost, .movedOut])
  func reactivationReturnsTheRecordToActive(reason: ArchiveReason) throws {
    let fixture = try ArchiveFixture()
    let recordNo = try archived(reason, in: fixture)
    let result = try fixture.line(
      Archive.reactivate, ["record_no": .string(recordNo), "contact_date": "2027-02-03"], operator: "admin-jfb",
      today: "2027-02-05")
    #expect(
      result.output?.compact
        == #"{"record_no":"\#(recordNo)","status":"active","archive_reason":null,"archived_on":null,"reactivated_from":"\#(reason.rawValue)","contact_date":"2027-02-03"}"#
    )
    let record = try #require(try fixture.record(recordNo))
    #expect(record.status == .active)
    #expect(record.archiveReason == nil)
    #expect(record.archivedOn == nil)
    #expect(record.lastContact == LocalDate("2027-02-03"))
    let events = try fixture.store.read { db in try ArchiveEvent.history(of: recordNo, in: db) }
    #expect(events.map(\.action) == [ArchiveAction(reason), .reactivated])
    #expect(events.last?.contactDate == LocalDate("2027-02-03"))
    #expect(try fixture.auditActions(for: recordNo).last == "record.reactivate:ok")
  }

  @Test func aReactivatedRecordCountsItsYearFromTheRenewedContact() throws {
    let fixture = try ArchiveFixture()
    let recordNo = try archived(.lost, in: fixture)
    _ = try fixture.line(
      Archive.reactivate, ["record_no": .string(recordNo)], defaults: ArchiveParticulars(contactDate: LocalDate("2027-01-10")),
      today: "2027-01-10")
    let line: JSONObject = ["record_no": .string(recordNo), "evidence": "3 calls unanswered"]
    #expect(try fixture.line(Archive.lost, line, today: "2028-01-09").code == "too_early")
    #expect(try fixture.line(Archive.lost, line, today: "2028-01-10").code == nil)
  }

  @Test func anActiveRecordIsNotReactivated() throws {
    let fixture = try ArchiveFixture()
    let recordNo = try fixture.createRecord(createdOn: "2020-01-01")
    let result = try fixture.line(
      Archive.reactivate, ["record_no": .string(recordNo), "contact_date": "2026-11-26"], today: "2026-11-26")
    #expect(result.code == "not_archived")
  }

  @Test func contactBeforeTheArchivingDoesNotReactivate() throws {
    let fixture = try ArchiveFixture()
    let recordNo = try archived(.lost, in: fixture)
    let result = try fixture.line(
      Archive.reactivate, ["record_no": .string(recordNo), "contact_date": "2026-11-25"], today: "2026-12-01")
    #expect(result.code == "invalid_value")
    #expect(try fixture.record(recordNo)?.status == .archived)
  }

  @Test func reactivationNeedsTheContactDate() throws {
    let fixture = try ArchiveFixture()
    let recordNo = try archived(.lost, in: fixture)
    #expect(try fixture.line(Archive.reactivate, ["record_no": .string(recordNo)], today: "2026-12-01").code == "missing_field")
  }

  @Test(
    "a deceased record is not reactivated below the city, correction or not",
    arguments: ["admin-jfb", "admin-yz"])
  func deceasedRecordIsNotReactivatedBelowTheCity(operatorID: String) throws {
    let fixture = try ArchiveFixture()
    let recordNo = try archived(.deceased, in: fixture)
    let result = try fixture.line(
      Archive.reactivate, ["record_no": .string(recordNo), "contact_date": "2026-12-01", "correction": "wrong person"],
      operator: operatorID, today: "2026-12-01")
    guard case .failure(let rejection) = result else {
      Issue.record("reactivated by \(operatorID)")
      return
    }
    #expect(rejection.code == .forbidden)
    #expect(rejection.audit?.action == "record.correct_death")
    #expect(rejection.audit?.outcome == .denied)
    #expect(try fixture.record(recordNo)?.deathDate == LocalDate("2026-11-20"))
  }

  @Test func aCityAdministratorCorrectsADeathOnlyWithTheCorrection() throws {
    let fixture = try ArchiveFixture()
    let recordNo = try archived(.deceased, in: fixture)
    let bare = try fixture.line(
      Archive.reactivate, ["record_no": .string(recordNo), "contact_date": "2026-12-01"], today: "2026-12-01")
    #expect(bare.code == "missing_field")

    let corrected = try fixture.line(
      Archive.reactivate, ["record_no": .string(recordNo), "contact_date": "2026-12-01"],
      defaults: ArchiveParticulars(correction: "death certificate belonged to a namesake"), today: "2026-12-01")
    #expect(corrected.output?["status"] == "active")
    #expect(corrected.output?["reactivated_from"] == "deceased")
    let record = try #require(try fixture.record(recordNo))
    #expect(record.status == .active)
    #expect(record.deathDate == nil)
    let events = try fixture.store.read { db in try ArchiveEvent.history(of: recordNo, in: db) }
    #expect(events.map(\.action) == [.deceased, .deathCorrected])
    #expect(events.last?.deathDate == LocalDate("2026-11-20"))
    #expect(events.last?.correction == "death certificate belonged to a namesake")
    #expect(try fixture.auditActions(for: recordNo).last == "record.correct_death:ok")
  }

  @Test func aRecordTransferredWhileArchivedIsReactivatedByItsNewOrganisation() throws {
    let fixture = try ArchiveFixture()
    let recordNo = try archived(.lost, in: fixture)
    // The direct transfer of an archived record (annex 1, 四(三)3) changes only the managing organisation.
    try fixture.store.write { db in
      try db.execute(
        sql: "UPDATE record SET managing_org = '500106001', managing_district = '500106' WHERE record_no = ?",
        arguments: [recordNo])
    }
    let line: JSONObject = ["record_no": .string(recordNo), "contact_date": "2026-12-01"]
    #expect(try fixture.line(Archive.reactivate, line, operator: "admin-jfb", today: "2026-12-01").code == "forbidden")
    #expect(try fixture.line(Archive.reactivate, line, operator: "admin-xlk", today: "2026-12-01").code == nil)
  }
}
