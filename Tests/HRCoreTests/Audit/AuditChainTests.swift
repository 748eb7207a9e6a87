import Crypto
import GRDB
import HRLines
import Testing

@testable import HRCore

@Suite("Audit chain")
struct AuditChainTests {
  @Test func hashesAreWrittenAsLowerCaseHexadecimal() {
    // FIPS 180-2, appendix B.1.
    #expect(SHA256.hash(data: Array("abc".utf8)).hexString == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    #expect([UInt8]([0x00, 0x09, 0x0a, 0x0f, 0x10, 0xa0, 0xff]).hexString == "00090a0f10a0ff")
    #expect((0...255).lazy.map { UInt8($0) }.hexString == (0...255).map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined())
    #expect([UInt8]().hexString == "")
  }

  @Test func hashIsSHA256OverPrevHashAndTheCanonicalJSONOfTheOtherFields() throws {
    let detail: JSONObject = ["z": "末", "a": ["y": 1, "x": "a\"b\\c\n"]]
    let event = AuditEvent(
      seq: 42, at: "2026-11-26T08:15:02.117Z", operatorID: "doc-li", role: "clinician", org: "500103001",
      action: "service.add", recordNo: nil, outcome: "ok", detail: detail.canonical,
      prevHash: String(repeating: "ab", count: 32), hash: "")
    let fields: JSONObject = [
      "seq": 42, "at": "2026-11-26T08:15:02.117Z", "operator": "doc-li", "role": "clinician", "org": "500103001",
      "action": "service.add", "record_no": .null, "outcome": "ok", "detail": .object(detail),
    ]
    let expected = SHA256.hash(data: Array((event.prevHash + fields.canonical).utf8)).hexString
    #expect(event.computedHash == expected)
  }

  @Test func anIntactChainVerifiesWithItsLengthAndHead() throws {
    let sandbox = try AuditTestStore()
    let events = try sandbox.appendEvents(12)
    let verdict = try sandbox.verify()
    #expect(verdict.broken == nil)
    #expect(verdict.eventsChecked == 12)
    #expect(verdict.head == ChainHead(seq: 12, hash: events[11].hash))
    #expect(verdict.json.compact == #"{"ok":true,"events":12,"head":"\#(events[11].hash)"}"#)
  }

  @Test func verifyReadsEveryStoredEventToTheSameHashTheWriterComputed() throws {
    // Escapes, Chinese text, NULL org and record numbers: the row path and computedHash agree.
    let sandbox = try AuditTestStore()
    let odd = OperatorEntry(id: "op\"quote", name: "怪", role: .orgAdmin, org: "org\\1", district: "500103")
    try sandbox.appendEvents(5, by: odd)
    try sandbox.appendEvents(5)
    #expect(try sandbox.verify().eventsChecked == 10)
    for event in try sandbox.events() { #expect(event.hash == event.computedHash) }
  }

  @Test func anEmptyChainVerifiesWithTheGenesisHead() throws {
    let sandbox = try AuditTestStore()
    let verdict = try sandbox.verify()
    #expect(verdict.json.compact == #"{"ok":true,"events":0,"head":"\#(AuditEvent.genesisHash)"}"#)
    #expect(try sandbox.store.read { db in try AuditChain.head(in: db) } == .empty)
    #expect(try sandbox.verify(expecting: .empty).broken == nil)
  }

  /// The ways someone with the file and the `sqlite3` tool could tamper with the trail once the
  /// triggers are dropped, and the first event `verify` must name for each.
  static let tampering: [(name: String, sql: String, seq: Int, reason: ChainBreakReason, checked: Int)] = [
    ("edit event 3", "UPDATE audit_event SET detail = '{\"n\":33}' WHERE seq = 3", 3, .hashMismatch, 2),
    ("edit who did event 6", "UPDATE audit_event SET operator = 'someone-else' WHERE seq = 6", 6, .hashMismatch, 5),
    ("delete event 5", "DELETE FROM audit_event WHERE seq = 5", 5, .missingEvent, 4),
    ("delete event 1", "DELETE FROM audit_event WHERE seq = 1", 1, .missingEvent, 0),
    (
      "swap events 3 and 4",
      "UPDATE audit_event SET seq = -3 WHERE seq = 3; UPDATE audit_event SET seq = 3 WHERE seq = 4; UPDATE audit_event SET seq = 4 WHERE seq = -3",
      3, .prevHashMismatch, 2
    ),
    (
      "insert an event before the first",
      "INSERT INTO audit_event SELECT 0, at, operator, role, org, action, record_no, outcome, detail, prev_hash, hash, state FROM audit_event WHERE seq = 1",
      0, .unexpectedSeq, 0
    ),
  ]

  @Test(arguments: tampering.indices)
  func verifyNamesTheFirstBrokenEvent(case index: Int) throws {
    let tamper = Self.tampering[index]
    let sandbox = try AuditTestStore()
    try sandbox.appendEvents(10)
    try sandbox.execute("DROP TRIGGER audit_event_no_update; DROP TRIGGER audit_event_no_delete; \(tamper.sql)")
    let verdict = try sandbox.verify()
    #expect(verdict.broken?.seq == tamper.seq, "\(tamper.name)")
    #expect(verdict.broken?.reason == tamper.reason, "\(tamper.name)")
    #expect(verdict.eventsChecked == tamper.checked, "\(tamper.name)")
    #expect(verdict.json["ok"] == false)
    #expect(verdict.json.keys == ["ok", "broken_seq", "reason", "message", "events_checked"])
  }

  @Test func anEditedEventWhoseHashWasRecomputedBreaksTheNextLink() throws {
    let sandbox = try AuditTestStore()
    try sandbox.appendEvents(6)
    var third = try sandbox.events()[2]
    third.detail = #"{"n":999}"#
    third.hash = third.computedHash
    try sandbox.execute("DROP TRIGGER audit_event_no_update")
    try sandbox.store.write { db in
      try db.execute(sql: "UPDATE audit_event SET detail = ?, hash = ? WHERE seq = 3", arguments: [third.detail, third.hash])
    }
    let verdict = try sandbox.verify()
    #expect(verdict.broken?.seq == 4)
    #expect(verdict.broken?.reason == .prevHashMismatch)
  }

  @Test func aTruncatedChainVerifiesButNotAgainstTheHeadKeptBeforeTheCut() throws {
    let sandbox = try AuditTestStore()
    let events = try sandbox.appendEvents(10)
    let kept = ChainHead(seq: 10, hash: events[9].hash)
    try sandbox.execute("DROP TRIGGER audit_event_no_delete; DELETE FROM audit_event WHERE seq > 7")
    let plain = try sandbox.verify()
    #expect(plain.broken == nil)
    #expect(plain.eventsChecked == 7)
    let expected = try sandbox.verify(expecting: kept)
    #expect(expected.broken?.seq == 8)
    #expect(expected.broken?.reason == .truncated)
    #expect(expected.eventsChecked == 7)
    // A head kept earlier, before the cut, still holds.
    #expect(try sandbox.verify(expecting: ChainHead(seq: 7, hash: events[6].hash)).broken == nil)
  }

  @Test func aChainRewrittenAndRehashedFromSomeEventOnFailsTheKeptHead() throws {
    let sandbox = try AuditTestStore()
    let events = try sandbox.appendEvents(8)
    let kept = ChainHead(seq: 8, hash: events[7].hash)
    try sandbox.execute("DROP TRIGGER audit_event_no_update")
    // Rewrite event 6 and re-hash it and every event after it, as a careful forger would.
    var previous = events[4].hash
    for var event in events[5...] {
      if event.seq == 6 { event.detail = #"{"forged":true}"# }
      event.prevHash = previous
      event.hash = event.computedHash
      previous = event.hash
      try sandbox.store.write { db in
        try db.execute(
          sql: "UPDATE audit_event SET detail = ?, prev_hash = ?, hash = ? WHERE seq = ?",
          arguments: [event.detail, event.prevHash, event.hash, event.seq])
      }
    }
    #expect(try sandbox.verify().broken == nil)
    let verdict = try sandbox.verify(expecting: kept)
    #expect(verdict.broken?.seq == 8)
    #expect(verdict.broken?.reason == .headMismatch)
    #expect(try sandbox.verify(expecting: ChainHead(seq: 5, hash: events[4].hash)).broken == nil)
  }

  @Test func theStoreRefusesToUpdateOrDeleteEvents() throws {
    let sandbox = try AuditTestStore()
    try sandbox.appendEvents(3)
    #expect {
      try sandbox.execute("UPDATE audit_event SET detail = '{}' WHERE seq = 2")
    } throws: { error in
      "\(error)".contains("audit events are never modified")
    }
    #expect {
      try sandbox.execute("DELETE FROM audit_event WHERE seq = 3")
    } throws: { error in
      "\(error)".contains("audit events are never deleted")
    }
    #expect(try sandbox.events().count == 3)
    #expect(try sandbox.verify().eventsChecked == 3)
  }

  /// `INSERT OR REPLACE` deletes the row it conflicts with without firing the delete trigger.
  @Test func theStoreRefusesToReplaceAnEventOrAnAppendOnlyRow() throws {
    let sandbox = try AuditTestStore()
    let events = try sandbox.appendEvents(3)
    #expect {
      try sandbox.execute(
        """
        INSERT OR REPLACE INTO audit_event
        SELECT seq, at, operator, role, org, action, record_no, outcome, '{"forged":true}', prev_hash, hash, state
        FROM audit_event WHERE seq = 2
        """)
    } throws: { error in
      "\(error)".contains("audit events are never modified")
    }
    #expect(try sandbox.events() == events)
    #expect(try sandbox.verify().eventsChecked == 3)

    try sandbox.execute(
      """
      INSERT INTO record (record_no, division, name, sex, birth_date, managing_org, managing_district, status,
        last_contact, created_on, created_by, created_at)
      VALUES ('50010300100100001', '500103001001', '张三', 1, '1980-01-01', '500103001', '500103', 'active',
        '2026-01-01', '2026-01-01', 'admin-city', '2026-01-01T00:00:00.000Z');
      INSERT INTO service (record_no, type, date, org, entered_on, entered_at, entered_by)
      VALUES ('50010300100100001', 'consultation', '2026-01-02', '500103001', '2026-01-02', '2026-01-02T00:00:00.000Z', 'doc-li');
      """)
    #expect {
      try sandbox.execute(
        """
        REPLACE INTO service (service_id, record_no, type, date, org, entered_on, entered_at, entered_by)
        VALUES (1, '50010300100100001', 'other', '2026-01-03', '500103001', '2026-01-03', '2026-01-03T00:00:00.000Z', 'doc-li')
        """)
    } throws: { error in
      "\(error)".contains("service rows are never modified")
    }
    #expect(try sandbox.store.read { db in try String.fetchOne(db, sql: "SELECT type FROM service") } == "consultation")
  }

  @Test(arguments: [
    ("7:" + String(repeating: "AB", count: 32), ChainHead(seq: 7, hash: String(repeating: "ab", count: 32))),
    (
      #"{"seq":7,"hash":""# + String(repeating: "0f", count: 32) + #""}"#,
      ChainHead(seq: 7, hash: String(repeating: "0f", count: 32))
    ),
    ("0:" + AuditEvent.genesisHash, ChainHead.empty),
  ])
  func aKeptHeadIsReadAsSeqColonHashOrAsHeadPrintsIt(text: String, head: ChainHead) {
    #expect(ChainHead(text) == head)
  }

  @Test(arguments: [
    "", "7", "7:", ":" + AuditEvent.genesisHash, "-1:" + AuditEvent.genesisHash, "x:" + AuditEvent.genesisHash,
    "7:" + String(repeating: "a", count: 63), "7:" + String(repeating: "g", count: 64), #"{"seq":7}"#,
    #"{"seq":"7","hash":"\#(AuditEvent.genesisHash)"}"#,
  ])
  func aMalformedHeadIsRefused(text: String) {
    #expect(ChainHead(text) == nil)
  }
}
