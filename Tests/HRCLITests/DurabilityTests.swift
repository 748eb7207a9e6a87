import Foundation
import HRLines
import Testing

@Suite("Crashes and roll-backs")
struct DurabilityTests {
  @Test("kill -9 in the middle of a run leaves a consistent store in which every printed record exists")
  func killNineLeavesAConsistentStore() throws {
    let sandbox = try Sandbox()
    try sandbox.write("people.jsonl", Sandbox.people(8_000, seed: 11))
    let result = try sandbox.shell(
      """
      hr-create --batch-size 100 people.jsonl > printed.jsonl 2>/dev/null &
      pid=$!
      # Kill it once it has committed something, and well before it could finish.
      for _ in $(seq 1 200); do [ -s printed.jsonl ] && break; sleep 0.05; done
      sleep 0.2
      kill -9 $pid
      wait $pid || true
      """)
    #expect(result.status == 0)
    let printed = try sandbox.read("printed.jsonl").split(separator: "\n").compactMap {
      // The last line may have been cut by the kill; a partly written line is not a printed result.
      (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
    }.map { $0["record_no"] as! String }
    #expect(!printed.isEmpty)
    #expect(printed.count < 8_000)
    #expect(try sandbox.sqlite("PRAGMA integrity_check") == "ok")
    let stored = Int(try sandbox.sqlite("SELECT count(*) FROM record"))!
    #expect(stored >= printed.count)
    #expect(stored % 100 == 0, "only whole batches commit")
    let missing = try printed.filter { try sandbox.sqlite("SELECT count(*) FROM record WHERE record_no = '\($0)'") != "1" }
    #expect(missing.isEmpty)
    let chain = try sandbox.auditChain()
    #expect(chain.intact)
    #expect(chain.events == stored)
    // Running the same input again completes the work: the rest is created, the rest are duplicates.
    let rerun = try sandbox.shell("hr-create people.jsonl > /dev/null")
    #expect(rerun.errorLines.last == "hr-create: \(8_000 - stored) created, \(stored) rejected")
  }

  @Test("A denial stays in the audit trail even when --all-or-nothing rolls the run back")
  func denialSurvivesRollBack() throws {
    let sandbox = try Sandbox()
    let input =
      [
        #"{"id_number":"11010519491231002X","name":"王芳","division":"500103001001"}"#,
        #"{"id_number":"500103198001010016","name":"张三","division":"500106001001","org":"500106001"}"#,
      ].joined(separator: "\n") + "\n"
    let result = try sandbox.run("hr-create", ["--all-or-nothing"], stdin: input, operator: "doc-li")
    #expect(result.status == 65)
    #expect(try sandbox.sqlite("SELECT count(*) FROM record") == "0")
    #expect(try sandbox.sqlite("SELECT operator, action, outcome FROM audit_event") == "doc-li|record.create|denied")
    #expect(try sandbox.auditChain().intact)
  }
}

@Suite("Progress")
struct ProgressTests {
  @Test("On a terminal a long run shows a progress line every second; in a pipe only the summary")
  func progressOnlyOnATerminal() throws {
    let sandbox = try Sandbox()
    try sandbox.write("people.jsonl", Sandbox.people(8_000, seed: 5))
    // script(1) gives the tool a pseudo-terminal as its standard error, as a person at a shell has.
    let terminal = try sandbox.shell(#"script -qfec "hr-create --batch-size 100 people.jsonl > out.jsonl" /dev/null"#)
    #expect(terminal.status == 0)
    #expect(terminal.stdout.contains("\rhr-create: "))
    #expect(terminal.stdout.contains(" created, 0 rejected…"))
    #expect(terminal.stdout.hasSuffix("hr-create: 8000 created, 0 rejected\r\n"))
    #expect(try sandbox.read("out.jsonl").split(separator: "\n").count == 8_000)

    let piped = try sandbox.shell("hr-create --store piped.sqlite people.jsonl > /dev/null")
    #expect(
      piped.errorLines == [
        "hr-create: creating a new store 'piped.sqlite' (given by --store)", "hr-create: 8000 created, 0 rejected",
      ])
  }
}
