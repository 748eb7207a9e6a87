import ArgumentParser
import HRCore

extension FindingKind: ExpressibleByArgument {}

/// `hr-audit quality`: the data-quality findings of the records in the operator's reach.
struct AuditQualityCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "quality",
    abstract: "List data-quality findings: missing fields, invalid IDs, late entries, overdue transfers …",
    discussion: """
      Prints {"record_no","finding","detail"} per finding, by finding in the order missing_field, \
      invalid_id, id_mismatch, newborn_without_id, late_service_entry, signed_without_contact, \
      late_death_entry, transfer_overdue, then by record number. The check is audited (action audit.quality).
      """)

  @OptionGroup var common: CommonOptions

  @OptionGroup var scope: ScopeOptions

  @Option(name: .customLong("finding"), help: ArgumentHelp("Only this kind of finding (repeatable).", valueName: "kind"))
  var findings: [FindingKind] = []

  @OptionGroup var listing: ListingOptions

  func run() throws {
    try ScopedListing.run("hr-audit quality", action: .audit, auditAs: "audit.quality", common: common, scope: scope) { run in
      let check = QualityCheck(
        rules: run.session.configuration.rules, today: run.session.today, coverage: run.coverage,
        kinds: findings.isEmpty ? Set(FindingKind.allCases) : Set(findings))
      try AuditReading.record(
        AuditEntry(action: "audit.quality", recordNo: nil, detail: run.coverage.detail), by: run.session.staff, in: run.store)
      var writer = ListingWriter(format: listing.format, columns: ["record_no", "finding", "detail"])
      try run.store.read { db in
        try check.run(in: db) { finding in try writer.append(finding.json) }
      }
      try writer.finish()
      return .ok
    }
  }
}
