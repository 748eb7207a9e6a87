import ArgumentParser
import HRCore

extension TransferReason: ExpressibleByArgument {}
extension ConsentMethod: ExpressibleByArgument {}
extension TransferStatus: ExpressibleByArgument {}

/// `hr-transfer`: the transfer workflow of annex 1, 四 — request, confirm, reject, cancel, list and
/// overdue (annex 1 四).
package struct TransferCommand: ParsableCommand {
  package static let configuration = CommandConfiguration(
    commandName: "hr-transfer",
    abstract: "Transfer resident health records between managing organisations.",
    discussion: """
      Record numbers go in, transfers come out: every subcommand prints the transfers it touched \
      in one shape, so request, list and overdue pipe into confirm, reject and cancel.
      """,
    version: toolkitVersion("hr-transfer"),
    subcommands: [Request.self, Confirm.self, Reject.self, Cancel.self, List.self, Overdue.self])

  package init() {}

  package func run() throws { throw Self.missingSubcommand() }
}

extension TransferCommand {
  /// `hr-transfer request`: asks for records to move to another organisation.
  package struct Request: ParsableCommand {
    package static let configuration = CommandConfiguration(
      abstract: "Request transfers of the records the input lines name.",
      discussion: """
        Each line names a record by record_no or id_number and may carry to_org, reason and \
        consent {"method","ref"}; the options fill what a line leaves out. Records archived as \
        lost or moved_out transfer at once; others stay pending until the managing organisation \
        confirms or rejects.
        """)

    @OptionGroup package var common: CommonOptions
    @OptionGroup package var lines: LineOptions

    @Option(
      name: .customLong("to"), help: ArgumentHelp("The receiving organisation, for lines without to_org.", valueName: "org"),
      transform: Normalisation.identifier)
    package var toOrg: String?

    @Option(help: ArgumentHelp("The transfer reason, for lines without reason.", valueName: "reason"))
    package var reason: TransferReason?

    @Option(help: ArgumentHelp("How the resident confirmed, for lines without consent.method.", valueName: "method"))
    package var consentMethod: ConsentMethod?

    @Option(help: ArgumentHelp("The consent's reference, for lines without consent.ref.", valueName: "ref"))
    package var consentRef: String?

    package init() {}

    package func run() throws {
      try LineRunner.run(
        "hr-transfer request", action: .requestTransfer, verb: "requested", common: common, lines: lines,
        // A transfer's row is handed to its audit event rather than noted by trigger.
        prepare: { try StateDigest.handOverInserts(into: StateDigest.transferTables, in: $0) }
      ) { session in
        if let toOrg, session.configuration.orgs[toOrg] == nil {
          throw RunError(.usage, "--to: unknown organisation '\(toOrg)'")
        }
        let ref = try OptionError.text(consentRef, option: "consent-ref", maxLength: TransferRequest.maximumReferenceLength)
        let defaults = TransferRequest.Defaults(toOrg: toOrg, reason: reason, consentMethod: consentMethod, consentRef: ref)
        return { object, db in try Transfers.request(object, defaults: defaults, session: session, in: db) }
      }
    }
  }

  /// `hr-transfer confirm`: the managing organisation agrees and the record moves.
  package struct Confirm: ParsableCommand {
    package static let configuration = CommandConfiguration(
      abstract: "Confirm pending transfers: the record moves to the receiving organisation.",
      discussion: """
        Each line names a transfer by transfer_id, or a record by record_no or id_number for its \
        pending transfer; other fields are ignored. Only an org_admin of the managing organisation, \
        or a district or city administrator above it, may confirm.
        """)

    @OptionGroup package var common: CommonOptions
    @OptionGroup package var lines: LineOptions

    package init() {}

    package func run() throws {
      try LineRunner.run(
        "hr-transfer confirm", action: .decideTransfer, verb: "confirmed", common: common, lines: lines,
        // The transfer decided and the record moved are handed to the audit event rather than
        // noted by trigger.
        prepare: { try StateDigest.handOverUpdates(of: StateDigest.transferUpdates, in: $0) }
      ) { session in
        { object, db in try Transfers.confirm(object, session: session, in: db) }
      }
    }
  }

  /// `hr-transfer reject`: the managing organisation refuses, with a reason, and keeps the record.
  package struct Reject: ParsableCommand {
    package static let configuration = CommandConfiguration(
      abstract: "Reject pending transfers, with a reason; the record stays where it is.",
      discussion: """
        Lines are selected as for confirm. The reason is the line's rejection_reason, else its \
        reason text, else --rejection-reason; a reason that is a transfer reason code (as in the \
        output of request and list) is the transfer's own and is not read as the rejection's.
        """)

    @OptionGroup package var common: CommonOptions
    @OptionGroup package var lines: LineOptions

    @Option(help: ArgumentHelp("Why the transfer is rejected, for lines without rejection_reason.", valueName: "text"))
    package var rejectionReason: String?

    package init() {}

    package func run() throws {
      try LineRunner.run("hr-transfer reject", action: .decideTransfer, verb: "declined", common: common, lines: lines) {
        session in
        let because = try OptionError.text(
          rejectionReason, option: "rejection-reason", maxLength: Transfers.maximumRejectionReasonLength)
        return { object, db in try Transfers.reject(object, defaultReason: because, session: session, in: db) }
      }
    }
  }

  /// `hr-transfer cancel`: the requester withdraws a pending transfer.
  package struct Cancel: ParsableCommand {
    package static let configuration = CommandConfiguration(
      abstract: "Cancel pending transfers.",
      discussion: """
        Lines are selected as for confirm. The operator who requested a transfer may cancel it, and \
        so may an org_admin (or above) of the receiving organisation; the managing organisation \
        rejects, with a reason, instead.
        """)

    @OptionGroup package var common: CommonOptions
    @OptionGroup package var lines: LineOptions

    package init() {}

    package func run() throws {
      try LineRunner.run("hr-transfer cancel", action: .requestTransfer, verb: "cancelled", common: common, lines: lines) {
        session in
        { object, db in try Transfers.cancel(object, session: session, in: db) }
      }
    }
  }
}
