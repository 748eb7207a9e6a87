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

  @Option(help: ArgumentHelp("Only pairs with a record managed by this organisation.", valueName: "org"))
  var org: String?

  @Option(help: ArgumentHelp("Only pairs with a record managed in this district.", valueName: "district"))
  var district: String?

  @Option(help: ArgumentHelp("Output format.", valueName: "jsonl|csv|table"))
  var format: ListingFormat = .jsonl

  func validate() throws {
    if org != nil, district != nil { throw ValidationError("give --org or --district, not both") }
  }

  func run() throws {
    try runTool("hr-audit") {
      let run = try AuditRun(common, command: "hr-audit duplicates")
      let coverage = try run.check {
        try AuditReading.coverage(org: org, district: district, session: run.session, auditAs: "audit.duplicates")
      }
      try AuditReading.record(
        AuditEntry(action: "audit.duplicates", recordNo: nil, detail: coverage.detail), by: run.session.staff, in: run.store)
      let pairs = try run.store.read { db in try ProbableDuplicates.pairs(coverage: coverage, in: db) }
      var writer = ListingWriter(
        format: format,
        columns: ["record_no_a", "record_no_b", "score", "reasons", "managing_org_a", "status_a", "managing_org_b", "status_b"],
        widths: [17, 17, 5, 60, 14, 8, 14])
      for pair in pairs { try writer.append(pair.json) }
      try writer.finish()
      return .ok
    }
  }
}
