import Foundation
import HRCore
import Testing

/// A store built through the tools themselves, event by event on chosen dates, whose indicators
/// were worked out by hand: see `MetricsTests.expected`.
final class MetricsStore: @unchecked Sendable {
  let sandbox: Sandbox
  /// Record numbers by the names the scenario gives the residents (P1 … P16).
  private(set) var records: [String: String] = [:]

  /// Three organisations in two districts; every district of the city has a population, so the
  /// city's filing rate is defined: 40 + 20 + 36 × 1 = 96.
  static let configuration: String = {
    var yaml = "training: true\ndistricts:\n"
    for (code, name) in ChongqingDistricts.all {
      let population = code == "500103" ? 40 : code == "500106" ? 20 : 1
      yaml += "  \"\(code)\": {name: \(name), population: \(population)}\n"
    }
    yaml += """
      orgs:
        "500103001": {name: 解放碑社区卫生服务中心, district: "500103"}
        "500103002": {name: 七星岗社区卫生服务中心, district: "500103"}
        "500106001": {name: 小龙坎社区卫生服务中心, district: "500106"}
      operators:
        doc-a:    {name: 李医生, org: "500103001", role: clinician}
        admin-a:  {name: 解放碑中心管理员, org: "500103001", role: org_admin}
        admin-b:  {name: 七星岗中心管理员, org: "500103002", role: org_admin}
        doc-c:    {name: 赵医生, org: "500106001", role: clinician}
        admin-c:  {name: 小龙坎中心管理员, org: "500106001", role: org_admin}
        admin-yz: {name: 渝中区管理员, district: "500103", role: district_admin}
        admin-city: {name: 市卫生健康委管理员, role: city_admin}
        auditor-1: {name: 审计员, role: auditor}
        researcher-1: {name: 研究员, role: researcher}
      services:
        elderly_exam: {free_per_year: 1, min_age: 65}

      """
    return yaml
  }()

  /// A valid 18-digit ID number (GB 11643) of someone born on `birth` in 渝中区.
  static func idNumber(birth: String, serial: Int) -> String {
    let body = "500103" + birth.replacingOccurrences(of: "-", with: "") + String(format: "%03d", serial)
    let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    let sum = zip(body, weights).reduce(0) { $0 + Int(String($1.0))! * $1.1 }
    return body + String(Array("10X98765432")[sum % 11])
  }

  /// One resident as `hr-create` input.
  static func person(_ serial: Int, birth: String, org: String, created: String, phone: Bool = true) -> String {
    let division = String(org.prefix(6)) + "001001"
    var line =
      #"{"id_number":"\#(idNumber(birth: birth, serial: serial))","name":"居民\#(serial)","division":"\#(division)","org":"\#(org)","#
    if phone { line += #""phone":"1390000\#(String(format: "%04d", serial))","# }
    line += #""current_address":"重庆市民族路\#(serial)号","registered_address":"重庆市民族路\#(serial)号","#
    line += #""responsible_doctor":"家庭医生团队1","created_on":"\#(created)"}"# + "\n"
    return line
  }

  init() throws {
    sandbox = try Sandbox(configuration: Self.configuration)
    // Held by a static for the whole run, so never deinitialised.
    Sandbox.removeAtExit(sandbox.directory.path)
    try build()
  }

  /// Runs a tool on `today` and requires its exit status.
  @discardableResult
  func step(
    _ tool: String, _ arguments: [String] = [], _ stdin: String = "", as operatorID: String = "admin-city", on today: String,
    status: Int32 = 0
  ) throws -> ToolResult {
    let result = try sandbox.run(tool, arguments, stdin: stdin, operator: operatorID, today: today)
    try #require(result.status == status, "\(tool) \(arguments) on \(today): \(result.stderr)")
    return result
  }

  func no(_ name: String) -> String { records[name] ?? "?" }

  /// A line naming a record, with one more field.
  func line(_ name: String, _ key: String, _ value: String) -> String {
    #"{"record_no":"\#(no(name))","\#(key)":\#(value)}"# + "\n"
  }

  func service(_ name: String, _ date: String, type: String = "consultation", free: Bool = false) -> String {
    line(name, "service", #"{"type":"\#(type)","date":"\#(date)","free":\#(free),"summary":{}}"#)
  }

  func transfer(_ name: String, to org: String) -> String {
    line(name, "to_org", #""\#(org)","reason":"residence_change","consent":{"method":"signed_form","ref":"QZ-1"}"#)
  }

  private func build() throws {
    let a = "500103001", b = "500103002", c = "500106001"
    // P1 … P14 and P16 exist from 2024 (P5 and P8 from 2023); P15 is created in 2026.
    let people: [(String, String, String, String, Bool)] = [
      ("P1", "1980-01-01", a, "2024-06-01", true), ("P2", "1950-05-05", a, "2024-06-01", true),
      ("P3", "1981-02-02", a, "2024-06-01", false), ("P4", "2022-03-03", a, "2024-06-01", true),
      ("P5", "1982-04-04", a, "2023-01-01", true), ("P6", "1960-06-06", a, "2024-06-01", true),
      ("P7", "1961-07-07", a, "2024-06-01", true), ("P8", "1983-08-08", b, "2023-01-01", true),
      ("P9", "1984-09-09", a, "2024-06-01", true), ("P10", "1985-10-10", a, "2024-06-01", true),
      ("P11", "1986-11-11", a, "2024-06-01", true), ("P12", "1987-12-12", a, "2024-06-01", true),
      ("P13", "1988-01-13", a, "2024-06-01", true), ("P14", "1989-02-14", a, "2024-06-01", true),
      ("P16", "1990-03-16", c, "2024-06-01", true),
    ]
    var input = ""
    for (serial, person) in people.enumerated() {
      input += Self.person(serial + 1, birth: person.1, org: person.2, created: person.3, phone: person.4)
    }
    let created = try step("hr-create", [], input, on: "2025-01-10")
    for (person, object) in zip(people, created.objects) { records[person.0] = object["record_no"] as? String }
    try #require(records.count == people.count)

    try step("hr-update", [], line("P1", "contract", #"{"doctor":"李医生","signed_on":"2025-01-15"}"#), on: "2025-01-15")
    try step(
      "hr-update", [], line("P1", "tag", #"{"code":"hypertension","source":"门诊诊断","since":"2025-02-01"}"#), on: "2025-02-01")
    try step("hr-update", [], service("P6", "2025-02-01"), as: "doc-a", on: "2025-02-01")
    // P9 leaves for 七星岗, answered within the 7 days.
    let p9 = try step("hr-transfer", ["request"], transfer("P9", to: b), as: "doc-a", on: "2025-03-01")
    try step("hr-transfer", ["confirm"], p9.stdout, as: "admin-a", on: "2025-03-05")
    try step("hr-update", [], service("P1", "2025-03-10"), as: "doc-a", on: "2025-03-12")
    try step("hr-update", [], line("P3", "tag", #"{"code":"diabetes","source":"门诊诊断","since":"2025-05-01"}"#), on: "2025-05-01")
    try step(
      "hr-archive", ["lost", "--evidence", "电话、上门均联系不到"], #"{"record_no":"\#(no("P5"))"}"# + "\n", as: "admin-a", on: "2025-06-01"
    )
    try step("hr-update", [], service("P2", "2025-06-01", type: "elderly_exam", free: true), as: "doc-a", on: "2025-06-01")
    // Entered 11 days after: late.
    try step("hr-update", [], service("P1", "2025-06-20"), as: "doc-a", on: "2025-07-01")
    try step("hr-update", [], service("P16", "2025-07-07"), as: "doc-c", on: "2025-07-07")
    try step(
      "hr-archive", ["deceased", "--death-date", "2025-08-01", "--death-cause", "心肌梗死", "--reported-on", "2025-08-05"],
      #"{"record_no":"\#(no("P6"))"}"# + "\n", as: "admin-a", on: "2025-08-10")
    try step("hr-update", [], line("P3", "contract", #"{"doctor":"李医生","signed_on":"2025-09-01"}"#), on: "2025-09-01")
    // 小龙坎 tries a second free elderly exam for P2 in 2025: refused, already_served.
    let refused = try step(
      "hr-update", [], service("P2", "2025-09-01", type: "elderly_exam", free: true), as: "doc-c", on: "2025-09-01", status: 65)
    #expect(refused.stderr.contains("already_served"))
    try step(
      "hr-archive", ["deceased", "--death-date", "2025-10-01", "--death-cause", "肺癌", "--reported-on", "2025-10-02"],
      #"{"record_no":"\#(no("P7"))"}"# + "\n", as: "admin-a", on: "2025-10-05")
    // P10 leaves for 小龙坎, confirmed 12 days after the due day.
    let p10 = try step("hr-transfer", ["request"], transfer("P10", to: c), as: "doc-a", on: "2025-11-01")
    try step("hr-transfer", ["confirm"], p10.stdout, as: "admin-a", on: "2025-11-20")
    try step("hr-update", [], line("P16", "contact", #"{"date":"2025-12-01","method":"phone"}"#), as: "doc-c", on: "2025-12-01")
    // P11 is asked for on 20 December and still unanswered on 31 December: overdue in 2025.
    let p11 = try step("hr-transfer", ["request"], transfer("P11", to: c), as: "doc-a", on: "2025-12-20")
    try step("hr-transfer", ["confirm"], p11.stdout, as: "admin-a", on: "2026-01-05")
    // A service of 28 December 2025 entered late, then its date corrected to 2 January 2026.
    let p4 = try step("hr-update", [], service("P4", "2025-12-28", type: "child_health"), as: "doc-a", on: "2026-01-06")
    let serviceID = try #require(p4.objects.first?["service_id"] as? Int)
    try step(
      "hr-update", ["amend"],
      #"{"service_id":\#(serviceID),"changes":{"date":"2026-01-02"},"reason":"日期录错","approved_by":"admin-a"}"# + "\n",
      as: "doc-a", on: "2026-01-07")
    try step(
      "hr-archive", ["moved-out", "--left-on", "2024-12-01", "--evidence", "家属电话告知"], #"{"record_no":"\#(no("P8"))"}"# + "\n",
      as: "admin-b", on: "2026-01-10")
    try step("hr-update", [], line("P3", "tag", #"{"code":"diabetes","ended":"2026-02-01"}"#), on: "2026-02-01")
    // An off-site service: 小龙坎 serves P2, managed by 解放碑.
    try step("hr-update", [], service("P2", "2026-02-02"), as: "doc-c", on: "2026-02-02")
    let p15 = try step("hr-create", [], Self.person(16, birth: "1991-04-15", org: a, created: "2026-03-01"), on: "2026-03-01")
    records["P15"] = p15.objects.first?["record_no"] as? String
    let p13 = try step("hr-transfer", ["request"], transfer("P13", to: b), as: "doc-a", on: "2026-04-01")
    try step("hr-transfer", ["reject", "--rejection-reason", "居民未到场确认"], p13.stdout, as: "admin-a", on: "2026-04-03")
    try step("hr-update", [], service("P1", "2026-05-01"), as: "doc-a", on: "2026-05-20")
    try step("hr-update", [], line("P1", "contact", #"{"date":"2026-09-01","method":"phone"}"#), as: "doc-a", on: "2026-09-01")
    try step("hr-transfer", ["request"], transfer("P12", to: b), as: "doc-a", on: "2026-11-10")
    try step("hr-transfer", ["request"], transfer("P14", to: b), as: "doc-a", on: "2026-11-24")
  }
}

/// A printed line in one short form, so that a whole unit is checked against one hand-written string.
func summary(_ line: [String: Any]) -> String {
  func rate(_ key: String) -> String {
    guard let rate = line[key] as? [String: Any], let num = rate["num"] as? Int, let den = rate["den"] as? Int else { return "-" }
    let value = rate["value"] as? Double
    // The value is the fraction to four decimals, null without a denominator.
    #expect(den == 0 ? value == nil : value == (Double(num) / Double(den) * 10_000).rounded() / 10_000)
    return "\(num)/\(den)"
  }
  let archived = line["records_archived"] as? [String: Int] ?? [:]
  let transfers = line["transfers"] as? [String: Int] ?? [:]
  let key = line["key_populations"] as? [String: Int] ?? [:]
  return [
    "active=\(line["records_active"] as? Int ?? -1)", "lost=\(archived["lost"] ?? -1)", "deceased=\(archived["deceased"] ?? -1)",
    "moved_out=\(archived["moved_out"] ?? -1)", "filing=\(rate("filing_rate"))", "usage=\(rate("usage_rate"))",
    "complete=\(rate("completeness_rate"))", "timely=\(rate("timely_entry_rate"))",
    "transfers=\(["requested", "completed", "rejected", "pending", "overdue"].map { String(transfers[$0] ?? -1) }.joined(separator: ","))",
    "response=\(rate("transfer_response_timely_rate"))", "off_site=\(line["off_site_services"] as? Int ?? -1)",
    "refused=\(line["off_site_refused"] as? Int ?? -1)",
    "key=\(MetricsTally.keyPopulations.map { String(key[$0] ?? -1) }.joined(separator: ","))",
    "deceased_served=\(line["deceased_with_service_in_year"] as? Int ?? -1)", "signed=\(rate("signed_contact_timely_rate"))",
  ].joined(separator: " ")
}

struct Expectation: Sendable, CustomTestStringConvertible {
  let year: Int
  let arguments: [String]
  let lines: [String: String]
  var testDescription: String { "\(year) \(arguments.joined(separator: " "))" }
}

@Suite("hr-metrics end to end", .serialized)
struct MetricsTests {
  static let store = Result { try MetricsStore() }

  /// Worked out by hand from the events of `MetricsStore`, as of 31 December 2025 and of 26 November 2026.
  /// key = elderly, child_0_6, maternal, hypertension, diabetes, severe_mental_disorder, tuberculosis.
  static let expected: [Expectation] = [
    Expectation(
      year: 2025, arguments: ["--by", "org"],
      lines: [
        "500103001":
          "active=8 lost=1 deceased=2 moved_out=0 filing=- usage=2/8 complete=7/8 timely=3/4 transfers=3,2,0,1,1 response=1/3 off_site=0 refused=0 key=1,1,0,1,1,0,0 deceased_served=1 signed=1/2",
        "500103002":
          "active=2 lost=0 deceased=0 moved_out=0 filing=- usage=0/2 complete=2/2 timely=0/0 transfers=0,0,0,0,0 response=0/0 off_site=0 refused=0 key=0,0,0,0,0,0,0 deceased_served=0 signed=0/0",
        "500106001":
          "active=2 lost=0 deceased=0 moved_out=0 filing=- usage=1/2 complete=2/2 timely=1/1 transfers=0,0,0,0,0 response=0/0 off_site=0 refused=1 key=0,0,0,0,0,0,0 deceased_served=0 signed=0/0",
      ]),
    Expectation(
      year: 2025, arguments: ["--by", "district"],
      lines: [
        "500103":
          "active=10 lost=1 deceased=2 moved_out=0 filing=10/40 usage=2/10 complete=9/10 timely=3/4 transfers=3,2,0,1,1 response=1/3 off_site=0 refused=0 key=1,1,0,1,1,0,0 deceased_served=1 signed=1/2",
        "500106":
          "active=2 lost=0 deceased=0 moved_out=0 filing=2/20 usage=1/2 complete=2/2 timely=1/1 transfers=0,0,0,0,0 response=0/0 off_site=0 refused=1 key=0,0,0,0,0,0,0 deceased_served=0 signed=0/0",
      ]),
    Expectation(
      year: 2025, arguments: ["--by", "city"],
      lines: [
        "city":
          "active=12 lost=1 deceased=2 moved_out=0 filing=12/96 usage=3/12 complete=11/12 timely=4/5 transfers=3,2,0,1,1 response=1/3 off_site=0 refused=1 key=1,1,0,1,1,0,0 deceased_served=1 signed=1/2"
      ]),
    Expectation(
      year: 2026, arguments: ["--by", "org"],
      lines: [
        "500103001":
          "active=8 lost=1 deceased=2 moved_out=0 filing=- usage=3/8 complete=7/8 timely=0/2 transfers=3,1,1,2,1 response=1/3 off_site=0 refused=0 key=1,1,0,1,0,0,0 deceased_served=0 signed=1/2",
        "500103002":
          "active=1 lost=0 deceased=0 moved_out=1 filing=- usage=0/1 complete=1/1 timely=0/0 transfers=0,0,0,0,0 response=0/0 off_site=0 refused=0 key=0,0,0,0,0,0,0 deceased_served=0 signed=0/0",
        "500106001":
          "active=3 lost=0 deceased=0 moved_out=0 filing=- usage=1/3 complete=3/3 timely=1/1 transfers=0,0,0,0,0 response=0/0 off_site=1 refused=0 key=0,0,0,0,0,0,0 deceased_served=0 signed=0/0",
      ]),
    Expectation(
      year: 2026, arguments: ["--by", "district"],
      lines: [
        "500103":
          "active=9 lost=1 deceased=2 moved_out=1 filing=9/40 usage=3/9 complete=8/9 timely=0/2 transfers=3,1,1,2,1 response=1/3 off_site=0 refused=0 key=1,1,0,1,0,0,0 deceased_served=0 signed=1/2",
        "500106":
          "active=3 lost=0 deceased=0 moved_out=0 filing=3/20 usage=1/3 complete=3/3 timely=1/1 transfers=0,0,0,0,0 response=0/0 off_site=1 refused=0 key=0,0,0,0,0,0,0 deceased_served=0 signed=0/0",
      ]),
    Expectation(
      year: 2026, arguments: ["--by", "city"],
      lines: [
        "city":
          "active=12 lost=1 deceased=2 moved_out=1 filing=12/96 usage=4/12 complete=11/12 timely=1/3 transfers=3,1,1,2,1 response=1/3 off_site=1 refused=0 key=1,1,0,1,0,0,0 deceased_served=0 signed=1/2"
      ]),
  ]

  @Test("Every indicator matches the figures worked out by hand", arguments: expected)
  func indicators(expectation: Expectation) throws {
    let built = try Self.store.get()
    let result = try built.sandbox.run(
      "hr-metrics", expectation.arguments + ["--year", "\(expectation.year)"], operator: "admin-city", today: "2026-11-26")
    #expect(result.status == 0, "\(result.stderr)")
    let asOf = expectation.year == 2025 ? "2025-12-31" : "2026-11-26"
    var seen: [String: String] = [:]
    for line in result.objects {
      #expect(line["year"] as? Int == expectation.year)
      #expect(line["as_of"] as? String == asOf)
      seen[line["code"] as? String ?? "?"] = summary(line)
    }
    #expect(seen == expectation.lines)
  }

  @Test("Each role evaluates its own reach; a wider unit is refused and audited")
  func rolesReachTheirOwnUnits() throws {
    let built = try Self.store.get()
    let sandbox = built.sandbox
    let clinician = try sandbox.run("hr-metrics", ["--year", "2025"], operator: "doc-a", today: "2026-11-26")
    #expect(clinician.status == 0, "\(clinician.stderr)")
    #expect(clinician.objects.map { $0["code"] as? String } == ["500103001"])
    #expect(clinician.objects.first.map(summary) == Self.expected[0].lines["500103001"])

    let district = try sandbox.run(
      "hr-metrics", ["--by", "district", "--year", "2025"], operator: "admin-yz", today: "2026-11-26")
    #expect(district.status == 0, "\(district.stderr)")
    #expect(district.objects.map { $0["code"] as? String } == ["500103"])
    // Limited to the district, every figure is still the district's own, services and refusals included.
    #expect(district.objects.first.map(summary) == Self.expected[1].lines["500103"])
    let other = try sandbox.run(
      "hr-metrics", ["--district", "500106", "--by", "district", "--year", "2025"], operator: "admin-city", today: "2026-11-26")
    #expect(other.objects.first.map(summary) == Self.expected[1].lines["500106"])
    let districtOrgs = try sandbox.run("hr-metrics", [], operator: "admin-yz", today: "2026-11-26")
    #expect(districtOrgs.objects.map { $0["code"] as? String } == ["500103001", "500103002"])

    let auditor = try sandbox.run("hr-metrics", ["--by", "city", "--year", "2025"], operator: "auditor-1", today: "2026-11-26")
    #expect(auditor.objects.first.map(summary) == Self.expected[2].lines["city"])

    let before = try sandbox.sqlite("SELECT count(*) FROM audit_event WHERE action = 'metrics.report' AND outcome = 'denied'")
    for (operatorID, arguments) in [
      ("doc-a", ["--org", "500106001"]), ("doc-a", ["--by", "district"]), ("admin-yz", ["--by", "city"]),
      ("admin-yz", ["--district", "500106"]), ("admin-b", ["--district", "500106"]),
    ] {
      let refused = try sandbox.run("hr-metrics", arguments, operator: operatorID, today: "2026-11-26")
      #expect(refused.status == 77, "\(operatorID) \(arguments)")
      #expect(refused.stdout.isEmpty)
      #expect(refused.stderr.hasPrefix("hr-metrics: operator '\(operatorID)' "), "\(refused.stderr)")
      #expect(refused.stderr.contains(" may not run hr-metrics \(arguments.joined(separator: " "))"), "\(refused.stderr)")
    }
    // An organisation administrator asking for their own district sees their organisation.
    let ownDistrict = try sandbox.run("hr-metrics", ["--district", "500103"], operator: "admin-b", today: "2026-11-26")
    #expect(ownDistrict.objects.map { $0["code"] as? String } == ["500103002"])
    let after = try sandbox.sqlite("SELECT count(*) FROM audit_event WHERE action = 'metrics.report' AND outcome = 'denied'")
    #expect(Int(after) == (Int(before) ?? 0) + 5)
    let researcher = try sandbox.run("hr-metrics", [], operator: "researcher-1", today: "2026-11-26")
    #expect(researcher.status == 77)

    // The run's own event carries the filter and the count of units.
    let run = try sandbox.run(
      "hr-metrics", ["--district", "500103", "--year", "2025"], operator: "admin-yz", today: "2026-11-26")
    #expect(run.status == 0)
    #expect(
      try sandbox.sqlite(
        "SELECT json_remove(detail, '$.today') FROM audit_event WHERE action = 'metrics.report' AND outcome = 'ok' ORDER BY seq DESC LIMIT 1"
      )
        == #"{"as_of":"2025-12-31","by":"org","district":"500103","units":2,"year":2025}"#)
  }

  @Test("Usage errors: a unit wider than the area asked for, a year not begun, a missing store")
  func usageErrors() throws {
    let built = try Self.store.get()
    let sandbox = built.sandbox
    let wider = try sandbox.run("hr-metrics", ["--org", "500103001", "--by", "district"], today: "2026-11-26")
    #expect(wider.status == 64)
    #expect(wider.stderr == "hr-metrics: --by district is wider than organisation '500103001': use a narrower --by\n")
    let future = try sandbox.run("hr-metrics", ["--year", "2027"], today: "2026-11-26")
    #expect(future.status == 64)
    #expect(future.stderr.contains("year '2027' has not begun on 2026-11-26"))
    let unknown = try sandbox.run("hr-metrics", ["--org", "999"], today: "2026-11-26")
    #expect(unknown.status == 64)
    #expect(unknown.stderr.contains("unknown organisation '999'"))
    let missing = try sandbox.run("hr-metrics", ["--store", sandbox.directory.appendingPathComponent("none.sqlite").path])
    #expect(missing.status == 66)
    #expect(!FileManager.default.fileExists(atPath: sandbox.directory.appendingPathComponent("none.sqlite").path))
  }

  @Test("CSV flattens each rate to value, numerator and denominator, with the same numbers as the JSON lines")
  func csvCarriesTheNumbers() throws {
    let sandbox = try Self.store.get().sandbox
    let jsonl = try sandbox.run("hr-metrics", ["--by", "district", "--year", "2025"], today: "2026-11-26")
    let csv = try sandbox.run("hr-metrics", ["--by", "district", "--year", "2025", "--format", "csv"], today: "2026-11-26")
    #expect(csv.status == 0, "\(csv.stderr)")
    let rows = csv.lines.map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    try #require(rows.count == 3)
    let header = rows[0]
    #expect(header.prefix(7) == ["unit", "code", "name", "year", "as_of", "records_active", "records_archived_lost"])
    #expect(header.contains("usage_rate") && header.contains("usage_rate_num") && header.contains("usage_rate_den"))
    #expect(header.contains("transfers_overdue") && header.contains("key_elderly"))
    for (row, line) in zip(rows.dropFirst(), jsonl.objects) {
      let cell = { (key: String) in row[header.firstIndex(of: key) ?? 0] }
      #expect(cell("code") == line["code"] as? String)
      let usage = line["usage_rate"] as? [String: Any]
      #expect(cell("usage_rate_num") == "\(usage?["num"] as? Int ?? -1)")
      #expect(cell("usage_rate_den") == "\(usage?["den"] as? Int ?? -1)")
      #expect(Double(cell("usage_rate")) == usage?["value"] as? Double)
      #expect(cell("filing_rate_den") == "\((line["filing_rate"] as? [String: Any])?["den"] as? Int ?? -1)")
      #expect(cell("transfers_overdue") == "\((line["transfers"] as? [String: Int])?["overdue"] ?? -1)")
    }
    // A rate with nothing to count is an empty value cell beside its zeros.
    #expect(rows[2][header.firstIndex(of: "signed_contact_timely_rate") ?? 0] == "")
    #expect(rows[2][header.firstIndex(of: "signed_contact_timely_rate_den") ?? 0] == "0")
  }

  @Test("The table has Chinese headings with the codes and rates as percentages with num/den")
  func tableForPeople() throws {
    let sandbox = try Self.store.get().sandbox
    let table = try sandbox.run("hr-metrics", ["--by", "district", "--year", "2025", "--format", "table"], today: "2026-11-26")
    #expect(table.status == 0, "\(table.stderr)")
    try #require(table.lines.count == 3)
    #expect(table.lines[0].hasPrefix("单位 unit"))
    #expect(table.lines[0].contains("使用率 usage_rate"))
    #expect(table.lines[0].contains("建档率 filing_rate"))
    #expect(table.lines[1].contains("20.0% (2/10)"))
    #expect(table.lines[1].contains("25.0% (10/40)"))
    #expect(table.lines[1].contains("33.3% (1/3)"))
    #expect(table.lines[2].contains("- (0/0)"))
    // Aligned by display width: each column starts at the same terminal column on every line.
    let starts = table.lines.map { line -> Int in
      let marker = line.range(of: "2025-12-31") ?? line.range(of: "截至")
      return marker.map { displayWidth(String(line[..<$0.lowerBound])) } ?? -1
    }
    #expect(Set(starts).count == 1, "\(starts)")
  }

  @Test("The html report is well-formed, self-contained, and carries the same numbers as the JSON lines")
  func htmlReport() throws {
    let sandbox = try Self.store.get().sandbox
    let jsonl = try sandbox.run("hr-metrics", ["--by", "org", "--year", "2026"], today: "2026-11-26")
    let html = try sandbox.shell("hr-metrics --by org --year 2026 --format html > report.html", today: "2026-11-26")
    #expect(html.status == 0, "\(html.stderr)")
    let page = try sandbox.read("report.html")
    #expect(page.hasPrefix("<!DOCTYPE html>"))
    #expect(page.contains("@page { size: A4"))
    #expect(!page.contains("src=") && !page.contains("href=") && !page.contains("<script") && !page.contains("@import"))
    // One chart per rate: filing, usage, completeness, timely entry, transfer response, signed contact.
    #expect(page.components(separatedBy: "<svg ").count - 1 == 6)
    // An XML parser reads the page, and every cell of the table is the JSON line's value.
    let check = """
      import json, sys, xml.etree.ElementTree as ET
      ns = {"h": "http://www.w3.org/1999/xhtml"}
      root = ET.parse("report.html").getroot()
      for row in root.find("h:body/h:table/h:tbody", ns).findall("h:tr", ns):
          print(json.dumps({td.get("data-key"): "".join(td.itertext()) for td in row.findall("h:td", ns)}, ensure_ascii=False))
      print(root.find(".//h:span[@id='as-of']", ns).text)
      """
    try sandbox.write("check.py", check)
    let parsed = try sandbox.shell("python3 check.py")
    #expect(parsed.status == 0, "\(parsed.stderr)")
    let cells = parsed.lines.dropLast().compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: String] }
    #expect(parsed.lines.last == "2026-11-26")
    try #require(cells.count == jsonl.objects.count && cells.count == 3)
    for (row, line) in zip(cells, jsonl.objects) {
      #expect(row["code"] == line["code"] as? String)
      #expect(row["records_active"] == "\(line["records_active"] as? Int ?? -1)")
      for key in [
        "usage_rate", "completeness_rate", "timely_entry_rate", "transfer_response_timely_rate", "signed_contact_timely_rate",
      ] {
        let rate = line[key] as? [String: Any]
        let num = rate?["num"] as? Int ?? -1
        let den = rate?["den"] as? Int ?? -1
        #expect(row[key]?.hasSuffix("(\(num)/\(den))") == true, "\(key): \(row[key] ?? "")")
      }
      #expect(row["filing_rate"] == "-")
      #expect(row["transfers_overdue"] == "\((line["transfers"] as? [String: Int])?["overdue"] ?? -1)")
    }
  }
}

/// Columns a text takes in a terminal: Chinese characters take two.
func displayWidth(_ text: String) -> Int {
  text.unicodeScalars.reduce(0) { $0 + ($1.value >= 0x2E80 && $1.value <= 0xFFE6 ? 2 : 1) }
}
