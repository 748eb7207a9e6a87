import Foundation
import GRDB
import HRCore
import Testing

#if canImport(GRDBSQLite)
import GRDBSQLite
#elseif canImport(SQLite3)
import SQLite3
#endif

/// A statement every line runs is kept for a tool's writing on its own connection, and on no other.
@Suite("Statements kept for a run of lines")
struct PreparedSQLTests {
  private static let count = PreparedSQL("SELECT count(*) FROM record")

  /// Two stores, each in a temporary directory of its own.
  private static func withStores(_ body: (Store, Store) throws -> Void) throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hr-prepared-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    try body(
      try Store(path: directory.appendingPathComponent("a.sqlite").path),
      try Store(path: directory.appendingPathComponent("b.sqlite").path))
  }

  @Test("The same statement each time within one write, and each connection its own, whichever ran last")
  func eachConnectionGetsItsOwnStatement() throws {
    try Self.withStores { first, second in
      try first.writeWithoutTransaction { a in
        let kept = try Self.count.statement(in: a)
        #expect(try Self.count.statement(in: a) === kept)
        #expect(sqlite3_db_handle(kept.sqliteStatement) == a.sqliteConnection)
        // Another store written meanwhile, on the same thread, from within this write.
        try second.writeWithoutTransaction { b in
          let other = try Self.count.statement(in: b)
          #expect(other !== kept)
          #expect(sqlite3_db_handle(other.sqliteStatement) == b.sqliteConnection)
          #expect(try Int.fetchOne(other) == 0)
        }
        // A read of the other store from within this write: its own connection's statement.
        try second.read { b in
          let statement = try Self.count.statement(in: b)
          #expect(sqlite3_db_handle(statement.sqliteStatement) == b.sqliteConnection)
        }
        #expect(try Self.count.statement(in: a) === kept)
        #expect(try Int.fetchOne(kept) == 0)
      }
      // Outside a tool's writing: GRDB's own cached statement of the connection.
      try first.read { db in
        let statement = try Self.count.statement(in: db)
        #expect(sqlite3_db_handle(statement.sqliteStatement) == db.sqliteConnection)
        #expect(statement === (try db.cachedStatement(sql: "SELECT count(*) FROM record")))
      }
    }
  }
}
