import Foundation
import HRCore
import HRLines
import Testing

@Suite("hr-update end to end")
struct UpdateTests {
  /// A valid GB 11643 number: the 17 digits given and their check character.
  static func id(_ body: String) -> String {
    body + String(ResidentID.checkCharacter(body.utf8.map { Int($0 - 48) }))
  }

  /// A man of 70 managed by 解放碑 (500103001).
  static let elderID = id("50010319560101001")

  /// Creates the elder and returns his record number.
  func createElder(_ sandbox: Sandbox) throws -> String {
    let result = try sandbox.run(
      "hr-create",
      stdin:
        #"{"id_number":"\#(Self.elderID)","name":"张三","division":"500103001001","org":"500103001","created_on":"2026-01-05"}"#
        + "\n")
    #expect(result.status == 0, "\(result.stderr)")
    return try #require(result.objects.first?["record_no"] as? String)
  }

  @Test func createdRecordsPipedThroughJqAreAllUpdated() throws {
    let sandbox = try Sandbox()
    try sandbox.write("people.jsonl", Sandbox.people(40, birthCertificates: 0.1))
    let result = try sandbox.shell(#"hr-create < people.jsonl | jq -c '{record_no, set:{phone:"13800000000"}}' | hr-update"#)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.lines.count == 40)
    #expect(result.objects.allSatisfy { $0["result"] as? String == "updated" && ($0["changed"] as? [String]) == ["phone"] })
    #expect(result.errorLines.last == "hr-update: 40 updated, 0 rejected")
    #expect(try sandbox.sqlite("SELECT count(*) FROM record WHERE phone = '13800000000'") == "40")
    #expect(try sandbox.sqlite("SELECT count(*) FROM record_history WHERE field = 'phone' AND new_value = '13800000000'") == "40")
    #expect(try sandbox.sqlite("SELECT count(*) FROM audit_event WHERE action = 'record.update'") == "40")
  }

  /// A service line reads only the columns of its record that its rules need. Named by id number,
  /// by both numbers, or by two that disagree, it finds the same record or none; a service that
  /// raises the last contact or restricts the record leaves the record's new row in its event's
  /// state, which `verify --state` recomputes.
  @Test func servicesFindTheirRecordEitherWayAndTheTrailCoversWhatTheyChange() throws {
    let sandbox = try Sandbox()
    let recordNo = try createElder(sandbox)
    let otherID = Self.id("50010319700101002")
    let lines = [
      #"{"id_number":"\#(Self.elderID)","service":{"type":"hypertension_followup","date":"2026-03-02"}}"#,
      #"{"record_no":"\#(recordNo)","id_number":"\#(Self.elderID)","service":{"type":"mental_followup","date":"2026-02-01"}}"#,
      #"{"record_no":"\#(recordNo)","id_number":"\#(otherID)","service":{"type":"hypertension_followup","date":"2026-04-01"}}"#,
      #"{"id_number":"\#(otherID)","service":{"type":"hypertension_followup","date":"2026-04-01"}}"#,
    ]
    let result = try sandbox.run("hr-update", stdin: lines.joined(separator: "\n") + "\n", operator: "doc-li")
    #expect(result.status == 65)
    #expect(result.objects.map { $0["result"] as? String } == ["service_added", "service_added"])
    #expect(result.objects.map { $0["record_no"] as? String } == [recordNo, recordNo])
    #expect(
      result.errorLines.prefix(2) == [
        "hr-update:-:3: id_mismatch: id number '\(otherID)' is not an identifier of record '\(recordNo)'",
        "hr-update:-:4: not_found: no record holds id number '\(otherID)'",
      ])
    // The first raised the last contact, the second (a restricted type, dated before it) only restricted.
    #expect(try sandbox.sqlite("SELECT last_contact, restricted FROM record") == "2026-03-02|1")
    let covering = try sandbox.sqlite(
      "SELECT count(*) FROM audit_event WHERE action = 'service.add' AND json_extract(state, '$.\"record/\(recordNo)\"') IS NOT NULL"
    )
    #expect(covering == "2")
    let verify = try sandbox.run("hr-audit", ["verify", "--state"], operator: "auditor-1")
    #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
  }

  @Test func birthCertificateChildUpgradedToAnIDNumberIsFoundByBothAndCannotBeCreatedAgain() throws {
    let sandbox = try Sandbox()
    let childID = Self.id("50010320260901001")
    let child =
      #"{"birth_cert_no":"Q123456789","name":"刘小宝","sex":1,"birth_date":"2026-09-01","division":"500103001001","org":"500103001"}"#
    let created = try sandbox.run("hr-create", stdin: child + "\n", operator: "doc-li")
    let recordNo = try #require(created.objects.first?["record_no"] as? String)

    let upgraded = try sandbox.run(
      "hr-update", stdin: #"{"record_no":"\#(recordNo)","set":{"id_number":"\#(childID)"}}"# + "\n", operator: "doc-li")
    #expect(upgraded.status == 0, "\(upgraded.stderr)")
    #expect(
      upgraded.stdout == #"{"record_no":"\#(recordNo)","result":"updated","changed":["id_number"],"id_number":"\#(childID)"}"#
        + "\n")

    let check = try sandbox.run(
      "hr-create", ["--check"], stdin: #"{"birth_cert_no":"Q123456789"}"# + "\n" + #"{"id_number":"\#(childID)"}"# + "\n",
      operator: "doc-li")
    #expect(check.objects.map { $0["record_no"] as? String } == [recordNo, recordNo])
    #expect(check.objects.map { $0["exists"] as? Bool } == [true, true])

    let byID = try sandbox.run(
      "hr-update", stdin: #"{"id_number":"\#(childID)","set":{"phone":"13800000001"}}"# + "\n", operator: "doc-li")
    #expect(byID.objects.first?["record_no"] as? String == recordNo)

    let again = try sandbox.run(
      "hr-create", stdin: #"{"id_number":"\#(childID)","name":"刘小宝","division":"500103001001","org":"500103002"}"# + "\n",
      operator: "admin-city")
    #expect(again.status == 65)
    #expect(again.stdout.isEmpty)
    #expect(again.stderr.contains("duplicate_record: the resident already has record '\(recordNo)'"))
    #expect(try sandbox.sqlite("SELECT count(*) FROM record") == "1")
  }

  @Test func savedServiceChangesOnlyThroughAnApprovedAmendmentAndBothVersionsRemain() throws {
    let sandbox = try Sandbox()
    let recordNo = try createElder(sandbox)
    let service =
      #"{"record_no":"\#(recordNo)","service":{"type":"hypertension_followup","date":"2026-11-25","summary":{"bp":"150/95"}}}"#
    let added = try sandbox.run("hr-update", stdin: service + "\n", operator: "doc-li")
    #expect(
      added.stdout
        == #"{"record_no":"\#(recordNo)","result":"service_added","service_id":1,"type":"hypertension_followup","date":"2026-11-25","org":"500103001","free":false,"restricted":false,"late":false,"off_site":false}"#
        + "\n")

    let rewrite = try sandbox.shell(#"sqlite3 hr.sqlite "UPDATE service SET summary = '{\"bp\":\"120/80\"}'""#)
    #expect(rewrite.status != 0)
    #expect(rewrite.stderr.contains("service rows are never modified"))

    try sandbox.write(
      "amend.jsonl",
      """
      {"service_id":1,"changes":{"summary":{"bp":"130/85"}},"reason":"血压录错","approved_by":"doc-li"}
      {"service_id":1,"changes":{"summary":{"bp":"130/85"}},"reason":"血压录错","approved_by":"doc-wang"}
      {"service_id":1,"changes":{"summary":{"bp":"130/85"}},"reason":"血压录错"}
      {"service_id":1,"changes":{"summary":{"bp":"130/85"}},"reason":"血压录错","approved_by":"admin-jfb"}

      """)
    let amended = try sandbox.run("hr-update", ["amend", "--rejects", "rejects.jsonl", "amend.jsonl"], operator: "doc-li")
    #expect(amended.status == 65)
    #expect(
      amended.stdout
        == #"{"record_no":"\#(recordNo)","result":"amended","service_id":1,"amendment_id":1,"changed":["summary"],"approved_by":"admin-jfb"}"#
        + "\n")
    #expect(
      amended.errorLines == [
        "hr-update:amend.jsonl:1: invalid_approver: the approver must be someone other than the operator 'doc-li'",
        "hr-update:amend.jsonl:2: invalid_approver: approver 'doc-wang' (clinician) may not approve amendments for organisation '500103001'",
        "hr-update:amend.jsonl:3: invalid_approver: missing field 'approved_by': a saved service is corrected only with an administrator's approval",
        "hr-update: 1 amended, 3 rejected",
      ])
    #expect(try sandbox.sqlite("SELECT summary FROM service WHERE service_id = 1") == #"{"bp":"150/95"}"#)
    #expect(
      try sandbox.sqlite("SELECT changes || '|' || reason || '|' || approved_by || '|' || entered_by FROM amendment")
        == #"{"summary":{"bp":"130/85"}}|血压录错|admin-jfb|doc-li"#)
    #expect(
      try sandbox.sqlite(
        "SELECT outcome, count(*) FROM audit_event WHERE action = 'service.amend' GROUP BY outcome ORDER BY outcome")
        == "ok|1\nrejected|3")
  }

  @Test func secondElderlyExamOfTheYearAtAnotherOrganisationIsAlreadyServed() throws {
    let sandbox = try Sandbox()
    let recordNo = try createElder(sandbox)
    let first = try sandbox.run(
      "hr-update", stdin: #"{"record_no":"\#(recordNo)","service":{"type":"elderly_exam","date":"2026-03-12"}}"# + "\n",
      operator: "doc-li")
    #expect(first.status == 0, "\(first.stderr)")
    let second = try sandbox.run(
      "hr-update", ["--rejects", "rejects.jsonl"],
      stdin: #"{"record_no":"\#(recordNo)","service":{"type":"elderly_exam","date":"2026-11-20"}}"# + "\n",
      operator: "doc-zhao")
    #expect(second.status == 65)
    #expect(second.stdout.isEmpty)
    #expect(
      second.errorLines.first
        == "hr-update:-:1: already_served: free 'elderly_exam' is given once a year, and record '\(recordNo)' already had it on 2026-03-12 at '500103001' (service 1)"
    )
    let reject = try JSONSerialization.jsonObject(with: Data(try sandbox.read("rejects.jsonl").utf8)) as? [String: Any]
    #expect(reject?["code"] as? String == "already_served")
    #expect(reject?["service_id"] as? Int == 1)
    #expect(reject?["date"] as? String == "2026-03-12")
    #expect(reject?["org"] as? String == "500103001")
    #expect(
      try sandbox.sqlite(
        "SELECT operator || '|' || outcome || '|' || json_extract(detail, '$.code') FROM audit_event WHERE action = 'service.off_site'"
      ) == "doc-zhao|rejected|already_served")
    #expect(try sandbox.sqlite("SELECT count(*) FROM service") == "1")
  }

  @Test func clinicianOfAnotherOrganisationIsForbiddenBasicInformationButMayRecordAnOffSiteService() throws {
    let sandbox = try Sandbox()
    let recordNo = try createElder(sandbox)
    let change = try sandbox.run(
      "hr-update", stdin: #"{"record_no":"\#(recordNo)","set":{"phone":"13800000000"}}"# + "\n", operator: "doc-zhao")
    #expect(change.status == 65)
    #expect(
      change.errorLines.first
        == "hr-update:-:1: forbidden: operator 'doc-zhao' (clinician) may not change record '\(recordNo)' managed by '500103001'")
    #expect(
      try sandbox.sqlite("SELECT operator || '|' || action || '|' || outcome FROM audit_event WHERE outcome = 'denied'")
        == "doc-zhao|record.update|denied")
    #expect(try sandbox.sqlite("SELECT ifnull(phone, '-') FROM record") == "-")

    let service = try sandbox.run(
      "hr-update", stdin: #"{"record_no":"\#(recordNo)","service":{"type":"diabetes_followup","date":"2026-11-26"}}"# + "\n",
      operator: "doc-zhao")
    #expect(service.status == 0, "\(service.stderr)")
    #expect(service.objects.first?["off_site"] as? Bool == true)
    #expect(service.objects.first?["org"] as? String == "500106001")
    #expect(
      try sandbox.sqlite("SELECT record_no FROM audit_event WHERE action = 'service.off_site' AND outcome = 'ok'") == recordNo)
  }

  @Test func unknownFieldsInSetOrServiceAreRejectedPerLineNamingTheField() throws {
    let sandbox = try Sandbox()
    let recordNo = try createElder(sandbox)
    let input =
      [
        #"{"record_no":"\#(recordNo)","set":{"phnoe":"13800000000"}}"#,
        #"{"record_no":"\#(recordNo)","service":{"type":"consultation","date":"2026-11-20","summry":{}}}"#,
        #"{"record_no":"\#(recordNo)","set":{"phone":"13800000000"},"contact":{"date":"2026-11-20","method":"phone"}}"#,
        #"{"record_no":"\#(recordNo)","set":{"phone":"13800000000"}}"#,
      ].joined(separator: "\n") + "\n"
    let result = try sandbox.run("hr-update", stdin: input, operator: "doc-li")
    #expect(result.status == 65)
    #expect(result.lines.count == 1)
    #expect(
      result.errorLines == [
        "hr-update:-:1: unknown_field: unknown field 'set.phnoe'; did you mean 'set.phone'?",
        "hr-update:-:2: unknown_field: unknown field 'service.summry'; did you mean 'service.summary'?",
        "hr-update:-:3: several_changes: a line carries exactly one change, found 'set' and 'contact'; put each on its own line",
        "hr-update: 1 updated, 3 rejected",
      ])
  }

  @Test func sameInputTwiceChangesNothingTheSecondTime() throws {
    let sandbox = try Sandbox()
    let recordNo = try createElder(sandbox)
    let input =
      [
        #"{"record_no":"\#(recordNo)","set":{"phone":"13800000000"}}"#,
        #"{"record_no":"\#(recordNo)","service":{"type":"consultation","date":"2026-11-20"}}"#,
        #"{"record_no":"\#(recordNo)","tag":{"code":"hypertension","since":"2026-01-01"}}"#,
        #"{"record_no":"\#(recordNo)","contract":{"doctor":"李医生","signed_on":"2026-02-01"}}"#,
        #"{"record_no":"\#(recordNo)","contact":{"date":"2026-11-21","method":"phone"}}"#,
      ].joined(separator: "\n") + "\n"
    let first = try sandbox.run("hr-update", stdin: input, operator: "doc-li")
    #expect(
      first.objects.map { $0["result"] as? String } == [
        "updated", "service_added", "tag_added", "contract_added", "contact_added",
      ])
    let events = try sandbox.sqlite("SELECT count(*) FROM audit_event")
    let second = try sandbox.run("hr-update", stdin: input, operator: "doc-li")
    #expect(second.status == 0)
    #expect(second.objects.map { $0["result"] as? String } == Array(repeating: "unchanged", count: 5))
    #expect(try sandbox.sqlite("SELECT count(*) FROM audit_event") == events)
    #expect(try sandbox.sqlite("SELECT last_contact FROM record") == "2026-11-21")
  }

  @Test func toolsOpeningANewStoreTogetherAllMigrateIt() throws {
    let sandbox = try Sandbox(newStore: false)
    let result = try sandbox.shell(
      "for i in 1 2 3 4 5 6; do (hr-create --quiet < /dev/null 2> /dev/null; echo \"exit $?\") & done; wait", operator: "doc-li")
    #expect(result.lines == Array(repeating: "exit 0", count: 6), "\(result.stderr)")
    #expect(try sandbox.sqlite("SELECT count(*) FROM grdb_migrations") == String(Store.migrator.migrations.count))
  }

  @Test(arguments: [[String](), ["amend"]])
  func operatorWhoMayNeverWriteIsRefusedTheWholeCommand(arguments: [String]) throws {
    let sandbox = try Sandbox()
    let result = try sandbox.run("hr-update", arguments, stdin: "", operator: "auditor-1")
    #expect(result.status == 77)
    #expect(
      result.stderr == "hr-update: operator 'auditor-1' (auditor) may not run hr-update\(arguments.isEmpty ? "" : " amend")\n")
  }

}
