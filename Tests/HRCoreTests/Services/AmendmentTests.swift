import GRDB
import HRCore
import HRLines
import Testing

@Suite("Amendments of saved services (annex 1, 三(一))")
struct AmendmentTests {
  /// A record of 解放碑 with one consultation (service 1) recorded there by doc-li.
  func recordWithService() throws -> (ServiceFixture, String) {
    let fixture = try ServiceFixture()
    let recordNo = try fixture.createElder()
    try fixture.update(
      [
        "record_no": .string(recordNo),
        "service": ["type": "consultation", "date": "2026-11-20", "summary": ["bp": "150/95", "note": "头晕"]],
      ],
      by: "doc-li")
    return (fixture, recordNo)
  }

  @Test func amendmentIsStoredBesideTheOriginalAndReadersSeeBoth() throws {
    let (fixture, recordNo) = try recordWithService()
    let out = try fixture.amend(
      [
        "service_id": 1, "changes": ["summary": ["bp": "130/85", "note": nil], "type": "hypertension_followup"], "reason": "血压录错",
        "approved_by": "admin-jfb",
      ],
      by: "doc-li")
    #expect(
      out.compact
        == #"{"record_no":"\#(recordNo)","result":"amended","service_id":1,"amendment_id":1,"changed":["type","summary"],"approved_by":"admin-jfb"}"#
    )
    #expect(try fixture.scalar("SELECT summary FROM service WHERE service_id = 1") == #"{"bp":"150/95","note":"头晕"}"#)

    let services = try fixture.store.read { db in try ServiceHistory.services(ofRecord: recordNo, in: db) }
    let service = try #require(services.first)
    #expect(services.count == 1)
    #expect(
      service.original
        == ServiceContent(
          type: "consultation", date: LocalDate("2026-11-20")!, summary: ["bp": "150/95", "note": "头晕"], restricted: false))
    #expect(
      service.current
        == ServiceContent(
          type: "hypertension_followup", date: LocalDate("2026-11-20")!, summary: ["bp": "130/85"], restricted: false))
    let amendment = try #require(service.amendments.first)
    #expect(amendment.reason == "血压录错")
    #expect(amendment.approvedBy == "admin-jfb")
    #expect(amendment.enteredBy == "doc-li")
    #expect(amendment.enteredOn == LocalDate("2026-11-26")!)
    #expect(amendment.enteredAt.hasSuffix("Z"))
    let json = service.json
    #expect(json["type"] == "hypertension_followup")
    #expect(json["amended"] == true)
    #expect(json["original"]?.objectValue?["summary"] == ["bp": "150/95", "note": "头晕"])
    #expect(json["amendments"]?.arrayValue?.count == 1)
    #expect(
      try fixture.scalar("SELECT detail FROM audit_event WHERE action = 'service.amend'")
        == #"{"amendment_id":1,"approved_by":"admin-jfb","changed":["type","summary"],"org":"500103001","service_id":1}"#)
  }

  @Test func laterAmendmentsApplyInOrder() throws {
    let (fixture, recordNo) = try recordWithService()
    try fixture.amend(
      ["service_id": 1, "changes": ["date": "2026-11-19"], "reason": "日期录错", "approved_by": "admin-jfb"], by: "doc-li")
    try fixture.amend(
      ["service_id": 1, "changes": ["summary": ["bp": "140/90"]], "reason": "复核", "approved_by": "admin-jfb2"], by: "admin-jfb")
    let service = try #require(try fixture.store.read { db in try ServiceHistory.service(id: 1, in: db) })
    #expect(service.amendments.map(\.approvedBy) == ["admin-jfb", "admin-jfb2"])
    #expect(service.current.date == LocalDate("2026-11-19")!)
    #expect(service.current.summary == ["bp": "140/90", "note": "头晕"])
    #expect(service.recordNo == recordNo)
  }

  @Test(arguments: [
    ("doc-li", "admin-jfb", true),  // the serving organisation's administrator
    ("doc-li", "admin-yz", true),  // the district's administrator
    ("doc-li", "admin-city", true),
    ("admin-jfb", "admin-jfb", false),  // never one's own approver
    ("doc-li", "doc-wang", false),  // a clinician approves nothing
    ("doc-li", "admin-qxg", false),  // another organisation's administrator
    ("doc-li", "admin-spb", false),  // another district's administrator
    ("doc-li", "auditor-1", false),
    ("doc-li", "nobody", false),
  ])
  func approverIsAnAdministratorOfTheServingOrganisationOrAboveAndNotTheOperator(
    operatorID: String, approver: String, accepted: Bool
  ) throws {
    let (fixture, _) = try recordWithService()
    let rejection = try fixture.rejection(
      of: ["service_id": 1, "changes": ["summary": ["note": "眩晕"]], "reason": "勘误", "approved_by": .string(approver)],
      by: operatorID, amend: true)
    if accepted {
      #expect(rejection == nil)
      #expect(try fixture.scalar("SELECT approved_by FROM amendment") == approver)
    } else {
      let rejection = try #require(rejection)
      #expect(rejection.code == .invalidApprover)
      #expect(rejection.audit?.outcome == .rejected)
      #expect(try fixture.scalar("SELECT count(*) FROM amendment") == 0)
    }
  }

  @Test func amendmentWithoutAnApproverIsRejected() throws {
    let (fixture, _) = try recordWithService()
    let rejection = try #require(
      try fixture.rejection(of: ["service_id": 1, "changes": ["type": "other"], "reason": "勘误"], by: "doc-li", amend: true))
    #expect(rejection.code == .invalidApprover)
    #expect(rejection.message.hasPrefix("missing field 'approved_by'"))
  }

  @Test func operatorOutsideTheServingOrganisationMayNotAmend() throws {
    let (fixture, _) = try recordWithService()
    let rejection = try #require(
      try fixture.rejection(
        of: ["service_id": 1, "changes": ["type": "other"], "reason": "勘误", "approved_by": "admin-jfb"], by: "doc-wang",
        amend: true))
    #expect(rejection.code == .forbidden)
    #expect(rejection.audit?.outcome == .denied)
    #expect(rejection.audit?.action == "service.amend")
  }

  /// The line is validated whole before the store is read: a malformed correction gets its field
  /// error whether or not the service exists, and nothing is read or audited for it.
  @Test(arguments: [
    (["type": "no_such_type"] as JSONObject, "changes.type"),
    (["date": "2026-12-01"] as JSONObject, "changes.date"),
    (["summary": "头晕"] as JSONObject, "changes.summary"),
    (["restricted": "yes"] as JSONObject, "changes.restricted"),
  ])
  func malformedCorrectionIsRefusedBeforeTheServiceIsLookedUp(changes: JSONObject, field: String) throws {
    let (fixture, _) = try recordWithService()
    for serviceID in [1, 999] {
      let rejection = try #require(
        try fixture.rejection(
          of: ["service_id": .int(serviceID), "changes": .object(changes), "reason": "勘误", "approved_by": "admin-jfb"],
          by: "doc-wang", amend: true))
      #expect(rejection.code == .invalidValue, "service \(serviceID): \(rejection.message)")
      #expect(rejection.details["field"] == .string(field), "service \(serviceID)")
      #expect(rejection.audit == nil, "service \(serviceID)")
    }
  }

  @Test(arguments: ["org", "free", "late", "entered_by"])
  func onlyTypeDateSummaryAndRestrictionCanBeCorrected(field: String) throws {
    let (fixture, _) = try recordWithService()
    let rejection = try #require(
      try fixture.rejection(
        of: ["service_id": 1, "changes": [field: "x"], "reason": "勘误", "approved_by": "admin-jfb"], by: "doc-li", amend: true))
    #expect(rejection.code == .unknownField)
    #expect(rejection.message.hasPrefix("unknown field 'changes.\(field)'"))
  }

  @Test func restrictionOfAServiceIsNeverLifted() throws {
    let fixture = try ServiceFixture()
    let recordNo = try fixture.createElder()
    try fixture.update(
      ["record_no": .string(recordNo), "service": ["type": "mental_followup", "date": "2026-11-20"]], by: "doc-li")
    let rejection = try #require(
      try fixture.rejection(
        of: ["service_id": 1, "changes": ["restricted": false], "reason": "勘误", "approved_by": "admin-jfb"], by: "doc-li",
        amend: true))
    #expect(rejection.message == "field 'changes.restricted' cannot lift the restriction of a withheld service")
  }

  @Test func amendmentMovingAFreeExamIntoAYearThatHadOneIsAlreadyServed() throws {
    let fixture = try ServiceFixture()
    let recordNo = try fixture.createElder()
    try fixture.update(
      ["record_no": .string(recordNo), "service": ["type": "elderly_exam", "date": "2025-06-01"]], by: "doc-li",
      today: "2025-06-02")
    try fixture.update(
      ["record_no": .string(recordNo), "service": ["type": "elderly_exam", "date": "2026-06-01"]], by: "doc-li")
    let rejection = try #require(
      try fixture.rejection(
        of: ["service_id": 1, "changes": ["date": "2026-05-30"], "reason": "年份录错", "approved_by": "admin-jfb"], by: "doc-li",
        amend: true))
    #expect(rejection.code == .alreadyServed)
    #expect(rejection.details["service_id"] == 2)
    // With the 2026 exam corrected to a health exam, the 2025 one may move into 2026, and then counts there.
    try fixture.amend(
      ["service_id": 2, "changes": ["type": "health_exam"], "reason": "类型录错", "approved_by": "admin-jfb"], by: "doc-li")
    try fixture.amend(
      ["service_id": 1, "changes": ["date": "2026-05-30"], "reason": "年份录错", "approved_by": "admin-jfb"], by: "doc-li")
    let again = try #require(
      try fixture.rejection(
        of: ["record_no": .string(recordNo), "service": ["type": "elderly_exam", "date": "2026-07-01"]], by: "doc-li"))
    #expect(again.code == .alreadyServed)
    #expect(again.details["service_id"] == 1)
    #expect(again.details["date"] == "2026-05-30")
  }

  @Test func amendmentMakingAFreeServiceAnElderlyExamBelowTheMinimumAgeIsNotEligible() throws {
    let fixture = try ServiceFixture()
    let recordNo = try fixture.createElder(id: ServiceFixture.id("50010319620101001"))
    try fixture.update(
      ["record_no": .string(recordNo), "service": ["type": "health_exam", "date": "2026-11-20", "free": true]], by: "doc-li")
    let rejection = try #require(
      try fixture.rejection(
        of: ["service_id": 1, "changes": ["type": "elderly_exam"], "reason": "类型录错", "approved_by": "admin-jfb"], by: "doc-li",
        amend: true))
    #expect(rejection.code == .notEligible)
    #expect(rejection.message.contains("aged 65 or over"))
    #expect(try fixture.scalar("SELECT count(*) FROM amendment") == 0)
  }

  @Test func summaryPatchReplacesInPlaceRemovesOnNullAndAppendsNewKeys() {
    let content = ServiceContent(
      type: "consultation", date: LocalDate("2026-11-20")!, summary: ["a": 1, "b": 2, "c": nil, "d": 4], restricted: false)
    let patched = content.applying(["summary": ["b": 20, "d": nil, "e": 5, "f": nil]])
    #expect(patched.summary == ["a": 1, "b": 20, "c": nil, "e": 5])
  }

  @Test(.timeLimit(.minutes(1)))
  func patchRemovingEveryKeyOfAHugeSummaryTakesOnePass() {
    var summary = JSONObject()
    var patch = JSONObject()
    for index in 0..<100_000 {
      summary["k\(index)"] = .int(index)
      patch["k\(index)"] = .null
    }
    let content = ServiceContent(type: "consultation", date: LocalDate("2026-11-20")!, summary: summary, restricted: false)
    #expect(content.applying(["summary": .object(patch)]).summary.isEmpty)
  }

  @Test func unknownServiceIsNotFound() throws {
    let (fixture, _) = try recordWithService()
    let rejection = try #require(
      try fixture.rejection(
        of: ["service_id": 9, "changes": ["type": "other"], "reason": "勘误", "approved_by": "admin-jfb"], by: "doc-li", amend: true
      ))
    #expect(rejection.code == .notFound)
    #expect(rejection.message == "no service '9'")
  }

  @Test func correctionEqualToTheCurrentContentChangesNothing() throws {
    let (fixture, recordNo) = try recordWithService()
    let out = try fixture.amend(
      ["service_id": 1, "changes": ["summary": ["bp": "150/95"]], "reason": "复核", "approved_by": "admin-jfb"], by: "doc-li")
    #expect(
      out.compact
        == #"{"record_no":"\#(recordNo)","result":"unchanged","service_id":1,"amendment_id":null,"changed":[],"approved_by":"admin-jfb"}"#
    )
    #expect(try fixture.scalar("SELECT count(*) FROM amendment") == 0)
  }
}
