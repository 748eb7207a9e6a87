import GRDB
import HRCore
import HRLines
import Testing

/// A store with an adult whose record is restricted (a mental-disorder follow-up and tag beside an
/// ordinary service and tag) and a child of 11, both managed by 解放碑 (500103001).
final class ViewFixture {
  let base: ServiceFixture
  let adult: String
  let child: String
  static let childID = ServiceFixture.id("50010320150601002")

  init() throws {
    base = try ServiceFixture()
    adult = try base.createElder()
    child = try base.create([
      "id_number": .string(Self.childID), "name": "李小明", "division": "500103001001", "org": "500103001",
      "created_on": "2026-01-05",
    ])
    try base.update([
      "record_no": .string(adult),
      "service": ["type": "hypertension_followup", "date": "2026-03-02", "summary": ["bp": "150/95"]],
    ])
    try base.update([
      "record_no": .string(adult), "service": ["type": "mental_followup", "date": "2026-04-03", "summary": ["note": "稳定"]],
    ])
    try base.update(["record_no": .string(adult), "tag": ["code": "hypertension", "since": "2026-03-02"]])
    try base.update(["record_no": .string(adult), "tag": ["code": "severe_mental_disorder", "since": "2026-04-03"]])
  }

  /// Opens `recordNo` for `viewer` as `operatorID`, committing the view's audit event.
  func open(_ recordNo: String, viewer: JSONObject, by operatorID: String, dryRun: Bool = false) throws -> JSONObject {
    let session = try base.session(operatorID)
    return try base.store.write { db in
      try RecordView.open(
        ["record_no": .string(recordNo), "viewer": .object(viewer)], defaults: Viewer.Defaults(), dryRun: dryRun,
        session: session, in: db)
    }
  }

  /// The rejection a viewing meets, or nil when it is allowed.
  func refusal(_ recordNo: String, viewer: JSONObject, by operatorID: String) throws -> LineRejection? {
    do {
      _ = try open(recordNo, viewer: viewer, by: operatorID)
      return nil
    } catch let rejection as LineRejection {
      return rejection
    }
  }
}

/// One row of the viewer table, allowed or refused.
struct ViewerCase: Sendable, CustomTestStringConvertible {
  enum Subject: Sendable { case adult, child }
  let name: String
  let subject: Subject
  let operatorID: String
  let viewer: JSONObject
  /// The disclosure when allowed; nil when refused.
  let disclosure: Disclosure?
  let code: RejectionCode?
  let condition: String?
  var testDescription: String { name }

  static func allowed(
    _ name: String, _ subject: Subject, by operatorID: String, _ viewer: JSONObject, _ disclosure: Disclosure = .full
  ) -> ViewerCase {
    ViewerCase(
      name: name, subject: subject, operatorID: operatorID, viewer: viewer, disclosure: disclosure, code: nil, condition: nil)
  }

  static func refused(
    _ name: String, _ subject: Subject, by operatorID: String, _ viewer: JSONObject, _ code: RejectionCode, _ condition: String
  ) -> ViewerCase {
    ViewerCase(
      name: name, subject: subject, operatorID: operatorID, viewer: viewer, disclosure: nil, code: code, condition: condition)
  }
}

@Suite("hr-export record: the viewer table (第十五条, 第十六条)")
struct RecordViewTests {
  static let otherID = ServiceFixture.id("50010319600202003")

  static let cases: [ViewerCase] = [
    .allowed(
      "self with an ID number the record holds", .adult, by: "doc-li",
      ["kind": "self", "id_number": .string(ServiceFixture.elderID)]),
    .refused(
      "self with another ID number", .adult, by: "doc-li", ["kind": "self", "id_number": .string(otherID)], .forbidden,
      "is not one the record holds"),
    .refused("self without an ID number", .adult, by: "doc-li", ["kind": "self"], .forbidden, "'viewer.id_number' is missing"),
    .refused(
      "self under 18", .child, by: "doc-li", ["kind": "self", "id_number": .string(ViewFixture.childID)], .forbidden, "under 18"),
    .allowed("guardian of a minor", .child, by: "doc-li", ["kind": "guardian", "authorization": "GA-2026-001"]),
    .refused(
      "guardian without authorization", .child, by: "doc-li", ["kind": "guardian"], .authorizationRequired,
      "guardian's application reference"),
    .allowed("minor with the guardian's authorization", .child, by: "doc-li", ["kind": "minor", "authorization": "GA-2026-002"]),
    .refused(
      "minor without authorization", .child, by: "doc-li", ["kind": "minor"], .authorizationRequired, "the guardian's consent"),
    .refused(
      "minor who is an adult", .adult, by: "doc-li", ["kind": "minor", "authorization": "GA-1"], .forbidden, "not under 18"),
    .allowed(
      "guardian of an adult without capacity", .adult, by: "doc-li", ["kind": "guardian", "authorization": "GA-2026-003"],
      .withholdingRestricted),
    .allowed(
      "voluntary guardian with court judgments", .adult, by: "doc-li",
      ["kind": "voluntary_guardian", "authorization": ["(2025)渝0103民特12号", "(2025)渝0103民特13号"]]),
    .refused(
      "voluntary guardian without a judgment", .adult, by: "doc-li", ["kind": "voluntary_guardian"], .authorizationRequired,
      "court judgment"),
    .allowed(
      "clinician of the managing organisation with the dynamic code", .adult, by: "doc-li",
      ["kind": "clinician", "authorization": "834211"]),
    .allowed(
      "clinician of another district with the dynamic code", .adult, by: "doc-zhao",
      ["kind": "clinician", "authorization": "834211"]),
    .refused(
      "clinician without the dynamic code", .adult, by: "doc-li", ["kind": "clinician"], .authorizationRequired, "dynamic code"),
    .refused(
      "clinician viewing by an administrator", .adult, by: "admin-yz", ["kind": "clinician", "authorization": "834211"],
      .forbidden, "is not a clinician"),
    .allowed(
      "public health by the district administrator", .adult, by: "admin-yz", ["kind": "public_health", "reason": "高血压随访督导"]),
    .allowed("public health by the city administrator", .adult, by: "admin-city", ["kind": "public_health", "reason": "质控抽查"]),
    .refused(
      "public health without a reason", .adult, by: "admin-city", ["kind": "public_health"], .reasonRequired,
      "'viewer.reason' is missing"),
    .refused(
      "public health by a clinician", .adult, by: "doc-li", ["kind": "public_health", "reason": "x"], .forbidden,
      "not a district or city administrator"),
    .refused(
      "public health by another district", .adult, by: "admin-spb", ["kind": "public_health", "reason": "x"], .forbidden,
      "does not reach records managed by '500103001'"),
    .allowed("emergency with a reason, anywhere", .adult, by: "doc-zhao", ["kind": "emergency", "reason": "昏迷送医"]),
    .refused(
      "emergency without a reason", .adult, by: "doc-zhao", ["kind": "emergency"], .reasonRequired, "'viewer.reason' is missing"),
  ]

  @Test(arguments: cases)
  func viewerTableRow(_ row: ViewerCase) throws {
    let fixture = try ViewFixture()
    let recordNo = row.subject == .adult ? fixture.adult : fixture.child
    let action = row.viewer["kind"] == "emergency" ? "record.view.emergency" : "record.view"
    if let disclosure = row.disclosure {
      let out = try fixture.open(recordNo, viewer: row.viewer, by: row.operatorID)
      #expect(out["record_no"]?.stringValue == recordNo)
      #expect(out.keys.first == "record_no")
      #expect(out["disclosure"]?.stringValue == disclosure.rawValue)
      #expect(out["cover"]?.objectValue?["record_no"]?.stringValue == recordNo)
      let events =
        try fixture.base.scalar(
          "SELECT count(*) FROM audit_event WHERE action = ? AND record_no = ? AND outcome = 'ok'", [action, recordNo]) as Int?
      #expect(events == 1)
      let detail: String? = try fixture.base.scalar(
        "SELECT detail FROM audit_event WHERE action = ? ORDER BY seq DESC LIMIT 1", [action])
      #expect(detail?.contains(#""kind":"\#(row.viewer["kind"]!.stringValue!)""#) == true)
    } else {
      let rejection = try #require(try fixture.refusal(recordNo, viewer: row.viewer, by: row.operatorID))
      #expect(rejection.code == row.code)
      #expect(rejection.message.contains(row.condition!), "\(rejection.message)")
      let audit = try #require(rejection.audit)
      #expect(audit.outcome == .denied)
      #expect(audit.action == action)
      #expect(audit.recordNo == recordNo)
      #expect(audit.detail["code"]?.stringValue == row.code?.rawValue)
      #expect(try fixture.base.auditCount(action) == 0)
    }
  }

  @Test func guardianOfAnAdultNeverSeesRestrictedServicesOrTags() throws {
    let fixture = try ViewFixture()
    // An ordinary consultation later amended into a mental-disorder follow-up is withheld too, with its original.
    let consult = try fixture.base.update([
      "record_no": .string(fixture.adult), "service": ["type": "consultation", "date": "2026-05-04", "summary": ["note": "失眠"]],
    ])
    try fixture.base.amend(
      [
        "service_id": consult["service_id"]!, "changes": ["type": "mental_followup"], "reason": "录入类型错误",
        "approved_by": "admin-jfb",
      ], by: "doc-li")
    try fixture.base.update(["record_no": .string(fixture.adult), "tag": ["code": "classified", "since": "2026-05-04"]])
    try fixture.base.update(["record_no": .string(fixture.adult), "tag": ["code": "classified", "ended": "2026-06-01"]])

    let guardian = try fixture.open(fixture.adult, viewer: ["kind": "guardian", "authorization": "GA-9"], by: "doc-li")
    let bytes = JSONValue.object(guardian).compact
    for hidden in ["mental_followup", "severe_mental_disorder", "classified", "失眠", "稳定", "录入类型错误"] {
      #expect(!bytes.contains(hidden), "the guardian's view shows '\(hidden)'")
    }
    #expect(guardian["services"]?.arrayValue?.count == 1)
    #expect(guardian["tags"] == ["elderly", "hypertension"])
    #expect(guardian["tag_history"]?.arrayValue?.count == 1)
    #expect(guardian["cover"]?.objectValue?["last_contact"] == .null)

    let resident = try fixture.open(
      fixture.adult, viewer: ["kind": "self", "id_number": .string(ServiceFixture.elderID)], by: "doc-li")
    let all = JSONValue.object(resident).compact
    for shown in ["mental_followup", "severe_mental_disorder", "classified", "失眠", "录入类型错误"] {
      #expect(all.contains(shown), "the resident's own view lacks '\(shown)'")
    }
    #expect(resident["services"]?.arrayValue?.count == 3)
    let amended = try #require(resident["services"]?.arrayValue?.first { $0.objectValue?["amended"] == true }?.objectValue)
    #expect(amended["type"] == "mental_followup")
    #expect(amended["original"]?.objectValue?["type"] == "consultation")
    // The audit event keeps the viewer and the disclosure, never what was withheld.
    let detail: String? = try fixture.base.scalar(
      "SELECT detail FROM audit_event WHERE action = 'record.view' ORDER BY seq LIMIT 1")
    #expect(detail == #"{"authorization":"GA-9","disclosure":"withholding_restricted","kind":"guardian"}"#)
  }

  @Test func servicesAreInTimeOrderAndEveryPartIsPresent() throws {
    let fixture = try ViewFixture()
    try fixture.base.update([
      "record_no": .string(fixture.adult), "contract": ["doctor": "李医生", "team": "一团队", "signed_on": "2026-02-01"],
    ])
    try fixture.base.update(["record_no": .string(fixture.adult), "contact": ["date": "2026-06-01", "method": "phone"]])
    try fixture.base.update(["record_no": .string(fixture.adult), "set": ["phone": "13800138000"]])
    let out = try fixture.open(fixture.adult, viewer: ["kind": "public_health", "reason": "督导"], by: "admin-city")
    #expect(
      out.keys == [
        "record_no", "viewer", "disclosure", "cover", "basic_information", "history", "tags", "tag_history", "services",
        "contracts", "contacts", "transfers", "archive_history",
      ])
    #expect(out["services"]?.arrayValue?.compactMap { $0.objectValue?["date"]?.stringValue } == ["2026-03-02", "2026-04-03"])
    #expect(out["contracts"]?.arrayValue?.first?.objectValue?["doctor"] == "李医生")
    #expect(out["contacts"]?.arrayValue?.first?.objectValue?["method"] == "phone")
    #expect(out["history"]?.arrayValue?.first?.objectValue?["field"] == "phone")
    #expect(out["basic_information"]?.objectValue?["phone"] == "13800138000")
    #expect(out["viewer"] == ["kind": "public_health", "reason": "督导"])
  }

  @Test func anEmergencyViewingIsSetApartInTheAccessReport() throws {
    let fixture = try ViewFixture()
    _ = try fixture.open(fixture.adult, viewer: ["kind": "emergency", "reason": "昏迷送医"], by: "doc-zhao")
    _ = try fixture.open(fixture.adult, viewer: ["kind": "self", "id_number": .string(ServiceFixture.elderID)], by: "doc-li")
    var uses: [String] = []
    try fixture.base.store.read { db in
      try AccessReport.entries(for: fixture.adult, before: nil, configuration: fixture.base.configuration, in: db) { entry in
        if let action = entry["action"]?.stringValue, action.hasPrefix("record.view") { uses.append(entry["use"]!.stringValue!) }
      }
    }
    #expect(uses == ["emergency", "viewed"])
    let detail: String? = try fixture.base.scalar("SELECT detail FROM audit_event WHERE action = 'record.view.emergency'")
    #expect(detail == #"{"break_the_glass":true,"disclosure":"full","kind":"emergency","reason":"昏迷送医"}"#)
  }

  @Test func aDryRunChecksTheViewerAndShowsNothingOfTheRecord() throws {
    let fixture = try ViewFixture()
    let out = try fixture.open(fixture.adult, viewer: ["kind": "guardian", "authorization": "GA-1"], by: "doc-li", dryRun: true)
    #expect(
      JSONValue.object(out).compact
        == #"{"record_no":"\#(fixture.adult)","viewer":{"kind":"guardian","authorization":"GA-1"},"disclosure":"withholding_restricted","dry_run":true}"#
    )
    #expect(try fixture.base.auditCount("record.view") == 0)
    // Finding the record and telling its number is a lookup of the register, kept from a dry run.
    #expect(try fixture.base.auditCount("record.check") == 1)
  }

  @Test func anUnknownViewerKindOrFieldIsAnInvalidLineNotADenial() throws {
    let fixture = try ViewFixture()
    let unknown = try #require(try fixture.refusal(fixture.adult, viewer: ["kind": "neighbour"], by: "doc-li"))
    #expect(unknown.code == .invalidValue)
    #expect(unknown.audit == nil)
    let misspelt = try #require(
      try fixture.refusal(fixture.adult, viewer: ["kind": "guardian", "authorisation": "GA-1"], by: "doc-li"))
    #expect(misspelt.code == .unknownField)
    #expect(misspelt.message == "unknown field 'viewer.authorisation'; did you mean 'viewer.authorization'?")
  }
}
