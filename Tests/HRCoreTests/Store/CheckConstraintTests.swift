import Foundation
import GRDB
import HRTestSupport
import Testing

@testable import HRCore

/// The CHECK constraints that listed values are comparisons joined by OR (migration
/// `v5-checks-without-lists`): the same values are accepted and refused, existing rows are kept,
/// and no insert builds a temporary index of a list any more.
@Suite("CHECK constraints without lists")
struct CheckConstraintTests {
  /// The tables the writing tools insert into for every line.
  static let hotInserts = ["record", "audit_event", "transfer", "archive_event", "identifier", "tag", "service"]

  @Test(arguments: hotInserts)
  func anInsertBuildsNoTemporaryIndex(table: String) throws {
    let fixture = try TestStore()
    try fixture.store.read { db in
      let columns = try Row.fetchAll(db, sql: "SELECT name FROM pragma_table_info(?)", arguments: [table]).count
      let values = Array(repeating: "NULL", count: columns).joined(separator: ", ")
      let program = try String.fetchAll(db, sql: "EXPLAIN INSERT INTO \(table) VALUES (\(values))")
      #expect(!program.isEmpty)
      #expect(!program.contains("OpenEphemeral"), "INSERT INTO \(table) builds a temporary index")
    }
  }

  /// Each rewritten constraint still refuses a value outside its list and accepts each listed one.
  @Test(arguments: Store.listedChecks.map { $0.listed })
  func theRuleIsUnchanged(listed: String) throws {
    let fixture = try TestStore()
    let column = String(listed.prefix { $0 != " " })
    let values = listed.split(separator: "'").enumerated().filter { $0.offset % 2 == 1 }.map { String($0.element) }
    #expect(values.count >= 3)
    try fixture.store.read { db in
      for value in values + ["bogus"] {
        let holds = try Bool.fetchOne(db, sql: "SELECT \(listed.replacingOccurrences(of: column, with: "?"))", arguments: [value])
        #expect(holds == (value != "bogus"), "\(value)")
      }
      let definitions = try String.fetchAll(db, sql: "SELECT sql FROM sqlite_master WHERE type = 'table'")
      #expect(!definitions.contains { $0.contains(listed) })
    }
  }

  /// A store written before the migration keeps its rows, and its constraints refuse what they did.
  @Test func aStoreOfTheEarlierSchemaIsMigratedInPlace() throws {
    try withEarlierStore(upTo: "v4-metrics-incomplete-records") { path, queue in
      try queue.write { db in
        try insertRecord("50010300100100001", archived: "lost", in: db)
      }
      try queue.close()

      let store = try Store(path: path)
      let (reason, integrity, last) = try store.read { db in
        (
          try String.fetchOne(db, sql: "SELECT archive_reason FROM record"),
          try String.fetchAll(db, sql: "PRAGMA integrity_check"),
          try Int.fetchOne(db, sql: "SELECT count(*) FROM grdb_migrations WHERE identifier = 'v5-checks-without-lists'")
        )
      }
      #expect(reason == "lost")
      #expect(integrity == ["ok"])
      #expect(last == 1)
      for change in ["status = 'gone'", "archive_reason = 'gone'"] {
        let error = #expect(throws: (any Error).self) {
          try store.write { db in try db.execute(sql: "UPDATE record SET \(change)") }
        }
        #expect("\(error.map { "\($0)" } ?? "")".contains("CHECK constraint failed"), "\(change)")
      }
      try store.write { db in try db.execute(sql: "UPDATE record SET status = 'active', archive_reason = NULL") }
    }
  }
}
