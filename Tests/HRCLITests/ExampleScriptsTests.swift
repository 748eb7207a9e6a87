import Foundation
import Testing

/// The scripts under examples/ that a district adapts, each run as it stands against a sandbox
/// store seeded by the tools, with its variables set from the environment.
@Suite("Example scripts, end to end")
struct ExampleScriptsTests {
  /// The repository's examples/ directory.
  static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("examples")

  /// The five residents of examples/people.csv with the phone the clerk fixes, as JSON Lines
  /// registered in June 2025, so that a year later they have had no contact for over a year.
  static let residents = [
    ("500103199209267050", "郑梓", "14724004921", "500103001001"),
    ("500103195010161971", "郭曦", "17966103481", "500103001002"),
    ("440304195706257489", "李梓", "19907068444", "500103001001"),
    ("500106202409285556", "刘飞海", "18609169630", "500103001003"),
    ("110105196805081152", "汤红", "17157813984", "500103001002"),
  ].map { id, name, phone, division in
    "{\"id_number\":\"\(id)\",\"name\":\"\(name)\",\"phone\":\"\(phone)\",\"division\":\"\(division)\","
      + "\"org\":\"500103001\",\"created_on\":\"2025-06-01\"}\n"
  }.joined()

  /// Runs an example script in the sandbox with `variables` set, the tools on PATH.
  static func script(_ name: String, in sandbox: Sandbox, operator id: String, _ variables: String = "") throws -> ToolResult {
    try sandbox.shell("\(variables) bash '\(examples.appendingPathComponent(name).path)'", operator: id)
  }

  /// A sandbox whose store holds the five residents of 解放碑.
  static func seeded() throws -> Sandbox {
    let sandbox = try Sandbox()
    let created = try sandbox.run("hr-create", ["--quiet"], stdin: residents)
    #expect(created.status == 0, "\(created.stderr)")
    #expect(created.lines.count == 5)
    return sandbox
  }

  @Test("Nightly load: the spreadsheet's rows become records, the refused go to the clerk, the fixed are fed back")
  func nightlyLoad() throws {
    let sandbox = try Sandbox()
    let csv = try String(contentsOf: Self.examples.appendingPathComponent("people.csv"), encoding: .utf8)
    try sandbox.write("people.csv", csv)
    let first = try Self.script(
      "nightly-load.sh", in: sandbox, operator: "doc-li", "INPUT=people.csv WORK=nightly")
    #expect(first.status == 0, "\(first.stderr)")
    #expect(first.stderr.hasSuffix("created: 4, to fix: 1, already registered: 1\n"), "\(first.stderr)")
    #expect(try sandbox.sqlite("SELECT count(*) FROM record") == "4")
    let toFix = try sandbox.read("nightly/to-fix.jsonl")
    #expect(toFix.contains("\"row\":4,\"code\":\"invalid_value\""))
    let existing = try sandbox.read("nightly/existing.jsonl")
    #expect(existing.contains("\"row\":7"))
    // The clerk corrects the phone number of row 4 and leaves it for the next night.
    let fixed = try sandbox.shell("jq -c '.input | .phone = \"19907068444\"' nightly/to-fix.jsonl > nightly/fixed.jsonl")
    #expect(fixed.status == 0)
    try sandbox.write("tonight.csv", "id_number,name,phone,current_address,division,org\n")
    let second = try Self.script(
      "nightly-load.sh", in: sandbox, operator: "doc-li", "INPUT=tonight.csv WORK=nightly")
    #expect(second.status == 0, "\(second.stderr)")
    #expect(second.stderr.hasSuffix("created: 1, to fix: 0, already registered: 0\n"), "\(second.stderr)")
    #expect(
      try sandbox.sqlite("SELECT phone FROM record r JOIN identifier i USING (record_no) WHERE i.value = '440304195706257489'")
        == "19907068444")
    #expect(try sandbox.sqlite("SELECT count(*) FROM record") == "5")
    #expect(!FileManager.default.fileExists(atPath: sandbox.directory.appendingPathComponent("nightly/fixed.jsonl").path))
  }

  @Test("Weekly sweep: candidates become a call list; those reached get the contact, the others are archived as lost")
  func weeklySweep() throws {
    let sandbox = try Self.seeded()
    let listed = try Self.script("weekly-lost-sweep.sh", in: sandbox, operator: "admin-jfb", "WORK=sweep")
    #expect(listed.status == 0, "\(listed.stderr)")
    let calls = try sandbox.read("sweep/call-list.csv").split(separator: "\n").map(String.init)
    #expect(calls.count == 6)
    #expect(calls.first == "\"record_no\",\"reached\",\"name\",\"phone\",\"last_contact\",\"days_since\"")
    #expect(calls.dropFirst().allSatisfy { $0.contains(",\"\",") && $0.contains("\"500103001") })
    // The callers reach the first two and no one else, and save from a spreadsheet (CRLF).
    let filled = calls.enumerated().map { index, line in
      index == 0 ? line : line.replacingOccurrences(of: ",\"\",", with: index <= 2 ? ",\"yes\"," : ",\"no\",")
    }
    try sandbox.write("sweep/call-list.csv", filled.joined(separator: "\r\n") + "\r\n")
    let applied = try Self.script("weekly-lost-sweep.sh", in: sandbox, operator: "admin-jfb", "WORK=sweep")
    #expect(applied.status == 0, "\(applied.stderr)")
    #expect(applied.stderr.hasSuffix("reached: 2, archived as lost: 3\n"), "\(applied.stderr)")
    #expect(try sandbox.sqlite("SELECT count(*) FROM record WHERE status = 'archived' AND archive_reason = 'lost'") == "3")
    #expect(try sandbox.sqlite("SELECT count(*) FROM record WHERE status = 'active' AND last_contact = '2026-11-26'") == "2")
    #expect(try sandbox.run("hr-archive", ["candidates"], operator: "admin-jfb").lines.isEmpty)
  }

  @Test("Daily inbox: pending requests are confirmed, those on the hold list rejected with their reason")
  func dailyInbox() throws {
    let sandbox = try Self.seeded()
    let requested = try sandbox.shell(
      "hr-export roster --operator admin-jfb | sed -n 1,3p | hr-transfer request --operator doc-zhao --to 500106001 "
        + "--reason residence_change --consent-method sms_phone --consent-ref SMS-1 > requested.jsonl")
    #expect(requested.status == 0, "\(requested.stderr)")
    let held = try sandbox.shell(
      "mkdir -p inbox && sed -n 1p requested.jsonl | jq -c '{record_no, rejection_reason: \"居民仍在本社区居住\"}' > inbox/hold.jsonl")
    #expect(held.status == 0)
    let result = try Self.script("daily-transfer-inbox.sh", in: sandbox, operator: "admin-jfb", "WORK=inbox")
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stderr.hasSuffix("confirmed: 2, rejected: 1\n"), "\(result.stderr)")
    #expect(try sandbox.sqlite("SELECT count(*) FROM record WHERE managing_org = '500106001'") == "2")
    #expect(
      try sandbox.sqlite("SELECT status, count(*) FROM transfer GROUP BY status ORDER BY status") == "completed|2\nrejected|1")
    #expect(try sandbox.run("hr-transfer", ["list", "--status", "pending"], operator: "admin-jfb").lines.isEmpty)
  }

  @Test("Monthly report: the district's indicators per centre as HTML, CSV and a summary")
  func monthlyReport() throws {
    let sandbox = try Self.seeded()
    let result = try Self.script(
      "monthly-report.sh", in: sandbox, operator: "admin-yz", "WORK=reports YEAR=2026 MONTH=2026-11")
    #expect(result.status == 0, "\(result.stderr)")
    let html = try sandbox.read("reports/indicators-2026-11.html")
    #expect(html.contains("<html") && html.contains("解放碑社区卫生服务中心"))
    let csv = try sandbox.read("reports/indicators-2026-11.csv").split(separator: "\n")
    #expect(csv.count == 3)
    #expect(
      try sandbox.read("reports/summary-2026-11.txt").split(separator: "\n").first
        == "500103001 解放碑社区卫生服务中心: 5 records under management, usage rate 0, transfers overdue 0")
  }
}
