import Foundation
import GRDB
import HRTestSupport
import Testing

@testable import HRCore

/// The tables the tools append to for each line check their record at the commit, and refuse
/// `REPLACE` by failing (migration `v5-inserts-without-journal`): the rows are kept, a row of a
/// record that does not exist still never commits, and a replaced row is still refused.
@Suite("Inserts without a statement journal")
struct InsertJournalTests {
  static let recordNo = "50010300100100001"

  /// A row of each table, for the record `recordNo` (which may not exist).
  static func rows(of recordNo: String, id: Int) -> [String] {
    [
      """
      INSERT INTO service (service_id, record_no, type, date, org, entered_on, entered_at, entered_by)
      VALUES (\(id), '\(recordNo)', 'consultation', '2026-01-02', '500103001', '2026-01-02', '2026-01-02T00:00:00Z', 'doc-li')
      """,
      """
      INSERT INTO archive_event (event_id, record_no, action, effective_on, entered_on, entered_at, entered_by)
      VALUES (\(id), '\(recordNo)', 'lost', '2026-01-02', '2026-01-02', '2026-01-02T00:00:00Z', 'admin-city')
      """,
      """
      INSERT INTO tag (tag_id, record_no, code, entered_on, entered_at, entered_by)
      VALUES (\(id), '\(recordNo)', 'diabetes', '2026-01-02', '2026-01-02T00:00:00Z', 'doc-li')
      """,
    ]
  }

  @Test func aStoreOfTheEarlierSchemaKeepsItsRowsAndRefusesWhatItDid() throws {
    try withEarlierStore(upTo: "v5-incomplete-without-calls") { path, queue in
      try queue.write { db in
        try insertRecord(Self.recordNo, in: db)
        for row in Self.rows(of: Self.recordNo, id: 1) { try db.execute(sql: row) }
      }
      try queue.close()

      let store = try Store(path: path)
      let (counts, integrity, orphans, definitions) = try store.read { db in
        (
          try ["service", "archive_event", "tag"].map { try Int.fetchOne(db, sql: "SELECT count(*) FROM \($0)") ?? 0 },
          try String.fetchAll(db, sql: "PRAGMA integrity_check"),
          try Row.fetchAll(db, sql: "PRAGMA foreign_key_check").count,
          try String.fetchAll(
            db, sql: "SELECT sql FROM sqlite_master WHERE name IN ('service', 'archive_event', 'tag') ORDER BY name")
        )
      }
      #expect(counts == [1, 1, 1])
      #expect(integrity == ["ok"])
      #expect(orphans == 0)
      #expect(definitions.allSatisfy { $0.contains(Store.recordKey.deferred) }, "\(definitions)")

      // A row of a record that does not exist is refused when its transaction commits.
      for row in Self.rows(of: "50010300100199999", id: 2) {
        let error = #expect(throws: (any Error).self) { try store.write { db in try db.execute(sql: row) } }
        #expect("\(error.map { "\($0)" } ?? "")".contains("FOREIGN KEY constraint failed"), "\(row)")
      }
      // Replacing a row is refused as before, and the row stays.
      for row in Self.rows(of: Self.recordNo, id: 1) {
        let replace = row.replacingOccurrences(of: "INSERT INTO", with: "REPLACE INTO")
        let error = #expect(throws: (any Error).self) { try store.write { db in try db.execute(sql: replace) } }
        #expect("\(error.map { "\($0)" } ?? "")".contains("rows are never modified"), "\(replace)")
      }
      let after = try store.read { db in
        try ["service", "archive_event", "tag"].map { try Int.fetchOne(db, sql: "SELECT count(*) FROM \($0)") ?? 0 }
      }
      #expect(after == [1, 1, 1])
    }
  }

  @Test func aStoreWhoseKeyWasChangedIsNotMigrated() throws {
    try withEarlierStore(upTo: "v5-incomplete-without-calls") { path, queue in
      try queue.write { db in
        try db.execute(sql: "PRAGMA writable_schema = ON")
        try db.execute(
          sql: "UPDATE sqlite_master SET sql = replace(sql, 'ON DELETE CASCADE', 'ON DELETE RESTRICT') WHERE name = 'tag'")
        try db.execute(sql: "PRAGMA writable_schema = OFF")
      }
      try queue.close()
      #expect(throws: (any Error).self) { try Store(path: path) }
      #expect(try !applied("v5-inserts-without-journal", at: path))
    }
  }
}
