import Foundation
import HRCore
import Testing

@Suite("hr-export record end to end")
struct ExportRecordTests {
  /// A man born 1956 managed by 解放碑, with a mental-disorder follow-up, its tag, and an ordinary service and tag.
  static func seeded() throws -> (Sandbox, String, String) {
    let sandbox = try Sandbox()
    let idNumber = "50010319560101001" + String(ResidentID.checkCharacter("50010319560101001".utf8.map { Int($0 - 48) }))
    let create =
      #"{"id_number":"\#(idNumber)","name":"张三","division":"500103001001","org":"500103001","created_on":"2026-01-05"}"#
    let created = try sandbox.run("hr-create", ["--quiet"], stdin: create + "\n")
    try #require(created.status == 0, "\(created.stderr)")
    let recordNo = try #require(created.objects.first?["record_no"] as? String)
    let updates = [
      #"{"record_no":"\#(recordNo)","service":{"type":"hypertension_followup","date":"2026-03-02","summary":{"bp":"150/95"}}}"#,
      #"{"record_no":"\#(recordNo)","service":{"type":"mental_followup","date":"2026-04-03","summary":{"note":"病情稳定"}}}"#,
      #"{"record_no":"\#(recordNo)","tag":{"code":"hypertension","since":"2026-03-02"}}"#,
      #"{"record_no":"\#(recordNo)","tag":{"code":"severe_mental_disorder","since":"2026-04-03"}}"#,
    ]
    let updated = try sandbox.run("hr-update", ["--quiet"], stdin: updates.joined(separator: "\n") + "\n", operator: "doc-li")
    try #require(updated.status == 0, "\(updated.stderr)")
    return (sandbox, recordNo, idNumber)
  }

  @Test func theResidentSeesEverythingAndTheGuardianOfAnAdultNeverTheRestrictedPart() throws {
    let (sandbox, recordNo, idNumber) = try Self.seeded()
    let lines = [
      #"{"id_number":"\#(idNumber)","viewer":{"kind":"self","id_number":"\#(idNumber)"}}"#,
      #"{"record_no":"\#(recordNo)","viewer":{"kind":"guardian","authorization":"GA-2026-7"}}"#,
    ]
    let result = try sandbox.run("hr-export", ["record"], stdin: lines.joined(separator: "\n") + "\n", operator: "doc-li")
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stderr == "hr-export: 2 viewed, 0 rejected\n")
    #expect(result.lines.count == 2)
    #expect(result.lines.allSatisfy { $0.hasPrefix(#"{"record_no":"\#(recordNo)","viewer":"#) })
    #expect(result.lines[0].contains("mental_followup") && result.lines[0].contains("severe_mental_disorder"))
    let guardian = result.lines[1]
    for hidden in ["mental_followup", "severe_mental_disorder", "病情稳定"] {
      #expect(!guardian.contains(hidden), "the guardian's line shows '\(hidden)'")
    }
    #expect(guardian.contains(#""disclosure":"withholding_restricted""#))
    #expect(guardian.contains("hypertension_followup"))
    #expect(try sandbox.sqlite("SELECT count(*) FROM audit_event WHERE action = 'record.view' AND outcome = 'ok'") == "2")
  }

  @Test func aRefusedViewerIsARejectedLineNamingTheConditionAndAnAuditedDenial() throws {
    let (sandbox, recordNo, _) = try Self.seeded()
    let lines = [
      #"{"record_no":"\#(recordNo)","viewer":{"kind":"voluntary_guardian"}}"#,
      #"{"record_no":"\#(recordNo)","viewer":{"kind":"clinician","authorization":"550123"}}"#,
    ]
    let result = try sandbox.run(
      "hr-export", ["record", "--rejects", "rejects.jsonl"], stdin: lines.joined(separator: "\n") + "\n", operator: "admin-yz")
    #expect(result.status == 65)
    #expect(result.stdout.isEmpty)
    #expect(
      result.errorLines == [
        "hr-export:-:1: authorization_required: viewer 'voluntary_guardian' may not see record '\(recordNo)': 'viewer.authorization' (the court judgment reference(s)) is missing",
        "hr-export:-:2: forbidden: viewer 'clinician' may not see record '\(recordNo)': operator 'admin-yz' (district_admin) is not a clinician; a resident's dynamic code authorises the clinician treating them",
        "hr-export: 0 viewed, 2 rejected",
      ])
    let rejects = try sandbox.read("rejects.jsonl").split(separator: "\n")
    #expect(rejects.count == 2)
    #expect(rejects[0].contains(#""code":"authorization_required""#))
    #expect(try sandbox.sqlite("SELECT group_concat(outcome) FROM audit_event WHERE action = 'record.view'") == "denied,denied")
  }

  @Test func anEmergencyViewingShowsAsEmergencyInTheResidentsAccessReport() throws {
    let (sandbox, recordNo, _) = try Self.seeded()
    let line = #"{"record_no":"\#(recordNo)"}"#
    let viewed = try sandbox.run(
      "hr-export", ["record", "--viewer", "emergency", "--reason", "昏迷送医，无法取得授权"], stdin: line + "\n", operator: "doc-zhao")
    #expect(viewed.status == 0, "\(viewed.stderr)")
    #expect(viewed.objects.first?["disclosure"] as? String == "full")
    let report = try sandbox.run("hr-audit", ["access", "--record", recordNo, "--format", "table"], operator: "admin-jfb")
    #expect(report.status == 0, "\(report.stderr)")
    let row = try #require(report.lines.first { $0.contains("record.view.emergency") })
    #expect(row.contains(" emergency "))
    #expect(row.contains("doc-zhao"))
    #expect(row.contains("昏迷送医"))
  }

  @Test func theRosterPipesIntoRecordWithTheViewerGivenByOptions() throws {
    let (sandbox, recordNo, _) = try Self.seeded()
    let piped = try sandbox.shell(
      "hr-export roster --operator admin-yz --tag hypertension | hr-export record --operator admin-yz --viewer public_health --reason 高血压督导 --quiet"
    )
    #expect(piped.status == 0, "\(piped.stderr)")
    #expect(piped.objects.map { $0["record_no"] as? String } == [recordNo])
    #expect((piped.objects.first?["viewer"] as? [String: Any])?["reason"] as? String == "高血压督导")
  }

  @Test func aMissingStoreIsNotCreatedToBeViewed() throws {
    let sandbox = try Sandbox(newStore: false)
    let result = try sandbox.run(
      "hr-export", ["record", "--viewer", "emergency", "--reason", "x"], stdin: #"{"record_no":"50010300100100001"}"# + "\n")
    #expect(result.status == 66)
    #expect(!FileManager.default.fileExists(atPath: sandbox.store))
  }

  @Test(arguments: ["auditor-1", "researcher-1"])
  func rolesThatNeverOpenRecordsAreRefusedTheCommand(operatorID: String) throws {
    let (sandbox, recordNo, _) = try Self.seeded()
    let result = try sandbox.run(
      "hr-export", ["record", "--viewer", "emergency", "--reason", "x"], stdin: #"{"record_no":"\#(recordNo)"}"# + "\n",
      operator: operatorID)
    #expect(result.status == 77)
    #expect(result.stdout.isEmpty)
  }
}
