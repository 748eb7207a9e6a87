import ArgumentParser
import HRCore
import HRLines

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

    @Option(
      help: ArgumentHelp("Only transfers from or to this organisation.", valueName: "org"), transform: Normalisation.identifier)
    package var org: String?

    @Option(
      help: ArgumentHelp("Only transfers from this organisation: the ones it decides.", valueName: "org"),
      transform: Normalisation.identifier)
    package var fromOrg: String?

    @Option(
      help: ArgumentHelp("Only transfers to this organisation: the ones it asked for.", valueName: "org"),
      transform: Normalisation.identifier)
    package var toOrg: String?

    @Option(help: ArgumentHelp("Only transfers in this status.", valueName: "status"))
    package var status: TransferStatus?

    @Option(help: ArgumentHelp("Only transfers of this record.", valueName: "record-no"), transform: Normalisation.identifier)
    package var record: String?

    @OptionGroup package var listing: ListingOptions

    package init() {}

    package func validate() throws {
      if let record, (try? RecordNumber(record)) == nil {
        throw ValidationError("--record '\(record)' is not a record number (17 digits)")
      }
    }

    package func run() throws {
      try listTransfers("hr-transfer list", common: common, format: listing.format) { session in
        if let org {
          guard let district = session.configuration.district(ofOrg: org) else {
            throw RunError(.usage, "--org: unknown organisation '\(org)'")
          }
          guard session.staff.maySeeTransfers(in: Scope(org: org, district: district)) else {
            try refuseListing(session, common: common, command: "hr-transfer list --org \(org)", detail: ["org": .string(org)])
          }
        }
        // --from-org and --to-org only narrow the listing, which holds only the transfers the
        // operator may see: a transfer from an organisation out of reach to one in it is listed.
        for (option, value) in [("--from-org", fromOrg), ("--to-org", toOrg)] {
          if let value, session.configuration.district(ofOrg: value) == nil {
            throw RunError(.usage, "\(option): unknown organisation '\(value)'")
          }
        }
        return TransferFilter(org: org, fromOrg: fromOrg, toOrg: toOrg, status: status, recordNo: record)
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

    @Option(
      help: ArgumentHelp("Only transfers from or to organisations of this district.", valueName: "district"),
      transform: Normalisation.identifier)
    package var district: String?

    @OptionGroup package var listing: ListingOptions

    package init() {}

    package func run() throws {
      try listTransfers("hr-transfer overdue", common: common, format: listing.format) { session in
        if let district {
          guard session.configuration.districts[district] != nil else {
            throw RunError(.usage, "--district: unknown district '\(district)'")
          }
          guard session.staff.maySeeTransfers(inDistrict: district) else {
            try refuseListing(
              session, common: common, command: "hr-transfer overdue --district \(district)",
              detail: ["district": .string(district)])
          }
        }
        return TransferFilter(district: district, overdueOn: session.today)
      }
    }
  }
}

/// Runs a transfer listing as `hr-transfer`: refuses a role that may see no transfer at all (exit 77,
/// audited), lets `filter` check the command's options against the session and say which transfers
/// to list, then prints them, the same objects every `hr-transfer` subcommand prints.
private func listTransfers(
  _ command: String, common: CommonOptions, format: ListingFormat, filter: (Session) throws -> TransferFilter
) throws {
  try runTool("hr-transfer") {
    let session = try common.session(for: command)
    guard session.staff.mayListTransfers else { try common.refuse(session, command: command) }
    let filter = try filter(session)
    var writer = ListingWriter(format: format, columns: Transfer.outputKeys)
    // Streamed from the read: a read-only store holds no lock a writer waits for.
    try common.openStore(readOnly: true, tool: "hr-transfer").read { db in
      try Transfers.forEach(filter, session: session, in: db) { try writer.append($0.output) }
    }
    try writer.finish()
    return .ok
  }
}

/// Refuses a listing of an organisation or district outside the operator's reach (exit 77), with
/// the denial kept in the audit trail as every denial is (hr(7) ROLES).
private func refuseListing(_ session: Session, common: CommonOptions, command: String, detail: JSONObject) throws -> Never {
  try common.refuse(session, command: command, action: "transfer.list", detail: detail)
}
