import ArgumentParser
import HRCore

/// `hr-export`: opening records to those entitled to them (Chapter 4, 开放使用, and annex 2): one
/// person's record for an authorised viewer, the managing organisation's roster, and de-identified
/// research exports under an approval.
package struct ExportCommand: ParsableCommand {
  package static let configuration = CommandConfiguration(
    commandName: "hr-export",
    abstract: "Open records to those entitled to them; rosters; de-identified research exports.",
    discussion: """
      Every view, listing and export is an audit event, which the resident's access report \
      (hr-audit access) shows.
      """,
    version: toolkitVersion("hr-export"),
    subcommands: [
      ExportRecordCommand.self, ExportRosterCommand.self, Approve.self, Approvals.self, Revoke.self, Deid.self,
    ])

  package init() {}

  package func run() throws { throw Self.missingSubcommand() }
}
