import Foundation
import HRLines
import Testing

@Suite("hr-create end to end")
struct CreateTests {
  @Test("Creating N residents prints N results with 17-digit record numbers, in input order")
  func createsEveryResidentInOrder() throws {
    let sandbox = try Sandbox()
    let people = Sandbox.people(200, birthCertificates: 0.1)
    let result = try sandbox.run("hr-create", stdin: people)
    #expect(result.status == 0, "\(result.stderr)")
    let inputs = people.split(separator: "\n").map { try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
    let outputs = result.objects
    #expect(outputs.count == 200)
    for (input, output) in zip(inputs, outputs) {
      let recordNo = output["record_no"] as! String
      #expect(recordNo.count == 17 && recordNo.allSatisfy(\.isNumber))
      #expect(recordNo.hasPrefix(input["division"] as! String))
      #expect(
        (output["id_number"] ?? output["birth_cert_no"]) as? String == (input["id_number"] ?? input["birth_cert_no"]) as? String)
      #expect(output["managing_org"] as? String == input["org"] as? String)
      #expect(output["status"] as? String == "active")
      #expect(output["result"] as? String == "created")
    }
    #expect(Set(outputs.map { $0["record_no"] as! String }).count == 200)
    #expect(result.stderr == "hr-create: 200 created, 0 rejected\n")
    #expect(try sandbox.sqlite("SELECT count(*) FROM record") == "200")
  }

  @Test("The output's keys come in the documented order and the same input gives the same bytes")
  func outputIsCompactAndDeterministic() throws {
    let line = #"{"id_number":"500103800101001","name":"张三","division":"500103001001"}"#
    let first = try Sandbox().run("hr-create", stdin: line + "\n", operator: "doc-li")
    let second = try Sandbox().run("hr-create", stdin: line + "\n", operator: "doc-li")
    let expected =
      #"{"record_no":"50010300100100001","id_number":"500103198001010016","id_converted":true,"managing_org":"500103001","status":"active","result":"created"}"#
      + "\n"
    #expect(first.stdout == expected)
    #expect(second.stdout == expected)
  }

  @Test("Feeding the same file again creates nothing and names the existing record on every line")
  func secondRunIsRejectedAsDuplicates() throws {
    let sandbox = try Sandbox()
    try sandbox.write("people.jsonl", Sandbox.people(50, birthCertificates: 0.2))
    let first = try sandbox.shell("hr-create people.jsonl")
    #expect(first.status == 0)
    let second = try sandbox.shell("hr-create --rejects rejects.jsonl people.jsonl")
    #expect(second.status == 65)
    #expect(second.stdout.isEmpty)
    #expect(try sandbox.sqlite("SELECT count(*) FROM record") == "50")
    let rejects = try sandbox.read("rejects.jsonl").split(separator: "\n").map {
      try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
    }
    #expect(rejects.count == 50)
    for (reject, created) in zip(rejects, first.objects) {
      #expect(reject["code"] as? String == "duplicate_record")
      #expect(reject["record_no"] as? String == created["record_no"] as? String)
      #expect(reject["managing_org"] as? String == created["managing_org"] as? String)
      #expect(reject["status"] as? String == "active")
    }
    #expect(second.errorLines.filter { $0.contains(": duplicate_record: ") }.count == 50)
    #expect(second.errorLines.first?.hasPrefix("hr-create:people.jsonl:1: duplicate_record: ") == true)
  }

  @Test("Two lines of one run with the same identifier: the second is a duplicate of the first")
  func duplicateWithinOneRun() throws {
    let sandbox = try Sandbox()
    let line = #"{"id_number":"11010519491231002X","name":"王芳","division":"500103001001","org":"500103001"}"#
    let result = try sandbox.run("hr-create", stdin: line + "\n" + line + "\n")
    #expect(result.status == 65)
    #expect(result.objects.count == 1)
    #expect(
      result.errorLines.first
        == "hr-create:-:2: duplicate_record: the resident already has record '50010300100100001' (by id_number), managed by '500103001'; request a transfer instead of a second record"
    )
  }

  @Test(
    "Good and bad lines: the good ones commit, each bad one gets a message and a reject object that can be fixed and fed back")
  func mixedInputCommitsGoodLines() throws {
    let sandbox = try Sandbox()
    let input =
      [
        #"{"id_number":"11010519491231002X","name":"王芳","division":"500103001001","org":"500103001"}"#,
        #"{"id_number":"110105194912310021","name":"李四","division":"500103001001","org":"500103001"}"#,
        #"{"id_number":"500103198001010016","name":"张三","division":"500103001001","org":"500103001","phnoe":"13800000000"}"#,
        #"{"birth_cert_no":"O500012345","name":"小明","sex":1,"birth_date":"2026-10-01","division":"500103001001","org":"500103001"}"#,
        #"{"name":"缺证件","sex":1,"birth_date":"2000-01-01","division":"500103001001"}"#,
      ].joined(separator: "\n") + "\n"
    let result = try sandbox.run("hr-create", ["--rejects", "rejects.jsonl"], stdin: input)
    #expect(result.status == 65)
    #expect(result.objects.map { $0["result"] as? String } == ["created", "created"])
    #expect(
      result.errorLines == [
        "hr-create:-:2: invalid_id: id number '110105194912310021' has a wrong check digit (expected 'X')",
        "hr-create:-:3: unknown_field: unknown field 'phnoe'; did you mean 'phone'?",
        "hr-create:-:5: missing_field: missing identifier: one of 'id_number', 'birth_cert_no' or 'mother_id_number'",
        "hr-create: 2 created, 3 rejected",
      ])
    // The reject file keeps each original line; fix them and feed them back.
    let fixed = try sandbox.shell(
      #"""
      jq -r '.input' rejects.jsonl \
        | sed -e 's/110105194912310021/110105194912310046/' -e 's/phnoe/phone/' \
              -e 's/"name":"缺证件"/"birth_cert_no":"A000000001","name":"缺证件"/' \
        | hr-create --operator doc-li
      """#)
    #expect(fixed.status == 0, "\(fixed.stderr)")
    #expect(fixed.objects.count == 3)
    #expect(try sandbox.sqlite("SELECT count(*) FROM record") == "5")
  }

  @Test("With --all-or-nothing one bad line commits nothing, and the summary says so")
  func allOrNothingCommitsNothing() throws {
    let sandbox = try Sandbox()
    let input = Sandbox.people(20) + #"{"id_number":"bad","name":"x","division":"500103001001"}"# + "\n"
    let result = try sandbox.run("hr-create", ["--all-or-nothing"], stdin: input)
    #expect(result.status == 65)
    #expect(result.stdout.isEmpty)
    #expect(result.errorLines.last == "hr-create: 20 created, 1 rejected (all or nothing: nothing committed)")
    #expect(try sandbox.sqlite("SELECT count(*) FROM record") == "0")
    #expect(try sandbox.sqlite("SELECT count(*) FROM audit_event") == "0")
    let clean = try sandbox.run("hr-create", ["--all-or-nothing", "--batch-size", "3"], stdin: Sandbox.people(20))
    #expect(clean.status == 0)
    #expect(clean.objects.count == 20)
    #expect(Set(clean.objects.compactMap { $0["record_no"] as? String }).count == 20)
    #expect(try sandbox.sqlite("SELECT count(*) FROM record") == "20")
  }

  @Test("--dry-run prints what would be created and commits nothing")
  func dryRunCommitsNothing() throws {
    let sandbox = try Sandbox()
    let result = try sandbox.run("hr-create", ["--dry-run"], stdin: Sandbox.people(10))
    #expect(result.status == 0)
    #expect(result.objects.count == 10)
    #expect(result.stderr == "hr-create: 10 would be created, 0 rejected (dry run: nothing committed)\n")
    #expect(try sandbox.sqlite("SELECT count(*) FROM record") == "0")
    #expect(try sandbox.sqlite("SELECT count(*) FROM division_sequence") == "0")
  }

  @Test("--dry-run writes each batch's output without waiting for the end of the input")
  func dryRunWritesBatchByBatch() throws {
    let sandbox = try Sandbox()
    let line = #"{"id_number":"11010519491231002X","name":"王芳","division":"500103001001","org":"500103001"}"#
    let result = try sandbox.shell(
      """
      mkfifo input
      hr-create --dry-run --batch-size 1 < input > out.jsonl 2>/dev/null &
      exec 3> input
      echo '\(line)' >&3
      for _ in $(seq 1 200); do [ -s out.jsonl ] && break; sleep 0.05; done
      if [ -s out.jsonl ]; then echo early; else echo held; fi
      exec 3>&-
      wait
      """)
    #expect(result.lines == ["early"])
    #expect(try sandbox.sqlite("SELECT count(*) FROM record") == "0")
  }

  @Test("The audit chain holds one event per created record and verifies")
  func auditChainRecordsEveryCreation() throws {
    let sandbox = try Sandbox()
    _ = try sandbox.run("hr-create", ["--batch-size", "7"], stdin: Sandbox.people(60))
    #expect(try sandbox.sqlite("SELECT count(*) FROM audit_event WHERE action = 'record.create' AND outcome = 'ok'") == "60")
    #expect(try sandbox.sqlite("SELECT count(DISTINCT record_no) FROM audit_event") == "60")
    let chain = try sandbox.auditChain()
    #expect(chain.events == 60)
    #expect(chain.intact)
  }

  @Test("A clinician may not create a record for another organisation: forbidden, and the attempt is audited")
  func creatingOutsideOwnOrganisationIsForbidden() throws {
    let sandbox = try Sandbox()
    let line = #"{"id_number":"11010519491231002X","name":"王芳","division":"500106001001","org":"500106001"}"#
    let result = try sandbox.run("hr-create", stdin: line + "\n", operator: "doc-li")
    #expect(result.status == 65)
    #expect(
      result.errorLines.first
        == "hr-create:-:1: forbidden: operator 'doc-li' (clinician) may not change organisation '500106001' managed by '500106001'"
    )
    #expect(try sandbox.sqlite("SELECT count(*) FROM record") == "0")
    #expect(try sandbox.sqlite("SELECT operator, action, outcome FROM audit_event") == "doc-li|record.create|denied")
    #expect(try sandbox.auditChain().intact)
  }

  @Test("A child is identified by birth certificate or through the mother; twins are told apart by name")
  func childrenWithoutIDNumbers() throws {
    let sandbox = try Sandbox()
    let input =
      [
        #"{"mother_id_number":"11010519491231002X","name":"大宝","sex":1,"birth_date":"2026-11-01","division":"500103001001"}"#,
        #"{"mother_id_number":"11010519491231002X","name":"二宝","sex":2,"birth_date":"2026-11-01","division":"500103001001"}"#,
        #"{"mother_id_number":"11010519491231002X","name":"大宝","sex":1,"birth_date":"2026-11-01","division":"500103001001"}"#,
        #"{"mother_id_number":"11010519491231002X","name":"大宝","birth_date":"2026-11-01","division":"500103001001"}"#,
      ].joined(separator: "\n") + "\n"
    let result = try sandbox.run("hr-create", stdin: input, operator: "doc-li")
    #expect(result.objects.count == 2)
    #expect(result.objects.first?["mother_id_number"] as? String == "11010519491231002X")
    #expect(result.errorLines[0].hasPrefix("hr-create:-:3: duplicate_record: "))
    #expect(result.errorLines[1] == "hr-create:-:4: missing_field: missing field 'sex'")
  }

  @Test(
    "Sex and birth date that contradict the ID number are refused with id_mismatch",
    arguments: [
      (#""sex":2"#, "hr-create:-:1: id_mismatch: sex '2' contradicts id number '500103198001010016' (1)"),
      (
        #""birth_date":"1980-01-02""#,
        "hr-create:-:1: id_mismatch: birth date '1980-01-02' contradicts id number '500103198001010016' (1980-01-01)"
      ),
    ])
  func contradictionsAreRefused(field: String, message: String) throws {
    let line =
      #"{"id_number":"500103198001010016","name":"张三","division":"500103001001","#
      + field + "}\n"
    let result = try Sandbox().run("hr-create", stdin: line, operator: "doc-li")
    #expect(result.status == 65)
    #expect(result.errorLines.first == message)
  }

  @Test(
    "Field rules: division, organisation, dates and phone numbers",
    arguments: [
      (
        #""division":"500199001001""#,
        "unknown_district: division '500199001001' lies in district '500199', which is not configured"
      ),
      (
        #""division":"500103001200""#,
        "invalid_value: field 'division' is not a division code: division code '500103001200' has committee '200' outside 001–099, 101–199 and 901–999"
      ),
      (
        #""division":"500103001001","org":"500106001""#,
        "unknown_district: organisation '500106001' is in district '500106', not in the division's district '500103'"
      ),
      (#""division":"500103001001","org":"nope""#, "not_found: unknown organisation 'nope'"),
      (
        #""division":"500103001001","created_on":"2026-11-27""#,
        "invalid_value: field 'created_on' is in the future (2026-11-27 is after 2026-11-26)"
      ),
      (
        #""division":"500103001001","phone":"12345""#,
        "invalid_value: field 'phone' '12345' is neither a mobile number (1[3-9] and 9 digits) nor a landline with area code"
      ),
      (
        #""division":"500103001001","tags":["elderly"]"#,
        "invalid_value: field 'tags' tag 'elderly' is derived from age and never set by hand"
      ),
      (
        #""division":"500103001001","tags":["weight_status:normal","diabetes","weight_status:obese"]"#,
        "invalid_value: field 'tags' gives both 'weight_status:normal' and 'weight_status:obese'; a resident has one 'weight_status' at a time"
      ),
      (
        #""division":"500103001001","emergency_contact":{"name":"李","phone":"13800000000","age":3}"#,
        "unknown_field: unknown field 'emergency_contact.age'"
      ),
    ])
  func fieldRules(fields: String, message: String) throws {
    let line = #"{"id_number":"500103198001010016","name":"张三","# + fields + "}\n"
    let result = try Sandbox().run("hr-create", stdin: line, operator: "doc-li")
    #expect(result.status == 65)
    #expect(result.errorLines.first == "hr-create:-:1: " + message)
  }

  @Test("--check looks identifiers up without creating anything")
  func checkOnlyLooksUp() throws {
    let sandbox = try Sandbox()
    let known = #"{"id_number":"11010519491231002X","name":"王芳","division":"500103001001","org":"500103001"}"#
    _ = try sandbox.run("hr-create", stdin: known + "\n")
    let unknown = #"{"id_number":"500103198001010016","name":"张三","division":"500103001001"}"#
    let result = try sandbox.run("hr-create", ["--check"], stdin: known + "\n" + unknown + "\n")
    #expect(result.status == 0)
    #expect(
      result.lines == [
        #"{"id_number":"11010519491231002X","exists":true,"record_no":"50010300100100001","managing_org":"500103001","status":"active"}"#,
        #"{"id_number":"500103198001010016","exists":false,"record_no":null,"managing_org":null,"status":null}"#,
      ])
    #expect(try sandbox.sqlite("SELECT count(*) FROM record") == "1")
  }
}

@Suite("hr-create: one written form per name")
struct NameFormTests {
  @Test("A name typed decomposed is the same name as typed precomposed: the mother-linked child is a duplicate")
  func decomposedNameIsTheSameName() throws {
    let sandbox = try Sandbox()
    let line = { (name: String) in
      #"{"mother_id_number":"11010519491231002X","name":"\#(name)","sex":1,"birth_date":"2026-11-01","division":"500103001001"}"#
        + "\n"
    }
    let first = try sandbox.run("hr-create", stdin: line("Jos\u{E9}"), operator: "doc-li")
    #expect(first.status == 0)
    let second = try sandbox.run("hr-create", stdin: line("Jose\u{301}"), operator: "doc-li")
    #expect(second.status == 65)
    #expect(second.errorLines.first?.hasPrefix("hr-create:-:1: duplicate_record: ") == true)
  }

  @Test("An invisible format character in a name is refused, naming it")
  func invisibleCharacterIsRefused() throws {
    let line = #"{"id_number":"11010519491231002X","name":"王\u200B芳","division":"500103001001"}"# + "\n"
    let result = try Sandbox().run("hr-create", stdin: line, operator: "doc-li")
    #expect(result.status == 65)
    #expect(
      result.errorLines.first
        == "hr-create:-:1: invalid_value: field 'name' contains an invisible control or format character (U+200B)")
  }
}

@Suite("Identity details end to end")
struct IdentityDetailTests {
  @Test("A birth year before 1880 is refused with that reason")
  func birthYearBefore1880() throws {
    let result = try Sandbox().run(
      "hr-create", stdin: #"{"id_number":"500103185001010013","name":"王老","division":"500103001001","org":"500103001"}"# + "\n")
    #expect(result.status == 65)
    #expect(
      result.errorLines.first == "hr-create:-:1: invalid_id: id number '500103185001010013' carries birth year 1850, before 1880")
  }

  /// The number is a man's: `1` is created, `0`, `2` and `9` are codes that contradict it, and
  /// anything else is not a code at all.
  @Test(
    "Sex is exactly one of the codes 0, 1, 2 and 9, as a number or a string",
    arguments: [
      (#""1""#, nil), ("1", nil), (#""2""#, "id_mismatch"), ("9", "id_mismatch"), (#""0""#, "id_mismatch"),
      (#""+1""#, "invalid_value"), (#""01""#, "invalid_value"), (#""-0""#, "invalid_value"), ("-0", "invalid_value"),
      ("1.0", "invalid_value"), ("1e0", "invalid_value"), (#"" 1""#, "invalid_value"), (#""3""#, "invalid_value"),
      ("true", "invalid_value"),
    ] as [(String, String?)])
  func sexCodes(sex: String, code: String?) throws {
    let line = #"{"id_number":"500103198001010016","name":"张三","division":"500103001001","org":"500103001","sex":\#(sex)}"#
    let result = try Sandbox().run("hr-create", stdin: line + "\n")
    #expect(result.status == (code == nil ? 0 : 65), "\(result.stderr)")
    if let code {
      #expect(result.errorLines.first?.hasPrefix("hr-create:-:1: \(code): ") == true, "\(result.stderr)")
    }
  }
}
