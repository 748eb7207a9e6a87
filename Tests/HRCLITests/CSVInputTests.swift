import Foundation
import HRLines
import Testing

/// CSV written the way Excel writes it: a byte order mark, CRLF, every cell that holds a comma,
/// a quote or a line break quoted.
enum ExcelCSV {
  static func cell(_ text: String) -> String {
    text.unicodeScalars.contains(where: { ",\"\r\n".unicodeScalars.contains($0) })
      ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
  }

  /// The rows as a spreadsheet saves them, the header first.
  static func file(header: [String], rows: [[String]]) -> String {
    "\u{FEFF}" + ([header] + rows).map { $0.map(cell).joined(separator: ",") + "\r\n" }.joined()
  }

  /// `hr-create` input lines as spreadsheet rows: every value as text, addresses with commas.
  static func rows(_ people: String) -> (header: [String], rows: [[String]]) {
    let header = [
      "id_number", "birth_cert_no", "name", "sex", "birth_date", "division", "org", "phone", "current_address",
      "responsible_doctor", "emergency_contact.name", "emergency_contact.phone",
    ]
    let rows = people.split(separator: "\n").enumerated().map { index, line -> [String] in
      let person = try! JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
      return header.map { key -> String in
        switch key {
        case "current_address": return "\(person[key] as? String ?? ""), \(index % 9 + 1)栋, 2单元"
        case "emergency_contact.name": return index % 2 == 0 ? "李\"小\"红" : ""
        case "emergency_contact.phone": return index % 2 == 0 ? "13900000000" : ""
        default: return person[key].map { "\($0)" } ?? ""
        }
      }
    }
    return (header, rows)
  }
}

@Suite("CSV input end to end")
struct CSVInputTests {
  @Test("A 1,000-row Excel CSV loads like JSON Lines; bad rows are named by their spreadsheet row")
  func excelFileLoads() throws {
    let sandbox = try Sandbox()
    var (header, rows) = ExcelCSV.rows(Sandbox.people(1000))
    // Spreadsheet row numbers: the header is row 1, rows[i] is row i + 2.
    rows[3][8] = "重庆市\n渝中区"  // row 5: a line break inside a quoted cell, which an address may not hold
    rows[98][0] = "5.00107E+17"  // row 100
    rows[998][0] = ""  // row 1000: no identifier at all
    rows[998][1] = ""
    rows.append(["", "", "", "", "", "", "", "", "", "", "", "", "extra"])  // row 1002
    try sandbox.write("people.csv", ExcelCSV.file(header: header, rows: rows))
    let result = try sandbox.shell("hr-create --rejects rejects.jsonl people.csv")
    #expect(result.status == 65)
    #expect(result.objects.count == 997)
    #expect(try sandbox.sqlite("SELECT count(*) FROM record") == "997")
    let named = result.errorLines.filter { $0.hasPrefix("hr-create:people.csv:") }.map { $0.split(separator: ":")[2] }
    #expect(named == ["5", "100", "1000", "1002"])
    #expect(result.stderr.contains("hr-create:people.csv:1002: malformed_row: "))
    let rejects = try sandbox.read("rejects.jsonl").split(separator: "\n").map {
      try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
    }
    #expect(rejects.map { $0["line"] as? Int } == [5, 100, 1000, 1002])
    // The input of a rejected row is the row as the JSON object it stands for.
    let input = try JSONSerialization.jsonObject(with: Data((rejects[1]["input"] as! String).utf8)) as! [String: Any]
    #expect(input["id_number"] as? String == "5.00107E+17")
    #expect(input["name"] as? String == rows[98][2])
    #expect(input["sex"] == nil)  // an empty cell is an absent field
    // Nested fields from dotted columns; a quote inside a quoted cell; text stays text.
    let first = result.objects[0]["record_no"] as! String
    #expect(
      try sandbox.sqlite("SELECT emergency_contact FROM record WHERE record_no = '\(first)'")
        == #"{"name":"李\"小\"红","phone":"13900000000"}"#)
    #expect(try sandbox.sqlite("SELECT current_address FROM record WHERE record_no = '\(first)'") == rows[0][8])
    #expect(try sandbox.sqlite("SELECT phone FROM record WHERE record_no = '\(first)'") == rows[0][7])
  }

  @Test("--input csv reads standard input; a .csv file with --input jsonl is read as JSON Lines")
  func inputOption() throws {
    let sandbox = try Sandbox()
    let (header, rows) = ExcelCSV.rows(Sandbox.people(20))
    try sandbox.write("people.csv", ExcelCSV.file(header: header, rows: rows))
    let piped = try sandbox.shell("cat people.csv | hr-create --input csv")
    #expect(piped.status == 0, "\(piped.stderr)")
    #expect(piped.objects.count == 20)
    let forced = try sandbox.shell("hr-create --dry-run --input jsonl people.csv")
    #expect(forced.status == 65)
    #expect(forced.errorLines.filter { $0.contains(": invalid_json: ") || $0.contains("people.csv:") }.count >= 20)
  }

  @Test("A GB18030 file gets one whole-run error naming the iconv conversion, file or pipe")
  func gbkIsOneError() throws {
    let sandbox = try Sandbox()
    let (header, rows) = ExcelCSV.rows(Sandbox.people(200))
    try sandbox.write("people.csv", ExcelCSV.file(header: header, rows: rows))
    #expect(try sandbox.shell("iconv -f UTF-8 -t GB18030 people.csv > gbk.csv").status == 0)
    let file = try sandbox.shell("hr-create gbk.csv")
    #expect(file.status == 66)
    #expect(file.stdout.isEmpty)
    #expect(file.errorLines.count == 1)
    #expect(file.stderr.hasPrefix("hr-create: 'gbk.csv' is not UTF-8 text (line 1)"))
    #expect(file.stderr.contains("iconv -f GB18030 -t UTF-8 gbk.csv > gbk.utf8.csv"))
    let piped = try sandbox.shell("cat gbk.csv | hr-create --input csv")
    #expect(piped.status == 66)
    #expect(piped.errorLines.count == 1)
    #expect(piped.stderr.contains("'standard input' is not UTF-8 text"))
    #expect(try sandbox.sqlite("SELECT count(*) FROM record") == "0")
    // The converted file loads.
    let converted = try sandbox.shell("iconv -f GB18030 -t UTF-8 gbk.csv > gbk.utf8.csv && hr-create gbk.utf8.csv")
    #expect(converted.status == 0, "\(converted.stderr)")
    #expect(converted.objects.count == 200)
  }
}

@Suite("CSV headers")
struct CSVHeaderTests {
  @Test(
    "A header that names a field twice, a field and a field inside it, or nothing ends the run (exit 65)",
    arguments: [
      ("name,name\r\n张三,李四\r\n", "'bad.csv': the header names 'name' twice"),
      (
        "emergency_contact,emergency_contact.phone\r\nx,13800000000\r\n",
        "'bad.csv': the header names both 'emergency_contact' and 'emergency_contact.phone', a field and a field inside it"
      ),
      ("name,a..b\r\n张三,x\r\n", "'bad.csv': column 2 of the header names no field ('a..b')"),
      (",,\r\n张三,x,\r\n", "'bad.csv' has no header row naming the fields"),
    ])
  func badHeader(csv: String, message: String) throws {
    let sandbox = try Sandbox()
    try sandbox.write("bad.csv", csv)
    let result = try sandbox.shell("hr-create bad.csv")
    #expect(result.status == 65)
    #expect(result.stderr == "hr-create: \(message); nothing was committed\n")
  }
}

extension CSVHeaderTests {
  @Test("An empty header cell is a column to ignore while it stays empty; a value under it is a malformed_row")
  func unnamedColumn() throws {
    let sandbox = try Sandbox()
    let (header, rows) = ExcelCSV.rows(Sandbox.people(3))
    var padded = rows.map { $0 + ["", ""] }
    padded[1][header.count + 1] = "stray"
    try sandbox.write("people.csv", ExcelCSV.file(header: header + ["", ""], rows: padded))
    let result = try sandbox.shell("hr-create people.csv")
    #expect(result.status == 65)
    #expect(result.objects.count == 2)
    #expect(
      result.errorLines.first
        == "hr-create:people.csv:3: malformed_row: column \(header.count + 2) has a value but the header names no field for it (an unquoted comma?)"
    )
  }
}
