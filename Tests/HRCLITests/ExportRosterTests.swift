import Foundation
import HRCore
import Testing

@Suite("hr-export roster end to end")
struct ExportRosterTests {
  /// 30 generated residents over the example organisations, as the city creates them.
  static func seeded() throws -> (Sandbox, [[String: Any]]) {
    let sandbox = try Sandbox()
    let created = try sandbox.run("hr-create", ["--quiet"], stdin: Sandbox.people(30))
    try #require(created.status == 0, "\(created.stderr)")
    return (sandbox, created.objects)
  }

  @Test(
    "Each role lists exactly its organisation, district or the city",
    arguments: [
      ("doc-li", [], ["500103001"]), ("admin-qxg", [], ["500103002"]), ("admin-yz", [], ["500103001", "500103002"]),
      ("admin-yz", ["--org", "500103002"], ["500103002"]), ("admin-city", ["--district", "500106"], ["500106001"]),
      ("admin-city", [], ["500103001", "500103002", "500106001", "500112001", "500229001"]),
    ])
  func eachRoleListsItsScope(operatorID: String, arguments: [String], orgs: [String]) throws {
    let (sandbox, created) = try Self.seeded()
    let expected = created.filter { orgs.contains($0["managing_org"] as? String ?? "") }.compactMap { $0["record_no"] as? String }
      .sorted()
    #expect(!expected.isEmpty)
    let result = try sandbox.run("hr-export", ["roster"] + arguments, operator: operatorID)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stderr.isEmpty)
    #expect(result.objects.compactMap { $0["record_no"] as? String } == expected)
    let event = try sandbox.sqlite(
      "SELECT operator || ' ' || detail FROM audit_event WHERE action = 'record.list' AND outcome = 'ok'")
    #expect(event.hasPrefix("\(operatorID) {\"count\":\(expected.count),"), "\(event)")
    #expect(try sandbox.sqlite("SELECT count(*) FROM audit_event WHERE action = 'record.list'") == "1")
  }

  @Test("A valued tag selects its residents however it is spaced, as a tag line keeps it")
  func valuedTagAsALineKeepsIt() throws {
    let (sandbox, created) = try Self.seeded()
    let recordNo = try #require(created.first?["record_no"] as? String)
    let tagged = try sandbox.run(
      "hr-update", stdin: #"{"record_no":"\#(recordNo)","tag":{"code":"weight_status: obese "}}"# + "\n", operator: "admin-city")
    try #require(tagged.status == 0, "\(tagged.stderr)")
    for typed in ["weight_status:obese", "weight_status: obese"] {
      let result = try sandbox.run("hr-export", ["roster", "--tag", typed], operator: "admin-city")
      #expect(result.status == 0, "\(result.stderr)")
      #expect(result.objects.compactMap { $0["record_no"] as? String } == [recordNo], "\(typed)")
      #expect((result.objects.first?["tags"] as? [String])?.contains("weight_status:obese") == true)
    }
  }

  @Test(
    "A roster outside the operator's reach is refused (exit 77) and audited",
    arguments: [
      ("doc-li", ["--org", "500103002"]), ("admin-jfb", ["--district", "500106"]), ("admin-yz", ["--district", "500106"]),
    ])
  func outsideTheReachIsRefused(operatorID: String, arguments: [String]) throws {
    let (sandbox, _) = try Self.seeded()
    let result = try sandbox.run("hr-export", ["roster"] + arguments, operator: operatorID)
    #expect(result.status == 77)
    #expect(result.stdout.isEmpty)
    #expect(result.stderr.contains("may not run hr-export roster \(arguments.joined(separator: " "))"), "\(result.stderr)")
    #expect(try sandbox.sqlite("SELECT outcome FROM audit_event WHERE action = 'record.list'") == "denied")
  }

  @Test func rolesWithoutARosterAndUnknownFiltersAreRefused() throws {
    let (sandbox, _) = try Self.seeded()
    #expect(try sandbox.run("hr-export", ["roster"], operator: "auditor-1").status == 77)
    #expect(try sandbox.run("hr-export", ["roster"], operator: "researcher-1").status == 77)
    let tag = try sandbox.run("hr-export", ["roster", "--tag", "hypertensive"])
    #expect(tag.status == 64)
    #expect(tag.stderr == "hr-export: unknown tag 'hypertensive'; did you mean 'hypertension'?\n")
    #expect(try sandbox.run("hr-export", ["roster", "--status", "gone"]).status == 64)
    #expect(try sandbox.run("hr-export", ["roster", "--org", "500103001", "--district", "500103"]).status == 64)
  }

  @Test func theRosterPrintsCSVAndATableAndPipesIntoOtherTools() throws {
    let (sandbox, created) = try Self.seeded()
    let own = created.filter { $0["managing_org"] as? String == "500103001" }.count
    let csv = try sandbox.run("hr-export", ["roster", "--format", "csv"], operator: "admin-jfb")
    #expect(csv.status == 0)
    #expect(csv.lines.first == "record_no,name,sex,birth_date,phone,current_address,managing_org,status,tags,last_contact")
    #expect(csv.lines.count == own + 1)
    let table = try sandbox.run("hr-export", ["roster", "--format", "table"], operator: "admin-jfb")
    #expect(table.lines.count == own + 1)
    #expect(table.lines[0].hasPrefix("record_no          name"))
    // The centre's roster goes straight into another tool: here, a transfer request for every resident.
    let piped = try sandbox.shell(
      "hr-export roster | hr-transfer request --to 500103002 --reason residence_change --consent-method signed_form --consent-ref R-1 --quiet",
      operator: "admin-jfb")
    #expect(piped.status == 0, "\(piped.stderr)")
    #expect(piped.lines.count == own)
    #expect(piped.objects.allSatisfy { $0["to_org"] as? String == "500103002" && $0["status"] as? String == "pending" })
  }

  @Test func aRunCutShortByItsReaderIsStillOneAuditedEventWithTheFullCount() throws {
    let (sandbox, created) = try Self.seeded()
    let result = try sandbox.shell("hr-export roster | head -n 1")
    #expect(result.status == 0 || result.status == 141)
    #expect(result.lines.count == 1)
    #expect(
      try sandbox.sqlite("SELECT json_extract(detail, '$.count') FROM audit_event WHERE action = 'record.list'")
        == "\(created.count)")
  }
}
