import GRDB
import HRLines
import Testing

@testable import HRCore

@Suite("Stored records read by column name")
struct StoredRecordTests {
  /// A record of 解放碑 with one tag row whose `since` or `code` was edited by hand.
  static func storeWithTag(since: String) throws -> (ServiceFixture, String) {
    let fixture = try ServiceFixture()
    let recordNo = try fixture.createElder()
    try fixture.store.write { db in
      try db.execute(
        sql: """
          INSERT INTO tag (record_no, code, since, entered_on, entered_at, entered_by)
          VALUES (?, 'hypertension', ?, '2026-11-26', '2026-11-26T02:00:00.000Z', 'doc-li')
          """,
        arguments: [recordNo, since])
    }
    return (fixture, recordNo)
  }

  @Test func aValueThatReadsBackAsItsTypeIsRead() throws {
    let (fixture, recordNo) = try Self.storeWithTag(since: "2026-03-01")
    let tags = try fixture.store.read { db in try HealthTags.active(ofRecord: recordNo, in: db) }
    #expect(tags.map(\.code) == ["hypertension"])
    #expect(tags.first?.since == LocalDate("2026-03-01"))
    #expect(tags.first?.source == nil)
  }

  @Test func aValueThatDoesNotReadBackNamesTheRecordTableAndColumn() throws {
    let (fixture, recordNo) = try Self.storeWithTag(since: "10000-01-07")
    #expect(throws: StoredValueError.self) {
      try fixture.store.read { db in try HealthTags.active(ofRecord: recordNo, in: db) }
    }
    do {
      _ = try fixture.store.read { db in try HealthTags.active(ofRecord: recordNo, in: db) }
    } catch let error as StoredValueError {
      #expect(
        error.description
          == "record '\(recordNo)': stored tag.since '10000-01-07' is not a date YYYY-MM-DD in years 1000–9999; correct or restore the store"
      )
    }
  }

  /// The free-service check reads a resident's services of the year by position, for every free
  /// service added: a value edited by hand past its type is named there as everywhere.
  @Test func anUnreadableServiceIsNamedByTheFreeServiceCheck() throws {
    let fixture = try ServiceFixture()
    let recordNo = try fixture.createElder()
    _ = try fixture.update(["record_no": .string(recordNo), "service": ["type": "elderly_exam", "date": "2026-04-10"]])
    try fixture.store.write { db in
      try db.execute(sql: "DROP TRIGGER service_no_update")
      try db.execute(sql: "UPDATE service SET restricted = 'no' WHERE record_no = ?", arguments: [recordNo])
    }
    try Self.expectUnreadable(
      "record '\(recordNo)': stored service.restricted 'no' is not a boolean; correct or restore the store"
    ) {
      _ = try fixture.update(["record_no": .string(recordNo), "service": ["type": "elderly_exam", "date": "2026-06-01"]])
    }
  }

  /// A tag line reads the tag's latest row by position: the edited `since` is named there too.
  @Test func anUnreadableTagIsNamedByATagLine() throws {
    let (fixture, recordNo) = try Self.storeWithTag(since: "10000-01-07")
    try Self.expectUnreadable(
      "record '\(recordNo)': stored tag.since '10000-01-07' is not a date YYYY-MM-DD in years 1000–9999; correct or restore the store"
    ) {
      _ = try fixture.update(["record_no": .string(recordNo), "tag": ["code": "hypertension", "ended": "2026-11-01"]])
    }
  }

  /// Runs `body`, which must stop at a stored value described so.
  static func expectUnreadable(_ description: String, _ body: () throws -> Void) throws {
    do {
      try body()
      Issue.record("read without error; expected: \(description)")
    } catch let error as StoredValueError {
      #expect(error.description == description)
    }
  }

  @Test func anUnknownNamedValueIsRefusedAsUnknown() throws {
    let desk = try TransferDesk()
    let recordNo = try desk.createRecord(managedBy: "500103001")
    try desk.request(recordNo, to: "500103002", as: "admin-jfb", on: "2026-01-05")
    // As a file edited by hand would hold it: past the column's CHECK constraint.
    try desk.store.write { db in
      try db.execute(sql: "PRAGMA ignore_check_constraints = ON")
      try db.execute(sql: "UPDATE transfer SET kind = 'sideways' WHERE record_no = ?", arguments: [recordNo])
      try db.execute(sql: "PRAGMA ignore_check_constraints = OFF")
    }
    do {
      _ = try desk.list()
      Issue.record("a transfer of kind 'sideways' was read")
    } catch let error as StoredValueError {
      #expect(error.table == "transfer")
      #expect(error.column == "kind")
      #expect(error.value == "'sideways'")
      #expect(error.expected == "a known kind")
      #expect(error.recordNo == recordNo)
    }
  }

  /// Text and dates are read straight from SQLite; a value that does not read as its column's
  /// type still names the column, whether the column may be NULL or not.
  @Test(arguments: [
    ("archived_on", "'2026-02-30'", "'2026-02-30'"),
    ("birth_date", "'10000-01-01'", "'10000-01-01'"),
    ("name", "x'00ff'", "a blob of 2 bytes"),
  ])
  func aRecordColumnThatDoesNotReadAsItsTypeIsNamed(column: String, stored: String, shown: String) throws {
    let fixture = try ServiceFixture()
    let recordNo = try fixture.createElder()
    try fixture.store.write { db in
      try db.execute(sql: "UPDATE record SET \(column) = \(stored) WHERE record_no = ?", arguments: [recordNo])
    }
    do {
      let record = try fixture.store.read { db in try ResidentRecord.find(recordNo, in: db) }
      Issue.record("read \(String(describing: record))")
    } catch let error as StoredValueError {
      #expect(error.column == column)
      #expect(error.value == shown)
      #expect(error.recordNo == recordNo)
    }
  }

  @Test func aRecordReadsItsTextDatesAndNullsAsStored() throws {
    let fixture = try ServiceFixture()
    let recordNo = try fixture.createElder()
    try fixture.store.write { db in
      try db.execute(
        sql: "UPDATE record SET archived_on = '2026-03-01', phone = NULL, work_unit = '解放碑社区' WHERE record_no = ?",
        arguments: [recordNo])
    }
    let record = try #require(try fixture.store.read { db in try ResidentRecord.find(recordNo, in: db) })
    #expect(record.archivedOn == LocalDate("2026-03-01"))
    #expect(record.phone == nil)
    #expect(record.workUnit == "解放碑社区")
    #expect(record.deathDate == nil)
    #expect(record.recordNo == recordNo)
  }
}
