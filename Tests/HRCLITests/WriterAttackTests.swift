import Foundation
import Testing

/// What a district administrator loading spreadsheets and scripts meets, each slip answered with a
/// message that names the line, a stable code and what to do, the good lines still going through.
@Suite("Careless and hostile input to the writing tools, end to end")
struct WriterAttackTests {
  /// A line of `hr-create` input for the resident with ID number `id`.
  static func resident(_ id: String, name: String = "张三", extra: String = "") -> String {
    #"{"id_number":"\#(id)","name":"\#(name)","division":"500103001001","org":"500103001"\#(extra)}"# + "\n"
  }

  @Test(
    "--rejects naming the file standard output or error is redirected to is refused before anything is done",
    arguments: ["> out.jsonl", "2> out.jsonl", ">> out.jsonl"])
  func rejectsIsRedirectedOutput(redirect: String) throws {
    let sandbox = try Sandbox()
    try sandbox.write("in.jsonl", Self.resident("500103198001011000") + #"{"bad":1}"# + "\n")
    let result = try sandbox.shell("hr-create --rejects out.jsonl in.jsonl \(redirect); echo $? > status")
    #expect(try sandbox.read("status") == "64\n")
    let stream = redirect.hasPrefix("2") ? "standard error" : "standard output"
    let message = "hr-create: --rejects 'out.jsonl' is the file \(stream) is redirected to: name another file"
    let said = redirect.hasPrefix("2") ? try sandbox.read("out.jsonl") : result.stderr
    #expect(said.contains(message), "\(said)")
    #expect(try sandbox.sqlite("SELECT count(*) FROM record") == "0")
    // Another file, or /dev/null, is written as before.
    let apart = try sandbox.shell("hr-create --rejects rejects.jsonl in.jsonl > out.jsonl")
    #expect(apart.status == 65)
    #expect(try sandbox.read("rejects.jsonl").contains(#""code":"unknown_field""#))
    #expect(try sandbox.read("out.jsonl").contains(#""result":"created""#))
    #expect(try sandbox.shell("hr-create --rejects /dev/null in.jsonl > /dev/null").status == 65)
  }

  @Test(
    "An ID number that is not in form is told what is wrong with it, not that it is not 18 characters",
    arguments: [
      ("   ", "id number is blank: it must be 17 digits and a check digit, or 15 digits"),
      (
        "500103198001011O86",
        "id number '500103198001011O86' has 'O' at character 16, where a digit belongs: it must be 17 digits and a check digit, or 15 digits"
      ),
      (
        "50010\u{3000}319800101106X",
        "id number '50010 319800101106X' has a space at character 6, where a digit belongs: it must be 17 digits and a check digit, or 15 digits"
      ),
      (
        "\u{FEFF}500103198001011086",
        "id number '\\u{FEFF}500103198001011086' has an invisible character U+FEFF at character 1, where a digit belongs: it must be 17 digits and a check digit, or 15 digits"
      ),
      (
        "500103198001011086\u{200B}",
        "id number '500103198001011086\\u{200B}' has an invisible character U+200B at character 19, where a digit belongs: it must be 17 digits and a check digit, or 15 digits"
      ),
      (
        "5001031980010110x",
        "id number '5001031980010110X' has 16 digits and a check character X: it must be 17 digits and a check digit, or 15 digits"
      ),
      (
        "5001031980010110861",
        "id number '5001031980010110861' has 19 digits: it must be 17 digits and a check digit, or 15 digits"
      ),
    ])
  func malformedIDNumber(typed: String, message: String) throws {
    let sandbox = try Sandbox()
    let result = try sandbox.run("hr-create", stdin: Self.resident(typed) + Self.resident("500103198001011000", name: "李四"))
    #expect(result.status == 65)
    #expect(result.errorLines.first == "hr-create:-:1: invalid_id: \(message)")
    #expect(result.objects.count == 1)
    #expect(result.errorLines.last == "hr-create: 1 created, 1 rejected")
  }

  @Test("A phone number a spreadsheet wrote in exponent form says to format the column as text, in CSV and JSON")
  func phoneInExponentForm() throws {
    let sandbox = try Sandbox()
    try sandbox.write(
      "people.csv",
      "\u{FEFF}id_number,name,division,org,phone,emergency_contact.name,emergency_contact.phone\r\n"
        + "500103198001011000,张三,500103001001,500103001,1.38E+10,,\r\n"
        + "500103198001011019,李四,500103001001,500103001,13800000000,王五,1.39E+10\r\n"
        + "500103198001011027,赵六,500103001001,500103001,13800000000,,\r\n")
    let result = try sandbox.run("hr-create", ["people.csv"])
    #expect(result.status == 65)
    #expect(
      result.errorLines.prefix(2) == [
        "hr-create:people.csv:2: invalid_value: field 'phone' is '1.38E+10': a spreadsheet turned it into a number: format the column as text (or prefix each number with ') and export again",
        "hr-create:people.csv:3: invalid_value: field 'emergency_contact.phone' is '1.39E+10': a spreadsheet turned it into a number: format the column as text (or prefix each number with ') and export again",
      ])
    #expect(result.objects.count == 1)
    let update = try sandbox.run(
      "hr-update", stdin: #"{"record_no":"\#(result.objects[0]["record_no"] as! String)","set":{"phone":"1.3E+10"}}"# + "\n")
    #expect(update.status == 65)
    #expect(
      update.errorLines.first?.hasPrefix("hr-update:-:1: invalid_value: field 'set.phone' is '1.3E+10': a spreadsheet") == true)
  }

  @Test("A cell typed over two lines is refused as a line break, not as an invisible character; its row stays one row")
  func lineBreakInCell() throws {
    let sandbox = try Sandbox()
    try sandbox.write(
      "people.csv",
      "id_number,name,division,org,current_address\r\n"
        + "500103198001011000,张三,500103001001,500103001,\"民族路1号\r\n2单元\"\r\n"
        + "500103198001011019,李四,500103001001,500103001,民族路2号\r\n")
    let result = try sandbox.run("hr-create", ["people.csv"])
    #expect(result.status == 65)
    #expect(
      result.errorLines.first
        == "hr-create:people.csv:2: invalid_value: field 'current_address' contains a line break (U+000D), as a spreadsheet cell typed over two lines keeps: put the text on one line"
    )
    #expect(result.objects.count == 1)
    #expect(result.objects.first?["id_number"] as? String == "500103198001011019")
  }

  @Test(
    "A line or paragraph separator (U+2028, U+2029) pasted into a name or an address is refused as a line break",
    arguments: [
      ("name", WriterAttackTests.resident("500103198001011000", name: "张\u{2028}三"), "U+2028"),
      (
        "current_address", WriterAttackTests.resident("500103198001011000", extra: #","current_address":"民族路1号\#u{2029}2单元""#),
        "U+2029"
      ),
    ])
  func separatorInText(field: String, line: String, code: String) throws {
    let sandbox = try Sandbox()
    let result = try sandbox.run("hr-create", stdin: line)
    #expect(result.status == 65)
    #expect(
      result.errorLines.first
        == "hr-create:-:1: invalid_value: field '\(field)' contains a line break (\(code)), as a spreadsheet cell typed over two lines keeps: put the text on one line"
    )
    #expect(result.objects.isEmpty)
  }

  @Test("A record number typed with full-width digits selects its record; one in exponent form says why it cannot")
  func recordNumberAsTyped() throws {
    let sandbox = try Sandbox()
    let created = try sandbox.run("hr-create", stdin: Self.resident("500103198001011000"))
    let recordNo = try #require(created.objects.first?["record_no"] as? String)
    let fullWidth = String(String.UnicodeScalarView(recordNo.unicodeScalars.map { Unicode.Scalar($0.value + 0xFEE0)! }))
    try sandbox.write(
      "changes.csv", "record_no,set.phone\r\n\(fullWidth) ,13900000000\r\n5.00103E+16,13900000001\r\n")
    let result = try sandbox.run("hr-update", ["changes.csv"])
    #expect(result.status == 65)
    #expect(result.objects.first?["record_no"] as? String == recordNo)
    #expect(try sandbox.sqlite("SELECT phone FROM record") == "13900000000")
    #expect(
      result.errorLines.first
        == "hr-update:changes.csv:3: invalid_value: field 'record_no' is '5.00103E+16': a spreadsheet turned it into a number: format the column as text (or prefix each number with ') and export again"
    )
  }

  @Test("A date a spreadsheet wrote in its own format is refused naming the date it probably meant")
  func spreadsheetDates() throws {
    let sandbox = try Sandbox()
    let people = (0..<6).map {
      Self.resident(
        [
          "500103198001011000", "500103198001011019", "500103198001011027",
          "500103198001011035", "500103198001011043", "500103198001011051",
        ][$0])
    }.joined()
    let created = try sandbox.run("hr-create", stdin: people)
    let records = created.objects.compactMap { $0["record_no"] as? String }
    #expect(records.count == 6)
    let typed = ["2026/11/3", "2026-11-3", "2026年11月3日", "46329", "２０２６－１１－０３", "2026-11-03"]
    let rows = zip(records, typed).map { "\($0),\($1),死亡医学证明,2026-11-20\r\n" }.joined()
    try sandbox.write("deaths.csv", "record_no,death_date,evidence,reported_on\r\n" + rows)
    let result = try sandbox.run("hr-archive", ["deceased", "--death-cause", "心肌梗死", "deaths.csv"])
    #expect(result.status == 65)
    let advice =
      "2026-11-03, a spreadsheet wrote it in its own date format: format the column as yyyy-mm-dd (or as text) and export again"
    #expect(
      Array(result.errorLines.prefix(5))
        == typed.prefix(5).enumerated().map { index, date in
          "hr-archive:deaths.csv:\(index + 2): invalid_value: field 'death_date' must be a date 'YYYY-MM-DD' in years 1000–9999, found \"\(date)\": if that is \(advice)"
        })
    #expect(result.objects.count == 1)
    #expect(result.errorLines.last == "hr-archive: 1 archived, 5 rejected")
  }

  @Test(
    "A disk that fills half-way through hr-update is named as full, with how far the committed work goes; the rerun adds each service once"
  )
  func fullDiskHalfWay() throws {
    let sandbox = try Sandbox()
    // Mounting needs root; elsewhere there is nothing to fill.
    guard try sandbox.shell("mkdir small && mount -t tmpfs -o size=8m tmpfs small").status == 0 else { return }
    defer { _ = try? sandbox.shell("umount small") }
    try sandbox.write("people.jsonl", Sandbox.people(500, seed: 43))
    let result = try sandbox.shell(
      """
      hr-create --quiet --store small/hr.sqlite people.jsonl \
        | jq -c '{record_no, service: {type: "consultation", date: "2026-11-26", org: .managing_org, summary: {note: "血压正常，三个月后复查"}}}' > services.jsonl
      dd if=/dev/zero of=small/filler bs=4k 2> /dev/null
      truncate -s -300K small/filler
      hr-update --store small/hr.sqlite --batch-size 20 services.jsonl > first.jsonl
      echo "status=$?"
      rm small/filler
      hr-update --store small/hr.sqlite --batch-size 20 services.jsonl > second.jsonl
      echo "status=$?"
      sqlite3 small/hr.sqlite 'PRAGMA integrity_check; SELECT count(*), count(DISTINCT record_no) FROM service'
      echo "printed=$(wc -l < first.jsonl) unchanged=$(grep -c '"unchanged"' second.jsonl)"
      """)
    #expect(Array(result.lines.prefix(4)) == ["status=74", "status=0", "ok", "500|500"], "\(result.stderr)")
    let printed = try #require(result.lines.last)
    let count = try #require(Int(printed.split(separator: " ")[0].dropFirst("printed=".count)))
    #expect(count > 0 && count < 500 && printed == "printed=\(count) unchanged=\(count)", "\(printed)")
    let message = try #require(result.errorLines.first { $0.hasPrefix("hr-update: store ") })
    #expect(message.contains("the file system holding it has no space left; free some space and run again; "))
    #expect(
      message.hasSuffix("\(count) lines committed before the error, through line \(count) of 'services.jsonl'"), "\(message)")
  }

  @Test("A CSV saved as UTF-16 ('Unicode text') is named as such, file or pipe, with the iconv that converts it")
  func utf16CSV() throws {
    let sandbox = try Sandbox()
    let text = "id_number,name,division,org\r\n500103198001011000,张三,500103001001,500103001\r\n"
    var utf16 = Data([0xFF, 0xFE])
    utf16.append(text.data(using: .utf16LittleEndian)!)
    try utf16.write(to: sandbox.directory.appendingPathComponent("people.csv"))
    let file = try sandbox.run("hr-create", ["people.csv"])
    #expect(file.status == 66)
    #expect(
      file.errorLines.first
        == "hr-create: 'people.csv' is not UTF-8 text (line 1); it looks like UTF-16, as a spreadsheet saves 'Unicode text': convert it with 'iconv -f UTF-16 -t UTF-8 people.csv > people.utf8.csv' and give the converted file; nothing was committed"
    )
    let pipe = try sandbox.shell("cat people.csv | hr-create --input csv")
    #expect(pipe.status == 66)
    #expect(
      pipe.errorLines.first
        == "hr-create: 'standard input' is not UTF-8 text; it looks like UTF-16, as a spreadsheet saves 'Unicode text': convert it with 'iconv -f UTF-16 -t UTF-8 FILE > FILE.utf8.csv' and give the converted file; nothing was committed"
    )
    let converted = try sandbox.shell("iconv -f UTF-16 -t UTF-8 people.csv > people.utf8.csv && hr-create people.utf8.csv")
    #expect(converted.status == 0, "\(converted.stderr)")
    #expect(converted.objects.count == 1)
  }

  @Test("JSON Lines in UTF-16 or GB18030 get one hint naming the iconv that converts them")
  func jsonLinesInAnotherEncoding() throws {
    let sandbox = try Sandbox()
    let lines = Self.resident("500103198001011000") + Self.resident("500103198001011019", name: "李四")
    var utf16 = Data([0xFF, 0xFE])
    utf16.append(lines.data(using: .utf16LittleEndian)!)
    try utf16.write(to: sandbox.directory.appendingPathComponent("people16.jsonl"))
    let wide = try sandbox.run("hr-create", ["people16.jsonl"])
    #expect(wide.status == 65)
    #expect(wide.errorLines.first == "hr-create:people16.jsonl:1: invalid_utf8: invalid UTF-8 at byte 1")
    #expect(
      wide.errorLines.filter { $0.contains("hint:") } == [
        "hr-create: hint: the input looks like UTF-16 (as Windows PowerShell's '>' and a spreadsheet's 'Unicode text' write it): convert it with 'iconv -f UTF-16 -t UTF-8'"
      ])
    try sandbox.write("people.jsonl", lines)
    let gbk = try sandbox.shell("iconv -f UTF-8 -t GB18030 people.jsonl | hr-create")
    #expect(gbk.status == 65)
    #expect(
      gbk.errorLines.filter { $0.contains("hint:") } == [
        "hr-create: hint: if the input was saved on a Chinese system, it is usually GB18030 (or GBK): convert it with 'iconv -f GB18030 -t UTF-8'"
      ])
    #expect(gbk.errorLines.last == "hr-create: 0 created, 2 rejected")
  }

  @Test(
    "A division or sex as a spreadsheet fills it is read or refused with what to write",
    arguments: [
      (#","division":"５００１０３００１００１""#, nil),
      (
        #","division":"5.00103E+11""#,
        "invalid_value: field 'division' is '5.00103E+11': a spreadsheet turned it into a number: format the column as text (or prefix each number with ') and export again"
      ),
      (
        #","division":"500103001001","sex":"女""#,
        #"invalid_value: field 'sex' must be a GB/T 2261.1 code 0, 1, 2 or 9, found "女": write 2 for that"#
      ),
      (
        #","division":"500103001001","sex":" 男 ""#,
        #"invalid_value: field 'sex' must be a GB/T 2261.1 code 0, 1, 2 or 9, found " 男 ": write 1 for that"#
      ),
      (
        #","division":"500103001001","sex":"M""#,
        #"invalid_value: field 'sex' must be a GB/T 2261.1 code 0, 1, 2 or 9, found "M""#
      ),
    ] as [(String, String?)])
  func spreadsheetFields(fields: String, message: String?) throws {
    let sandbox = try Sandbox()
    let line = #"{"id_number":"500103198001011000","name":"张三","org":"500103001""# + fields + "}\n"
    let result = try sandbox.run("hr-create", stdin: line)
    if let message {
      #expect(result.status == 65)
      #expect(result.errorLines.first == "hr-create:-:1: \(message)")
    } else {
      #expect(result.status == 0, "\(result.stderr)")
      #expect(try sandbox.sqlite("SELECT division FROM record") == "500103001001")
    }
  }

  @Test("An ID number given to a record by hr-update that a spreadsheet turned into a number says to format the column as text")
  func upgradeInExponentForm() throws {
    let sandbox = try Sandbox()
    let child =
      #"{"birth_cert_no":"A123456789","name":"小明","sex":1,"birth_date":"2026-01-01","division":"500103001001","org":"500103001"}"#
    let created = try sandbox.run("hr-create", stdin: child + "\n")
    let recordNo = try #require(created.objects.first?["record_no"] as? String)
    let result = try sandbox.run(
      "hr-update",
      stdin: #"{"record_no":"\#(recordNo)","set":{"id_number":"5.00103E+17"}}"# + "\n"
        + #"{"record_no":"\#(recordNo)","set":{"id_number":500103202601010000}}"# + "\n")
    #expect(result.status == 65)
    #expect(
      result.errorLines.prefix(2) == [
        "hr-update:-:1: invalid_id: id number '5.00103E+17' is not 17 digits and a check digit, or 15 digits: a spreadsheet turned it into a number: format the column as text (or prefix each number with ') and export again",
        "hr-update:-:2: invalid_value: field 'set.id_number' must be a string, found the number 500103202601010000: a spreadsheet turned it into a number: format the column as text (or prefix each number with ') and export again",
      ])
  }

  @Test("'-' named twice is a usage error before anything is read, whatever the format")
  func standardInputTwice() throws {
    let sandbox = try Sandbox()
    try sandbox.write("people.csv", "id_number,name,division,org\r\n500103198001011000,张三,500103001001,500103001\r\n")
    for (command, tool) in [
      ("hr-create --input csv - - < people.csv", "hr-create"), ("hr-update - file.jsonl - < /dev/null", "hr-update"),
      ("hr-transfer cancel - - < /dev/null", "hr-transfer"), ("hr-archive lost - - < /dev/null", "hr-archive"),
    ] {
      let result = try sandbox.shell(command)
      #expect(result.status == 64, "\(command)")
      #expect(result.errorLines.first == "\(tool): '-' (standard input) is named more than once; it can be read only once")
    }
    #expect(try sandbox.sqlite("SELECT count(*) FROM record") == "0")
  }

  @Test("CSV on standard input is read from where the shell left it, so a title row above the header can be skipped")
  func csvAfterATitleRow() throws {
    let sandbox = try Sandbox()
    try sandbox.write(
      "people.csv",
      "渝中区解放碑街道 2026年11月 新建档案\r\nid_number,name,division,org\r\n500103198001011000,张三,500103001001,500103001\r\n")
    let result = try sandbox.shell("{ IFS= read -r title; hr-create --input csv; } < people.csv")
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.objects.first?["id_number"] as? String == "500103198001011000")
  }

  @Test("A quote left open, which swallows the rows after it into one cell, is rejected saying so, not as a long name")
  func quoteLeftOpen() throws {
    let sandbox = try Sandbox()
    let ids = ["500103198001011000", "500103198001011019", "500103198001011027", "500103198001011035"]
    let rows = ids.enumerated().map { index, id in "\(id),\(index == 1 ? "\"李四" : "张三"),500103001001,500103001\r\n" }
    try sandbox.write("people.csv", "id_number,name,division,org\r\n" + rows.joined())
    let result = try sandbox.run("hr-create", ["people.csv"])
    #expect(result.status == 65)
    #expect(
      result.errorLines.first
        == "hr-create:people.csv:3: malformed_row: the quoted cell in column 2 runs over 2 more lines that look like rows of the file (a '\"' without its closing '\"'?); those lines were not read as rows: fix the quote and feed them again"
    )
    #expect(result.errorLines.last == "hr-create: 1 created, 1 rejected")
  }

  @Test("An organisation code typed with full-width digits finds its organisation, in hr-create, a service and a transfer")
  func fullWidthOrganisation() throws {
    let sandbox = try Sandbox()
    let created = try sandbox.run(
      "hr-create", stdin: #"{"id_number":"500103198001011000","name":"张三","division":"500103001001","org":"５００１０３００１"}"# + "\n")
    #expect(created.status == 0, "\(created.stderr)")
    let recordNo = try #require(created.objects.first?["record_no"] as? String)
    let service = try sandbox.run(
      "hr-update",
      stdin: #"{"record_no":"\#(recordNo)","service":{"type":"consultation","date":"2026-11-20","org":"５００１０３００１"}}"# + "\n")
    #expect(service.status == 0, "\(service.stderr)")
    try sandbox.write(
      "moves.csv",
      "record_no,to_org,reason,consent.method,consent.ref\r\n\(recordNo),５００１０６００１,residence_change,signed_form,C-1\r\n")
    let moved = try sandbox.run("hr-transfer", ["request", "moves.csv"])
    #expect(moved.status == 0, "\(moved.stderr)")
    #expect(moved.objects.first?["to_org"] as? String == "500106001")
  }

  @Test("Organisation codes and record numbers typed with full-width digits in options find what they name, as in lines")
  func fullWidthOptions() throws {
    let sandbox = try Sandbox()
    func wide(_ text: String) -> String {
      String(String.UnicodeScalarView(text.unicodeScalars.map { Unicode.Scalar($0.value + 0xFEE0)! }))
    }
    let created = try sandbox.run("hr-create", stdin: Self.resident("500103198001011000"))
    let recordNo = try #require(created.objects.first?["record_no"] as? String)
    let moved = try sandbox.run(
      "hr-transfer",
      [
        "request", "--to", wide("500106001"), "--reason", "residence_change", "--consent-method", "signed_form", "--consent-ref",
        "C-1",
      ],
      stdin: #"{"record_no":"\#(recordNo)"}"# + "\n")
    #expect(moved.status == 0, "\(moved.stderr)")
    #expect(moved.objects.first?["to_org"] as? String == "500106001")
    for arguments in [
      ["list", "--org", wide("500103001")], ["list", "--to-org", wide("500106001")], ["list", "--record", wide(recordNo)],
    ] {
      let listed = try sandbox.run("hr-transfer", arguments)
      #expect(listed.status == 0, "\(arguments): \(listed.stderr)")
      #expect(listed.objects.map { $0["record_no"] as? String } == [recordNo], "\(arguments)")
    }
    let roster = try sandbox.run("hr-export", ["roster", "--district", wide("500103")])
    #expect(roster.status == 0, "\(roster.stderr)")
    #expect(roster.objects.map { $0["record_no"] as? String } == [recordNo])
    let log = try sandbox.run("hr-audit", ["log", "--record", wide(recordNo)])
    #expect(log.status == 0, "\(log.stderr)")
    #expect(log.objects.contains { $0["action"] as? String == "record.create" })
  }

  @Test("A CSV row over 1 MiB is rejected alone; a quote left open past 16 MiB ends the run, the rows before it kept")
  func runawayRows() throws {
    let sandbox = try Sandbox()
    let header = "id_number,name,division,org,current_address\r\n"
    let long = "500103198001011000,张三,500103001001,500103001,\"" + String(repeating: "路", count: 400_000) + "\"\r\n"
    try sandbox.write("long.csv", header + long + "500103198001011019,李四,500103001001,500103001,民族路1号\r\n")
    let alone = try sandbox.run("hr-create", ["long.csv"])
    #expect(alone.status == 65)
    #expect(alone.errorLines.first == "hr-create:long.csv:2: line_too_long: line is longer than 1048576 bytes")
    #expect(alone.objects.count == 1)
    let open =
      header + "500103198001011027,王五,500103001001,500103001,民族路2号\r\n"
      + "500103198001011035,赵六,500103001001,500103001,\"民族路" + String(repeating: "3", count: 17 << 20) + "\r\n"
    try sandbox.write("open.csv", open)
    let result = try sandbox.run("hr-create", ["--batch-size", "1", "open.csv"])
    #expect(result.status == 65)
    #expect(
      result.errorLines.last
        == "hr-create: 'open.csv': row 3 holds a quoted cell that runs past 16 MiB (a '\"' without its closing '\"'?); the rest of the input was not read: fix the quote and feed it again; 1 line committed before the error, through line 2 of 'open.csv'; rerunning the same input is safe: duplicates are rejected"
    )
    #expect(result.objects.count == 1)
    #expect(try sandbox.sqlite("SELECT count(*) FROM record WHERE id_number = '500103198001011027'") == "1")
  }

  @Test("A title row above the header ends the run saying so; a header in Chinese is answered with the field names")
  func titleAndChineseHeader() throws {
    let sandbox = try Sandbox()
    try sandbox.write(
      "title.csv",
      "渝中区解放碑街道 2026年11月 新建档案,,,\r\nid_number,name,division,org\r\n500103198001011000,张三,500103001001,500103001\r\n")
    let titled = try sandbox.run("hr-create", ["title.csv"])
    #expect(titled.status == 65)
    #expect(
      titled.errorLines.last
        == "hr-create: 'title.csv': row 1, the header, names the one field '渝中区解放碑街道 2026年11月 新建档案', which looks like a title above the header: remove that row ('tail -n +2 title.csv' prints the rest, to feed with --input csv); nothing was committed"
    )
    let fixed = try sandbox.shell("tail -n +2 title.csv | hr-create --input csv")
    #expect(fixed.status == 0, "\(fixed.stderr)")
    // One column named properly still reads, as hr-transfer and hr-archive take a list of record numbers.
    let recordNo = try #require(fixed.objects.first?["record_no"] as? String)
    try sandbox.write("records.csv", "record_no\r\n\(recordNo)\r\n")
    #expect(
      try sandbox.run("hr-archive", ["lost", "--evidence", "三次电话未接", "--dry-run", "records.csv"]).stderr.contains("too_early"))
    try sandbox.write("chinese.csv", "身份证号,姓名,区划代码,管理机构\r\n500103198001011019,李四,500103001001,500103001\r\n")
    let chinese = try sandbox.run("hr-create", ["chinese.csv"])
    #expect(chinese.errorLines.first == "hr-create:chinese.csv:2: unknown_field: unknown field '身份证号'; did you mean 'id_number'?")
  }
}
