import GRDB
import HRLines
import Testing

@testable import HRCore

/// `verify` reads the events into a ring of three batches that another thread checks: wherever a
/// batch ends, and however often the ring wraps, it must find the same first broken event, with the
/// same count and head, as when the whole chain fits in one batch.
@Suite("Audit chain pipeline")
struct ChainPipelineTests {
  /// Verifies with at most `events` events a batch, of `bytes` bytes unless an event needs more;
  /// on a thread of its own unless `threaded` is false.
  static func verify(
    _ sandbox: AuditTestStore, events: Int, bytes: Int = 1 << 16, expecting head: ChainHead? = nil, threaded: Bool = true
  ) throws -> ChainVerdict {
    try sandbox.store.read { db in
      try AuditChain.verify(in: db, expecting: head, batchBytes: bytes, batchEvents: events, threaded: threaded)
    }
  }

  /// Checked on another thread, or on the reading thread as when no thread can be started.
  @Test(arguments: AuditChainTests.tampering.indices, [(1, true), (2, true), (3, true), (4, true), (5, true), (3, false)])
  func everyTamperingIsFoundWhereverTheBatchesEnd(case index: Int, batches: (events: Int, threaded: Bool)) throws {
    let tamper = AuditChainTests.tampering[index]
    let sandbox = try AuditTestStore()
    let events = try sandbox.appendEvents(10)
    try sandbox.execute("DROP TRIGGER audit_event_no_update; DROP TRIGGER audit_event_no_delete; \(tamper.sql)")
    let verdict = try Self.verify(sandbox, events: batches.events, threaded: batches.threaded)
    #expect(verdict.broken?.seq == tamper.seq, "\(tamper.name)")
    #expect(verdict.broken?.reason == tamper.reason, "\(tamper.name)")
    #expect(verdict.eventsChecked == tamper.checked, "\(tamper.name)")
    let head = tamper.checked == 0 ? ChainHead.empty : ChainHead(seq: tamper.checked, hash: events[tamper.checked - 1].hash)
    #expect(verdict.head == head, "\(tamper.name)")
    #expect(verdict == (try sandbox.verify()), "\(tamper.name)")
  }

  /// With four events a batch, event 5 opens the second batch, 8 closes it, 9 opens the third, 13 the fourth
  /// (the first buffer again, once the ring has wrapped) and 30 is inside the eighth.
  @Test(arguments: [5, 8, 9, 13, 30])
  func anEditedEventIsNamedAtABatchBoundaryAndAfterTheRingWraps(seq: Int) throws {
    let sandbox = try AuditTestStore()
    let events = try sandbox.appendEvents(40)
    try sandbox.execute("DROP TRIGGER audit_event_no_update; UPDATE audit_event SET detail = '{\"n\":0}' WHERE seq = \(seq)")
    let verdict = try Self.verify(sandbox, events: 4)
    #expect(verdict.broken?.seq == seq)
    #expect(verdict.broken?.reason == .hashMismatch)
    #expect(verdict.broken?.message == "event \(seq) does not give its stored hash: its contents were changed")
    #expect(verdict.eventsChecked == seq - 1)
    #expect(verdict.head == ChainHead(seq: seq - 1, hash: events[seq - 2].hash))
  }

  /// Event 4 closes the first batch: rewritten and re-hashed, it breaks the link to event 5, which
  /// only a hash carried from one batch to the next can catch. Deleting event 9 leaves a batch
  /// that starts at 10.
  @Test func aBrokenLinkAndAMissingEventAreFoundAcrossTheHandOver() throws {
    let sandbox = try AuditTestStore()
    let events = try sandbox.appendEvents(20)
    var fourth = events[3]
    fourth.detail = #"{"forged":true}"#
    fourth.hash = fourth.computedHash
    try sandbox.execute("DROP TRIGGER audit_event_no_update; DROP TRIGGER audit_event_no_delete")
    try sandbox.store.write { db in
      try db.execute(sql: "UPDATE audit_event SET detail = ?, hash = ? WHERE seq = 4", arguments: [fourth.detail, fourth.hash])
    }
    let relinked = try Self.verify(sandbox, events: 4)
    #expect(relinked.broken?.seq == 5)
    #expect(relinked.broken?.reason == .prevHashMismatch)
    #expect(relinked.head == ChainHead(seq: 4, hash: fourth.hash))

    try sandbox.store.write { db in
      try db.execute(
        sql: "UPDATE audit_event SET detail = ?, hash = ? WHERE seq = 4", arguments: [events[3].detail, events[3].hash])
      try db.execute(sql: "DELETE FROM audit_event WHERE seq = 9")
    }
    let cut = try Self.verify(sandbox, events: 4)
    #expect(cut.broken?.seq == 9)
    #expect(cut.broken?.reason == .missingEvent)
    #expect(cut.broken?.message == "event 9 is missing: the chain goes from seq 8 to seq 10")
    #expect(cut.head == ChainHead(seq: 8, hash: events[7].hash))
  }

  /// The storage types travel with each event: a column re-stored as a BLOB of the same bytes is
  /// named at its own event, at either end of a batch.
  @Test(arguments: [("operator", 5, "text"), ("record_no", 6, "text or null"), ("hash", 8, "text"), ("state", 9, "text or null")])
  func aReTypedColumnIsNamedAtItsOwnEvent(column: String, seq: Int, wanted: String) throws {
    let sandbox = try AuditTestStore()
    try sandbox.appendEvents(12)
    try sandbox.execute(
      "DROP TRIGGER audit_event_no_update; UPDATE audit_event SET \(column) = CAST(\(column) AS BLOB) WHERE seq = \(seq)")
    let verdict = try Self.verify(sandbox, events: 4)
    #expect(verdict.broken?.seq == seq)
    #expect(verdict.broken?.reason == .storageType)
    #expect(
      verdict.broken?.message
        == "event \(seq): \(column) is stored as blob, not \(wanted): a lookup by that column no longer finds the event")
    #expect(verdict.eventsChecked == seq - 1)
  }

  @Test(arguments: [1, 3, 4, 7, 40])
  func anIntactChainGivesItsLengthAndHeadWhateverTheBatches(batchEvents: Int) throws {
    let sandbox = try AuditTestStore()
    let odd = OperatorEntry(id: "op\"quote", name: "怪", role: .orgAdmin, org: "org\\1", district: "500103")
    try sandbox.appendEvents(17)
    try sandbox.appendEvents(6, by: odd)
    let events = try sandbox.appendEvents(17)
    let head = ChainHead(seq: 40, hash: events[16].hash)
    // 64 bytes hold no event: every batch grows to hold its first one.
    for (bytes, threaded) in [(64, true), (1 << 16, true), (1 << 16, false)] {
      let verdict = try Self.verify(sandbox, events: batchEvents, bytes: bytes, expecting: head, threaded: threaded)
      #expect(verdict.broken == nil)
      #expect(verdict.eventsChecked == 40)
      #expect(verdict.head == head)
    }
    let cut = try Self.verify(sandbox, events: batchEvents, expecting: ChainHead(seq: 41, hash: head.hash))
    #expect(cut.broken?.reason == .truncated)
    #expect(cut.broken?.seq == 41)
  }

  /// An event larger than a batch's buffer makes that buffer larger; the events around it are
  /// still checked in order, and an edit to it is still found.
  @Test func anEventLargerThanABatchIsCheckedWhole() throws {
    let sandbox = try AuditTestStore()
    try sandbox.appendEvents(3)
    try sandbox.store.write { db in
      _ = try AuditTrail.append(
        AuditEntry(action: "audit.log", recordNo: nil, detail: ["note": .string(String(repeating: "长", count: 4000))]),
        by: AuditTestStore.cityAdmin, in: db)
    }
    let events = try sandbox.appendEvents(3)
    let verdict = try Self.verify(sandbox, events: 2, bytes: 1024)
    #expect(verdict.broken == nil)
    #expect(verdict.head == ChainHead(seq: 7, hash: events[2].hash))
    try sandbox.execute("DROP TRIGGER audit_event_no_update; UPDATE audit_event SET detail = '{\"note\":\"短\"}' WHERE seq = 4")
    let edited = try Self.verify(sandbox, events: 2, bytes: 1024)
    #expect(edited.broken?.seq == 4)
    #expect(edited.broken?.reason == .hashMismatch)
    #expect(edited.eventsChecked == 3)
  }
}
