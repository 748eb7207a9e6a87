import Foundation
import Testing

/// Every tool that writes leaves each row as the digest its event recorded, so that a store
/// written by the tools alone always passes `hr-audit verify --state`.
@Suite("hr-audit verify --state after every writing tool")
struct AuditStateWorkflowTests {
  @Test func everyWritingToolLeavesEachRowAsItsEventSays() throws {
    let sandbox = try Sandbox()
    var people = Sandbox.people(4, places: [.init(org: "500103001", district: "500103")])
      .split(separator: "\n").map(String.init)
    people[2] = #"{"created_on":"2020-01-01","# + people[2].dropFirst()
    let created = try sandbox.run("hr-create", ["--quiet"], stdin: people.joined(separator: "\n") + "\n")
    try #require(created.status == 0, "\(created.stderr)")
    let r = created.objects.map { $0["record_no"] as? String ?? "" }

    let updates = [
      #"{"record_no":"\#(r[0])","set":{"phone":"13800000009"}}"#,
      #"{"record_no":"\#(r[0])","service":{"type":"hypertension_followup","date":"2026-11-26","summary":{"bp":"150/95"}}}"#,
      #"{"record_no":"\#(r[0])","tag":{"code":"diabetes"}}"#,
      #"{"record_no":"\#(r[0])","contract":{"doctor":"李医生","signed_on":"2026-11-26"}}"#,
      #"{"record_no":"\#(r[0])","contact":{"date":"2026-11-26","method":"phone"}}"#,
    ]
    let updated = try sandbox.run("hr-update", stdin: updates.joined(separator: "\n") + "\n", operator: "doc-li")
    #expect(updated.status == 0, "\(updated.stderr)")
    let amendment = #"{"service_id":1,"changes":{"summary":{"bp":"130/85"}},"reason":"血压录错","approved_by":"admin-jfb"}"#
    let amended = try sandbox.run("hr-update", ["amend"], stdin: amendment + "\n", operator: "doc-li")
    #expect(amended.status == 0, "\(amended.stderr)")

    let request =
      #"{"record_no":"\#(r[1])","to_org":"500106001","reason":"residence_change","consent":{"method":"signed_form","ref":"ZQ-1"}}"#
    let requested = try sandbox.run("hr-transfer", ["request"], stdin: request + "\n")
    #expect(requested.status == 0, "\(requested.stderr)")
    let confirmed = try sandbox.run("hr-transfer", ["confirm"], stdin: requested.stdout, operator: "admin-jfb")
    #expect(confirmed.status == 0, "\(confirmed.stderr)")

    let lost = try sandbox.run(
      "hr-archive", ["lost", "--evidence", "3 calls unanswered"], stdin: #"{"record_no":"\#(r[2])"}"# + "\n",
      operator: "admin-jfb")
    #expect(lost.status == 0, "\(lost.stderr)")
    let back = try sandbox.run(
      "hr-archive", ["reactivate", "--contact-date", "2026-11-26"], stdin: #"{"record_no":"\#(r[2])"}"# + "\n",
      operator: "admin-jfb")
    #expect(back.status == 0, "\(back.stderr)")

    let approved = try sandbox.run(
      "hr-export", ["approve"],
      stdin: #"{"ref":"CQ-1","grantee":"researcher-1","scope":"city","purpose":"慢病管理研究","expires":"2027-12-31"}"# + "\n")
    #expect(approved.status == 0, "\(approved.stderr)")
    let revoked = try sandbox.shell("hr-export approvals --state active | hr-export revoke --reason 研究终止")
    #expect(revoked.status == 0, "\(revoked.stderr)")

    let verify = try sandbox.run("hr-audit", ["verify", "--state"], operator: "auditor-1")
    #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
    #expect(verify.lines.count == 1)
    let state = AuditTests.object(verify.stdout)["state"] as? [String: Any] ?? [:]
    for key in ["changed", "deleted", "inserted", "not_covered"] { #expect(state[key] as? Int == 0, "\(key)") }
    // Every table the tools wrote has its rows covered.
    let covered = try sandbox.sqlite(
      "SELECT group_concat(DISTINCT substr(j.key, 1, instr(j.key, '/') - 1)) FROM (SELECT j.key FROM audit_event e, json_each(e.state) j ORDER BY 1) j"
    )
    for table in [
      "record", "identifier", "record_history", "service", "amendment", "tag", "contract", "contact", "transfer",
      "archive_event", "export_approval", "export_revocation",
    ] {
      #expect(covered.split(separator: ",").contains(Substring(table)), "\(table) in \(covered)")
    }

    // The same store with one tag ended by hand: named.
    _ = try sandbox.sqlite(
      "DROP TRIGGER tag_no_update; UPDATE tag SET ended = '2026-11-26' WHERE tag_id = (SELECT max(tag_id) FROM tag);")
    let tampered = try sandbox.run("hr-audit", ["verify", "--state"])
    #expect(tampered.status == 65)
    #expect(AuditTests.object(tampered.lines.first ?? "")["table"] as? String == "tag")
  }
}
