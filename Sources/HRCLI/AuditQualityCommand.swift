import ArgumentParser
import HRCore

/// How a listing read by people as well as scripts is printed (§2: `--format jsonl|csv|table`).
enum ListingFormat: String, ExpressibleByArgument, CaseIterable {
  /// One compact JSON object a line.
  case jsonl
  /// RFC 4180, a header line first; nested values as compact JSON in one cell.
  case csv
  /// Aligned columns for a terminal, a header line first; nested objects as `key=value` pairs.
  case table
}

/// Writes the rows of a listing in the chosen format: the keys of each object, in order, are the columns.
struct ListingWriter {
  let format: ListingFormat
  let columns: [String]
  /// Column widths for `table`; the last column is never padded.
  let widths: [Int]
  private var output = ListingOutput()
  private var wroteHeader = false

  init(format: ListingFormat, columns: [String], widths: [Int]) {
    self.format = format
    self.columns = columns
    self.widths = widths
  }

  mutating func append(_ object: JSONObject) throws {
    try writeHeader()
    switch format {
    case .jsonl:
      try output.append(object)
    case .csv:
      try output.append(line: columns.map { ListingWriter.csvCell(object[$0] ?? .null) }.joined(separator: ","))
    case .table:
      try output.append(line: row(columns.map { ListingWriter.tableCell(object[$0] ?? .null) }))
    }
  }

  /// Writes what is buffered, and the header of a csv or table listing that found nothing.
  mutating func finish() throws {
    try writeHeader()
    try output.flush()
  }

  private mutating func writeHeader() throws {
    guard format != .jsonl, !wroteHeader else { return }
    wroteHeader = true
    try output.append(line: row(columns))
  }

  private func row(_ cells: [String]) -> String {
    switch format {
    case .csv: return cells.map(ListingWriter.quoteCSV).joined(separator: ",")
    default:
      var line = ""
      for (position, cell) in cells.enumerated() {
        if position > 0 { line += "  " }
        line += cell
        if position < cells.count - 1, position < widths.count {
          line += String(repeating: " ", count: max(0, widths[position] - cell.count))
        }
      }
      return line
    }
  }

  /// A value as a CSV cell: strings as they are, anything else as compact JSON, quoted as RFC 4180 asks.
  static func csvCell(_ value: JSONValue) -> String {
    quoteCSV(value.stringValue ?? (value.isNull ? "" : value.compact))
  }

  static func quoteCSV(_ text: String) -> String {
    guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
    return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
  }

  /// A value as a table cell: an object as `key=value` pairs, an array as a comma-separated list.
  static func tableCell(_ value: JSONValue) -> String {
    switch value {
    case .null: "-"
    case .string(let text): text
    case .array(let items): items.map(tableCell).joined(separator: ",")
    case .object(let object): object.keys.map { "\($0)=\(tableCell(object[$0]!))" }.joined(separator: " ")
    default: value.compact
    }
  }
}

extension FindingKind: ExpressibleByArgument {}

/// `hr-audit quality`: the data-quality findings of the records in the operator's reach.
struct AuditQualityCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "quality",
    abstract: "List data-quality findings: missing fields, invalid IDs, late entries, overdue transfers …",
    discussion: """
      Prints {"record_no","finding","detail"} per finding, by finding in the order missing_field, \
      invalid_id, id_mismatch, newborn_without_id, late_service_entry, signed_without_contact, \
      late_death_entry, transfer_overdue, then by record number. The check is audited (action audit.quality).
      """)

  @OptionGroup var common: CommonOptions

  @Option(help: ArgumentHelp("Only records managed by this organisation.", valueName: "org"))
  var org: String?

  @Option(help: ArgumentHelp("Only records managed in this district.", valueName: "district"))
  var district: String?

  @Option(name: .customLong("finding"), help: ArgumentHelp("Only this kind of finding (repeatable).", valueName: "kind"))
  var findings: [FindingKind] = []

  @Option(help: ArgumentHelp("Output format.", valueName: "jsonl|csv|table"))
  var format: ListingFormat = .jsonl

  func validate() throws {
    if org != nil, district != nil { throw ValidationError("give --org or --district, not both") }
  }

  func run() throws {
    try runTool("hr-audit") {
      let run = try AuditRun(common, command: "hr-audit quality")
      let coverage = try run.check {
        try AuditReading.coverage(org: org, district: district, session: run.session, auditAs: "audit.quality")
      }
      let check = QualityCheck(
        rules: run.session.configuration.rules, today: run.session.today, coverage: coverage,
        kinds: findings.isEmpty ? Set(FindingKind.allCases) : Set(findings))
      try AuditReading.record(
        AuditEntry(action: "audit.quality", recordNo: nil, detail: coverage.detail), by: run.session.staff, in: run.store)
      var writer = ListingWriter(format: format, columns: ["record_no", "finding", "detail"], widths: [17, 22])
      try run.store.read { db in
        try check.run(in: db) { finding in try writer.append(finding.json) }
      }
      try writer.finish()
      return .ok
    }
  }
}

extension Coverage {
  /// The coverage as the detail of the event that records a reading.
  var detail: JSONObject {
    switch self {
    case .nothing: ["scope": "none"]
    case .org(let org): ["org": .string(org)]
    case .district(let district): ["district": .string(district)]
    case .city: ["scope": "city"]
    }
  }
}
