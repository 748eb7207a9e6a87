import ArgumentParser
import HRCore

extension TransferCommand {
  /// `hr-transfer list`: the transfers the operator may see, for people and for pipes.
  package struct List: ParsableCommand {
    package static let configuration = CommandConfiguration(
      abstract: "List transfers.",
      discussion: """
        Prints the transfers from or to organisations in the operator's reach (own organisation, \
        own district, or all for city administrators and auditors), oldest first.
        """)

    @OptionGroup package var common: CommonOptions

    @Option(help: ArgumentHelp("Only transfers from or to this organisation.", valueName: "org"))
    package var org: String?

    @Option(help: ArgumentHelp("Only transfers in this status.", valueName: "status"))
    package var status: TransferStatus?

    @Option(help: ArgumentHelp("Only transfers of this record.", valueName: "record-no"))
    package var record: String?

    @Option(help: ArgumentHelp("Output format.", valueName: "format"))
    package var format: TransferListFormat = .jsonl

    package init() {}

    package func validate() throws {
      if let record, (try? RecordNumber(record)) == nil {
        throw ValidationError("--record '\(record)' is not a record number (17 digits)")
      }
    }

    package func run() throws {
      try runTool("hr-transfer") {
        let session = try common.session()
        try requireListing(session, common: common, command: "hr-transfer list")
        if let org {
          guard let district = session.configuration.district(ofOrg: org) else {
            throw RunError(.usage, "--org: unknown organisation '\(org)'")
          }
          guard session.staff.maySeeTransfers(in: Scope(org: org, district: district)) else {
            try refuseListing(session, common: common, command: "hr-transfer list --org \(org)", detail: ["org": .string(org)])
          }
        }
        let filter = TransferFilter(org: org, status: status, recordNo: record)
        let transfers = try common.openStore().read { db in try Transfers.list(filter, session: session, in: db) }
        try format.print(transfers)
        return .ok
      }
    }
  }

  /// `hr-transfer overdue`: pending transfers past their due day, the list to chase.
  package struct Overdue: ParsableCommand {
    package static let configuration = CommandConfiguration(
      abstract: "List pending transfers whose due day has passed.",
      discussion: """
        A transfer is overdue from the day after its due day; it stays pending until someone \
        confirms, rejects or cancels it. Sorted by due day.
        """)

    @OptionGroup package var common: CommonOptions

    @Option(help: ArgumentHelp("Only transfers from or to organisations of this district.", valueName: "district"))
    package var district: String?

    @Option(help: ArgumentHelp("Output format.", valueName: "format"))
    package var format: TransferListFormat = .jsonl

    package init() {}

    package func run() throws {
      try runTool("hr-transfer") {
        let session = try common.session()
        try requireListing(session, common: common, command: "hr-transfer overdue")
        if let district {
          guard session.configuration.districts[district] != nil else {
            throw RunError(.usage, "--district: unknown district '\(district)'")
          }
          guard session.staff.maySeeTransfers(inDistrict: district) else {
            try refuseListing(
              session, common: common, command: "hr-transfer overdue --district \(district)", detail: ["district": .string(district)])
          }
        }
        let filter = TransferFilter(district: district, overdueOn: session.today)
        let transfers = try common.openStore().read { db in try Transfers.list(filter, session: session, in: db) }
        try format.print(transfers)
        return .ok
      }
    }
  }
}

/// Refuses a listing to a role that may see no transfer at all (exit 77, audited).
private func requireListing(_ session: Session, common: CommonOptions, command: String) throws {
  guard session.staff.mayListTransfers else { try common.refuse(session, command: command) }
}

/// Refuses a listing of an organisation or district outside the operator's reach (exit 77), with
/// the denial kept in the audit trail as every denial is (§9).
private func refuseListing(_ session: Session, common: CommonOptions, command: String, detail: JSONObject) throws -> Never {
  try common.refuse(session, command: command, action: "transfer.list", detail: detail)
}

/// How `hr-transfer list` and `overdue` print: JSON Lines for pipes, CSV for spreadsheets, an
/// aligned table for people (§2).
package enum TransferListFormat: String, CaseIterable, ExpressibleByArgument, Sendable {
  case jsonl
  case csv
  case table

  /// Writes the transfers to standard output.
  func print(_ transfers: [Transfer]) throws {
    var output: [UInt8] = []
    switch self {
    case .jsonl:
      for transfer in transfers {
        JSONValue.object(transfer.output).write(compactTo: &output)
        output.append(UInt8(ascii: "\n"))
      }
    case .csv:
      output.append(line: Transfer.outputKeys.map(Self.csvField).joined(separator: ","))
      for transfer in transfers {
        output.append(line: Self.cells(of: transfer).map(Self.csvField).joined(separator: ","))
      }
    case .table:
      let rows = [Transfer.outputKeys] + transfers.map { Self.cells(of: $0).map { $0.isEmpty ? "-" : $0 } }
      var widths = Array(repeating: 0, count: Transfer.outputKeys.count)
      for row in rows {
        for (column, cell) in row.enumerated() { widths[column] = max(widths[column], Self.displayWidth(cell)) }
      }
      for row in rows {
        var line = ""
        for (column, cell) in row.enumerated() {
          line += cell
          if column < row.count - 1 { line += String(repeating: " ", count: widths[column] - Self.displayWidth(cell) + 2) }
        }
        output.append(line: line)
      }
    }
    guard output.withUnsafeBytes({ writeAll(1, $0) }) else { throw RunError(.io, "cannot write standard output") }
  }

  /// The values of a transfer's output as text, in the order of `Transfer.outputKeys`; null is empty.
  private static func cells(of transfer: Transfer) -> [String] {
    let object = transfer.output
    return Transfer.outputKeys.map { key in
      switch object[key] {
      case .string(let text): text
      case .bool(let flag): flag ? "true" : "false"
      case nil, .null: ""
      case let value?: value.compact
      }
    }
  }

  /// A CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break.
  private static func csvField(_ text: String) -> String {
    guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
    return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
  }

  /// Columns a text takes in a terminal: East Asian wide characters (Chinese text) take two.
  private static func displayWidth(_ text: String) -> Int {
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

extension [UInt8] {
  /// Appends a line of text and its line feed.
  fileprivate mutating func append(line: String) {
    append(contentsOf: line.utf8)
    append(UInt8(ascii: "\n"))
  }
}
