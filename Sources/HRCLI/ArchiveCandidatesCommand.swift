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
    try ScopedListing.run("hr-archive candidates", action: .archive, auditAs: "record.candidates", common: common, scope: scope) {
      run in
      var writer = ListingWriter(format: listing.format, columns: ["record_no", "managing_org", "last_contact", "days_since"])
      try run.store.archiveCandidates(run.coverage, session: run.session) { try writer.append($0) }
      try writer.finish()
      return .ok
    }
  }
}
