import Foundation
import HRLines
import Testing

/// The common slips of a new user, each met with a message that says what to do.
@Suite("Hints for common slips, end to end")
struct SlipTests {
  @Test("Pretty-printed JSON gets one hint to pipe it through 'jq -c', however long the file")
  func prettyPrinted() throws {
    let sandbox = try Sandbox()
    try sandbox.write("people.jsonl", Sandbox.people(30))
    let result = try sandbox.shell("jq . people.jsonl | hr-create --dry-run")
    #expect(result.status == 65)
    #expect(
      result.errorLines.filter { $0.contains("hint:") } == [
        "hr-create: hint: the input looks like pretty-printed JSON, one object over many lines; each object must be on a line of its own: pipe it through 'jq -c .'"
      ])
    #expect(result.errorLines[0].hasPrefix("hr-create:-:1: "))
    let fixed = try sandbox.shell("jq . people.jsonl | jq -c . | hr-create")
    #expect(fixed.status == 0, "\(fixed.stderr)")
  }

  @Test("A JSON array on one line gets the hint jq -c '.[]'")
  func arrayOnOneLine() throws {
    let sandbox = try Sandbox()
    try sandbox.write("people.jsonl", Sandbox.people(5))
    let result = try sandbox.shell("jq -s -c . people.jsonl | hr-create")
    #expect(result.status == 65)
    #expect(
      result.stderr.contains(
        "hr-create: hint: the line is a JSON array; each object must be on a line of its own: pipe it through jq -c '.[]'\n"))
    #expect(try sandbox.shell("jq -s -c . people.jsonl | jq -c '.[]' | hr-create").status == 0)
  }

  @Test("CSV fed as JSON Lines gets the hint --input csv")
  func csvAsJSON() throws {
    let sandbox = try Sandbox()
    let (header, rows) = ExcelCSV.rows(Sandbox.people(10))
    try sandbox.write("people.txt", ExcelCSV.file(header: header, rows: rows))
    let result = try sandbox.shell("hr-create people.txt")
    #expect(result.status == 65)
    #expect(
      result.errorLines.filter { $0.contains("hint:") } == [
        "hr-create: hint: the input looks like CSV: give --input csv (a file whose name ends '.csv' is read as CSV)"
      ])
    let fixed = try sandbox.shell("hr-create --input csv people.txt")
    #expect(fixed.status == 0, "\(fixed.stderr)")
    #expect(fixed.objects.count == 10)
  }

  /// One generated resident, as a mutable dictionary.
  static func person(seed: UInt64 = 7) -> [String: Any] {
    let line = Sandbox.people(1, seed: seed).split(separator: "\n")[0]
    return try! JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
  }

  static func line(_ person: [String: Any]) -> String {
    String(decoding: try! JSONSerialization.data(withJSONObject: person, options: [.sortedKeys]), as: UTF8.self) + "\n"
  }

  @Test("An ID that Excel wrote in exponent form, as text or as a number, says to format the column as text")
  func exponentForm() throws {
    let sandbox = try Sandbox()
    var person = Self.person()
    person["id_number"] = "5.00107E+17"
    var asNumber = Self.person(seed: 8)
    asNumber["id_number"] = 5.00107e17
    let result = try sandbox.run("hr-create", stdin: Self.line(person) + Self.line(asNumber))
    #expect(result.status == 65)
    #expect(
      result.stderr.contains(
        "hr-create:-:1: invalid_id: field 'id_number' is '5.00107E+17': a spreadsheet turned it into a number: format the column as text"
      ))
    #expect(result.stderr.contains("hr-create:-:2: invalid_value: field 'id_number' must be a string, found the number 5"))
    #expect(result.errorLines.filter { $0.contains("format the column as text") }.count == 2)
  }

  @Test(
    "Full-width digits, a lower-case x and spaced or prefixed phones are normalised before they are checked and kept",
    arguments: [
      ("138 0000 0000", "13800000000"), ("138-0000-0000", "13800000000"), ("+86 138 0000 0000", "13800000000"),
      ("8613800000000", "13800000000"), ("１３８００００００００", "13800000000"), ("023-63801234", "023-63801234"),
    ])
  func normalised(phone: String, stored: String) throws {
    let sandbox = try Sandbox()
    var person = Self.person()
    let id = person["id_number"] as! String
    person["id_number"] = String(
      String.UnicodeScalarView(id.unicodeScalars.map { $0 == "X" ? "x" : Unicode.Scalar($0.value + 0xFEE0)! }))
    person["phone"] = phone
    let result = try sandbox.run("hr-create", stdin: Self.line(person))
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.objects.first?["id_number"] as? String == id.uppercased())
    #expect(try sandbox.sqlite("SELECT phone FROM record") == stored)
    #expect(try sandbox.sqlite("SELECT count(*) FROM identifier WHERE value = '\(id)'") == "1")
    // The same resident typed the ASCII way is the same resident.
    var again = Self.person()
    again["phone"] = stored
    #expect(try sandbox.run("hr-create", stdin: Self.line(again)).stderr.contains("duplicate_record"))
  }

  @Test("A misspelt field name is answered with the field it was probably meant to be")
  func didYouMean() throws {
    var person = Self.person()
    person["nmae"] = person.removeValue(forKey: "name")
    person["phonee"] = "13800000000"
    let result = try Sandbox().run("hr-create", stdin: Self.line(person))
    #expect(result.status == 65)
    #expect(result.stderr.contains(": unknown_field: unknown field 'nmae'; did you mean 'name'?"))
    var far = Self.person()
    far["zzzz"] = "1"
    let none = try Sandbox().run("hr-create", stdin: Self.line(far))
    #expect(none.stderr.contains(": unknown_field: unknown field 'zzzz'\n"))
  }

  @Test("A date written correctly that does not exist is called so, not blamed on its format")
  func dateThatDoesNotExist() throws {
    let sandbox = try Sandbox()
    var person = Self.person()
    person["created_on"] = "2026-11-31"
    let result = try sandbox.run("hr-create", stdin: Self.line(person))
    #expect(
      result.stderr.contains(
        "invalid_value: field 'created_on' is '2026-11-31', a date that does not exist (that month has no day 31)"))
    person["created_on"] = "2026-13-01"
    #expect(
      try sandbox.run("hr-create", stdin: Self.line(person)).stderr.contains("a date that does not exist (there is no month 13)"))
    person["created_on"] = "2026/11/30"
    #expect(try sandbox.run("hr-create", stdin: Self.line(person)).stderr.contains("must be a date 'YYYY-MM-DD'"))
  }
}
