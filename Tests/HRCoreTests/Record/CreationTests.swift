import GRDB
import HRCore
import HRLines
import Testing

@Suite("Creation and the duplicate check (§3, §4)")
struct CreationTests {
  static let child: JSONObject = [
    "birth_cert_no": "P500100123", "name": "王小雨", "sex": 2, "birth_date": "2026-03-10", "division": "500103001001",
    "org": "500103001",
  ]

  /// The rejection `hr-create` gives a line, or nil when it creates a record.
  func rejection(_ fixture: ServiceFixture, _ line: JSONObject) throws -> LineRejection? {
    do {
      try fixture.create(line)
      return nil
    } catch let rejection as LineRejection {
      return rejection
    }
  }

  @Test func recordNumbersFollowTheOrderOfCreationAndAreNeverReusedAfterAPurge() throws {
    let fixture = try ServiceFixture()
    let first = try fixture.createElder()
    let second = try fixture.create(Self.child)
    #expect([first, second] == ["50010300100100001", "50010300100100002"])
    try fixture.store.write { db in
      try db.execute(sql: "UPDATE record SET status = 'purging' WHERE record_no = ?", arguments: [second])
      try db.execute(sql: "DELETE FROM record WHERE record_no = ?", arguments: [second])
    }
    let third = try fixture.create(Self.child)
    #expect(third == "50010300100100003")
    let otherDivision = try fixture.create([
      "id_number": .string(ServiceFixture.id("50010319500505001")), "name": "李四", "division": "500103001002", "org": "500103001",
    ])
    #expect(otherDivision == "50010300100200001")
  }

  @Test func divisionThatHasGivenEveryNumberRefusesTheLineAndKeepsItsSequence() throws {
    let fixture = try ServiceFixture()
    try fixture.store.write { db in try db.execute(sql: "INSERT INTO division_sequence VALUES ('500103001001', 99999)") }
    let rejection = try #require(try rejection(fixture, Self.child))
    #expect(rejection.code == .sequenceExhausted)
    #expect(try fixture.scalar("SELECT last FROM division_sequence") == 99_999)
    #expect(try fixture.scalar("SELECT count(*) FROM record") == 0)
  }

  @Test func identifierKeptAsAnAliasAfterAnUpgradeStillRefusesASecondRecord() throws {
    let fixture = try ServiceFixture()
    let recordNo = try fixture.create(Self.child)
    try fixture.update(["record_no": .string(recordNo), "set": ["id_number": .string(ServiceFixture.id("50010320260310002"))]])
    var again = Self.child
    again["org"] = "500103002"
    again["division"] = "500103001002"
    let rejection = try #require(try rejection(fixture, again))
    #expect(rejection.code == .duplicateRecord)
    #expect(rejection.details.compact == #"{"record_no":"\#(recordNo)","managing_org":"500103001","status":"active"}"#)
    #expect(rejection.message.contains("(by birth_cert_no)"))
  }

  @Test func duplicateOfAnArchivedRecordNamesItsStatusAndReason() throws {
    let fixture = try ServiceFixture()
    let recordNo = try fixture.createElder()
    try fixture.archive(recordNo, reason: "moved_out")
    let rejection = try #require(
      try rejection(
        fixture, ["id_number": .string(ServiceFixture.elderID), "name": "张三", "division": "500103001001", "org": "500103001"]))
    #expect(rejection.code == .duplicateRecord)
    #expect(rejection.details["status"] == "archived")
    #expect(rejection.details["archive_reason"] == "moved_out")
  }

  @Test func anyOfALinesIdentifiersHeldByARecordMakesItADuplicate() throws {
    let fixture = try ServiceFixture()
    let recordNo = try fixture.create(Self.child)
    var line = Self.child
    line["id_number"] = .string(ServiceFixture.id("50010320260310002"))
    let rejection = try #require(try rejection(fixture, line))
    #expect(rejection.code == .duplicateRecord)
    #expect(rejection.details["record_no"] == .string(recordNo))
    #expect(try fixture.scalar("SELECT count(*) FROM identifier") == 1)
  }
}
