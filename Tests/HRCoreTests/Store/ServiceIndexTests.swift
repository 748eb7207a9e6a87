import Foundation
import GRDB
import HRTestSupport
import Testing

@testable import HRCore

/// The indexes of `service` that no query reads are dropped (migration
/// `v6-service-indexes-nothing-reads`): a store keeps its services, and every index a query of
/// the tools names is still there.
@Suite("Service indexes")
struct ServiceIndexTests {
  /// The indexes of `service` after every migration, each read by a query: by record (a
  /// resident's services, the identical-service check, the evaluation per record), by record of
  /// the free ones (the yearly allowance), the late ones (`late_service_entry`), by organisation
  /// and date (the evaluation's services of the period).
  static let kept = ["service_by_record", "service_free_by_type", "service_late", "service_metrics_by_org"]

  static func serviceIndexes(_ db: Database) throws -> [String] {
    try String.fetchAll(
      db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'service' ORDER BY name")
  }

  @Test func aStoreOfTheEarlierSchemaLosesTheIndexesNothingReadsAndKeepsItsServices() throws {
    try withEarlierStore(upTo: "v5-inserts-without-journal") { path, queue in
      try queue.write { db in
        try insertRecord(InsertJournalTests.recordNo, in: db)
        try db.execute(sql: InsertJournalTests.rows(of: InsertJournalTests.recordNo, id: 1)[0])
      }
      let before = try queue.read { try Self.serviceIndexes($0) }
      #expect(before == (Self.kept + ["service_by_date", "service_by_org"]).sorted())
      try queue.close()

      let store = try Store(path: path)
      let (indexes, services, integrity) = try store.read { db in
        (
          try Self.serviceIndexes(db),
          try Int.fetchOne(
            db, sql: "SELECT count(*) FROM service INDEXED BY service_by_record WHERE record_no = ?",
            arguments: [InsertJournalTests.recordNo]),
          try String.fetchAll(db, sql: "PRAGMA integrity_check")
        )
      }
      #expect(indexes == Self.kept)
      #expect(services == 1)
      #expect(integrity == ["ok"])
      #expect(try applied("v6-service-indexes-nothing-reads", at: path))
    }
  }

  @Test func aNewStoreHasOnlyTheIndexesAQueryReads() throws {
    let fixture = try TestStore()
    #expect(try fixture.store.read { try Self.serviceIndexes($0) } == Self.kept)
  }
}
