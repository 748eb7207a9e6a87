import ArgumentParser
import HRCore

/// `hr-archive candidates`: the active records without service or contact for a year, to work
/// through before archiving them as lost (annex 1, 六(一)1).
package struct ArchiveCandidatesCommand: ParsableCommand {
  package static let configuration = CommandConfiguration(
    commandName: "candidates",
    abstract: "List active records with no service or contact for lost_after_days (365).",
    discussion: """
      Prints {"record_no","managing_org","last_contact","days_since"} per record, by record number, \
      limited to the records the operator may archive. The list pipes into \
      'hr-archive lost --evidence TEXT' once contact has really been tried.
      """)

  @OptionGroup package var common: CommonOptions

  @OptionGroup package var scope: ScopeOptions

  @OptionGroup package var listing: ListingOptions

  package init() {}

  package func run() throws {
    try runTool("hr-archive") {
      let session = try common.session(requiring: .archive, for: "hr-archive candidates")
      let store = try common.openStore(tool: "hr-archive")
      let coverage = try scope.coverage(
        for: .archive, session: session, common: common, command: "hr-archive candidates", auditAs: "record.candidates")
      var writer = ListingWriter(format: listing.format, columns: ["record_no", "managing_org", "last_contact", "days_since"])
      try store.archiveCandidates(coverage, session: session) { try writer.append($0) }
      try writer.finish()
      return .ok
    }
  }
}
