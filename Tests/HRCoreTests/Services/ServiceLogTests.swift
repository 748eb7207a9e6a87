import GRDB
import HRCore
import HRLines
import Testing

@Suite("Service records (§5)")
struct ServiceLogTests {
  @Test func serviceIsAppendedWithItsNumberAndRaisesTheLastContact() throws {
    let fixture = try ServiceFixture()
    let recordNo = try fixture.createElder()
    let out = try fixture.update(
      [
        "record_no": .string(recordNo),
        "service": ["type": "hypertension_followup", "date": "2026-11-24", "summary": ["bp": "150/95"]],
      ],
      by: "doc-li")
    #expect(
      out.compact
        == #"{"record_no":"\#(recordNo)","result":"service_added","service_id":1,"type":"hypertension_followup","date":"2026-11-24","org":"500103001","free":false,"restricted":false,"late":false,"off_site":false}"#
    )
    #expect(try fixture.record(recordNo).lastContact == LocalDate("2026-11-24")!)
    #expect(try fixture.scalar("SELECT summary FROM service WHERE service_id = 1") == #"{"bp":"150/95"}"#)
    #expect(try fixture.auditCount("service.add") == 1)
  }

  @Test(arguments: [("2026-11-21", false), ("2026-11-20", true), ("2026-06-01", true), ("2026-11-26", false)])
  func serviceEnteredMoreThanServiceEntryDaysAfterItsDateIsAcceptedAndMarkedLate(date: String, late: Bool) throws {
    let fixture = try ServiceFixture()
    let recordNo = try fixture.createElder()
    let out = try fixture.update(["record_no": .string(recordNo), "service": ["type": "consultation", "date": .string(date)]])
    #expect(out["late"] == .bool(late))
    #expect(try fixture.scalar("SELECT late FROM service") == late)
  }

  @Test func olderServiceDoesNotLowerTheLastContact() throws {
    let fixture = try ServiceFixture()
    let recordNo = try fixture.createElder()
    try fixture.update(["record_no": .string(recordNo), "service": ["type": "consultation", "date": "2026-11-20"]])
    try fixture.update(["record_no": .string(recordNo), "service": ["type": "consultation", "date": "2026-10-01"]])
    #expect(try fixture.record(recordNo).lastContact == LocalDate("2026-11-20")!)
  }

  @Test(arguments: [
    ("2026-11-27", "field 'service.date' is in the future (2026-11-27 is after 2026-11-26)"),
    ("1955-12-31", "field 'service.date' is before the birth date 1956-01-01"),
  ])
  func serviceInTheFutureOrBeforeBirthIsRejected(date: String, message: String) throws {
    let fixture = try ServiceFixture()
    let recordNo = try fixture.createElder()
    let rejection = try #require(
      try fixture.rejection(of: ["record_no": .string(recordNo), "service": ["type": "consultation", "date": .string(date)]]))
    #expect(rejection.code == .invalidValue)
    #expect(rejection.message == message)
  }

  @Test func serviceAfterARecordedDeathIsRejected() throws {
    let fixture = try ServiceFixture()
    let recordNo = try fixture.createElder()
    try fixture.store.write { db in
      try db.execute(sql: "UPDATE record SET death_date = '2026-11-01' WHERE record_no = ?", arguments: [recordNo])
    }
    let rejection = try #require(
      try fixture.rejection(of: ["record_no": .string(recordNo), "service": ["type": "consultation", "date": "2026-11-02"]]))
    #expect(rejection.message == "field 'service.date' is after the death date 2026-11-01")
  }

  @Test func archivedRecordTakesNoService() throws {
    let fixture = try ServiceFixture()
    let recordNo = try fixture.createElder()
    try fixture.archive(recordNo, reason: "deceased")
    let rejection = try #require(
      try fixture.rejection(of: ["record_no": .string(recordNo), "service": ["type": "consultation", "date": "2026-10-20"]]))
    #expect(rejection.code == .recordArchived)
  }

  @Test(arguments: ["summry", "servedBy", "late"])
  func unknownFieldInServiceIsRejectedNamingTheField(field: String) throws {
    let fixture = try ServiceFixture()
    let recordNo = try fixture.createElder()
    let rejection = try #require(
      try fixture.rejection(of: [
        "record_no": .string(recordNo), "service": ["type": "consultation", "date": "2026-11-20", field: "x"],
      ]))
    #expect(rejection.code == .unknownField)
    #expect(rejection.message.hasPrefix("unknown field 'service.\(field)'"))
  }

  @Test func unconfiguredServiceTypeIsRejected() throws {
    let fixture = try ServiceFixture()
    let recordNo = try fixture.createElder()
    let rejection = try #require(
      try fixture.rejection(of: ["record_no": .string(recordNo), "service": ["type": "massage", "date": "2026-11-20"]]))
    #expect(
      rejection.message.hasPrefix(
        "field 'service.type' 'massage' is not a configured service type; expected one of consultation, "))
  }

  @Test func offSiteServiceIsMarkedAndAuditedAsOffSite() throws {
    let fixture = try ServiceFixture()
    let recordNo = try fixture.createElder()
    let out = try fixture.update(
      ["record_no": .string(recordNo), "service": ["type": "diabetes_followup", "date": "2026-11-25"]], by: "doc-zhao")
    #expect(out["org"] == "500106001")
    #expect(out["off_site"] == true)
    #expect(try fixture.auditCount("service.off_site") == 1)
    #expect(try fixture.auditCount("service.add") == 0)
    #expect(
      try fixture.scalar("SELECT detail FROM audit_event WHERE action = 'service.off_site'")
        == #"{"date":"2026-11-25","late":false,"managing_org":"500103001","org":"500106001","service_id":1,"type":"diabetes_followup"}"#
    )
    let found = try fixture.store.read { db in try ServiceHistory.offSiteServices(managedBy: "500103001", in: db) }
    #expect(found.map(\.serviceID) == [1])
    #expect(try fixture.store.read { db in try ServiceHistory.offSiteServices(managedBy: "500106001", in: db) }.isEmpty)
  }

  @Test func clinicianRecordsServicesOnlyInItsOwnOrganisationsName() throws {
    let fixture = try ServiceFixture()
    let recordNo = try fixture.createElder()
    let rejection = try #require(
      try fixture.rejection(
        of: ["record_no": .string(recordNo), "service": ["type": "consultation", "date": "2026-11-25", "org": "500112001"]],
        by: "doc-zhao"))
    #expect(rejection.code == .forbidden)
    #expect(
      rejection.message == "operator 'doc-zhao' (clinician) may not record services in the name of organisation '500112001'")
    #expect(rejection.audit?.outcome == .denied)
    #expect(rejection.audit?.action == "service.off_site")
  }

  @Test func administratorWithoutAnOrganisationMustNameTheServingOne() throws {
    let fixture = try ServiceFixture()
    let recordNo = try fixture.createElder()
    let rejection = try #require(
      try fixture.rejection(
        of: ["record_no": .string(recordNo), "service": ["type": "consultation", "date": "2026-11-25"]], by: "admin-yz"))
    #expect(rejection.code == .missingField)
    #expect(rejection.details["field"] == "service.org")
    let out = try fixture.update(
      ["record_no": .string(recordNo), "service": ["type": "consultation", "date": "2026-11-25", "org": "500103002"]],
      by: "admin-yz")
    #expect(out["off_site"] == true)
  }

  @Test func secondFreeElderlyExamInTheSameYearAnywhereIsAlreadyServed() throws {
    let fixture = try ServiceFixture()
    let recordNo = try fixture.createElder()
    let first = try fixture.update(
      ["record_no": .string(recordNo), "service": ["type": "elderly_exam", "date": "2026-04-10"]], by: "doc-li")
    #expect(first["free"] == true)
    let rejection = try #require(
      try fixture.rejection(
        of: ["record_no": .string(recordNo), "service": ["type": "elderly_exam", "date": "2026-11-20"]], by: "doc-zhao"))
    #expect(rejection.code == .alreadyServed)
    #expect(
      rejection.message
        == "free 'elderly_exam' is given once a year, and record '\(recordNo)' already had it on 2026-04-10 at '500103001' (service 1)"
    )
    #expect(rejection.details.compact == #"{"record_no":"\#(recordNo)","service_id":1,"date":"2026-04-10","org":"500103001"}"#)
    let audit = try #require(rejection.audit)
    #expect(audit.outcome == .rejected)
    #expect(audit.action == "service.off_site")
    #expect(
      audit.detail.canonical
        == #"{"code":"already_served","date":"2026-11-20","earlier":{"date":"2026-04-10","org":"500103001","service_id":1},"off_site":true,"org":"500106001","type":"elderly_exam"}"#
    )
  }

  @Test func freeExamIsAvailableAgainNextYearAndAPaidOneAnyTime() throws {
    let fixture = try ServiceFixture()
    let recordNo = try fixture.createElder()
    try fixture.update(
      ["record_no": .string(recordNo), "service": ["type": "elderly_exam", "date": "2025-12-30"]], today: "2026-01-02")
    let next = try fixture.update(
      ["record_no": .string(recordNo), "service": ["type": "elderly_exam", "date": "2026-01-02"]], today: "2026-01-02")
    #expect(next["result"] == "service_added")
    let paid = try fixture.update([
      "record_no": .string(recordNo), "service": ["type": "elderly_exam", "date": "2026-06-02", "free": false],
    ])
    #expect(paid["free"] == false)
    #expect(paid["result"] == "service_added")
  }

  @Test func freeElderlyExamBelowTheMinimumAgeIsNotEligible() throws {
    let fixture = try ServiceFixture()
    let recordNo = try fixture.createElder(id: ServiceFixture.id("50010319620101001"))
    let rejection = try #require(
      try fixture.rejection(of: ["record_no": .string(recordNo), "service": ["type": "elderly_exam", "date": "2026-11-20"]]))
    #expect(rejection.code == .notEligible)
    #expect(rejection.message.contains("aged 65 or over"))
  }

  @Test func sameServiceEnteredTwiceIsKeptOnce() throws {
    let fixture = try ServiceFixture()
    let recordNo = try fixture.createElder()
    let line: JSONObject = [
      "record_no": .string(recordNo),
      "service": ["type": "elderly_exam", "date": "2026-04-10", "summary": ["bmi": .double(24.5)]],
    ]
    let first = try fixture.update(line)
    let again = try fixture.update(line)
    #expect(again["result"] == "unchanged")
    #expect(again["service_id"] == first["service_id"])
    #expect(try fixture.scalar("SELECT count(*) FROM service") == 1)
  }

  @Test(arguments: [
    (["type": "mental_followup", "date": "2026-11-20"] as JSONObject, true),
    (["type": "consultation", "date": "2026-11-20", "restricted": true] as JSONObject, true),
    (["type": "consultation", "date": "2026-11-20"] as JSONObject, false),
  ])
  func mentalFollowUpAndRestrictedServicesMarkTheRecordRestricted(service: JSONObject, restricted: Bool) throws {
    let fixture = try ServiceFixture()
    let recordNo = try fixture.createElder()
    let out = try fixture.update(["record_no": .string(recordNo), "service": .object(service)])
    #expect(out["restricted"] == .bool(restricted))
    #expect(try fixture.record(recordNo).restricted == restricted)
  }

  @Test(arguments: ["UPDATE service SET summary = '{}'", "DELETE FROM service", "UPDATE amendment SET reason = 'x'"])
  func theStoreItselfRefusesToRewriteServiceRecords(sql: String) throws {
    let fixture = try ServiceFixture()
    let recordNo = try fixture.createElder()
    try fixture.update([
      "record_no": .string(recordNo), "service": ["type": "consultation", "date": "2026-11-20", "summary": ["note": "咳嗽"]],
    ])
    try fixture.amend(
      ["service_id": 1, "changes": ["summary": ["note": "咳嗽三天"]], "reason": "录入遗漏", "approved_by": "admin-jfb"], by: "doc-li")
    #expect(throws: (any Error).self) {
      try fixture.store.write { db in try db.execute(sql: sql) }
    }
    #expect(try fixture.scalar("SELECT summary FROM service") == #"{"note":"咳嗽"}"#)
    #expect(try fixture.scalar("SELECT count(*) FROM amendment") == 1)
  }
}

@Suite("hr-update lines")
struct RecordUpdateLineTests {
  @Test func lineWithTwoChangesIsRejectedWithTheReason() throws {
    let fixture = try ServiceFixture()
    let recordNo = try fixture.createElder()
    let rejection = try #require(
      try fixture.rejection(of: [
        "record_no": .string(recordNo), "set": ["phone": "13800000000"],
        "service": ["type": "consultation", "date": "2026-11-20"],
      ]))
    #expect(rejection.code == .severalChanges)
    #expect(rejection.message == "a line carries exactly one change, found 'set' and 'service'; put each on its own line")
  }

  @Test func lineWithoutAChangeIsRejected() throws {
    let fixture = try ServiceFixture()
    let recordNo = try fixture.createElder()
    let rejection = try #require(try fixture.rejection(of: ["record_no": .string(recordNo)]))
    #expect(rejection.code == .missingField)
  }

  @Test func unknownTopLevelFieldIsRejected() throws {
    let fixture = try ServiceFixture()
    let recordNo = try fixture.createElder()
    let rejection = try #require(
      try fixture.rejection(of: ["record_no": .string(recordNo), "managing_org": "500103001", "set": ["phone": "13800000000"]]))
    #expect(rejection.message == "unknown field 'managing_org'")
  }

  @Test func recordIsFoundByItsIDNumber() throws {
    let fixture = try ServiceFixture()
    let recordNo = try fixture.createElder()
    let out = try fixture.update(["id_number": .string(ServiceFixture.elderID), "set": ["phone": "13800000000"]])
    #expect(out["record_no"] == .string(recordNo))
  }

  @Test func recordNumberAndIDNumberOfDifferentPeopleAreRejected() throws {
    let fixture = try ServiceFixture()
    let recordNo = try fixture.createElder()
    try fixture.createElder(id: ServiceFixture.id("50010319500505001"))
    let rejection = try #require(
      try fixture.rejection(of: [
        "record_no": .string(recordNo), "id_number": .string(ServiceFixture.id("50010319500505001")),
        "set": ["phone": "13800000000"],
      ]))
    #expect(rejection.code == .idMismatch)
    #expect(try fixture.record(recordNo).phone == nil)
  }
}
