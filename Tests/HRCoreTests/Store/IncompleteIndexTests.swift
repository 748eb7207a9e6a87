import Foundation
import GRDB
import HRTestSupport
import Testing

@testable import HRCore

/// The condition of `record_incomplete` with its characters written as they are (migration
/// `v5-incomplete-without-calls`): writing a record no longer calls char() for it, and the index holds
/// the same records as before.
@Suite("The index of incomplete records without char()")
struct IncompleteIndexTests {
  /// Records with each kind of blank field, and complete ones, by record number.
  static let records: [(recordNo: String, name: String, phone: String?, incomplete: Bool)] = [
    ("50010300100100001", "张三", "13800000001", false),
    ("50010300100100002", "\u{3000}\u{3000}", "13800000002", true),
    ("50010300100100003", "李四", "\t \r\n", true),
    ("50010300100100004", "王五", nil, true),
    ("50010300100100005", "\u{3000}赵六", "13800000005", false),
    ("50010300100100006", "钱七", "\u{3000}1", false),
    ("50010300100100007", "孙八", "", true),
  ]

  static func insert(_ records: [(recordNo: String, name: String, phone: String?, incomplete: Bool)], in db: Database) throws {
    for record in records {
      try db.execute(
        sql: """
          INSERT INTO record (record_no, division, name, sex, birth_date, id_number, managing_org, managing_district,
            status, phone, current_address, registered_address, responsible_doctor, last_contact, created_on,
            created_by, created_at)
          VALUES (?, '500103001001', ?, 1, '1956-01-01', '500103195601010011', '500103001', '500103', 'active', ?,
            '解放碑街道', '解放碑街道', '刘医生', '2020-01-01', '2020-01-01', 'admin-city', '2020-01-01T00:00:00Z')
          """, arguments: [record.recordNo, record.name, record.phone])
    }
  }

  /// The record numbers the index holds, and those the condition finds reading every record.
  static func incomplete(in db: Database) throws -> (indexed: [String], scanned: [String]) {
    let condition = CoverField.anyEmptySQL(alias: "record")
    return (
      try String.fetchAll(db, sql: "SELECT record_no FROM record INDEXED BY record_incomplete WHERE \(condition) ORDER BY 1"),
      try String.fetchAll(db, sql: "SELECT record_no FROM record NOT INDEXED WHERE \(condition) ORDER BY 1")
    )
  }

  @Test func writingARecordMakesNoCharacterForTheIndex() throws {
    let fixture = try TestStore()
    let calls = try fixture.store.read { db in
      let columns = try Int.fetchOne(db, sql: "SELECT count(*) FROM pragma_table_info('record')") ?? 0
      let values = Array(repeating: "NULL", count: columns).joined(separator: ", ")
      return try Row.fetchAll(db, sql: "EXPLAIN INSERT INTO record VALUES (\(values))")
        .filter { ["Function", "PureFunc"].contains($0["opcode"] as String) }
        .map { $0["p4"] as String? ?? "" }
    }
    // GLOB scans only a text that may be blank, and trim() a sex stored as text; char() made the
    // same characters for every field of every record.
    #expect(calls.contains { $0.hasPrefix("glob(") })
    #expect(!calls.contains { $0.hasPrefix("char(") }, "\(calls)")
  }

  @Test func aStoreOfTheEarlierSchemaKeepsItsIndexAndItsRecords() throws {
    try withEarlierStore(upTo: "v5-audit-no-replace-fails") { path, queue in
      try queue.write { db in try Self.insert(Array(Self.records.prefix(4)), in: db) }
      let before = try queue.read { db in
        try String.fetchAll(
          db, sql: "SELECT record_no FROM record INDEXED BY record_incomplete WHERE \(Store.incompleteCondition) ORDER BY 1")
      }
      try queue.close()

      let store = try Store(path: path)
      let expected = Self.records.filter(\.incomplete).map(\.recordNo)
      try store.write { db in try Self.insert(Array(Self.records.dropFirst(4)), in: db) }
      let (definition, integrity, found) = try store.read { db in
        (
          try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = 'record_incomplete'") ?? "",
          try String.fetchAll(db, sql: "PRAGMA integrity_check"),
          try Self.incomplete(in: db)
        )
      }
      #expect(before == Array(expected.prefix(3)))
      #expect(!definition.contains("char("), "\(definition)")
      #expect(definition.hasSuffix(Store.incompleteConditionWithoutCalls))
      #expect(integrity == ["ok"])
      #expect(found.indexed == expected)
      #expect(found.scanned == expected)
    }
  }

  @Test func aStoreWhoseIndexWasChangedIsNotMigrated() throws {
    try withEarlierStore(upTo: "v5-audit-no-replace-fails") { path, queue in
      try queue.write { db in
        try db.execute(sql: "DROP INDEX record_incomplete; CREATE INDEX record_incomplete ON record(managing_org)")
      }
      try queue.close()
      #expect(throws: (any Error).self) { try Store(path: path) }
      #expect(try !applied("v5-incomplete-without-calls", at: path))
    }
  }
}
