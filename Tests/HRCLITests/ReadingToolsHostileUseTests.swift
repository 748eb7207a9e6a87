import Foundation
import HRCLI
import HRCore
import HRLines
import Testing

/// The reading tools given what a careless or hostile user gives them: a database that is not an hr
/// store, an output file that is where standard output goes, a report that cannot be written.
@Suite("Reading tools: stores that are no stores, output files that cannot be, long listings")
struct ReadingToolsHostileUseTests {
  /// The readings of every tool that takes no input lines, as a district script runs them.
  static let readings = [
    "hr-export roster", "hr-metrics", "hr-audit log", "hr-audit quality", "hr-archive candidates", "hr-transfer list",
    "hr-audit verify", "hr-export approvals",
  ]

  @Test("Another program's SQLite database is refused by every tool and left exactly as it was")
  func anotherProgramsDatabaseIsRefusedAndLeftAsItWas() throws {
    let sandbox = try Sandbox(newStore: false)
    _ = try sandbox.shell(
      "sqlite3 other.sqlite 'CREATE TABLE bookmarks(url TEXT); INSERT INTO bookmarks VALUES (1)' && chmod 600 other.sqlite")
    let before = try sandbox.shell("sha256sum < other.sqlite").stdout
    for command in Self.readings + ["hr-create --quiet"] {
      let result = try sandbox.shell("\(command) --store other.sqlite < /dev/null")
      #expect(result.status == 73, "\(command): \(result.stderr)")
      #expect(result.stdout.isEmpty, "\(command)")
      let tool = String(command.prefix { $0 != " " })
      #expect(
        result.stderr
          == "\(tool): 'other.sqlite' is not an hr store: it holds the tables of another program ('bookmarks'); name the hr store\n",
        "\(command)")
    }
    #expect(try sandbox.shell("sha256sum < other.sqlite").stdout == before)
    #expect(try sandbox.shell("sqlite3 other.sqlite .tables").stdout == "bookmarks\n")
    #expect(!FileManager.default.fileExists(atPath: sandbox.directory.appendingPathComponent("other.sqlite-wal").path))
  }

  @Test("An empty file is no store: every tool but hr-create refuses it as a missing one (exit 66); hr-create makes it one")
  func anEmptyFileIsNoStoreButForHrCreate() throws {
    let sandbox = try Sandbox(newStore: false)
    _ = try sandbox.shell(": > empty.sqlite && chmod 600 empty.sqlite")
    for command in Self.readings {
      let result = try sandbox.shell("\(command) --store empty.sqlite")
      #expect(result.status == 66, "\(command): \(result.stderr)")
      #expect(result.stdout.isEmpty, "\(command)")
      let tool = String(command.prefix { $0 != " " })
      #expect(
        result.stderr == "\(tool): store 'empty.sqlite' is an empty database, not an hr store; only hr-create creates a store\n",
        "\(command)")
    }
    #expect(try sandbox.shell("sqlite3 empty.sqlite \"SELECT count(*) FROM sqlite_master\"").stdout == "0\n")
    let created = try sandbox.shell("hr-create --quiet --store empty.sqlite < /dev/null")
    #expect(created.status == 0, "\(created.stderr)")
    let roster = try sandbox.shell("hr-export roster --store empty.sqlite")
    #expect(roster.status == 0, "\(roster.stderr)")
  }

  @Test("Standard output appended to the store is refused before the store is opened", arguments: readings)
  func standardOutputIntoTheStoreIsRefused(command: String) throws {
    let sandbox = try Sandbox()
    #expect(try sandbox.run("hr-create", ["--quiet"], stdin: Sandbox.people(3)).status == 0)
    let size = try sandbox.shell("stat -c %s hr.sqlite").stdout
    let events = try sandbox.sqlite("SELECT count(*) FROM audit_event")
    let result = try sandbox.shell("\(command) >> hr.sqlite")
    #expect(result.status == 64, "\(command): \(result.stderr)")
    let tool = String(command.prefix { $0 != " " })
    #expect(
      result.stderr == "\(tool): standard output is the store's file '\(sandbox.store)': redirect it to another file\n",
      "\(command)")
    #expect(try sandbox.shell("stat -c %s hr.sqlite").stdout == size)
    #expect(try sandbox.sqlite("SELECT count(*) FROM audit_event") == events)
  }

  @Test("--rejects naming the file standard output is redirected to is refused before a line is read")
  func rejectsFileThatIsStandardOutputIsRefused() throws {
    let sandbox = try Sandbox()
    try sandbox.write("people.jsonl", Sandbox.people(3))
    #expect(try sandbox.run("hr-create", ["--quiet", "people.jsonl"]).status == 0)
    let result = try sandbox.shell(
      "jq -c '{record_no}' <(hr-export roster) | hr-export record --viewer emergency --reason x --rejects out.jsonl > out.jsonl")
    #expect(result.status == 64, "\(result.stderr)")
    #expect(result.stderr == "hr-export: --rejects 'out.jsonl' is the file standard output is redirected to: name another file\n")
    #expect(try sandbox.sqlite("SELECT count(*) FROM audit_event WHERE action LIKE 'record.view%'") == "0")
  }
}

/// A dry run shows nothing it would have to audit, but what it does show is kept.
@Suite("hr-export record --dry-run: the lookup it makes is kept")
struct DryRunViewingTests {
  @Test("A dry run that finds a record by ID number and tells its number keeps a record.check event")
  func aDryRunViewingIsAnAuditedLookup() throws {
    let sandbox = try Sandbox()
    let created = try sandbox.run("hr-create", ["--quiet"], stdin: Sandbox.people(2))
    let recordNo = try #require(created.objects.first?["record_no"] as? String)
    let id = try sandbox.sqlite("SELECT value FROM identifier WHERE record_no = '\(recordNo)' AND kind = 'id_number'")
    // An operator of another organisation, as anyone may claim an emergency.
    let result = try sandbox.run(
      "hr-export", ["record", "--dry-run", "--viewer", "emergency", "--reason", "trying numbers"],
      stdin: #"{"id_number":"\#(id)"}"# + "\n", operator: "doc-chen")
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.objects.first?["record_no"] as? String == recordNo)
    #expect(
      try sandbox.sqlite(
        """
        SELECT operator || ' ' || outcome || ' ' || json_extract(detail, '$.kind') || ' ' || json_extract(detail, '$.reason')
          || ' ' || json_extract(detail, '$.dry_run') FROM audit_event WHERE action = 'record.check' AND record_no = '\(recordNo)'
        """) == "doc-chen ok emergency trying numbers 1")
    #expect(try sandbox.sqlite("SELECT count(*) FROM audit_event WHERE action LIKE 'record.view%'") == "0")
    let access = try sandbox.run("hr-audit", ["access", "--record", recordNo], operator: "auditor-1")
    #expect(access.objects.contains { $0["use"] as? String == "looked_up" && $0["operator"] as? String == "doc-chen" })

    // A refused viewer's message names the record found by the ID number: kept as a refused lookup.
    let refused = try sandbox.run(
      "hr-export", ["record", "--dry-run", "--viewer", "public_health", "--reason", "x"],
      stdin: #"{"id_number":"\#(id)"}"# + "\n", operator: "doc-chen")
    #expect(refused.status == 65, "\(refused.stderr)")
    #expect(refused.stderr.contains("record '\(recordNo)'"))
    #expect(
      try sandbox.sqlite(
        "SELECT outcome || ' ' || json_extract(detail, '$.code') FROM audit_event WHERE action = 'record.check' ORDER BY seq DESC LIMIT 1"
      ) == "denied forbidden")
  }
}

/// What an operator types into an option that the trail keeps, and what a table prints for a terminal.
@Suite("Reading tools: terminal control characters")
struct TerminalControlTests {
  @Test(
    "An option the audit trail keeps as given is refused with a control character or past its length, and nothing is kept",
    arguments: [
      ["hr-audit", "log", "--by", "x\u{1B}]0;owned\u{07}"], ["hr-audit", "log", "--action", "record.view\u{1B}[2J"],
      ["hr-audit", "log", "--by", String(repeating: "a", count: 101)],
      ["hr-export", "deid", "--approval", "CQ\u{1B}[31m-1"],
    ])
  func optionsTheTrailKeepsAreCleanText(arguments: [String]) throws {
    let sandbox = try Sandbox()
    let before = try sandbox.sqlite("SELECT count(*) FROM audit_event")
    let result = try sandbox.run(arguments[0], Array(arguments.dropFirst()), operator: "admin-city")
    #expect(result.status == 64, "\(result.stderr)")
    #expect(result.stdout.isEmpty)
    #expect(result.stderr.hasPrefix("\(arguments[0]): \(arguments[arguments.count - 2]) "), "\(result.stderr)")
    #expect(!result.stderr.unicodeScalars.contains("\u{1B}"), "\(result.stderr)")
    #expect(try sandbox.sqlite("SELECT count(*) FROM audit_event") == before)
  }

  @Test(
    "A table cell shows a control character or a bidirectional override as its escape",
    arguments: [
      ("a\u{1B}[2Jb", "a\\u{1B}[2Jb"), ("two\nlines", "two\\u{A}lines"), ("tab\there", "tab\\u{9}here"),
      ("\u{202E}txt.exe", "\\u{202E}txt.exe"), ("\u{9B}31m", "\\u{9B}31m"), ("解放碑", "解放碑"),
    ])
  func aTableCellCannotCommandTheTerminal(text: String, shown: String) {
    // As the table writer prints a cell.
    func cell(_ value: JSONValue) -> String { CellText.visible(ListingWriter.tableCell(value)) }
    #expect(cell(.string(text)) == shown)
    #expect(cell(["k\u{1B}": .string(text)]) == "k\\u{1B}=\(shown)")
  }
}

/// Listings whose length grows with the store print as they read, in memory that does not.
@Suite("Reading tools: long listings stay flat in memory")
struct LongListingMemoryTests {
  @Test("hr-transfer list prints 150,000 transfers in the memory it takes for 1,500")
  func aTransferListingDoesNotHoldItsTransfers() throws {
    let sandbox = try Sandbox()
    try sandbox.write("people.jsonl", Sandbox.people(1))
    #expect(try sandbox.run("hr-create", ["--quiet", "people.jsonl"]).status == 0)
    func peakKiB(transfers count: Int) throws -> Int {
      _ = try sandbox.sqlite(
        """
        DELETE FROM transfer;
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < \(count))
        INSERT INTO transfer (record_no, from_org, to_org, from_district, to_district, kind, reason, consent_method,
          consent_ref, status, requested_on, requested_at, requested_by, due, decided_on)
        SELECT (SELECT record_no FROM record), '500103001', '500106001', '500103', '500106', 'cross_district',
          'residence_change', 'signed_form', 'F-' || i, 'cancelled', '2026-01-05', '2026-01-05T01:00:00.000Z', 'doc-zhao',
          '2026-01-12', '2026-01-06' FROM n;
        """)
      let result = try sandbox.shell("/usr/bin/time -f %M hr-transfer list 2>&1 > listed.jsonl")
      #expect(result.status == 0, "\(result.stdout)")
      #expect(try sandbox.shell("wc -l < listed.jsonl").stdout == "\(count)\n")
      return try #require(Int(result.lines.last ?? ""), "\(result.stdout)")
    }
    let small = try peakKiB(transfers: 1_500)
    let large = try peakKiB(transfers: 150_000)
    // Held in an array, as they were, the transfers took memory in proportion to their count.
    #expect(large - small < 12_000, "peak \(small) KiB for 1,500 transfers, \(large) KiB for 150,000")
  }
}

/// `hr-export deid --report`: a report that cannot be written stops the export before any record
/// is released or audited.
@Suite("hr-export deid --report: checked before the export")
struct DeidReportFileTests {
  static func exports(_ research: ResearchSandbox) throws -> String {
    try research.sandbox.sqlite("SELECT count(*) FROM audit_event WHERE action = 'export.deid' AND outcome = 'ok'")
  }

  @Test("A report into a directory, a missing directory or standard output's file: nothing printed, nothing exported")
  func anUnwritableReportStopsTheExportBeforeItStarts() throws {
    let research = try ResearchSandbox()
    try research.populate()
    let sandbox = research.sandbox
    for (report, status, message) in [
      (".", 73, "cannot create '.': Is a directory"),
      ("missing/report.json", 73, "cannot create 'missing/report.json': No such file or directory"),
      ("out.jsonl", 64, "--report 'out.jsonl' is the file standard output is redirected to: name another file"),
    ] {
      let result = try sandbox.shell(
        "hr-export deid --approval CQ-1 --report \(report) > out.jsonl", operator: "researcher-1")
      #expect(result.status == status, "\(report): \(result.stderr)")
      #expect(result.stderr == "hr-export: \(message)\n", "\(report)")
      #expect(try sandbox.read("out.jsonl").isEmpty, "\(report)")
      #expect(try Self.exports(research) == "0", "\(report)")
    }
    let good = try sandbox.shell("hr-export deid --approval CQ-1 --report report.json > out.jsonl", operator: "researcher-1")
    #expect(good.status == 0, "\(good.stderr)")
    #expect(try sandbox.read("out.jsonl").split(separator: "\n").count > 0)
    #expect(try sandbox.read("report.json").hasPrefix(#"{"exported":"#))
    #expect(try Self.exports(research) == "1")
  }

  @Test("A refused export leaves no report file it created, and one that was there as it was")
  func aRefusedExportLeavesNoReportBehind() throws {
    let research = try ResearchSandbox()
    try research.populate()
    let sandbox = research.sandbox
    let refused = try sandbox.shell("hr-export deid --approval NO-SUCH --report new.json", operator: "researcher-1")
    #expect(refused.status == 77, "\(refused.stderr)")
    #expect(!FileManager.default.fileExists(atPath: sandbox.directory.appendingPathComponent("new.json").path))
    try sandbox.write("old.json", "{\"exported\":1}\n")
    let again = try sandbox.shell("hr-export deid --approval NO-SUCH --report old.json", operator: "researcher-1")
    #expect(again.status == 77, "\(again.stderr)")
    #expect(try sandbox.read("old.json") == "{\"exported\":1}\n")
  }
}
