import ArgumentParser
import HRCore

extension RosterStatus: ExpressibleByArgument {}

/// `hr-export roster`: the managing organisation's list of its residents for its own staff, so a
/// call list or a follow-up list never needs SQL on the store (第二十五条).
package struct ExportRosterCommand: ParsableCommand {
  package static let configuration = CommandConfiguration(
    commandName: "roster",
    abstract: "List the residents of an organisation or district: a call list or follow-up list.",
    discussion: """
      Prints {"record_no","name","sex","birth_date","phone","current_address","managing_org",\
      "status","tags","last_contact"} per record, by record number, limited to the operator's \
      organisation (clinician, org_admin), district (district_admin) or the city (city_admin). \
      Each run is one audit event (record.list) with the filter and the count, committed before \
      the first line is printed. The lines pipe into every other tool.
      """)

  @OptionGroup package var common: CommonOptions

  @OptionGroup package var scope: ScopeOptions

  @Option(
    help: ArgumentHelp(
      "Records in this state: active (default), archived, lost, deceased, moved_out or all.", valueName: "status"))
  package var status: RosterStatus = .active

  @Option(
    help: ArgumentHelp("Only records carrying this tag, stored or derived from age (elderly, child_0_6).", valueName: "tag"))
  package var tag: String?

  @OptionGroup package var listing: ListingOptions

  package init() {}

  package func run() throws {
    try ScopedListing.run("hr-export roster", action: .exportRecord, auditAs: "record.list", common: common, scope: scope) {
      run in
      // The lines wait in an unlinked temporary file until the run's audit event has committed with
      // its count, so that no resident is printed by a run the trail does not hold.
      let spool = try Spool()
      defer { spool.discard() }
      var writer = ListingWriter(format: listing.format, columns: Store.rosterKeys, fd: spool.fd)
      do {
        try run.store.roster(RosterFilter(coverage: run.coverage, status: status, tag: tag), session: run.session) {
          try writer.append($0)
        }
        try writer.finish()
      } catch let error as RosterError {
        throw RunError(.usage, error.description)
      }
      guard spool.copy(to: 1) else { throw RunError(.io, "cannot write standard output") }
      return .ok
    }
  }
}
