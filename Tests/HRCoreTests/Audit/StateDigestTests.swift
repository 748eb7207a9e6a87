import Crypto
import GRDB
import HRLines
import Testing

@testable import HRCore

/// The digests each event carries of the rows its change left behind, and their replay.
@Suite("Audit state digests")
struct StateDigestTests {
  static let record = """
    INSERT INTO record (record_no, division, name, sex, birth_date, managing_org, managing_district, status,
      last_contact, created_on, created_by, created_at)
    VALUES ('50010300100100001', '500103001001', '张三', 1, '1980-01-01', '500103001', '500103', 'active',
      '2026-01-01', '2026-01-01', 'admin-city', '2026-01-01T00:00:00.000Z');
    """

  /// The documented encoding, byte for byte: a contact row of known values.
  @Test func aDigestIsSHA256OverTheTableNameAndEachColumnsTypeAndValue() throws {
    let sandbox = try AuditTestStore()
    let event = try sandbox.store.write { db in
      try db.execute(sql: Self.record)
      try db.execute(
        sql: """
          INSERT INTO contact (contact_id, record_no, date, method, entered_on, entered_at, entered_by)
          VALUES (7, '50010300100100001', '2026-01-02', 'phone', '2026-01-02', '2026-01-02T00:00:00.000Z', 'doc-li')
          """)
      return try AuditTrail.append(
        AuditEntry(action: "contact.add", recordNo: "50010300100100001"), by: AuditTestStore.cityAdmin, in: db)
    }
    var bytes = Array("contact".utf8) + [0]
    bytes += [UInt8(ascii: "i"), 0, 0, 0, 0, 0, 0, 0, 7]
    for text in ["50010300100100001", "2026-01-02", "phone", "2026-01-02", "2026-01-02T00:00:00.000Z", "doc-li"] {
      let utf8 = Array(text.utf8)
      bytes += [UInt8(ascii: "t"), 0, 0, 0, UInt8(utf8.count)] + utf8
    }
    let state = try JSONParser.parseObject(Array((event.state ?? "").utf8))
    #expect(state["contact/7"] == .string(SHA256.hash(data: bytes).hexString))
    #expect(state.keys == ["contact/7", "record/50010300100100001"])
    #expect(event.state?.contains(#""record/50010300100100001":""#) == true)
  }

  /// The single-row updates of the tools say `OR FAIL`, which SQLite imposes on the triggers that
  /// note the units: a unit changed twice, or by an update (which notes its old and new key), is
  /// still noted, once, in the order of its key.
  @Test func aUnitChangedOrFailTwiceIsNotedOnce() throws {
    let sandbox = try AuditTestStore()
    let event = try sandbox.store.write { db in
      try db.execute(sql: Self.record)
      try db.execute(sql: Self.record.replacingOccurrences(of: "50010300100100001", with: "50010300100100002"))
      try AuditTrail.append(
        AuditEntry(action: "record.create", recordNo: "50010300100100001"), by: AuditTestStore.cityAdmin, in: db)
      for (recordNo, org) in [
        ("50010300100100002", "500103002"), ("50010300100100001", "500103002"),
        ("50010300100100002", "500103001"),
      ] {
        try db.execute(
          sql: "UPDATE OR FAIL record SET managing_org = ? WHERE record_no = ?", arguments: [org, recordNo])
      }
      return try AuditTrail.append(
        AuditEntry(action: "transfer.confirm", recordNo: "50010300100100001"), by: AuditTestStore.cityAdmin, in: db)
    }
    let state = try JSONParser.parseObject(Array((event.state ?? "").utf8))
    #expect(state.keys == ["record/50010300100100001", "record/50010300100100002"])
    #expect(try sandbox.verify().isIntact)
  }

  @Test func theStateIsHashedSoThatEditingOrDroppingItBreaksTheChain() throws {
    for edit in ["UPDATE audit_event SET state = '{}' WHERE seq = 1", "UPDATE audit_event SET state = NULL WHERE seq = 1"] {
      let sandbox = try AuditTestStore()
      try sandbox.store.write { db in
        try db.execute(sql: Self.record)
        try AuditTrail.append(
          AuditEntry(action: "record.create", recordNo: "50010300100100001"), by: AuditTestStore.cityAdmin, in: db)
      }
      #expect(try sandbox.verify().isIntact)
      try sandbox.execute("DROP TRIGGER audit_event_no_update; \(edit)")
      #expect(try sandbox.verify().broken?.reason == .hashMismatch, "\(edit)")
    }
  }

  /// A store whose trail began before events carried digests: its older rows are counted as not
  /// covered, not reported as inserted, until the tools change them.
  @Test func rowsWrittenBeforeTheTrailCarriedDigestsAreNotCoveredUntilTheToolsChangeThem() throws {
    let sandbox = try AuditTestStore()
    // As an earlier version wrote them: an event without state, and its record through a
    // connection that notes nothing.
    let earlier = try DatabaseQueue(path: sandbox.path)
    try earlier.write { db in
      var event = AuditEvent(
        seq: 1, at: "2026-01-01T00:00:00.000Z", operatorID: "admin-city", role: "city_admin", org: nil,
        action: "record.create", recordNo: "50010300100100001", outcome: "ok", detail: "{}",
        prevHash: AuditEvent.genesisHash, hash: "")
      event.hash = event.computedHash
      try event.insert(db)
      try db.execute(sql: Self.record)
    }
    try earlier.close()
    #expect(try sandbox.verify().isIntact)
    var findings: [StateFinding] = []
    let before = try sandbox.store.read { db in try StateCheck.check(in: db) { findings.append($0) } }
    #expect(findings.isEmpty)
    #expect(before == StateSummary(checked: 0, changed: 0, deleted: 0, inserted: 0, notCovered: 1))

    try sandbox.store.write { db in
      try db.execute(sql: "UPDATE record SET phone = '13800000000' WHERE record_no = '50010300100100001'")
      try AuditTrail.append(
        AuditEntry(action: "record.update", recordNo: "50010300100100001"), by: AuditTestStore.cityAdmin, in: db)
    }
    let after = try sandbox.store.read { db in try StateCheck.check(in: db) { findings.append($0) } }
    #expect(findings.isEmpty)
    #expect(after == StateSummary(checked: 1, changed: 0, deleted: 0, inserted: 0, notCovered: 0))
  }

  /// A line rolled back takes its noted rows with it: the next event covers only what stayed.
  @Test func aChangeRolledBackLeavesNoDigest() throws {
    let sandbox = try AuditTestStore()
    try sandbox.store.write { db in
      try db.inSavepoint {
        try db.execute(sql: Self.record)
        return .rollback
      }
      let event = try AuditTrail.append(AuditEntry(action: "audit.log", recordNo: nil), by: AuditTestStore.cityAdmin, in: db)
      #expect(event.state == "{}")
    }
  }
}
