import ArgumentParser
import HRCore
import HRLines

/// How a listing read by people as well as scripts is printed: `--format jsonl|csv|table` on every
/// listing of every tool (hr(7), "Output").
package enum ListingFormat: String, CaseIterable, ExpressibleByArgument, Sendable {
  /// One compact JSON object a line, for pipes into the other tools.
  case jsonl
  /// RFC 4180 with a header line, for spreadsheets; nested values as compact JSON in one cell, and a
  /// text that would start a formula after an apostrophe (`CellText.spreadsheet`).
  case csv
  /// Aligned columns for a terminal, by display width, so Chinese text lines up; a header line first,
  /// and control and format characters shown as escapes (`CellText.visible`).
  case table
}

/// The `--format` option of every listing.
package struct ListingOptions: ParsableArguments {
  @Option(help: ArgumentHelp("Output format.", valueName: "jsonl|csv|table"))
  package var format: ListingFormat = .jsonl

  package init() {}
}

/// The `--org` and `--district` options of a listing that covers an organisation or a district.
package struct ScopeOptions: ParsableArguments {
  @Option(help: ArgumentHelp("Only records managed by this organisation.", valueName: "org"), transform: Normalisation.identifier)
  package var org: String?

  @Option(
    help: ArgumentHelp("Only records managed by organisations of this district.", valueName: "district"),
    transform: Normalisation.identifier)
  package var district: String?

  package init() {}

  package func validate() throws {
    if org != nil, district != nil { throw ValidationError("give --org or --district, not both") }
  }

  /// The records the listing covers for `action` (`Session.coverage(for:org:district:)`): an
  /// unknown organisation or district is a usage error (exit 64); one beyond the operator's reach
  /// refuses the command (exit 77), with the denial kept in the audit trail as `auditAs`.
  package func coverage(
    for action: Action, session: Session, common: CommonOptions, command: String, auditAs: String
  ) throws -> Coverage {
    do {
      return try session.coverage(for: action, org: org, district: district)
    } catch .beyondReach(let detail) {
      let named = command + (org.map { " --org \($0)" } ?? "") + (district.map { " --district \($0)" } ?? "")
      try common.refuse(session, command: named, action: auditAs, detail: detail)
    } catch {
      throw RunError(.usage, org != nil ? "--org: \(error)" : "--district: \(error)")
    }
  }
}

/// What every listing over `--org` and `--district` does before it reads: starts the session,
/// refusing a role that may never take `action` (exit 77), opens the store, which must exist
/// (exit 66), and settles the records it covers (`ScopeOptions.coverage`).
package struct ScopedListing {
  package let session: Session
  package let store: Store
  package let coverage: Coverage

  /// Runs `command` (`hr-archive candidates`) for `action` as its tool (`runTool`): `body` reads
  /// once the session, the store and the coverage are settled. A coverage beyond the operator's
  /// reach is refused and kept in the audit trail as `auditAs`.
  package static func run(
    _ command: String, action: Action, auditAs: String, common: CommonOptions, scope: ScopeOptions,
    _ body: (ScopedListing) throws -> ExitStatus
  ) throws {
    let tool = String(command.prefix { $0 != " " })
    try runTool(tool) {
      let session = try common.session(requiring: action, for: command)
      let store = try common.openStore(tool: tool)
      let coverage = try scope.coverage(for: action, session: session, common: common, command: command, auditAs: auditAs)
      return try body(ScopedListing(session: session, store: store, coverage: coverage))
    }
  }
}

/// Writes the rows of a listing to standard output in the chosen format; the columns are keys of
/// each row's object, in order.
///
/// A table is aligned on the widest cell of its first `alignedRows` rows, so that a long listing
/// streams with memory that does not grow with it; a later, wider cell only pushes its own line.
package struct ListingWriter {
  package let format: ListingFormat
  package let columns: [String]
  /// The header line of a table or CSV listing; the column keys unless a caller names them for people.
  package let headings: [String]
  static let alignedRows = 1000
  private var output: OutputBuffer
  private var wroteHeader = false
  private var tableRows: [[String]] = []
  private var widths: [Int]?

  /// A writer to standard output, or to `fd` (a spool that holds a listing until its audit event
  /// has committed).
  package init(format: ListingFormat, columns: [String], headings: [String]? = nil, fd: Int32 = 1) {
    self.format = format
    self.columns = columns
    self.headings = headings ?? columns
    self.output = OutputBuffer(fd: fd, flushEvery: 1000)
  }

  /// Writes one row.
  package mutating func append(_ object: JSONObject) throws {
    switch format {
    case .jsonl:
      try output.append(object)
    case .csv:
      try writeCSVHeader()
      try output.append(line: columns.map { Self.csvCell(object[$0] ?? .null) }.joined(separator: ","))
    case .table:
      let cells = columns.map { CellText.visible(Self.tableCell(object[$0] ?? .null)) }
      if widths == nil {
        tableRows.append(cells)
        if tableRows.count == Self.alignedRows { try writeTableRows() }
      } else {
        try output.append(line: tableLine(cells))
      }
    }
  }

  /// Writes what is still held back, and the header of a CSV or table listing that found nothing.
  package mutating func finish() throws {
    switch format {
    case .jsonl: break
    case .csv: try writeCSVHeader()
    case .table: if widths == nil { try writeTableRows() }
    }
    try output.flush()
  }

  private mutating func writeCSVHeader() throws {
    guard !wroteHeader else { return }
    wroteHeader = true
    try output.append(line: headings.map(Self.quoteCSV).joined(separator: ","))
  }

  /// Fixes the column widths on the rows held so far and writes them after the header.
  private mutating func writeTableRows() throws {
    var widths = headings.map(Self.displayWidth)
    for row in tableRows {
      for (column, cell) in row.enumerated() { widths[column] = max(widths[column], Self.displayWidth(cell)) }
    }
    self.widths = widths
    try output.append(line: tableLine(headings))
    for row in tableRows { try output.append(line: tableLine(row)) }
    tableRows = []
  }

  private func tableLine(_ cells: [String]) -> String {
    var line = ""
    for (column, cell) in cells.enumerated() {
      line += cell
      if column < cells.count - 1 {
        line += String(repeating: " ", count: max(0, (widths?[column] ?? 0) - Self.displayWidth(cell)) + 2)
      }
    }
    return line
  }

  /// A value as a CSV cell (RFC 4180): a string as it is, after an apostrophe when it would start a
  /// formula (`CellText.spreadsheet`); null empty; anything else as compact JSON, unchanged.
  package static func csvCell(_ value: JSONValue) -> String {
    switch value {
    case .string(let text): quoteCSV(CellText.spreadsheet(text))
    case .null: ""
    default: quoteCSV(value.compact)
    }
  }

  /// A field quoted as RFC 4180 asks when it holds a comma, a quote or a line break.
  package static func quoteCSV(_ text: String) -> String {
    guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
    return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
  }

  /// A value as a table cell: null and empty as `-`, an array as a comma-separated list, an object
  /// as `key=value` pairs.
  package static func tableCell(_ value: JSONValue) -> String {
    switch value {
    case .null: "-"
    case .string(let text): text.isEmpty ? "-" : text
    case .array(let items): items.isEmpty ? "-" : items.map(tableCell).joined(separator: ",")
    case .object(let object): object.keys.map { "\($0)=\(tableCell(object[$0] ?? .null))" }.joined(separator: " ")
    default: value.compact
    }
  }

  /// Columns a text takes in a terminal: East Asian wide and full-width characters (Chinese text)
  /// take two.
  package static func displayWidth(_ text: String) -> Int {
    text.unicodeScalars.reduce(0) { width, scalar in
      switch scalar.value {
      case 0x1100...0x115F, 0x2E80...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
        0xFFE0...0xFFE6, 0x20000...0x3FFFD:
        width + 2
      default: width + 1
      }
    }
  }
}
