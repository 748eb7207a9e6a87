import GRDB
import HRCore
import HRLines
import Testing

@Suite("Archiving: lost, deceased, moved out (annex 1, 六(一))")
struct ArchivingTests {
  @Test(
    "lost is allowed only 365 days after the last service or contact",
    arguments: [(364, "too_early"), (365, nil), (366, nil)] as [(Int, String?)])
  func lostNeedsAYearWithoutContact(daysSince: Int, code: String?) throws {
    let fixture = try ArchiveFixture()
    let recordNo = try fixture.createRecord(createdOn: "2024-01-10")
    // A service after creation moves the start of the year (hr-update keeps last_contact).
    try fixture.serve(recordNo, on: "2025-03-01")
    let today = LocalDate("2025-03-01")!.adding(days: daysSince)!.description
    let result = try fixture.line(
      Archive.lost, ["record_no": .string(recordNo), "evidence": "3 calls unanswered"], today: today)
    #expect(result.code == code)
    #expect(try fixture.record(recordNo)?.status == (code == nil ? .archived : .active))
  }

  @Test("the year counts 365 days, across 29 February too")
  func theWaitingYearCountsDaysOverALeapDay() throws {
    let fixture = try ArchiveFixture()
    let lost = try fixture.createRecord(createdOn: "2024-02-29")
    let line: JSONObject = ["record_no": .string(lost), "evidence": "3 calls unanswered"]
    #expect(try fixture.line(Archive.lost, line, today: "2025-02-27").code == "too_early")
    #expect(try fixture.line(Archive.lost, line, today: "2025-02-28").code == nil)

    let movedOut = try fixture.createRecord(createdOn: "2020-01-01")
    let away: JSONObject = ["record_no": .string(movedOut), "left_on": "2024-02-29"]
    guard case .failure(let early) = try fixture.line(Archive.movedOut, away, today: "2025-02-27") else {
      Issue.record("archived on day 364")
      return
    }
    #expect(early.details["possible_on"] == "2025-02-28")
    #expect(try fixture.line(Archive.movedOut, away, today: "2025-02-28").code == nil)
  }

  @Test func tooEarlyNamesTheDayArchivingBecomesPossible() throws {
    let fixture = try ArchiveFixture()
    let recordNo = try fixture.createRecord(createdOn: "2025-11-27")
    let result = try fixture.line(
      Archive.lost, ["record_no": .string(recordNo), "evidence": "3 calls unanswered"], today: "2026-11-26")
    guard case .failure(let rejection) = result else {
      Issue.record("accepted at day 364")
      return
    }
    #expect(rejection.code == .tooEarly)
    #expect(rejection.details["possible_on"] == "2026-11-27")
    #expect(rejection.details["last_contact"] == "2025-11-27")
    #expect(rejection.message.contains("364 days ago"))
  }

  @Test func lostNeedsEvidenceFromTheLineOrTheOption() throws {
    let fixture = try ArchiveFixture()
    let recordNo = try fixture.createRecord(createdOn: "2020-01-01")
    let missing = try fixture.line(Archive.lost, ["record_no": .string(recordNo)], today: "2026-11-26")
    #expect(missing.code == "missing_field")
    let filled = try fixture.line(
      Archive.lost, ["record_no": .string(recordNo)], defaults: ArchiveParticulars(evidence: "home visit: nobody there"),
      today: "2026-11-26")
    #expect(filled.code == nil)
    let events = try fixture.store.read { db in try ArchiveEvent.history(of: recordNo, in: db) }
    #expect(events.map(\.evidence) == ["home visit: nobody there"])
  }

  @Test func aLineValueWinsOverTheOption() throws {
    let fixture = try ArchiveFixture()
    let recordNo = try fixture.createRecord(createdOn: "2020-01-01")
    _ = try fixture.line(
      Archive.lost, ["record_no": .string(recordNo), "evidence": "letter returned"],
      defaults: ArchiveParticulars(evidence: "3 calls unanswered"), today: "2026-11-26")
    let events = try fixture.store.read { db in try ArchiveEvent.history(of: recordNo, in: db) }
    #expect(events.map(\.evidence) == ["letter returned"])
  }

  @Test func archivingSetsStatusReasonDateAndKeepsTheEventAndTheAudit() throws {
    let fixture = try ArchiveFixture()
    let recordNo = try fixture.createRecord(createdOn: "2020-01-01")
    let result = try fixture.line(
      Archive.lost, ["record_no": .string(recordNo), "name": "ignored", "evidence": "3 calls unanswered"],
      operator: "admin-jfb", today: "2026-11-26")
    #expect(
      result.output?.compact
        == #"{"record_no":"\#(recordNo)","status":"archived","archive_reason":"lost","archived_on":"2026-11-26","last_contact":"2020-01-01"}"#
    )
    let record = try #require(try fixture.record(recordNo))
    #expect(record.status == .archived)
    #expect(record.archiveReason == .lost)
    #expect(record.archivedOn == LocalDate("2026-11-26"))
    let events = try fixture.store.read { db in try ArchiveEvent.history(of: recordNo, in: db) }
    #expect(
      events == [
        ArchiveEvent(
          recordNo: recordNo, action: .lost, effectiveOn: LocalDate("2026-11-26")!,
          ArchiveParticulars(evidence: "3 calls unanswered"))
      ])
    #expect(try fixture.auditActions(for: recordNo) == ["record.create:ok", "record.archive:ok"])
  }

  @Test func anArchivedRecordIsNotArchivedAgain() throws {
    let fixture = try ArchiveFixture()
    let recordNo = try fixture.createRecord(createdOn: "2020-01-01")
    let line: JSONObject = ["record_no": .string(recordNo), "evidence": "3 calls unanswered"]
    #expect(try fixture.line(Archive.lost, line, today: "2026-11-26").code == nil)
    let again = try fixture.line(Archive.lost, line, today: "2026-11-27")
    #expect(again.code == "record_archived")
    let movedOut = try fixture.line(
      Archive.movedOut, ["record_no": .string(recordNo), "left_on": "2020-02-01"], today: "2026-11-27")
    #expect(movedOut.code == "record_archived")
    #expect(try fixture.record(recordNo)?.archivedOn == LocalDate("2026-11-26"))
  }

  @Test func aRecordIsSelectedByItsIdNumberToo() throws {
    let fixture = try ArchiveFixture()
    let recordNo = try fixture.createRecord(createdOn: "2020-01-01")
    let idNumber = try #require(try fixture.record(recordNo)?.idNumber)
    let result = try fixture.line(
      Archive.lost, ["id_number": .string(idNumber), "evidence": "3 calls unanswered"], today: "2026-11-26")
    #expect(result.output?["record_no"] == .string(recordNo))
  }

  @Test func anUnknownRecordIsNotFound() throws {
    let fixture = try ArchiveFixture()
    let result = try fixture.line(Archive.lost, ["record_no": "50010300100199999", "evidence": "x"], today: "2026-11-26")
    #expect(result.code == "not_found")
  }

  @Test(
    "archiving reaches the operator's own organisation, district or city (§9)",
    arguments: [
      ("admin-jfb", "500103001", true), ("admin-jfb", "500103002", false), ("admin-yz", "500103002", true),
      ("admin-yz", "500106001", false), ("admin-xlk", "500106001", true), ("admin-city", "500106001", true),
      ("doc-li", "500103001", false), ("auditor-1", "500103001", false),
    ])
  func archivingIsLimitedToTheOperatorsScope(operatorID: String, org: String, allowed: Bool) throws {
    let fixture = try ArchiveFixture()
    let recordNo = try fixture.createRecord(org: org, createdOn: "2020-01-01")
    let result = try fixture.line(
      Archive.lost, ["record_no": .string(recordNo), "evidence": "3 calls unanswered"], operator: operatorID, today: "2026-11-26")
    #expect(result.code == (allowed ? nil : "forbidden"))
    if case .failure(let rejection) = result {
      #expect(rejection.audit?.outcome == .denied)
      #expect(rejection.audit?.action == "record.archive")
    }
  }

  @Test(
    "a death date in the future or before birth is refused",
    arguments: [("2026-11-27", "invalid_value"), ("1900-01-01", "invalid_value"), ("2026-11-26", nil)] as [(String, String?)])
  func deathDateMustLieBetweenBirthAndToday(deathDate: String, code: String?) throws {
    let fixture = try ArchiveFixture()
    let recordNo = try fixture.createRecord(createdOn: "2020-01-01")
    let result = try fixture.line(
      Archive.deceased, ["record_no": .string(recordNo), "death_date": .string(deathDate), "death_cause": "心肌梗死"],
      today: "2026-11-26")
    #expect(result.code == code)
  }

  @Test func deathNeedsACause() throws {
    let fixture = try ArchiveFixture()
    let recordNo = try fixture.createRecord(createdOn: "2020-01-01")
    let result = try fixture.line(
      Archive.deceased, ["record_no": .string(recordNo), "death_date": "2026-11-01"], today: "2026-11-26")
    guard case .failure(let rejection) = result else {
      Issue.record("accepted without a cause")
      return
    }
    #expect(rejection.code == .missingField)
    #expect(rejection.details["field"] == "death_cause")
  }

  @Test(
    "a death entered more than 30 days after it became known is accepted and marked late",
    arguments: [("2026-10-27", false), ("2026-10-26", true), (nil, false)] as [(String?, Bool)])
  func lateDeathEntryIsMarked(reportedOn: String?, late: Bool) throws {
    let fixture = try ArchiveFixture()
    let recordNo = try fixture.createRecord(createdOn: "2020-01-01")
    var line: JSONObject = ["record_no": .string(recordNo), "death_date": "2026-10-20", "death_cause": "肺癌"]
    if let reportedOn { line["reported_on"] = .string(reportedOn) }
    let result = try fixture.line(Archive.deceased, line, today: "2026-11-26")
    let output = try #require(result.output)
    #expect(
      output.keys == ["record_no", "status", "archive_reason", "archived_on", "death_date", "reported_on", "late"])
    #expect(output["late"] == .bool(late))
    #expect(output["reported_on"] == .string(reportedOn ?? "2026-11-26"))
    let record = try #require(try fixture.record(recordNo))
    #expect(record.deathDate == LocalDate("2026-10-20"))
    #expect(record.archiveReason == .deceased)
    let events = try fixture.store.read { db in try ArchiveEvent.history(of: recordNo, in: db) }
    #expect(events.map(\.late) == [late])
    #expect(events.map(\.deathCause) == ["肺癌"])
  }

  @Test func aDeathCannotBeReportedBeforeItHappened() throws {
    let fixture = try ArchiveFixture()
    let recordNo = try fixture.createRecord(createdOn: "2020-01-01")
    let result = try fixture.line(
      Archive.deceased,
      ["record_no": .string(recordNo), "death_date": "2026-10-20", "death_cause": "肺癌", "reported_on": "2026-10-19"],
      today: "2026-11-26")
    #expect(result.code == "invalid_value")
  }

  @Test func aLostRecordWhoseDeathIsLearntLaterBecomesDeceased() throws {
    let fixture = try ArchiveFixture()
    let recordNo = try fixture.createRecord(createdOn: "2020-01-01")
    _ = try fixture.line(Archive.lost, ["record_no": .string(recordNo), "evidence": "3 calls unanswered"], today: "2025-06-01")
    let result = try fixture.line(
      Archive.deceased, ["record_no": .string(recordNo), "death_date": "2025-01-15", "death_cause": "脑卒中"], today: "2026-11-26")
    #expect(result.output?["archive_reason"] == "deceased")
    #expect(result.output?["archived_on"] == "2026-11-26")
    let again = try fixture.line(
      Archive.deceased, ["record_no": .string(recordNo), "death_date": "2025-01-15", "death_cause": "脑卒中"], today: "2026-11-27")
    #expect(again.code == "record_archived")
  }

  @Test(
    "moved out is allowed only 365 days after the resident left",
    arguments: [(364, "too_early"), (365, nil)] as [(Int, String?)])
  func movedOutNeedsAYearAway(daysAway: Int, code: String?) throws {
    let fixture = try ArchiveFixture()
    let recordNo = try fixture.createRecord(createdOn: "2020-01-01")
    let today = LocalDate("2025-05-01")!.adding(days: daysAway)!.description
    let result = try fixture.line(
      Archive.movedOut, ["record_no": .string(recordNo)], defaults: ArchiveParticulars(leftOn: LocalDate("2025-05-01")),
      today: today
    )
    #expect(result.code == code)
    if code == nil {
      #expect(
        result.output?.compact
          == #"{"record_no":"\#(recordNo)","status":"archived","archive_reason":"moved_out","archived_on":"\#(today)","left_on":"2025-05-01"}"#
      )
    }
  }

  @Test func movedOutNeedsTheDayTheResidentLeft() throws {
    let fixture = try ArchiveFixture()
    let recordNo = try fixture.createRecord(createdOn: "2020-01-01")
    #expect(try fixture.line(Archive.movedOut, ["record_no": .string(recordNo)], today: "2026-11-26").code == "missing_field")
  }
}
