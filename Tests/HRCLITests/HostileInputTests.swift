import Foundation
import HRTestSupport
import Testing

@Suite("Hostile input never crashes, hangs or loses a good line")
struct HostileInputTests {
  private static let good = #"{"id_number":"11010519491231002X","name":"王芳","division":"500103001001","org":"500103001"}"#

  @Test(
    "Each malformed line is rejected with its line number and code; the good line after it is created",
    arguments: [
      (Data(#"{"name":"x","name":"y"}"#.utf8), "duplicate_key"),
      (Data(#"{"name":"x",}"#.utf8), "invalid_json"),
      (Data([0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xC3, 0x28, 0x22, 0x7D]), "invalid_utf8"),
      (Data([0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0x00, 0x22, 0x7D]), "nul_byte"),
      (Data(#"{"a":"\u0000"}"#.utf8), "nul_byte"),
      (Data("[1,2,3]".utf8), "not_an_object"),
      (Data("\"just a string\"".utf8), "not_an_object"),
      (Data(String(repeating: "[", count: 100_000).utf8), "too_deep"),
      (Data(("{\"a\":" + String(repeating: "{\"a\":", count: 70) + "1" + String(repeating: "}", count: 71)).utf8), "too_deep"),
      (Data(("{\"name\":\"" + String(repeating: "x", count: 2 << 20) + "\"}").utf8), "line_too_long"),
      (Data(#"{"id_number":12345,"name":"x","division":"500103001001"}"#.utf8), "invalid_value"),
      (Data(#"{"id_number":"11010519491231002X","name":["x"],"division":"500103001001"}"#.utf8), "invalid_value"),
      (Data(#"{"id_number":"11010519491231002X","name":"   ","division":"500103001001"}"#.utf8), "invalid_value"),
      (Data(#"{"id_number":"11010519491231002X","name":"a\u0007b","division":"500103001001"}"#.utf8), "invalid_value"),
      (Data(#"{"id_number":"11010519491231002X","name":"x","division":"500103001001","sex":1e999}"#.utf8), "invalid_value"),
      // One "character": a letter and 100,000 combining accents is not a 1-character name.
      (
        Data(
          ("{\"id_number\":\"11010519491231002X\",\"name\":\"a" + String(repeating: "\u{301}", count: 100_000)
            + "\",\"division\":\"500103001001\"}").utf8), "invalid_value"
      ),
      (
        Data(
          #"{"id_number":"11010519491231002X","name":"x","division":"500103001001","org":"500103001","emergency_contact":{"name":1,"phone":"13800000000"}}"#
            .utf8), "invalid_value"
      ),
      (
        Data(
          #"{"id_number":"11010519491231002X","name":"x","division":"500103001001","org":"500103001","past_history":[{"name":{}}]}"#
            .utf8), "invalid_value"
      ),
      (
        Data(#"{"id_number":"11010519491231002X","name":"x","division":"500103001001","org":"500103001","tags":[[]]}"#.utf8),
        "invalid_value"
      ),
      (
        Data(
          #"{"id_number":"11010519491231002X","name":"x","division":"500103001001","sex":100000000000000000000000000000}"#.utf8),
        "invalid_value"
      ),
    ] as [(Data, String)])
  func malformedLine(line: Data, code: String) throws {
    let sandbox = try Sandbox()
    let path = sandbox.directory.appendingPathComponent("input.jsonl").path
    var input = line
    input.append(contentsOf: Array("\n".utf8))
    input.append(contentsOf: Array((HostileInputTests.good + "\n").utf8))
    try input.write(to: URL(fileURLWithPath: path))
    let result = try sandbox.shell("hr-create input.jsonl")
    #expect(result.status == 65)
    #expect(result.objects.count == 1)
    #expect(result.errorLines.first?.hasPrefix("hr-create:input.jsonl:1: \(code): ") == true, "\(result.errorLines.first ?? "")")
    #expect(result.errorLines.last == "hr-create: 1 created, 1 rejected")
  }

  @Test("A byte order mark, CRLF line ends and blank lines are accepted; numbering counts every line")
  func spreadsheetExport() throws {
    let sandbox = try Sandbox()
    var input = Data([0xEF, 0xBB, 0xBF])
    input.append(contentsOf: Array((HostileInputTests.good + "\r\n\r\n   \r\n" + #"{"bad":1}"# + "\r\n").utf8))
    try input.write(to: sandbox.directory.appendingPathComponent("export.jsonl"))
    let result = try sandbox.shell("hr-create export.jsonl")
    #expect(result.objects.count == 1)
    #expect(result.errorLines.first == "hr-create:export.jsonl:4: unknown_field: unknown field 'bad'")
  }

  @Test("Random bytes never crash the tool: every line is either created or rejected")
  func randomBytes() throws {
    let sandbox = try Sandbox()
    let seed = TestSeed()
    var generator = seed.generator
    var input = Data()
    for _ in 0..<300 {
      let length = Int.random(in: 0..<200, using: &generator)
      input.append(contentsOf: (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }.filter { $0 != 0x0A })
      input.append(0x0A)
    }
    try input.write(to: sandbox.directory.appendingPathComponent("noise.bin"))
    let result = try sandbox.shell("hr-create noise.bin")
    #expect(result.status == 65 || result.status == 0, "\(seed): \(result.stderr)")
    let summary = try #require(result.errorLines.last, "\(seed)")
    #expect(summary.hasPrefix("hr-create: 0 created, "), "\(seed): \(summary)")
    #expect(try sandbox.sqlite("PRAGMA integrity_check") == "ok", "\(seed)")
  }
}

@Suite("Exit status (sysexits)")
struct ExitStatusTests {
  @Test("No operator, an unknown one, or a role that may never create: exit 77")
  func operatorErrors() throws {
    let sandbox = try Sandbox()
    let none = try sandbox.run("hr-create", stdin: "", operator: nil)
    #expect(none.status == 77)
    #expect(none.stderr == "hr-create: no operator: name one with --operator or HR_OPERATOR\n")
    let unknown = try sandbox.run("hr-create", stdin: "", operator: "mallory")
    #expect(unknown.status == 77)
    #expect(
      unknown.stderr
        == "hr-create: unknown operator 'mallory': not declared in the configuration '\(sandbox.config)' (from $HR_CONFIG)\n")
    let auditor = try sandbox.run("hr-create", stdin: "", operator: "auditor-1")
    #expect(auditor.status == 77)
    #expect(auditor.stderr == "hr-create: operator 'auditor-1' (auditor) may not run hr-create\n")
  }

  @Test("A configuration error exits 78 naming the file, line and key")
  func configurationError() throws {
    let sandbox = try Sandbox(configuration: "rules:\n  lost_after_dayz: 3\n")
    let result = try sandbox.run("hr-create", stdin: "")
    #expect(result.status == 78)
    #expect(
      result.stderr
        == "hr-create: \(sandbox.config):2: rules.lost_after_dayz: unknown key 'lost_after_dayz'; did you mean 'lost_after_days'?\n"
    )
  }

  @Test("A missing input file exits 66 before anything is written")
  func missingInput() throws {
    let sandbox = try Sandbox()
    let result = try sandbox.run("hr-create", ["nope.jsonl"])
    #expect(result.status == 66)
    #expect(result.stderr == "hr-create: cannot open 'nope.jsonl': No such file or directory\n")
  }

  @Test("A store that cannot be created exits 73")
  func storeCannotBeCreated() throws {
    let result = try Sandbox().run("hr-create", ["--store", "/nonexistent/dir/hr.sqlite"])
    #expect(result.status == 73)
    #expect(result.errorLines.first == "hr-create: creating a new store '/nonexistent/dir/hr.sqlite' (given by --store)")
    #expect(result.errorLines.last?.hasPrefix("hr-create: cannot open store '/nonexistent/dir/hr.sqlite': ") == true)
  }

  @Test("A store written by a newer version exits 78 and is left alone")
  func newerStore() throws {
    let sandbox = try Sandbox()
    _ = try sandbox.run("hr-create", stdin: "")
    _ = try sandbox.sqlite("INSERT INTO grdb_migrations VALUES ('v9-future')")
    let result = try sandbox.run("hr-create", stdin: "")
    #expect(result.status == 78)
    #expect(result.stderr.contains("was written by a newer version of hr (migrations 'v9-future')"))
  }

  @Test("Usage errors exit 64", arguments: [["--batch-size", "0"], ["--today", "2026-02-30"], ["--frobnicate"]])
  func usageErrors(arguments: [String]) throws {
    #expect(try Sandbox().run("hr-create", arguments).status == 64)
  }

  @Test("Every executable answers --version and --help")
  func versionAndHelp() throws {
    let sandbox = try Sandbox()
    #expect(try sandbox.run("hr-create", ["--version"]).stdout == "hr-create (hr) 0.2.0\n")
    #expect(try sandbox.run("hr-export", ["--version"]).stdout == "hr-export (hr) 0.2.0\n")
    let help = try sandbox.run("hr-create", ["--help"])
    #expect(help.status == 0)
    #expect(help.stdout.contains("--all-or-nothing"))
  }
}

@Suite("Several writers at once")
struct ConcurrencyTests {
  @Test("Four hr-create processes writing one store at once create every record exactly once")
  func fourConcurrentWriters() throws {
    let sandbox = try Sandbox()
    _ = try sandbox.run("hr-create", stdin: "")  // the store exists before the race, as in a district
    for part in 0..<4 {
      try sandbox.write("part\(part).jsonl", Sandbox.people(400, seed: UInt64(100 + part)))
    }
    let result = try sandbox.shell(
      """
      for part in 0 1 2 3; do hr-create --batch-size 50 part$part.jsonl > out$part.jsonl 2> err$part.txt & done; wait
      cat err*.txt
      """)
    #expect(!result.stdout.contains("locked"))
    #expect(result.stdout.components(separatedBy: "\n").filter { $0.hasSuffix("rejected") }.count == 4)
    let expected = try (0..<4).reduce(0) { total, part in
      // Residents of different seeds may, rarely, share a generated ID number; those are duplicates.
      total + (try sandbox.read("out\(part).jsonl").split(separator: "\n").count)
    }
    #expect(expected >= 1590)
    #expect(try sandbox.sqlite("SELECT count(*) FROM record") == String(expected))
    #expect(try sandbox.sqlite("SELECT count(*) FROM (SELECT DISTINCT kind, value FROM identifier)") == String(expected))
    let chain = try sandbox.auditChain()
    #expect(chain.intact)
    #expect(chain.events == expected)  // one event per created record; duplicates are not changes
  }
}

@Suite("Subcommands")
struct SubcommandTests {
  @Test(
    "A tool of subcommands run without one is a usage error naming them",
    arguments: [
      ("hr-transfer", "request, confirm, reject, cancel, list, overdue"),
      ("hr-archive", "lost, deceased, moved-out, reactivate, candidates, purge"),
      ("hr-audit", "log, verify, head, access, quality, duplicates"),
    ])
  func missingSubcommand(tool: String, names: String) throws {
    let result = try Sandbox().run(tool)
    #expect(result.status == 64)
    #expect(result.stderr.contains("name a subcommand: \(names)"))
  }
}

@Suite("Whole-command refusals")
struct CommandRefusalTests {
  @Test(
    "A role that may never run a command exits 77, and the refusal is kept in the audit trail",
    arguments: [
      ("hr-create", [String](), "doc-li", "auditor-1", "hr-create"),
      ("hr-archive", ["purge", "--before", "2000-01-01"], "admin-jfb", "admin-jfb", "hr-archive purge"),
      ("hr-transfer", ["confirm"], "doc-li", "doc-li", "hr-transfer confirm"),
      ("hr-audit", ["log"], "doc-li", "doc-li", "hr-audit log"),
    ])
  func refusalIsAudited(tool: String, arguments: [String], _ unused: String, operatorID: String, command: String) throws {
    let sandbox = try Sandbox()
    _ = try sandbox.run("hr-create", stdin: Sandbox.people(1))
    let result = try sandbox.run(tool, arguments, operator: operatorID)
    #expect(result.status == 77)
    #expect(result.stderr.contains("may not run \(command)"))
    #expect(
      try sandbox.sqlite(
        "SELECT operator, action, outcome, json_remove(detail, '$.today') FROM audit_event WHERE outcome = 'denied'")
        == #"\#(operatorID)|command.run|denied|{"command":"\#(command)"}"#)
    #expect(try sandbox.auditChain().intact)
  }

  /// Each tool but `hr-create`, on a store path that does not exist: a mistyped `--store` or a cron
  /// job run from another directory must not answer from a new, empty store.
  static let readersOfAMissingStore: [(tool: String, arguments: [String])] = [
    ("hr-update", []), ("hr-transfer", ["list"]), ("hr-transfer", ["overdue"]), ("hr-transfer", ["confirm"]),
    ("hr-archive", ["candidates"]), ("hr-archive", ["lost", "--evidence", "calls"]), ("hr-audit", ["log"]),
    ("hr-create", ["--check"]), ("hr-create", ["--dry-run"]),
  ]

  @Test("Every tool but hr-create refuses a missing store with exit 66, naming the path and how it was chosen")
  func missingStoreIsRefused() throws {
    let sandbox = try Sandbox(newStore: false)
    for (tool, arguments) in Self.readersOfAMissingStore {
      let byOption = try sandbox.run(tool, arguments + ["--store", "typo.sqlite"], stdin: "")
      #expect(byOption.status == 66, "\(tool) \(arguments)")
      let creator =
        tool == "hr-create"
        ? "only a run that creates records creates a store, not --check or --dry-run" : "only hr-create creates a store"
      #expect(byOption.stderr == "\(tool): cannot open 'typo.sqlite': no such store (given by --store); \(creator)\n")
      let byEnvironment = try sandbox.run(tool, arguments, stdin: "")
      #expect(byEnvironment.status == 66)
      #expect(byEnvironment.stderr.contains("'\(sandbox.store)': no such store (given by $HR_STORE)"))
    }
    let byDefault = try sandbox.shell("env -u HR_STORE hr-transfer list")
    #expect(byDefault.status == 66)
    #expect(
      byDefault.stderr.contains("'hr.sqlite': no such store (the default ./hr.sqlite, as neither --store nor $HR_STORE is set)"))
    #expect(!FileManager.default.fileExists(atPath: sandbox.store))
    #expect(!FileManager.default.fileExists(atPath: sandbox.directory.appendingPathComponent("typo.sqlite").path))
  }

  @Test("The README's pipeline on a brand-new store: the tool after hr-create waits for its input before it opens the store")
  func pipelineOnANewStore() throws {
    for round in 1...5 {
      let sandbox = try Sandbox(newStore: false)
      try sandbox.write("people.jsonl", Sandbox.people(3, seed: UInt64(round), places: [Sandbox.examplePlaces[0]]))
      let result = try sandbox.shell(
        "hr-create --quiet people.jsonl | hr-transfer request --quiet --to 500229001 --reason residence_change"
          + " --consent-method sms_phone --consent-ref R | hr-transfer confirm --quiet")
      #expect(result.status == 0, "round \(round): \(result.stderr)")
      #expect(result.objects.map { $0["status"] as? String } == ["completed", "completed", "completed"])
    }
  }

  @Test("hr-create says on standard error that it creates a new store")
  func createAnnouncesANewStore() throws {
    let sandbox = try Sandbox(newStore: false)
    let result = try sandbox.run("hr-create", stdin: Sandbox.people(2))
    #expect(result.status == 0)
    #expect(
      result.errorLines == [
        "hr-create: creating a new store '\(sandbox.store)' (given by $HR_STORE)", "hr-create: 2 created, 0 rejected",
      ])
    let again = try sandbox.run("hr-create", stdin: "")
    #expect(again.errorLines == ["hr-create: 0 created, 0 rejected"])
  }

  @Test("A refusal never creates a store")
  func refusalCreatesNoStore() throws {
    let sandbox = try Sandbox(newStore: false)
    #expect(try sandbox.run("hr-create", operator: "auditor-1").status == 77)
    #expect(!FileManager.default.fileExists(atPath: sandbox.store))
  }
}
