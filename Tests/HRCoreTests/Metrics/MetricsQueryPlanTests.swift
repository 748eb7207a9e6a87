import GRDB
import Testing

@testable import HRCore

@Suite("Evaluation query plans")
struct MetricsQueryPlanTests {
  /// The plan SQLite chooses for `sql`, one line per step.
  static func plan(_ sql: String, _ queries: MetricsQueries, in store: Store) throws -> String {
    try store.read { db in
      try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: queries.arguments).map { $0["detail"] as String }
        .joined(separator: "\n")
    }
  }

  @Test("Each query of a year reads through its index, never a whole table of events")
  func queriesUseTheirIndexes() throws {
    let sandbox = try AuditTestStore()
    let period = try MetricsPeriod(year: 2025, today: LocalDate("2026-11-26")!)
    let queries = MetricsQueries(period: period, rules: Rules(), filter: nil)
    let services = try Self.plan(queries.servicesSQL, queries, in: sandbox.store)
    #expect(services.contains("COVERING INDEX service_metrics_by_org"), "\(services)")
    // One range of the index per serving organisation, found by stepping through the index.
    #expect(
      services.contains("SEARCH s USING COVERING INDEX service_metrics_by_org (org=? AND date>? AND date<?)"), "\(services)")
    #expect(services.contains("amendment_redated"), "\(services)")
    #expect(!services.contains("SCAN s\n") && !services.contains("SCAN service"), "\(services)")
    let refusals = try Self.plan(queries.refusalsSQL, queries, in: sandbox.store)
    #expect(refusals.contains("audit_rejected"), "\(refusals)")
    let transfers = try Self.plan(queries.transfersSQL, queries, in: sandbox.store)
    #expect(transfers.contains("transfer_by_decided"), "\(transfers)")
    #expect(transfers.contains("transfer_by_requested"), "\(transfers)")
    let records = try Self.plan(queries.recordsSQL, queries, in: sandbox.store)
    #expect(records.contains("archive_event_by_effective"), "\(records)")
    #expect(records.contains("service_by_record"), "\(records)")
    #expect(records.contains("contact_by_record"), "\(records)")
    #expect(records.contains("amendment_redated_by_record"), "\(records)")
    // The city's records are read in their own order, not through an index of organisations.
    #expect(records.contains("SCAN r\n"), "\(records)")
    let incomplete = try Self.plan(queries.incompleteSQL, queries, in: sandbox.store)
    #expect(incomplete.contains("USING INDEX record_incomplete"), "\(incomplete)")
    let tags = try Self.plan(queries.tagsSQL, queries, in: sandbox.store)
    #expect(tags.contains("tag_by_code"), "\(tags)")
    let signed = try Self.plan(queries.signedSQL, queries, in: sandbox.store)
    #expect(signed.contains("contract_by_record"), "\(signed)")
  }

  @Test("The city's records pass reads each table once in record order, sorting only the tags", arguments: [2025, 2026])
  func cityPassReadsInRecordOrder(year: Int) throws {
    let sandbox = try AuditTestStore()
    let period = try MetricsPeriod(year: year, today: LocalDate("2026-11-26")!)
    let queries = MetricsQueries(period: period, rules: Rules(), filter: nil)
    let records = try Self.plan(queries.cityRecordsSQL, queries, in: sandbox.store)
    #expect(records == "SCAN r", "\(records)")
    for table in ["service", "contact"] {
      let served = try Self.plan(MetricsQueries.cityServedSQL(table), queries, in: sandbox.store)
      #expect(served == "SCAN \(table) USING COVERING INDEX \(table)_by_record", "\(served)")
    }
    let signed = try Self.plan(MetricsQueries.citySignedSQL, queries, in: sandbox.store)
    #expect(signed == "SCAN contract USING COVERING INDEX contract_by_record", "\(signed)")
    let amended = try Self.plan(MetricsQueries.amendedRecordsSQL, queries, in: sandbox.store)
    #expect(amended == "SCAN a USING INDEX amendment_redated_by_record", "\(amended)")
    let tags = try Self.plan(queries.cityTagsSQL, queries, in: sandbox.store)
    #expect(tags == "SCAN t\nUSE TEMP B-TREE FOR ORDER BY", "\(tags)")
    // With history after the as-of day (assumed here), only its records are read, through their keys.
    let later = try Self.plan(try #require(queries.cityLaterSQL), queries, in: sandbox.store)
    #expect(later.contains("SCAN l\nSEARCH r USING PRIMARY KEY (record_no=?)"), "\(later)")
    #expect(later.contains("transfer_by_decided") && later.contains("archive_event_by_effective"), "\(later)")
    #expect(!later.contains("SCAN r"), "\(later)")
  }

  @Test("The index of incomplete records holds the records the completeness rule finds incomplete")
  func incompleteIndexFollowsTheCoverFields() {
    // When the cover fields change, a new migration must make record_incomplete again.
    #expect(Store.incompleteConditionWithoutCalls == CoverField.anyEmptySQL(alias: "record"))
  }
}
