import ArgumentParser
import Foundation
import HRCore

/// `hr-audit`: the audit trail and what is read from it — the chain's verification, the trail
/// itself, access reports for residents, data-quality findings and probable duplicates (hr(7) AUDIT TRAIL).
package struct AuditCommand: ParsableCommand {
  package static let configuration = CommandConfiguration(
    commandName: "hr-audit",
    abstract: "Verify and read the audit trail; report data-quality findings and probable duplicates.",
    discussion: """
      Every write, view, export and denial of the toolkit appends an event to a SHA-256 hash chain \
      that the store refuses to modify. hr-audit verifies that chain and reads it: for an \
      organisation's records (org_admin), a district's (district_admin) or all (city_admin, auditor).
      """,
    version: toolkitVersion("hr-audit"),
    subcommands: [
      AuditLogCommand.self, AuditVerifyCommand.self, AuditHeadCommand.self, AuditAccessCommand.self,
      AuditQualityCommand.self, AuditDuplicatesCommand.self, AuditCheckpointCommand.self,
    ])

  package init() {}

  package func run() throws { throw Self.missingSubcommand() }
}

/// What every `hr-audit` subcommand does before it reads: start the session, refuse a role that may
/// never audit (exit 77), and open a store that must already exist (exit 66): reading a store that
/// is not there would only create an empty one and report on it.
struct AuditRun {
  let session: Session
  let store: Store

  /// Starts the session and opens the store; `readOnly` for a subcommand that appends no event.
  init(_ common: CommonOptions, command: String, readOnly: Bool = false) throws {
    session = try common.session(requiring: .audit, for: command)
    store = try common.openStore(readOnly: readOnly, tool: "hr-audit")
  }

  /// Runs `body`, turning a refused reading into its audited denial and exit 77, an unknown
  /// organisation or district into exit 64, and a record that does not exist into exit 65.
  func check<T>(_ body: () throws -> T) throws -> T {
    do {
      return try body()
    } catch let error as AuditReadError {
      switch error {
      case .forbidden(_, let audit):
        try AuditReading.record(audit, by: session.staff, in: store)
        throw RunError(.noPermission, error.description)
      case .recordNotFound, .idNumberNotFound:
        throw RunError(.dataError, error.description)
      }
    }
  }
}
