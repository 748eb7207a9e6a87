import ArgumentParser
import HRCore

/// `hr-audit duplicates`: pairs of records that are probably one person, for review.
struct AuditDuplicatesCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "duplicates",
    abstract: "List pairs of records that are probably one person under different identifiers.",
    discussion: """
      Prints {"record_no_a","record_no_b","score","reasons","managing_org_a","status_a",\
      "managing_org_b","status_b"} per pair, most certain first. A pair needs the same name and \
      birth date and either the same sex or the same mother; records that both hold an ID number, or \
      that name different mothers, are never paired, and twins (different names) never are. The \
      search is audited (action audit.duplicates).
      """)

  @OptionGroup var common: CommonOptions

  @OptionGroup var scope: ScopeOptions

  @OptionGroup var listing: ListingOptions

  func run() throws {
    try ScopedListing.run("hr-audit duplicates", action: .audit, auditAs: "audit.duplicates", common: common, scope: scope) {
      run in
      try AuditReading.record(
        AuditEntry(action: "audit.duplicates", recordNo: nil, detail: run.coverage.detail), by: run.session.staff, in: run.store)
      let pairs = try run.store.read { db in try ProbableDuplicates.pairs(coverage: run.coverage, in: db) }
      var writer = ListingWriter(
        format: listing.format,
        columns: ["record_no_a", "record_no_b", "score", "reasons", "managing_org_a", "status_a", "managing_org_b", "status_b"])
      for pair in pairs { try writer.append(pair.json) }
      try writer.finish()
      return .ok
    }
  }
}
