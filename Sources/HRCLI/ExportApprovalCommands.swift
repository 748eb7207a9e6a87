import ArgumentParser
import HRCore

extension ApprovalState: ExpressibleByArgument {}

extension ExportCommand {
  /// `hr-export approve`: grants research-export approvals, one a line (附件2 六).
  package struct Approve: ParsableCommand {
    package static let configuration = CommandConfiguration(
      abstract: "Grant approvals for de-identified research exports.",
      discussion: """
        Each line is {"ref","grantee","scope","purpose","expires"}: scope is a district code or \
        "city"; the grantee must be an operator declared with role researcher; the approval is good \
        through its expires day. A district administrator approves for its own district, a city \
        administrator for any. Prints each approval granted, as hr-export approvals lists it.
        """)

    @OptionGroup package var common: CommonOptions
    @OptionGroup package var lines: LineOptions

    package init() {}

    package func run() throws {
      try LineRunner.run("hr-export approve", action: .approveExport, verb: "approved", common: common, lines: lines) { session in
        { object, db in try ApprovalDesk.approve(object, session: session, in: db) }
      }
    }
  }

  /// `hr-export revoke`: ends approvals before their expiry; revocation is final.
  package struct Revoke: ParsableCommand {
    package static let configuration = CommandConfiguration(
      abstract: "Revoke approvals for de-identified research exports.",
      discussion: """
        Each line names an approval by ref and may carry a reason; other fields are ignored, so \
        the output of hr-export approvals pipes in. A revoked approval allows no further export.
        """)

    @OptionGroup package var common: CommonOptions
    @OptionGroup package var lines: LineOptions

    @Option(help: ArgumentHelp("Why the approval ends, for lines without reason.", valueName: "text"))
    package var reason: String?

    package init() {}

    package func validate() throws {
      if let reason, reason.isEmpty || reason.count > 500 { throw ValidationError("--reason must be 1 to 500 characters") }
    }

    package func run() throws {
      try LineRunner.run("hr-export revoke", action: .approveExport, verb: "revoked", common: common, lines: lines) { session in
        { object, db in try ApprovalDesk.revoke(object, defaultReason: reason, session: session, in: db) }
      }
    }
  }

  /// `hr-export approvals`: lists the approvals in the operator's reach with their state today.
  package struct Approvals: ParsableCommand {
    package static let configuration = CommandConfiguration(
      abstract: "List approvals for de-identified research exports.",
      discussion: """
        Prints the approvals of the operator's district (every approval for a city \
        administrator), by reference, each with its state today: active, expired or revoked.
        """)

    @OptionGroup package var common: CommonOptions

    @Option(help: ArgumentHelp("Only approvals in this state today.", valueName: "active|expired|revoked"))
    package var state: ApprovalState?

    @OptionGroup package var listing: ListingOptions

    package init() {}

    package func run() throws {
      try runTool("hr-export") {
        let session = try common.session(requiring: .approveExport, for: "hr-export approvals")
        let coverage = session.staff.coverage(for: .approveExport)
        var writer = ListingWriter(format: listing.format, columns: ExportApproval.outputKeys)
        // The approvals name no resident and the listing appends no event: a write-protected
        // store (an evidence copy) is read as it is.
        try common.openStore(readOnly: true, tool: "hr-export").read { db in
          try ExportApproval.forEach(in: coverage, in: db) { approval in
            if let state, approval.state(on: session.today) != state { return }
            try writer.append(approval.output(on: session.today))
          }
        }
        try writer.finish()
        return .ok
      }
    }
  }
}
