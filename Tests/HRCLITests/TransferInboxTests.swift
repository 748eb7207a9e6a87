import Foundation
import HRLines
import Testing

@Suite("hr-transfer inbox and decided transfers, end to end")
struct TransferInboxTests {
  /// Three records of 解放碑 (500103001) asked for by 小龙坎 (500106001), one of 龙溪 (500112001)
  /// asked for by 七星岗 (500103002); the first of the three is confirmed.
  func scene() throws -> Sandbox {
    let sandbox = try Sandbox()
    let jfb = Sandbox.people(3, seed: 21, places: [.init(org: "500103001", district: "500103")])
    let lx = Sandbox.people(1, seed: 22, places: [.init(org: "500112001", district: "500112")])
    #expect(try sandbox.run("hr-create", stdin: jfb + lx).status == 0)
    let options = "--reason residence_change --consent-method signed_form --consent-ref ZQ-1"
    let requested = try sandbox.shell(
      "sqlite3 hr.sqlite \"SELECT json_object('record_no', record_no) FROM record WHERE managing_org = '500103001'\" | hr-transfer request --to 500106001 \(options)",
      operator: "doc-zhao")
    #expect(requested.status == 0, "\(requested.stderr)")
    let other = try sandbox.shell(
      "sqlite3 hr.sqlite \"SELECT json_object('record_no', record_no) FROM record WHERE managing_org = '500112001'\" | hr-transfer request --to 500103002 \(options)",
      operator: "doc-wang")
    #expect(other.status == 0, "\(other.stderr)")
    let first = try sandbox.shell("hr-transfer list | head -n 1 | hr-transfer confirm", operator: "admin-jfb")
    #expect(first.status == 0, "\(first.stderr)")
    return sandbox
  }

  @Test("--from-org and --to-org list one organisation's inbox and outbox, within the operator's reach")
  func inbox() throws {
    let sandbox = try scene()
    let count = { (options: String, op: String) in try sandbox.shell("hr-transfer list \(options)", operator: op).objects.count }
    #expect(try count("--to-org 500106001", "admin-jfb") == 3)
    #expect(try count("--from-org 500103001 --status pending", "admin-jfb") == 2)
    #expect(try count("--to-org 500103002", "admin-jfb") == 0)
    #expect(try count("--to-org 500103002", "admin-city") == 1)
    #expect(try count("--from-org 500112001 --to-org 500103002", "admin-city") == 1)
    #expect(try count("--from-org 500112001 --to-org 500106001", "admin-city") == 0)
    let unknown = try sandbox.shell("hr-transfer list --to-org 999", operator: "admin-city")
    #expect(unknown.status == 64)
    #expect(unknown.stderr == "hr-transfer: --to-org: unknown organisation '999'\n")
    // The inbox pipes into confirm.
    let confirmed = try sandbox.shell(
      "hr-transfer list --from-org 500103001 --status pending | hr-transfer confirm", operator: "admin-jfb")
    #expect(confirmed.status == 0, "\(confirmed.stderr)")
    #expect(confirmed.objects.count == 2)
  }

  @Test("A decided transfer piped into confirm or reject is not_pending for anyone, with no denied event")
  func decidedIsNotPending() throws {
    let sandbox = try scene()
    let deniedBefore = try sandbox.sqlite("SELECT count(*) FROM audit_event WHERE outcome = 'denied'")
    // 小龙坎 sees all three (it asked for them) but decides none of them.
    let result = try sandbox.shell("hr-transfer list | hr-transfer confirm", operator: "admin-xlk")
    #expect(result.status == 65)
    #expect(result.errorLines.filter { $0.contains(": not_pending: ") }.count == 1)
    #expect(result.errorLines.filter { $0.contains(": forbidden: ") }.count == 2)
    #expect(try sandbox.sqlite("SELECT count(*) FROM audit_event WHERE outcome = 'denied'") == String(Int(deniedBefore)! + 2))
    let rejected = try sandbox.shell(
      "hr-transfer list --status completed | hr-transfer reject --rejection-reason 'no such resident'", operator: "admin-xlk")
    #expect(rejected.status == 65)
    #expect(rejected.stdout.isEmpty)
    #expect(rejected.errorLines.filter { $0.contains(": not_pending: ") }.count == 1)
    #expect(try sandbox.sqlite("SELECT count(*) FROM audit_event WHERE outcome = 'denied'") == String(Int(deniedBefore)! + 2))
  }
}
