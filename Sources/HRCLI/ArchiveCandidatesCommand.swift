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
      var writer = ListingWriter(format: listing.format, columns: ["record_no", "managing_org", "last_contact", "days_since"])
      do {
        try store.archiveCandidates(CandidateFilter(org: scope.org, district: scope.district), session: session) {
          try writer.append($0)
        }
      } catch let error as ArchiveError {
        throw RunError(.usage, error.description)
      }
      try writer.finish()
      return .ok
    }
  }
}
