import Foundation
import HRCLI
import HRLines
import Testing

/// What residents, staff and the configuration stored reaches a spreadsheet, a terminal and a
/// browser as text to read, never as a formula, an escape sequence or markup.
@Suite("Listings are safe to open")
struct OutputSafetyTests {
  /// Residents whose stored texts a spreadsheet would read as formulas, created the way a script creates them.
  static let hostileResidents: [(name: String, address: String)] = [
    (#"=HYPERLINK("http://evil.example/","点击")"#, "@SUM(1+1)*cmd|' /C calc'!A0"),
    ("-2+3", "+86 138 0000 0000 重庆市渝中区"),
    ("＝1+1", "重庆市渝中区民族路1号"),
    ("张三", "重庆市渝中区-民族路2号"),
  ]

  /// A sandbox with `hostileResidents` created through `hr-create` in a pipeline, their record numbers in order.
  static func seeded(configuration: String = Sandbox.exampleConfiguration) throws -> (Sandbox, [String]) {
    let sandbox = try Sandbox(configuration: configuration)
    var lines = ""
    for (index, resident) in hostileResidents.enumerated() {
      var object = JSONObject()
      object["birth_cert_no"] = .string("A12345678\(index)")
      object["name"] = .string(resident.name)
      object["sex"] = .int(1)
      object["birth_date"] = .string("2026-0\(index + 1)-01")
      object["division"] = .string("500103001001")
      object["org"] = .string("500103001")
      object["current_address"] = .string(resident.address)
      lines += JSONValue.object(object).compact + "\n"
    }
    try sandbox.write("residents.jsonl", lines)
    let created = try sandbox.shell("cat residents.jsonl | hr-create --quiet")
    try #require(created.status == 0, "\(created.stderr)")
    return (sandbox, created.objects.compactMap { $0["record_no"] as? String })
  }

  /// The rows of a CSV text, read by Python's `csv` module as a spreadsheet program reads them.
  static func csvRows(_ sandbox: Sandbox, _ file: String) throws -> [[String]] {
    let read = try sandbox.shell(
      "python3 -c 'import csv, json, sys; [print(json.dumps(r)) for r in csv.reader(open(sys.argv[1], newline=\"\"))]' \(file)")
    #expect(read.status == 0, "\(read.stderr)")
    return read.lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String] }
  }

  @Test func aRosterInCSVWritesEveryFormulaLikeTextAfterAnApostropheAndNothingElse() throws {
    let (sandbox, records) = try Self.seeded()
    // hr refuses a text that starts with white space; a store edited by hand can still hold one.
    _ = try sandbox.sqlite("UPDATE record SET current_address = char(9) || '=1+1' WHERE record_no = '\(records[2])'")
    _ = try sandbox.sqlite("UPDATE record SET current_address = char(13) || '=1+1' WHERE record_no = '\(records[3])'")
    let jsonl = try sandbox.run("hr-export", ["roster"], operator: "admin-jfb")
    let csv = try sandbox.shell("hr-export roster --format csv > roster.csv", operator: "admin-jfb")
    #expect(jsonl.status == 0 && csv.status == 0, "\(jsonl.stderr)\(csv.stderr)")
    // JSON Lines, for programs, keep every text exactly.
    #expect(jsonl.objects.map { $0["name"] as? String } == Self.hostileResidents.map(\.name))
    let bytes = try sandbox.read("roster.csv")
    #expect(bytes.contains(#","'=HYPERLINK(""http://evil.example/"",""点击"")",1,2026-01-01,"#), "\(bytes)")
    #expect(bytes.contains(",'@SUM(1+1)*cmd|' /C calc'!A0,500103001,"), "\(bytes)")
    #expect(bytes.contains(",'-2+3,1,2026-02-01,,'+86 138 0000 0000 重庆市渝中区,500103001,"), "\(bytes)")
    #expect(bytes.contains(",'＝1+1,1,2026-03-01,,'\t=1+1,500103001,"), "\(bytes)")
    #expect(bytes.contains(",张三,1,2026-04-01,,\"'\r=1+1\",500103001,"), "\(bytes)")
    // Every cell is the JSON line's value: a text after an apostrophe when it starts a formula,
    // numbers, dates and nested values as they are.
    let rows = try Self.csvRows(sandbox, "roster.csv")
    try #require(rows.count == jsonl.objects.count + 1)
    for (row, object) in zip(rows.dropFirst(), jsonl.objects) {
      for (cell, key) in zip(row, rows[0]) { #expect(cell == (try Self.expectedCell(object[key])), "\(key)") }
    }
  }

  /// The CSV cell a JSON line's value should become: a text after an apostrophe when it starts a
  /// formula, a number as it is, null empty, a nested value as compact JSON.
  static func expectedCell(_ value: Any?) throws -> String {
    switch value {
    case let text as String:
      guard let first = text.unicodeScalars.first, "=+-@\t\r＝＋－＠".unicodeScalars.contains(first) else { return text }
      return "'" + text
    case let number as Int: return String(number)
    case nil, is NSNull: return ""
    default: return String(decoding: try JSONSerialization.data(withJSONObject: value ?? []), as: UTF8.self)
    }
  }

  @Test(
    "A CSV cell guards texts only",
    arguments: [
      (JSONValue.string("=1+1"), "'=1+1"), (.string("+8613800000000"), "'+8613800000000"), (.string("-5"), "'-5"),
      (.string("@A1"), "'@A1"), (.string("\t1"), "'\t1"), (.string("\r1"), "\"'\r1\""), (.string("＋1"), "'＋1"),
      (.string("a=1"), "a=1"), (.string(" =1"), " =1"), (.string("2026-11-26"), "2026-11-26"), (.string(""), ""),
      (.number(JSONNumber(-5)), "-5"), (.number(JSONNumber(-0.5)), "-0.5"), (.bool(true), "true"), (.null, ""),
      (.array([.string("=1")]), "\"[\"\"=1\"\"]\""),
    ])
  func csvCell(value: JSONValue, cell: String) {
    #expect(ListingWriter.csvCell(value) == cell)
  }

  @Test func aTableShowsControlAndBidirectionalCharactersAsEscapesAndKeepsItsColumns() throws {
    let (sandbox, records) = try Self.seeded()
    // hr refuses these characters in a text it is given; the store edited by hand holds them: an escape sequence that clears the screen and retitles the window,
    // a bell, a C1 control introducer, and a right-to-left override that would reverse the row.
    _ = try sandbox.sqlite(
      "UPDATE record SET name = '张' || char(27) || '[2J' || char(27) || ']0;pwned' || char(7) || char(155) || '31m'"
        + " WHERE record_no = '\(records[0])'")
    _ = try sandbox.sqlite(
      "UPDATE record SET current_address = char(8238) || '重庆市' || char(8297) || char(127) WHERE record_no = '\(records[1])'")
    let table = try sandbox.run("hr-export", ["roster", "--format", "table"], operator: "admin-jfb")
    #expect(table.status == 0, "\(table.stderr)")
    let hidden: Set<UInt32> = [0x07, 0x1B, 0x7F, 0x9B, 0x202E, 0x2069]
    #expect(!table.stdout.unicodeScalars.contains { hidden.contains($0.value) })
    #expect(table.lines[1].contains(#"张\u{1B}[2J\u{1B}]0;pwned\u{7}\u{9B}31m"#), "\(table.lines[1])")
    #expect(table.lines[2].contains(#"\u{202E}重庆市\u{2069}\u{7F}"#), "\(table.lines[2])")
    #expect(table.lines.count == records.count + 1)
    // Every column starts at the same display column on every line.
    let starts = table.lines.map(ListingFormatTests.cellStarts)
    #expect(starts.allSatisfy { $0.count == starts[0].count })
    for column in starts[0].indices {
      #expect(Set(starts.map { $0[column] }).count == 1, "column \(column) of \(table.lines)")
    }
    // The same listing as JSON Lines keeps the stored text exactly.
    let jsonl = try sandbox.run("hr-export", ["roster"], operator: "admin-jfb")
    #expect(jsonl.objects.first?["name"] as? String == "张\u{1B}[2J\u{1B}]0;pwned\u{07}\u{9B}31m")
  }

  @Test func messagesShowTheControlCharactersOfAValueAsEscapes() throws {
    let sandbox = try Sandbox()
    // hr-create refuses control characters in a text, naming the one it found; a message that
    // quotes a value shows an escape sequence in it rather than sending it to the terminal.
    try sandbox.write(
      "hostile.jsonl",
      #"{"birth_cert_no":"A123456799","name":"李\u001b[2J","sex":1,"birth_date":"2026-05-01","division":"500103001001","org":"500103001"}"#
        + "\n" + #"{"id_number":"5001\u001b]0;pwned\u0007\u202e1","name":"李四","division":"500103001001","org":"500103001"}"#
        + "\n")
    let refused = try sandbox.shell("cat hostile.jsonl | hr-create")
    #expect(refused.status == 65)
    #expect(refused.errorLines.first?.hasSuffix("contains an invisible control or format character (U+001B)") == true)
    #expect(refused.errorLines.dropFirst().first?.contains(#"id number '5001\u{1B}]0;pwned\u{7}\u{202E}1'"#) == true)
    #expect(!refused.stderr.unicodeScalars.contains { [0x07, 0x1B, 0x202E].contains($0.value) }, "\(refused.stderr)")
    let unknown = try sandbox.shell(#"hr-export roster --tag "$(printf 'x\033[2J')""#, operator: "admin-jfb")
    #expect(unknown.status == 64)
    #expect(unknown.stderr.hasPrefix(#"hr-export: unknown tag 'x\u{1B}[2J'"#), "\(unknown.stderr)")
  }

  @Test func aPaymentMethodIsRefusedAControlCharacterLikeEveryOtherText() throws {
    let sandbox = try Sandbox()
    let person =
      #"{"birth_cert_no":"A12345678N","name":"李四","sex":1,"birth_date":"2026-05-01","division":"500103001001","org":"500103001","#
    try sandbox.write(
      "methods.jsonl",
      [#""payment_methods":["城乡居民医保\u001b[2J"]}"#, #""payment_methods":[" "]}"#, #""payment_methods":[" 城乡居民医保 "]}"#]
        .enumerated().map { person.replacingOccurrences(of: "N", with: "\($0.offset)") + $0.element }.joined(separator: "\n")
        + "\n")
    let created = try sandbox.shell("cat methods.jsonl | hr-create")
    #expect(created.status == 65)
    #expect(
      created.errorLines.prefix(2) == [
        "hr-create:-:1: invalid_value: field 'payment_methods' holds a method that contains an invisible control or format character (U+001B)",
        "hr-create:-:2: invalid_value: field 'payment_methods' must hold non-empty strings",
      ])
    let record = try #require(created.objects.first?["record_no"] as? String)
    #expect(try sandbox.sqlite("SELECT payment_methods FROM record WHERE record_no = '\(record)'") == #"["城乡居民医保"]"#)
  }

  @Test(
    "A text is shown as it is unless a character in it acts on the screen",
    arguments: [
      ("张三", "张三"), ("a\u{1B}[31mb", #"a\u{1B}[31mb"#), ("\t\n\r", #"\u{9}\u{A}\u{D}"#), ("\u{0}", #"\u{0}"#),
      ("\u{85}", #"\u{85}"#), ("abc\u{202A}\u{202B}\u{202C}\u{202D}", #"abc\u{202A}\u{202B}\u{202C}\u{202D}"#),
      ("\u{2066}\u{2067}\u{2068}", #"\u{2066}\u{2067}\u{2068}"#), ("李\u{200B}四", #"李\u{200B}四"#),
      ("a\u{2028}b", #"a\u{2028}b"#), ("é", "é"), ("e\u{301}", "e\u{301}"), (#"C:\u{1B}"#, #"C:\u{1B}"#),
    ])
  func visibleText(text: String, shown: String) {
    #expect(CellText.visible(text) == shown)
  }

  /// The example configuration with organisation names that hold markup, a formula, an escape
  /// sequence and a right-to-left override, as a hand-edited `hr.yaml` can.
  static let hostileConfiguration = Sandbox.exampleConfiguration
    .replacingOccurrences(
      of: #"{name: 解放碑社区卫生服务中心,"#, with: #"{name: "<b>解放碑</b> & \"中心\" '<script>\e[31m\u202E", "#
    )
    .replacingOccurrences(of: #"{name: 七星岗社区卫生服务中心,"#, with: #"{name: "=cmd|' /C calc'!A0", "#)

  /// The name `hostileConfiguration` gives 500103001, as every output for people shows it.
  static let shownName = #"<b>解放碑</b> & "中心" '<script>\u{1B}[31m\u{202E}"#

  @Test func theMetricsReportEscapesConfiguredNamesInTextAndLabelsAndStaysWellFormed() throws {
    let (sandbox, _) = try Self.seeded(configuration: Self.hostileConfiguration)
    let html = try sandbox.shell("hr-metrics --by org --year 2026 --format html > report.html")
    #expect(html.status == 0, "\(html.stderr)")
    let page = try sandbox.read("report.html")
    #expect(!page.contains("<b>") && !page.contains("<script>") && !page.contains("\u{1B}") && !page.contains("\u{202E}"))
    #expect(page.contains("&lt;b&gt;解放碑&lt;/b&gt; &amp; &quot;中心&quot; &#39;&lt;script&gt;\\u{1B}[31m\\u{202E}"))
    // An XML parser reads the page; the table's cell and the chart's label show the name as text.
    let check = """
      import json, xml.etree.ElementTree as ET
      ns = {"h": "http://www.w3.org/1999/xhtml", "s": "http://www.w3.org/2000/svg"}
      root = ET.parse("report.html").getroot()
      for row in root.find("h:body/h:table/h:tbody", ns).findall("h:tr", ns):
          print(json.dumps({td.get("data-key"): "".join(td.itertext()) for td in row.findall("h:td", ns)}))
      print(json.dumps({"label": [t.text for t in root.iter("{http://www.w3.org/2000/svg}text") if t.get("class") == "label"]}))
      """
    try sandbox.write("check.py", check)
    let parsed = try sandbox.shell("python3 check.py")
    #expect(parsed.status == 0, "\(parsed.stderr)")
    let objects = parsed.objects
    #expect(objects.contains { $0["code"] as? String == "500103001" && $0["name"] as? String == Self.shownName })
    #expect(objects.contains { $0["code"] as? String == "500103002" && $0["name"] as? String == "=cmd|' /C calc'!A0" })
    #expect((objects.last?["label"] as? [String])?.contains("500103001 " + Self.shownName) == true)
    // The same names in a spreadsheet and in a terminal.
    let csv = try sandbox.shell("hr-metrics --by org --year 2026 --format csv > metrics.csv")
    #expect(csv.status == 0, "\(csv.stderr)")
    let rows = try Self.csvRows(sandbox, "metrics.csv")
    let names = rows.first.flatMap { $0.firstIndex(of: "name") } ?? 0
    #expect(rows.dropFirst().map { $0[names] }.contains("'=cmd|' /C calc'!A0"))
    #expect(rows.dropFirst().map { $0[names] }.contains("<b>解放碑</b> & \"中心\" '<script>\u{1B}[31m\u{202E}"))
    let table = try sandbox.run("hr-metrics", ["--by", "org", "--year", "2026", "--format", "table"])
    #expect(table.status == 0, "\(table.stderr)")
    #expect(table.stdout.contains(Self.shownName))
    #expect(!table.stdout.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x202E })
  }
}
