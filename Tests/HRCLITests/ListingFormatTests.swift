import Foundation
import HRCore
import HRLines
import Testing

/// Every listing of every tool prints the same rows as JSON Lines, CSV and an aligned table.
@Suite("Listings in every format", .serialized)
struct ListingFormatTests {
  /// A store with residents created a year and a half ago, one overdue transfer among them, and
  /// some of the trail to list.
  static func seeded() throws -> (Sandbox, [String]) {
    let sandbox = try Sandbox()
    let created = try sandbox.run("hr-create", ["--quiet"], stdin: Sandbox.people(6, today: "2025-05-01"), today: "2025-05-01")
    let records = created.objects.compactMap { $0["record_no"] as? String }
    let request =
      #"{"record_no":"\#(records[0])","to_org":"500229001","reason":"residence_change","consent":{"method":"signed_form","ref":"ZQ-1"}}"#
    let requested = try sandbox.run("hr-transfer", ["request", "--quiet"], stdin: request + "\n", today: "2026-11-10")
    #expect(requested.status == 0, "\(requested.stderr)")
    return (sandbox, records)
  }

  /// Each listing, by the tool and arguments that print it, with the columns it prints.
  static let listings: [(tool: String, arguments: [String], columns: [String])] = [
    ("hr-transfer", ["list"], Transfer.outputKeys),
    ("hr-transfer", ["overdue"], Transfer.outputKeys),
    ("hr-archive", ["candidates"], ["record_no", "managing_org", "last_contact", "days_since"]),
    ("hr-audit", ["log"], AuditEvent.outputKeys),
    ("hr-audit", ["access", "--record", "RECORD"], AccessReport.outputKeys),
    ("hr-audit", ["quality"], ["record_no", "finding", "detail"]),
    (
      "hr-audit", ["duplicates"],
      ["record_no_a", "record_no_b", "score", "reasons", "managing_org_a", "status_a", "managing_org_b", "status_b"]
    ),
  ]

  static func run(
    _ listing: (tool: String, arguments: [String], columns: [String]), format: String, in seeded: (Sandbox, [String])
  ) throws -> ToolResult {
    let (sandbox, records) = seeded
    let arguments = listing.arguments.map { $0 == "RECORD" ? records[0] : $0 } + ["--format", format]
    let result = try sandbox.run(listing.tool, arguments)
    #expect(result.status == 0, "\(listing.tool) \(arguments): \(result.stderr)")
    return result
  }

  @Test(arguments: 0..<listings.count)
  func everyListingPrintsTheSameRowsInEachFormat(_ index: Int) throws {
    let listing = Self.listings[index]
    let seeded = try Self.seeded()
    let jsonl = try Self.run(listing, format: "jsonl", in: seeded)
    let csv = try Self.run(listing, format: "csv", in: seeded)
    let table = try Self.run(listing, format: "table", in: seeded)
    // The trail and the access report list the audit events of the runs before them: one more a run.
    let growth = listing.arguments.first == "log" || listing.arguments.first == "access" ? 1 : 0
    for line in jsonl.lines {
      #expect(try JSONParser.parseObject(Array(line.utf8)).keys == listing.columns)
    }
    #expect(csv.lines.first == listing.columns.joined(separator: ","))
    #expect(csv.lines.count == jsonl.lines.count + 1 + growth)
    #expect(table.lines.first?.split(separator: " ").map(String.init) == listing.columns)
    #expect(table.lines.count == jsonl.lines.count + 1 + 2 * growth)
    if listing.tool == "hr-transfer" || listing.arguments == ["candidates"] {
      #expect(!jsonl.lines.isEmpty, "the seeded store has rows for \(listing.arguments)")
    }
  }

  @Test func aTableAlignsChineseTextByDisplayWidth() throws {
    let table = try Self.run(Self.listings[4], format: "table", in: try Self.seeded())
    let names = AccessReport.outputKeys.firstIndex(of: "operator_name") ?? 0
    let starts = table.lines.map(Self.cellStarts)
    #expect(table.lines.count > 2)
    #expect(table.lines.contains { $0.contains("管理员") })
    // Every line's columns up to the one after the Chinese names start at the same display column.
    for column in 1...(names + 1) {
      #expect(Set(starts.map { $0[column] }).count == 1, "column \(column) of \(table.lines)")
    }
  }

  /// The display column at which each cell of a table line starts: cells are separated by two or
  /// more spaces, and a Chinese character takes two columns.
  static func cellStarts(_ line: String) -> [Int] {
    var starts: [Int] = [0]
    var column = 0
    var spaces = 0
    for scalar in line.unicodeScalars {
      if scalar == " " {
        spaces += 1
      } else {
        if spaces >= 2 { starts.append(column) }
        spaces = 0
      }
      column += (0x2E80...0xA4CF).contains(scalar.value) || (0xFF00...0xFF60).contains(scalar.value) ? 2 : 1
    }
    return starts
  }
}
