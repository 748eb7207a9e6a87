import Foundation
import HRCore
import HRFixtures
import HRLines
import Testing

/// A sandbox whose configuration points at a pseudonym key file, with a population built through
/// the tools: generated residents, hand-made subjects for a transfer and an identifier upgrade, tags
/// and services, and an approval granted to researcher-1 over the city.
final class ResearchSandbox {
  let sandbox: Sandbox
  let keyPath: String
  static let keyText = "example-pseudonym-key-for-the-tests-0123456789"
  /// Every direct identifier given to hr-create or hr-update, and every record number it printed.
  var identifiers: Set<String> = []
  var transferred = ""
  var upgraded = ""

  static func configuration(k: Int, l: Int?, keyPath: String) -> String {
    Sandbox.exampleConfiguration
      .replacingOccurrences(
        of: "  researcher-1: {name: 研究员, role: researcher}",
        with: "  researcher-1: {name: 研究员, role: researcher}\n  researcher-2: {name: 研究员乙, role: researcher}"
      )
      .replacingOccurrences(
        of: "export:\n  k: 5\n  age_band_years: 5",
        with: "export:\n  k: \(k)\n" + (l.map { "  l: \($0)\n" } ?? "") + "  age_band_years: 5\n  pseudonym_key_file: \(keyPath)")
  }

  init(k: Int = 2, l: Int? = nil) throws {
    let placeholder = try Sandbox()
    keyPath = placeholder.directory.appendingPathComponent("pseudonym.key").path
    sandbox = placeholder
    try sandbox.write("hr.yaml", Self.configuration(k: k, l: l, keyPath: keyPath))
    try Self.keyText.write(toFile: keyPath, atomically: false, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: keyPath)
  }

  /// Reconfigures `k` and `l` on the same store and key.
  func configure(k: Int, l: Int?) throws {
    try sandbox.write("hr.yaml", Self.configuration(k: k, l: l, keyPath: keyPath))
  }

  /// Creates the population and grants approval `CQ-1` over the city to researcher-1.
  func populate() throws {
    let generated = Sandbox.people(240, seed: 31, birthCertificates: 0.05)
    // The subjects: a man who will move from 渝中区 to 沙坪坝区 with companions of his class in both
    // districts, and a baby girl registered by birth certificate who will get her ID number, with
    // companions of her class.
    var subjects: [JSONObject] = []
    for (index, area) in ["500103", "500103", "500103", "500106", "500106"].enumerated() {
      let body = area + "19800505" + String(format: "%02d", index) + "1"
      subjects.append([
        "id_number": .string(body + String(ResidentID.checkCharacter(body.utf8.map { Int($0 - 48) }))),
        "name": .string("迁移对象\(index)"), "division": .string(area + "001001"), "org": .string(area + "001"),
        "phone": .string("1390000000\(index)"), "current_address": .string("重庆市测试路\(index)号"),
        "emergency_contact": ["name": .string("联系人\(index)"), "phone": .string("1370000000\(index)"), "relation": "配偶"],
      ])
    }
    for index in 0..<3 {
      subjects.append([
        "birth_cert_no": .string("Q00000000\(index)"), "sex": 2, "birth_date": "2025-06-01", "name": .string("新生儿\(index)"),
        "division": "500103001001", "org": "500103001",
      ])
    }
    let input = generated + subjects.map { JSONValue.object($0).compact + "\n" }.joined()
    try sandbox.write("people.jsonl", input)
    let created = try sandbox.run("hr-create", ["people.jsonl"])
    try #require(created.status == 0, "hr-create: \(created.stderr)")
    var births: [String] = []
    for line in input.split(separator: "\n") {
      let person = try JSONParser.parseObject(Array(line.utf8))
      if let birth = person["birth_date"]?.stringValue {
        births.append(birth)
      } else if let id = person["id_number"]?.stringValue {
        let digits = Array(id)
        births.append(String(digits[6..<10]) + "-" + String(digits[10..<12]) + "-" + String(digits[12..<14]))
      }
      for key in ["id_number", "birth_cert_no", "name", "phone", "current_address", "registered_address"] {
        if let value = person[key]?.stringValue { identifiers.insert(value) }
      }
      if let contact = person["emergency_contact"]?.objectValue {
        for (_, value) in contact { if let text = value.stringValue, text != "配偶" { identifiers.insert(text) } }
      }
    }
    let numbers = created.objects.map { $0["record_no"] as! String }
    identifiers.formUnion(numbers)
    transferred = numbers[240]
    upgraded = numbers[245]

    // Tags and services on the generated residents, through hr-update.
    var updates = ""
    for (index, recordNo) in numbers.prefix(240).enumerated() {
      if index % 3 == 0 { updates += #"{"record_no":"\#(recordNo)","tag":{"code":"hypertension"}}"# + "\n" }
      if index % 7 == 0 { updates += #"{"record_no":"\#(recordNo)","tag":{"code":"diabetes"}}"# + "\n" }
      if index % 11 == 0 { updates += #"{"record_no":"\#(recordNo)","tag":{"code":"severe_mental_disorder"}}"# + "\n" }
      // Never before the birth date: a service before birth is refused.
      let date = max("2026-0\(1 + index % 9)-15", births[index])
      updates += #"{"record_no":"\#(recordNo)","service":{"type":"consultation","date":"\#(date)","org":"500103001"}}"# + "\n"
    }
    let updated = try sandbox.run("hr-update", stdin: updates)
    try #require(updated.status == 0, "hr-update: \(updated.stderr)")

    let approved = try sandbox.run(
      "hr-export", ["approve"],
      stdin: #"{"ref":"CQ-1","grantee":"researcher-1","scope":"city","purpose":"慢病管理研究","expires":"2027-12-31"}"# + "\n")
    try #require(approved.status == 0, "hr-export approve: \(approved.stderr)")
  }

  /// Moves the transfer subject to 小龙坎 and gives the baby her ID number, through the tools.
  func transferAndUpgrade() throws {
    let request =
      #"{"record_no":"\#(transferred)","to_org":"500106001","reason":"residence_change","consent":{"method":"signed_form","ref":"ZQ-9"}}"#
    let moved = try sandbox.shell(
      "echo '\(request)' | hr-transfer request | hr-transfer confirm --operator admin-jfb", operator: "doc-zhao")
    try #require(moved.status == 0, "hr-transfer: \(moved.stderr)")
    let body = "50010320250601" + "002"
    let id = body + String(ResidentID.checkCharacter(body.utf8.map { Int($0 - 48) }))
    identifiers.insert(id)
    let upgrade = try sandbox.run("hr-update", stdin: #"{"record_no":"\#(upgraded)","set":{"id_number":"\#(id)"}}"# + "\n")
    try #require(upgrade.status == 0, "hr-update: \(upgrade.stderr)")
  }

  func deid(_ arguments: [String] = [], operator id: String = "researcher-1", today: String = "2026-11-26") throws -> ToolResult {
    try sandbox.run("hr-export", ["deid", "--approval", "CQ-1"] + arguments, operator: id, today: today)
  }

  var key: PseudonymKey { get throws { try PseudonymKey(bytes: Array(Self.keyText.utf8)) } }
}

@Suite("hr-export deid end to end")
struct ExportDeidTests {
  @Test("No direct identifier of the input appears anywhere in the output bytes, in JSON Lines or CSV")
  func noDirectIdentifier() throws {
    let research = try ResearchSandbox(k: 2)
    try research.populate()
    try research.transferAndUpgrade()
    for format in ["jsonl", "csv"] {
      let result = try research.deid(["--format", format, "--report", "report.json"])
      #expect(result.status == 0, "\(result.stderr)")
      #expect(result.lines.count > 100)
      for identifier in research.identifiers where result.stdout.contains(identifier) {
        Issue.record("'\(identifier)' appears in the \(format) output")
      }
      #expect(!result.stdout.contains(ResearchSandbox.keyText) && !result.stderr.contains(ResearchSandbox.keyText))
    }
    #expect(research.identifiers.count > 240 * 4)
  }

  @Test("Every class of the output has at least k rows and, with l, at least l distinct tag sets; the report agrees")
  func classesMeetKAndL() throws {
    let research = try ResearchSandbox(k: 3, l: 2)
    try research.populate()
    let result = try research.deid(["--report", "report.json"])
    #expect(result.status == 0, "\(result.stderr)")
    var classes: [String: (rows: Int, tagSets: Set<String>)] = [:]
    for object in result.objects {
      let label = "\(object["age_band"]!) \(object["sex"]!) \(object["district"]!)"
      classes[label, default: (0, [])].rows += 1
      classes[label]!.tagSets.insert("\(object["tags"]!)")
    }
    #expect(!classes.isEmpty)
    for (label, value) in classes {
      #expect(value.rows >= 3, "\(label)")
      #expect(value.tagSets.count >= 2, "\(label)")
    }
    let report = try JSONSerialization.jsonObject(with: Data(try research.sandbox.read("report.json").utf8)) as! [String: Any]
    #expect(report["exported"] as? Int == result.lines.count)
    #expect(report["classes"] as? Int == classes.count)
    #expect(report["smallest_class"] as? Int == classes.values.map(\.rows).min())
    #expect(report["restricted_excluded"] as? Int == 22, "every 11th of 240 residents is tagged severe_mental_disorder")
    #expect(report["k"] as? Int == 3 && report["l"] as? Int == 2 && report["purpose"] as? String == "慢病管理研究")
    #expect((report["suppressed_k"] as? Int ?? 0) + (report["suppressed_l"] as? Int ?? 0) + result.lines.count + 22 == 248)
    let mode =
      try FileManager.default.attributesOfItem(atPath: research.sandbox.directory.appendingPathComponent("report.json").path)[
        .posixPermissions] as? Int
    #expect(mode == 0o600)
    #expect(result.errorLines.last?.hasPrefix("hr-export: \(result.lines.count) exported, ") == true)
  }

  @Test("A weight or blood-type tag keeps its category; a value in the operator's own words is left out, its kind kept")
  func valuedTags() throws {
    let research = try ResearchSandbox(k: 2)
    try research.populate()
    // Three men of one class in 渝中区 (the populated subjects 0 to 2): two get valued tags.
    func subject(_ index: Int) -> String {
      let body = "50010319800505" + String(format: "%02d", index) + "1"
      return body + String(ResidentID.checkCharacter(body.utf8.map { Int($0 - 48) }))
    }
    let tags = [
      (subject(0), "weight_status:obese"), (subject(0), "blood_type:AB"),
      (subject(1), "weight_status:像隔壁老王一样胖"), (subject(1), "blood_type:王五家的血型"),
    ]
    let tagged = try research.sandbox.run(
      "hr-update", stdin: tags.map { #"{"id_number":"\#($0.0)","tag":{"code":"\#($0.1)"}}"# + "\n" }.joined())
    try #require(tagged.status == 0, "hr-update: \(tagged.stderr)")

    let result = try research.deid()
    #expect(result.status == 0, "\(result.stderr)")
    let printed = Set(result.objects.flatMap { $0["tags"] as? [String] ?? [] })
    #expect(printed.isSuperset(of: ["weight_status:obese", "blood_type:AB", "weight_status", "blood_type"]))
    #expect(!result.stdout.contains("老王") && !result.stdout.contains("王五"))
  }

  @Test(
    "A person keeps the pseudonym through a transfer and an ID upgrade; another key gives another; the output is byte-identical")
  func stablePseudonyms() throws {
    let research = try ResearchSandbox(k: 2)
    try research.populate()
    let before = try research.deid()
    #expect(before.status == 0, "\(before.stderr)")
    let again = try research.deid()
    #expect(again.stdout == before.stdout, "the same store, key and approval give byte-identical output")
    try research.transferAndUpgrade()
    let after = try research.deid()
    #expect(after.status == 0, "\(after.stderr)")
    let key = try research.key
    for (recordNo, districts) in [(research.transferred, ("500103", "500106")), (research.upgraded, ("500103", "500103"))] {
      let pseudonym = key.pseudonym(of: recordNo)
      let first = before.objects.first { $0["pseudonym"] as? String == pseudonym }
      let second = after.objects.first { $0["pseudonym"] as? String == pseudonym }
      #expect(first?["district"] as? String == districts.0)
      #expect(second?["district"] as? String == districts.1)
    }
    try "another-pseudonym-key-for-the-tests-9876543210".write(toFile: research.keyPath, atomically: false, encoding: .utf8)
    let other = try research.deid()
    #expect(other.status == 0)
    let pseudonyms = Set(after.objects.compactMap { $0["pseudonym"] as? String })
    #expect(pseudonyms.isDisjoint(with: other.objects.compactMap { $0["pseudonym"] as? String }))
    #expect(other.lines.count == after.lines.count)
  }

  @Test("Expired, revoked, out-of-scope and not-the-grantee are refused with exit 77, printing nothing, each audited")
  func refusals() throws {
    let research = try ResearchSandbox(k: 2)
    try research.populate()
    let approved = try research.sandbox.run(
      "hr-export", ["approve"],
      stdin: #"{"ref":"YZ-1","grantee":"researcher-1","scope":"500103","purpose":"研究","expires":"2026-12-31"}"# + "\n",
      operator: "admin-yz")
    #expect(approved.status == 0, "\(approved.stderr)")
    let cases: [(arguments: [String], operator: String, today: String, message: String)] = [
      (["--approval", "CQ-1"], "researcher-1", "2028-01-01", "approval 'CQ-1' expired on 2027-12-31"),
      (
        ["--approval", "CQ-1"], "researcher-2", "2026-11-26",
        "approval 'CQ-1' is granted to 'researcher-1', not to operator 'researcher-2'"
      ),
      (
        ["--approval", "CQ-1"], "admin-yz", "2026-11-26",
        "approval 'CQ-1' covers scope 'city', outside the reach of operator 'admin-yz'"
      ),
      (
        ["--approval", "YZ-1"], "admin-spb", "2026-11-26",
        "approval 'YZ-1' covers scope '500103', outside the reach of operator 'admin-spb'"
      ),
      (["--approval", "NONE"], "researcher-1", "2026-11-26", "no approval 'NONE'"),
    ]
    for refusal in cases {
      let result = try research.sandbox.run(
        "hr-export", ["deid"] + refusal.arguments, operator: refusal.operator, today: refusal.today)
      #expect(result.status == 77)
      #expect(result.stdout.isEmpty)
      #expect(result.stderr == "hr-export: \(refusal.message)\n")
    }
    let revoked = try research.sandbox.shell(
      "hr-export approvals --state active --operator admin-city | hr-export revoke --reason 研究终止")
    #expect(revoked.status == 0, "\(revoked.stderr)")
    #expect(revoked.objects.map { $0["state"] as? String } == ["revoked", "revoked"])
    let afterRevoke = try research.deid()
    #expect(afterRevoke.status == 77 && afterRevoke.stderr == "hr-export: approval 'CQ-1' was revoked on 2026-11-26\n")
    #expect(
      try research.sandbox.sqlite("SELECT count(*) FROM audit_event WHERE action = 'export.deid' AND outcome = 'denied'") == "6")
    #expect(
      try research.sandbox.sqlite("SELECT count(*) FROM audit_event WHERE action = 'export.deid' AND outcome = 'ok'") == "0")
    let clinician = try research.deid(operator: "doc-li")
    #expect(clinician.status == 77)
    let listed = try research.sandbox.run("hr-export", ["approvals", "--format", "csv"])
    #expect(
      listed.lines.first == "ref,grantee,scope,purpose,expires,state,approved_by,approved_on,revoked_on,revoked_by,revoke_reason")
    #expect(listed.lines.count == 3)
    // The table: a header and the same two approvals, as a terminal shows them.
    let table = try research.sandbox.run("hr-export", ["approvals", "--format", "table"])
    #expect(table.status == 0, "\(table.stderr)")
    #expect(table.lines.first?.split(separator: " ").first == "ref" && table.lines.first?.hasSuffix("revoke_reason") == true)
    #expect(Set(table.lines.dropFirst().compactMap { $0.split(separator: " ").first.map(String.init) }) == ["CQ-1", "YZ-1"])
    // A district administrator lists its own district's approvals only; a researcher lists none.
    let district = try research.sandbox.run("hr-export", ["approvals"], operator: "admin-yz")
    #expect(district.objects.map { $0["ref"] as? String } == ["YZ-1"])
    #expect(try research.sandbox.run("hr-export", ["approvals"], operator: "admin-spb").stdout.isEmpty)
    #expect(try research.sandbox.run("hr-export", ["approvals"], operator: "researcher-1").status == 77)
  }

  @Test("A missing, short or group-readable key file, or a report naming the store, ends the run before any output")
  func keyAndReportRefusals() throws {
    let research = try ResearchSandbox(k: 2)
    try research.populate()
    let path = research.keyPath
    try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: path)
    let exposed = try research.deid()
    #expect(exposed.status == 78 && exposed.stdout.isEmpty)
    #expect(
      exposed.stderr
        == "hr-export: the pseudonym key file '\(path)' is readable or writable by others (mode 640); make it owner-only with chmod 600\n"
    )
    try "short-key".write(toFile: path, atomically: false, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
    let short = try research.deid()
    #expect(
      short.status == 78 && short.stderr == "hr-export: the pseudonym key file '\(path)' holds 9 bytes; it needs at least 32\n")
    try FileManager.default.removeItem(atPath: path)
    let missing = try research.deid()
    #expect(missing.status == 78 && missing.stderr.contains("cannot read the pseudonym key file '\(path)'"))
    for report in ["hr.sqlite", "./hr.sqlite-wal", "hr.yaml"] {
      let refused = try research.deid(["--report", report])
      #expect(refused.status == 64, "\(report): \(refused.stderr)")
    }
    #expect(try research.sandbox.sqlite("PRAGMA integrity_check") == "ok")
  }
}
