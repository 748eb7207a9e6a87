import Foundation
import HRCore
import HRFixtures
import HRLines
import Testing

/// One protection-period walk: a record moves `from` → `to` and is then asked back.
struct ProtectionWalk: Sendable, CustomTestStringConvertible {
  let name: String
  let configuration: String
  let from: String
  let to: String
  let requester: String
  let confirmer: String
  let days: Int
  var testDescription: String { name }
}

/// The example configuration with a second organisation in 沙坪坝区, a district whose YAML sets no
/// intra-district protection period.
let configurationWithoutIntraPeriod = Sandbox.exampleConfiguration.replacingOccurrences(
  of: #""500106001": {name: 小龙坎社区卫生服务中心, district: "500106"}"#,
  with: #""500106001": {name: 小龙坎社区卫生服务中心, district: "500106"}"# + "\n"
    + #"  "500106002": {name: 渝碚路社区卫生服务中心, district: "500106"}"#)

@Suite("hr-transfer end to end")
struct TransferTests {
  /// Creates `count` generated residents managed by `org` and returns their record numbers.
  func createRecords(
    _ sandbox: Sandbox, managedBy org: String, count: Int = 1, seed: UInt64 = 11, today: String = "2026-01-05"
  ) throws -> [String] {
    let district = String(org.prefix(6))
    let people = Sandbox.people(count, seed: seed, today: today, places: [.init(org: org, district: district)])
    let result = try sandbox.run("hr-create", ["--today", today], stdin: people, today: nil)
    try #require(result.status == 0, "hr-create failed: \(result.stderr)")
    return result.objects.map { $0["record_no"] as! String }
  }

  func requestLine(_ recordNo: String, to org: String) -> String {
    #"{"record_no":"\#(recordNo)","to_org":"\#(org)","reason":"residence_change","consent":{"method":"signed_form","ref":"ZQ-1"}}"#
      + "\n"
  }

  @Test(
    "After a completed transfer a new request is refused on the period's last day and accepted the day after",
    arguments: [
      ProtectionWalk(
        name: "cross-district, 180 days", configuration: Sandbox.exampleConfiguration, from: "500103001", to: "500106001",
        requester: "doc-zhao", confirmer: "admin-jfb", days: 180),
      ProtectionWalk(
        name: "渝中区 sets 90 days", configuration: Sandbox.exampleConfiguration, from: "500103001", to: "500103002",
        requester: "doc-wang", confirmer: "admin-jfb", days: 90),
      ProtectionWalk(
        name: "沙坪坝区 sets none", configuration: configurationWithoutIntraPeriod, from: "500106001", to: "500106002",
        requester: "admin-spb", confirmer: "admin-xlk", days: 0),
    ])
  func protectionPeriodWalk(walk: ProtectionWalk) throws {
    let sandbox = try Sandbox(configuration: walk.configuration)
    let recordNo = try #require(try createRecords(sandbox, managedBy: walk.from).first)

    let requested = try sandbox.run(
      "hr-transfer", ["request", "--today", "2026-01-05"], stdin: requestLine(recordNo, to: walk.to),
      operator: walk.requester, today: nil)
    #expect(requested.status == 0, "\(requested.stderr)")
    let request = try #require(requested.objects.first)
    #expect(request["status"] as? String == "pending")
    #expect(request["due"] as? String == "2026-01-12")
    #expect(request["kind"] as? String == (walk.from.prefix(6) == walk.to.prefix(6) ? "intra_district" : "cross_district"))

    // The confirmation pipes the request's own output back in.
    let confirmed = try sandbox.run(
      "hr-transfer", ["confirm", "--today", "2026-01-06"], stdin: requested.stdout, operator: walk.confirmer, today: nil)
    #expect(confirmed.status == 0, "\(confirmed.stderr)")
    let completion = LocalDate("2026-01-06")!
    let until = walk.days == 0 ? nil : completion.adding(days: walk.days)!.description
    #expect(confirmed.objects.first?["status"] as? String == "completed")
    #expect(confirmed.objects.first?["protected_until"] as? String == until)
    #expect(try sandbox.sqlite("SELECT managing_org FROM record WHERE record_no = '\(recordNo)'") == walk.to)

    let back = requestLine(recordNo, to: walk.from)
    if walk.days > 0 {
      let lastDay = completion.adding(days: walk.days - 1)!.description
      let refused = try sandbox.run(
        "hr-transfer", ["request", "--today", lastDay, "--rejects", "rejects.jsonl"], stdin: back, today: nil)
      #expect(refused.status == 65)
      #expect(refused.stdout.isEmpty)
      #expect(refused.stderr.contains("hr-transfer:-:1: protected: record '\(recordNo)' is in its protection period"))
      let reject = try JSONSerialization.jsonObject(with: Data(try sandbox.read("rejects.jsonl").utf8)) as? [String: Any]
      #expect(reject?["code"] as? String == "protected")
      #expect(reject?["protected_until"] as? String == until)
    }
    let acceptedOn = completion.adding(days: walk.days)!.description
    let accepted = try sandbox.run("hr-transfer", ["request", "--today", acceptedOn], stdin: back, today: nil)
    #expect(accepted.status == 0, "\(accepted.stderr)")
    #expect(accepted.objects.first?["status"] as? String == "pending")
    #expect(accepted.objects.first?["requested_on"] as? String == acceptedOn)
  }

  @Test("hr-create output pipes straight into hr-transfer request with the options filling every field")
  func createPipesIntoRequest() throws {
    let sandbox = try Sandbox()
    try sandbox.write("people.jsonl", Sandbox.people(3, seed: 5, places: [.init(org: "500103001", district: "500103")]))
    // The district's store exists before its daily pipeline runs; two tools that both create and
    // migrate a brand-new store at the same instant race on the migrations (a Store matter).
    #expect(try sandbox.run("hr-transfer", ["list"]).status == 0)
    let result = try sandbox.shell(
      "hr-create < people.jsonl | hr-transfer request --to 500106001 --reason residence_change --consent-method sms_phone --consent-ref R"
    )
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.objects.count == 3)
    #expect(result.objects.allSatisfy { $0["to_org"] as? String == "500106001" && $0["status"] as? String == "pending" })
    #expect(result.stderr.contains("hr-transfer: 3 requested, 0 rejected"))
    #expect(
      try sandbox.sqlite(
        "SELECT count(*) FROM transfer WHERE consent_method = 'sms_phone' AND consent_ref = 'R' AND reason = 'residence_change'")
        == "3")
    let first = try #require(result.lines.first)
    #expect(
      try JSONParser.parseObject(Array(first.utf8)).keys == [
        "transfer_id", "record_no", "from_org", "to_org", "kind", "reason", "status", "requested_on", "due", "decided_on",
        "late", "protected_until", "rejection_reason",
      ])
  }

  @Test("A request and its confirmation find the record an id number names; one no record holds is not found")
  func requestAndConfirmByIDNumber() throws {
    let sandbox = try Sandbox()
    let people = Sandbox.people(1, seed: 11, today: "2026-01-05", places: [.init(org: "500103001", district: "500103")])
    let created = try sandbox.run("hr-create", ["--today", "2026-01-05"], stdin: people, today: nil)
    try #require(created.status == 0, "\(created.stderr)")
    let recordNo = try #require(created.objects.first?["record_no"] as? String)
    let person = try JSONParser.parseObject(Array(people.utf8.prefix { $0 != UInt8(ascii: "\n") }))
    let idNumber = try #require(person["id_number"]?.stringValue)
    let unknown = UpdateTests.id("50010319700101002")
    let lines = [idNumber, unknown].map {
      #"{"id_number":"\#($0)","to_org":"500106001","reason":"residence_change","consent":{"method":"signed_form","ref":"ZQ-1"}}"#
    }
    let requested = try sandbox.run(
      "hr-transfer", ["request"], stdin: lines.joined(separator: "\n") + "\n", operator: "doc-zhao")
    #expect(requested.status == 65)
    #expect(requested.objects.map { $0["record_no"] as? String } == [recordNo])
    #expect(requested.errorLines.first == "hr-transfer:-:2: not_found: no record holds id number '\(unknown)'")

    let confirmed = try sandbox.run(
      "hr-transfer", ["confirm"], stdin: #"{"id_number":"\#(idNumber)"}"# + "\n", operator: "admin-jfb")
    #expect(confirmed.status == 0, "\(confirmed.stderr)")
    #expect(confirmed.objects.map { $0["status"] as? String } == ["completed"])
    #expect(try sandbox.sqlite("SELECT managing_org FROM record WHERE record_no = '\(recordNo)'") == "500106001")
  }

  @Test("A rejected transfer leaves the managing organisation unchanged, and a rejection needs a reason")
  func rejectionKeepsManagingOrg() throws {
    let sandbox = try Sandbox()
    let recordNo = try #require(try createRecords(sandbox, managedBy: "500103001").first)
    let requested = try sandbox.run(
      "hr-transfer", ["request"], stdin: requestLine(recordNo, to: "500106001"), operator: "doc-zhao")
    #expect(requested.status == 0)

    let noReason = try sandbox.run("hr-transfer", ["reject"], stdin: requested.stdout, operator: "admin-jfb")
    #expect(noReason.status == 65)
    #expect(noReason.stderr.contains("missing_field: missing field 'rejection_reason'"))

    let rejected = try sandbox.run(
      "hr-transfer", ["reject", "--rejection-reason", "居民未到场确认"], stdin: #"{"record_no":"\#(recordNo)"}"#, operator: "admin-jfb")
    #expect(rejected.status == 0, "\(rejected.stderr)")
    #expect(rejected.objects.first?["status"] as? String == "rejected")
    #expect(rejected.objects.first?["rejection_reason"] as? String == "居民未到场确认")
    #expect(rejected.stderr.contains("hr-transfer: 1 declined, 0 rejected"))
    #expect(
      try sandbox.sqlite("SELECT managing_org || ' ' || ifnull(protected_until, '-') FROM record WHERE record_no = '\(recordNo)'")
        == "500103001 -")
  }

  @Test("An unanswered transfer is overdue after day 7, stays pending, and confirms late through a pipe")
  func unansweredTransferIsOverdue() throws {
    let sandbox = try Sandbox()
    let records = try createRecords(sandbox, managedBy: "500103001", count: 2)
    let requested = try sandbox.run(
      "hr-transfer",
      ["request", "--to", "500112001", "--reason", "own_request", "--consent-method", "video", "--consent-ref", "V1"],
      stdin: records.map { #"{"record_no":"\#($0)"}"# + "\n" }.joined(), operator: "doc-chen", today: "2026-01-05")
    #expect(requested.status == 0, "\(requested.stderr)")

    let onDueDay = try sandbox.run("hr-transfer", ["overdue", "--today", "2026-01-12"], today: nil)
    #expect(onDueDay.status == 0)
    #expect(onDueDay.stdout.isEmpty)

    let afterDay7 = try sandbox.run("hr-transfer", ["overdue", "--district", "500103", "--today", "2026-01-13"], today: nil)
    #expect(afterDay7.objects.map { $0["record_no"] as? String } == records)
    #expect(afterDay7.objects.allSatisfy { $0["status"] as? String == "pending" && $0["late"] as? Bool == false })
    #expect(try sandbox.sqlite("SELECT group_concat(status) FROM transfer") == "pending,pending")
    #expect(try sandbox.sqlite("SELECT count(*) FROM record WHERE managing_org = '500103001'") == "2")

    let chased = try sandbox.shell("hr-transfer overdue | hr-transfer confirm", operator: "admin-jfb", today: "2026-01-20")
    #expect(chased.status == 0, "\(chased.stderr)")
    #expect(chased.objects.map { $0["late"] as? Bool } == [true, true])
    #expect(chased.objects.map { $0["decided_on"] as? String } == ["2026-01-20", "2026-01-20"])
    let leftOver = try sandbox.run("hr-transfer", ["overdue"], today: "2026-01-20")
    #expect(leftOver.stdout.isEmpty)
  }

  @Test("A record archived as lost transfers at once and stays archived; a deceased one is refused")
  func lostTransfersAtOnceDeceasedIsRefused() throws {
    let sandbox = try Sandbox()
    let records = try createRecords(sandbox, managedBy: "500103001", count: 2, today: "2025-01-02")
    let (lost, deceased) = (records[0], records[1])
    let archived = try sandbox.run(
      "hr-archive", ["lost", "--evidence", "3 calls unanswered"], stdin: #"{"record_no":"\#(lost)"}"# + "\n", today: "2026-01-03")
    #expect(archived.status == 0, "\(archived.stderr)")
    let died = try sandbox.run(
      "hr-archive", ["deceased", "--death-date", "2026-01-01", "--death-cause", "肺炎"],
      stdin: #"{"record_no":"\#(deceased)"}"# + "\n",
      today: "2026-01-03")
    #expect(died.status == 0, "\(died.stderr)")

    let result = try sandbox.run(
      "hr-transfer",
      ["request", "--to", "500229001", "--reason", "floating", "--consent-method", "signed_form", "--consent-ref", "F-7"],
      stdin: #"{"record_no":"\#(lost)"}"# + "\n" + #"{"record_no":"\#(deceased)"}"# + "\n", operator: "admin-gc",
      today: "2026-01-05")
    #expect(result.status == 65)
    #expect(result.objects.count == 1)
    let transfer = try #require(result.objects.first)
    #expect(transfer["record_no"] as? String == lost)
    #expect(transfer["status"] as? String == "completed")
    #expect(transfer["decided_on"] as? String == "2026-01-05")
    #expect(transfer["due"] is NSNull)
    #expect(
      try sandbox.sqlite("SELECT managing_org || ' ' || status || ' ' || archive_reason FROM record WHERE record_no = '\(lost)'")
        == "500229001 archived lost")
    #expect(result.stderr.contains("hr-transfer:-:2: deceased: record '\(deceased)' is archived as deceased"))
    #expect(try sandbox.sqlite("SELECT managing_org FROM record WHERE record_no = '\(deceased)'") == "500103001")
  }

  @Test("After completion the former organisation can no longer decide on the record; the new one can")
  func formerOrganisationLosesTheRecord() throws {
    let sandbox = try Sandbox()
    let recordNo = try #require(try createRecords(sandbox, managedBy: "500103001").first)
    let line = requestLine(recordNo, to: "500106001")
    #expect(try sandbox.run("hr-transfer", ["request"], stdin: line, today: "2026-01-05").status == 0)
    #expect(try sandbox.run("hr-transfer", ["confirm"], stdin: line, operator: "admin-jfb", today: "2026-01-05").status == 0)
    let onward = #"{"record_no":"\#(recordNo)","to_org":"500112001","reason":"schooling","consent":{"method":"video","ref":"V"}}"#
    #expect(try sandbox.run("hr-transfer", ["request"], stdin: onward, today: "2026-07-04").status == 0)

    let former = try sandbox.run("hr-transfer", ["confirm"], stdin: onward, operator: "admin-jfb", today: "2026-07-05")
    #expect(former.status == 65)
    #expect(
      former.stderr.contains(
        "forbidden: operator 'admin-jfb' (org_admin) may not decide a transfer of record '\(recordNo)' managed by '500106001'"))
    #expect(
      try sandbox.sqlite("SELECT count(*) FROM audit_event WHERE action = 'transfer.confirm' AND outcome = 'denied'") == "1")
    let current = try sandbox.run("hr-transfer", ["confirm"], stdin: onward, operator: "admin-xlk", today: "2026-07-05")
    #expect(current.status == 0)
    #expect(try sandbox.sqlite("SELECT managing_org FROM record WHERE record_no = '\(recordNo)'") == "500112001")
  }

  @Test("A lost record moved at once is reactivated by its new organisation; the former one can no longer change it")
  func lostRecordIsReactivatedByItsNewOrganisation() throws {
    let sandbox = try Sandbox()
    let recordNo = try #require(try createRecords(sandbox, managedBy: "500103001", today: "2025-01-02").first)
    let select = #"{"record_no":"\#(recordNo)"}"# + "\n"
    let lost = try sandbox.run(
      "hr-archive", ["lost", "--evidence", "3 calls unanswered"], stdin: select, operator: "admin-jfb", today: "2026-01-03")
    #expect(lost.status == 0, "\(lost.stderr)")

    let moved = try sandbox.run(
      "hr-transfer", ["request"], stdin: requestLine(recordNo, to: "500106001"), operator: "doc-zhao", today: "2026-01-05")
    #expect(moved.status == 0, "\(moved.stderr)")
    #expect(moved.objects.first?["status"] as? String == "completed")
    #expect(moved.objects.first?["protected_until"] as? String == "2026-07-04")
    // Still archived: the new organisation takes no update until it reactivates the record.
    let update = #"{"record_no":"\#(recordNo)","set":{"phone":"13912345678"}}"# + "\n"
    let early = try sandbox.run("hr-update", stdin: update, operator: "doc-zhao", today: "2026-01-05")
    #expect(early.status == 65)
    #expect(early.stderr.contains(": record_archived: "))

    let contact = #"{"record_no":"\#(recordNo)","contact_date":"2026-01-06"}"# + "\n"
    let former = try sandbox.run("hr-archive", ["reactivate"], stdin: contact, operator: "admin-jfb", today: "2026-01-06")
    #expect(former.status == 65)
    #expect(former.stderr.contains(": forbidden: operator 'admin-jfb' (org_admin)"))
    #expect(
      try sandbox.sqlite("SELECT count(*) FROM audit_event WHERE action = 'record.reactivate' AND outcome = 'denied'") == "1")
    let current = try sandbox.run("hr-archive", ["reactivate"], stdin: contact, operator: "admin-xlk", today: "2026-01-06")
    #expect(current.status == 0, "\(current.stderr)")
    #expect(
      try sandbox.sqlite(
        "SELECT status || ' ' || managing_org || ' ' || last_contact FROM record WHERE record_no = '\(recordNo)'")
        == "active 500106001 2026-01-06")

    // 四(三)8: the former organisation may no longer change the cover or basic information.
    let formerUpdate = try sandbox.run("hr-update", stdin: update, operator: "doc-li", today: "2026-01-07")
    #expect(formerUpdate.status == 65)
    #expect(formerUpdate.stderr.contains(": forbidden: "))
    #expect(try sandbox.sqlite("SELECT count(*) FROM audit_event WHERE action = 'record.update' AND outcome = 'denied'") == "1")
    let newUpdate = try sandbox.run("hr-update", stdin: update, operator: "doc-zhao", today: "2026-01-07")
    #expect(newUpdate.status == 0, "\(newUpdate.stderr)")
    #expect(try sandbox.sqlite("SELECT phone FROM record WHERE record_no = '\(recordNo)'") == "13912345678")
  }

  @Test("An operator at neither end is refused and the attempt is audited; a clinician may not decide at all")
  func refusalsAreForbiddenOrExit77() throws {
    let sandbox = try Sandbox()
    let recordNo = try #require(try createRecords(sandbox, managedBy: "500106001").first)
    let stranger = try sandbox.run(
      "hr-transfer", ["request"], stdin: requestLine(recordNo, to: "500112001"), operator: "doc-wang")
    #expect(stranger.status == 65)
    #expect(stranger.stderr.contains("forbidden"))
    #expect(
      try sandbox.sqlite("SELECT operator || ' ' || outcome FROM audit_event WHERE action = 'transfer.request'")
        == "doc-wang denied")

    let clinician = try sandbox.run("hr-transfer", ["confirm"], stdin: #"{"transfer_id":1}"#, operator: "doc-zhao")
    #expect(clinician.status == 77)
    #expect(clinician.stderr.contains("operator 'doc-zhao' (clinician) may not run hr-transfer confirm"))
    #expect(try sandbox.run("hr-transfer", ["list"], operator: "researcher-1").status == 77)
    #expect(try sandbox.run("hr-transfer", ["request", "--to", "500106001"], operator: "auditor-1").status == 77)
    #expect(try sandbox.run("hr-transfer", ["list", "--org", "500112001"], operator: "admin-spb").status == 77)
    #expect(try sandbox.run("hr-transfer", ["overdue", "--district", "500106"], operator: "admin-xlk").status == 77)
    #expect(
      try sandbox.sqlite(
        "SELECT group_concat(operator || ' ' || outcome || ' ' || json_remove(detail, '$.today'), '; ') FROM audit_event WHERE action = 'transfer.list'"
      )
        == #"admin-spb denied {"command":"hr-transfer list --org 500112001","org":"500112001"}; "#
        + #"admin-xlk denied {"command":"hr-transfer overdue --district 500106","district":"500106"}"#)
    #expect(try sandbox.run("hr-transfer", ["request", "--to", "599999999"]).status == 64)
    #expect(try sandbox.run("hr-transfer", ["request", "--reason", "bored"]).status == 64)
  }

  @Test("list prints JSON Lines, CSV and an aligned table, filtered and within the operator's reach")
  func listFormatsAndReach() throws {
    let sandbox = try Sandbox()
    let jfb = try createRecords(sandbox, managedBy: "500103001", count: 2, seed: 3)
    let xlk = try createRecords(sandbox, managedBy: "500106001", count: 1, seed: 4)
    let lines = requestLine(jfb[0], to: "500106001") + requestLine(jfb[1], to: "500103002") + requestLine(xlk[0], to: "500112001")
    #expect(try sandbox.run("hr-transfer", ["request"], stdin: lines).status == 0)

    let mine = try sandbox.run("hr-transfer", ["list"], operator: "admin-lx")
    #expect(mine.objects.map { $0["record_no"] as? String } == [xlk[0]])
    let district = try sandbox.run("hr-transfer", ["list", "--status", "pending"], operator: "admin-spb")
    #expect(district.objects.map { $0["record_no"] as? String } == [jfb[0], xlk[0]])
    let byOrg = try sandbox.run("hr-transfer", ["list", "--org", "500103002"], operator: "auditor-1")
    #expect(byOrg.objects.map { $0["record_no"] as? String } == [jfb[1]])
    let byRecord = try sandbox.run("hr-transfer", ["list", "--record", xlk[0]])
    #expect(byRecord.objects.map { $0["to_org"] as? String } == ["500112001"])

    let csv = try sandbox.run("hr-transfer", ["list", "--format", "csv", "--record", jfb[0]])
    #expect(
      csv.lines == [
        "transfer_id,record_no,from_org,to_org,kind,reason,status,requested_on,due,decided_on,late,protected_until,rejection_reason",
        "1,\(jfb[0]),500103001,500106001,cross_district,residence_change,pending,2026-11-26,2026-12-03,,false,,",
      ])
    let table = try sandbox.run("hr-transfer", ["list", "--format", "table", "--status", "pending"])
    #expect(table.lines.count == 4)
    #expect(table.lines.first?.hasPrefix("transfer_id  record_no          from_org") == true)
    #expect(table.lines.last?.hasPrefix("3            \(xlk[0])  500106001") == true)
  }

  @Test("--dry-run prints the transfers it would make and commits nothing")
  func dryRunCommitsNothing() throws {
    let sandbox = try Sandbox()
    let recordNo = try #require(try createRecords(sandbox, managedBy: "500103001").first)
    let result = try sandbox.run("hr-transfer", ["request", "--dry-run"], stdin: requestLine(recordNo, to: "500106001"))
    #expect(result.status == 0)
    #expect(result.objects.first?["status"] as? String == "pending")
    #expect(try sandbox.sqlite("SELECT count(*) FROM transfer") == "0")
  }

}
