import Foundation
import HRLines
import Testing

@Suite("hr-create --skip-existing end to end")
struct SkipExistingTests {
  @Test("After a load that partly failed, rerunning the fixed file with --skip-existing exits 0 and counts both kinds")
  func rerunIsClean() throws {
    let sandbox = try Sandbox()
    let people = Sandbox.people(100, birthCertificates: 0.2)
    try sandbox.write("people.jsonl", people)
    // The first night five lines had a slip in the division code.
    let broken =
      people.split(separator: "\n").enumerated().map { index, line in
        index % 20 == 3 ? line.replacingOccurrences(of: #""division":""#, with: #""division":"x"#) : String(line)
      }.joined(separator: "\n") + "\n"
    try sandbox.write("night1.jsonl", broken)
    let first = try sandbox.shell("hr-create night1.jsonl")
    #expect(first.status == 65)
    #expect(first.stderr.hasSuffix("hr-create: 95 created, 5 rejected\n"))
    let plain = try sandbox.shell("hr-create --dry-run people.jsonl")
    #expect(plain.status == 65)
    let rerun = try sandbox.shell("hr-create --skip-existing people.jsonl")
    #expect(rerun.status == 0, "\(rerun.stderr)")
    #expect(rerun.stderr == "hr-create: 5 created, 95 existing, 0 rejected\n")
    #expect(try sandbox.sqlite("SELECT count(*) FROM record") == "100")
    let results = rerun.objects
    #expect(results.count == 100)
    #expect(results.filter { $0["result"] as? String == "exists" }.count == 95)
    // An existing record is named with its identifiers, its organisation and its status.
    for (output, created) in zip(results.filter { $0["result"] as? String == "exists" }, first.objects) {
      #expect(output["record_no"] as? String == created["record_no"] as? String)
      #expect(
        (output["id_number"] ?? output["birth_cert_no"]) as? String == (created["id_number"] ?? created["birth_cert_no"])
          as? String)
      #expect(output["managing_org"] as? String == created["managing_org"] as? String)
      #expect(output["status"] as? String == "active")
    }
    // Each lookup is a use of the register, audited as a check: the dry run's duplicates too.
    #expect(
      try sandbox.sqlite(
        "SELECT outcome || ' ' || count(*) FROM audit_event WHERE action = 'record.check' GROUP BY outcome ORDER BY outcome")
        == "ok 95\nrejected 95")
  }

  @Test("A line that matches only some of its identifiers to a record is still a duplicate_record")
  func partialMatchIsDuplicate() throws {
    let sandbox = try Sandbox()
    let line = #"{"id_number":"500103198001010016","name":"张三","division":"500103001001","org":"500103001"}"#
    #expect(try sandbox.run("hr-create", stdin: line + "\n").status == 0)
    let mixed =
      #"{"id_number":"500103198001010016","birth_cert_no":"A123456789","name":"张三","division":"500103001001","org":"500103001"}"#
    let result = try sandbox.run("hr-create", ["--skip-existing"], stdin: line + "\n" + mixed + "\n")
    #expect(result.status == 65)
    #expect(result.objects.count == 1)
    #expect(result.objects.first?["result"] as? String == "exists")
    #expect(result.stderr.contains("hr-create:-:2: duplicate_record: "))
    #expect(result.stderr.hasSuffix("hr-create: 0 created, 1 existing, 1 rejected\n"))
  }
}
