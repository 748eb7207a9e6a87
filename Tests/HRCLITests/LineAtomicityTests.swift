import Foundation
import Testing

/// The lines of a batch run without a savepoint each; a line refused after it has written must
/// still leave nothing behind, and the lines around it must be handled as if it had never come.
@Suite("A line refused after it wrote leaves nothing")
struct LineAtomicityTests {
  /// Five lines in one batch: a resident, the same with a misspelt field (refused before any
  /// write), a resident of a division that has given all its numbers (refused after its number
  /// was taken), the first resident again (a duplicate, refused once the third line is undone),
  /// and another resident.
  static func scenario() throws -> (sandbox: Sandbox, input: String, exhausted: String) {
    let sandbox = try Sandbox()
    let people = Sandbox.people(60).split(separator: "\n").map {
      try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
    }
    let division = { (person: [String: Any]) in person["division"] as! String }
    let first = people[0]
    let exhausted = try #require(people.first { division($0) != division(first) })
    let last = try #require(people.dropFirst().first { division($0) != division(exhausted) && $0["id_number"] != nil })
    _ = try sandbox.sqlite("INSERT INTO division_sequence (division, last) VALUES ('\(division(exhausted))', 99999)")
    var misspelt = first
    misspelt["nmae"] = "张三"
    let lines = [first, misspelt, exhausted, first, last].map {
      String(decoding: try! JSONSerialization.data(withJSONObject: $0, options: [.sortedKeys]), as: UTF8.self)
    }
    return (sandbox, lines.joined(separator: "\n") + "\n", division(exhausted))
  }

  @Test("The exhausted division keeps its last number, the others are created, each refusal is reported once")
  func refusedAfterWritingLeavesNothing() throws {
    let (sandbox, input, exhausted) = try Self.scenario()
    try sandbox.write("people.jsonl", input)
    let result = try sandbox.shell("hr-create --rejects rejects.jsonl people.jsonl")
    #expect(result.status == 65)
    #expect(result.objects.map { $0["result"] as? String } == ["created", "created"])
    let codes = result.errorLines.filter { $0.hasPrefix("hr-create:people.jsonl:") }.map { $0.split(separator: ":")[3] }
    #expect(codes == [" unknown_field", " sequence_exhausted", " duplicate_record"])
    #expect(result.errorLines.last == "hr-create: 2 created, 3 rejected")
    let rejects = try sandbox.read("rejects.jsonl").split(separator: "\n").map {
      try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
    }
    #expect(rejects.map { $0["line"] as? Int } == [2, 3, 4])
    #expect(rejects.map { $0["code"] as? String } == ["unknown_field", "sequence_exhausted", "duplicate_record"])

    #expect(try sandbox.sqlite("SELECT last FROM division_sequence WHERE division = '\(exhausted)'") == "99999")
    #expect(try sandbox.sqlite("SELECT count(*) FROM record") == "2")
    #expect(try sandbox.sqlite("SELECT count(*) FROM record WHERE division = '\(exhausted)'") == "0")
    #expect(try sandbox.sqlite("SELECT count(*) FROM identifier") == "2")
    #expect(
      try sandbox.sqlite("SELECT group_concat(action, ' ') FROM (SELECT action FROM audit_event ORDER BY seq)")
        == "record.create record.check record.create")
    #expect(try sandbox.sqlite("PRAGMA integrity_check") == "ok")
    #expect(try sandbox.run("hr-audit", ["verify"]).status == 0)
  }

  @Test("The same input gives the same bytes as one line a batch, where each line commits on its own")
  func sameOutputAsOneLineABatch() throws {
    let (batched, input, _) = try Self.scenario()
    let (single, _, _) = try Self.scenario()
    let one = try batched.run("hr-create", stdin: input)
    let each = try single.run("hr-create", ["--batch-size", "1"], stdin: input)
    #expect(one.stdout == each.stdout)
    #expect(one.stderr == each.stderr)
    for sql in [
      "SELECT group_concat(division || '=' || last, ' ') FROM division_sequence",
      "SELECT group_concat(record_no, ' ') FROM record", "SELECT count(*) FROM audit_event",
    ] {
      #expect(try batched.sqlite(sql) == single.sqlite(sql))
    }
  }
}
