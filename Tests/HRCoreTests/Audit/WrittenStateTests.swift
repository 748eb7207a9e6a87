import GRDB
import HRLines
import Testing

@testable import HRCore

/// `hr-create` hands the rows it writes to its audit event, which hashes them instead of reading
/// them back: the state must be the one the triggers' route reads from the stored rows.
@Suite("Audit state of rows handed over")
struct WrittenStateTests {
  static let mother = ServiceFixture.id("50010319900101002")

  /// Lines of every shape a created record's rows can take: one identifier or several (sorted by
  /// kind, then value), tags or none, optional fields absent, Chinese, or with text SQLite would cut.
  static let lines: [JSONObject] = [
    ["id_number": .string(ServiceFixture.elderID), "name": "张三", "division": "500103001001", "org": "500103001"],
    [
      "id_number": .string(ServiceFixture.id("50010319800202003")), "name": "李四", "division": "500103001001",
      "org": "500103001", "created_on": "2026-01-05", "phone": "13800000001", "current_address": "重庆市民族路1号",
      "registered_address": "重庆市民族路1号", "ethnicity": "汉族", "work_unit": "解放碑街道",
      "emergency_contact": ["name": "王五", "phone": "13900000000"],
      "responsible_doctor": "团队1", "past_history": [["name": "高血压", "date": "2020-01-01"]], "family_history": [["name": "糖尿病"]],
      "blood_type": "A",
      "payment_methods": ["城乡居民医保"], "tags": ["hypertension", "weight_status:normal"],
    ],
    [
      "birth_cert_no": "A123456789", "mother_id_number": .string(mother), "name": "王小宝", "sex": 1,
      "birth_date": "2026-07-01", "division": "500103001001", "org": "500103001",
    ],
    [
      "mother_id_number": .string(mother), "name": "李一", "sex": 2, "birth_date": "2026-05-01",
      "division": "500106001001", "org": "500106001", "tags": ["diabetes"],
    ],
  ]

  /// Each line is created with its inserts noted by trigger, and with them handed over as
  /// `hr-create` does (``StateDigest/handOverInserts(into:in:)``): the state is the same either way.
  @Test(arguments: lines, [false, true])
  func aCreatedRecordsStateIsTheDigestOfItsStoredRows(line: JSONObject, handedOver: Bool) throws {
    let fixture = try ServiceFixture()
    if handedOver {
      try fixture.store.writeWithoutTransaction { db in try StateDigest.handOverInserts(into: StateDigest.createdTables, in: db) }
    }
    let recordNo = try fixture.create(line)
    try fixture.store.read { db in
      let event = try #require(
        try AuditEvent.fetchOne(
          db, sql: "SELECT * FROM audit_event WHERE action = 'record.create' AND record_no = ?", arguments: [recordNo]))
      let state = try JSONParser.parseObject(Array(try #require(event.state).utf8))
      let tagIDs = try Int.fetchAll(db, sql: "SELECT tag_id FROM tag WHERE record_no = ? ORDER BY tag_id", arguments: [recordNo])
      // The units are the ones the triggers noted: the record, its identifiers, each tag.
      #expect(state.keys == ["identifier/\(recordNo)", "record/\(recordNo)"] + tagIDs.map { "tag/\($0)" })
      #expect(tagIDs.count == (line["tags"]?.arrayValue?.count ?? 0))
      for (unit, digest) in state {
        let parts = unit.split(separator: "/")
        let table = try #require(CoveredTable.named(parts[0]))
        let key: DatabaseValue = table.integerKey ? (Int64(parts[1]) ?? 0).databaseValue : String(parts[1]).databaseValue
        // What the triggers' route hashes: the unit's rows read back from the store.
        let stored = try StateDigest.digest(of: table, key: key, in: db)
        #expect(digest == .string(try #require(stored)), "\(unit)")
      }
    }
    let summary = try fixture.store.read { db in try StateCheck.check(in: db) { _ in } }
    #expect(summary.changed == 0 && summary.deleted == 0 && summary.inserted == 0 && summary.notCovered == 0)
  }

  /// A service is added with its insert noted by trigger, and with it handed over as `hr-update`
  /// does: the event's state names the same units, with the digests of the stored rows.
  @Test(arguments: [false, true])
  func anAddedServicesStateIsTheDigestOfItsStoredRow(handedOver: Bool) throws {
    let fixture = try ServiceFixture()
    let recordNo = try fixture.createElder()
    if handedOver {
      try fixture.store.writeWithoutTransaction { db in
        try StateDigest.handOverInserts(into: StateDigest.updatedTables, in: db)
      }
    }
    let summary: JSONObject = ["systolic": 150, "note": "复查\t血压"]
    for (date, free) in [("2026-11-20", true), ("2026-11-21", false)] {
      try fixture.update([
        "record_no": .string(recordNo),
        "service": ["type": "hypertension_followup", "date": .string(date), "free": .bool(free), "summary": .object(summary)],
      ])
    }
    try fixture.store.read { db in
      let events = try AuditEvent.fetchAll(
        db, sql: "SELECT * FROM audit_event WHERE action = 'service.add' ORDER BY seq")
      let serviceIDs = try Int.fetchAll(db, sql: "SELECT service_id FROM service ORDER BY service_id")
      #expect(events.count == 2 && serviceIDs.count == 2)
      for (event, serviceID) in zip(events, serviceIDs) {
        let state = try JSONParser.parseObject(Array(try #require(event.state).utf8))
        #expect(state.keys == ["record/\(recordNo)", "service/\(serviceID)"])
        let stored = try StateDigest.digest(of: try #require(CoveredTable.named("service")), key: serviceID.databaseValue, in: db)
        #expect(state["service/\(serviceID)"] == .string(try #require(stored)))
      }
    }
    let check = try fixture.store.read { db in try StateCheck.check(in: db) { _ in } }
    #expect(check.changed == 0 && check.deleted == 0 && check.inserted == 0 && check.notCovered == 0)
  }

  /// A record is archived as lost, then moved by a transfer request, with the archive event's and
  /// the transfer's inserts noted by trigger, and handed over as `hr-archive` and `hr-transfer
  /// request` do: each event's state is the digests of the stored rows.
  @Test(arguments: [false, true])
  func anArchiveEventsAndATransfersStateIsTheDigestOfTheirStoredRows(handedOver: Bool) throws {
    let desk = try TransferDesk()
    let recordNo = try desk.createRecord(managedBy: "500103001")
    if handedOver {
      try desk.store.writeWithoutTransaction { db in
        try StateDigest.handOverInserts(into: StateDigest.archiveTables.union(StateDigest.transferTables), in: db)
      }
    }
    try desk.archive(recordNo, as: .lost, on: "2027-02-01")
    try desk.request(recordNo, to: "500106001", as: "admin-city", on: "2027-02-02")
    try desk.store.read { db in
      let eventID = try #require(try Int.fetchOne(db, sql: "SELECT event_id FROM archive_event"))
      let transferID = try #require(try Int.fetchOne(db, sql: "SELECT transfer_id FROM transfer"))
      for (action, units) in [
        ("record.archive", ["archive_event/\(eventID)", "record/\(recordNo)"]),
        ("transfer.request", ["record/\(recordNo)", "transfer/\(transferID)"]),
      ] {
        let event = try #require(
          try AuditEvent.fetchOne(db, sql: "SELECT * FROM audit_event WHERE action = ?", arguments: [action]))
        let state = try JSONParser.parseObject(Array(try #require(event.state).utf8))
        #expect(state.keys == units, "\(action)")
      }
      let transfer = try StateDigest.digest(
        of: try #require(CoveredTable.named("transfer")), key: transferID.databaseValue, in: db)
      let request = try #require(
        try AuditEvent.fetchOne(db, sql: "SELECT * FROM audit_event WHERE action = 'transfer.request'"))
      #expect(request.state?.contains(#""transfer/\#(transferID)":"\#(try #require(transfer))""#) == true)
    }
    let check = try desk.store.read { db in try StateCheck.check(in: db) { _ in } }
    #expect(check.changed == 0 && check.deleted == 0 && check.inserted == 0 && check.notCovered == 0)
  }

  /// Once inserts are handed over, an update or a delete of those tables is still noted by trigger.
  @Test func updatesAreStillNotedOnceInsertsAreHandedOver() throws {
    let fixture = try ServiceFixture()
    try fixture.store.writeWithoutTransaction { db in try StateDigest.handOverInserts(into: StateDigest.createdTables, in: db) }
    let recordNo = try fixture.createElder()
    let staff = try fixture.session("admin-city").staff
    let state = try fixture.store.write { db in
      try db.execute(sql: "UPDATE record SET phone = '13800000009' WHERE record_no = ?", arguments: [recordNo])
      try db.execute(sql: "DELETE FROM identifier WHERE record_no = ?", arguments: [recordNo])
      return try AuditTrail.append(AuditEntry(action: "record.update", recordNo: recordNo), by: staff, in: db).state
    }
    let stored = try fixture.store.read { db in
      try StateDigest.digest(of: try #require(CoveredTable.named("record")), key: recordNo.databaseValue, in: db)
    }
    #expect(state == "{\"identifier/\(recordNo)\":null,\"record/\(recordNo)\":\"\(try #require(stored))\"}")
  }

  /// Bound text stops at its first zero byte, as SQLite keeps it; empty text is text, not NULL;
  /// the row handed over says the same.
  @Test func boundTextIsCapturedAsSQLiteStoresIt() throws {
    let fixture = try ServiceFixture()
    try fixture.store.write { db in
      try db.execute(sql: "CREATE TEMP TABLE t (a TEXT, b INTEGER, c TEXT, d TEXT, e TEXT)")
      let row = try db.cachedStatement(sql: "INSERT INTO temp.t VALUES (?, ?, ?, ?, ?)").runCapturing(in: db) { bind in
        bind.text("ab\u{0}cd")
        bind.integer(-2)
        bind.text(nil)
        bind.text("")
        bind.text("\u{0}x")
      }
      let expected: [UInt8] =
        [UInt8(ascii: "t"), 0, 0, 0, 2, UInt8(ascii: "a"), UInt8(ascii: "b")]
        + [UInt8(ascii: "i"), 255, 255, 255, 255, 255, 255, 255, 254] + [UInt8(ascii: "n")]
        + [UInt8(ascii: "t"), 0, 0, 0, 0] + [UInt8(ascii: "t"), 0, 0, 0, 0]
      #expect(row == expected)
      let stored = try Row.fetchOne(db, sql: "SELECT a, typeof(d), d, typeof(e), e FROM temp.t")
      #expect(stored == ["a": "ab", "typeof(d)": "text", "d": "", "typeof(e)": "text", "e": ""])
    }
  }
}
