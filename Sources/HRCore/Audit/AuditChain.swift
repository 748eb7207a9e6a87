import Crypto
import GRDB
import HRLines

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
#if canImport(GRDBSQLite)
import GRDBSQLite
#elseif canImport(SQLite3)
import SQLite3
#endif

/// A link of the chain kept somewhere else — on paper, in another system, in a signed e-mail — so
/// that a chain cut short or rewritten can be caught later (hr(7) AUDIT TRAIL, `hr-audit head`).
package struct ChainHead: Hashable, Sendable, CustomStringConvertible {
  /// The event's sequence number; 0 names the empty chain.
  package let seq: Int
  /// The event's hash, 64 lower-case hexadecimal digits (the genesis hash for seq 0).
  package let hash: String

  /// Names an event by its sequence number and hash.
  package init(seq: Int, hash: String) {
    self.seq = seq
    self.hash = hash
  }

  /// Reads a head as `SEQ:HASH`, or as the `{"seq":…,"hash":…}` object `hr-audit head` prints, so
  /// a saved head can be handed back as it was printed; hexadecimal digits may be upper-case.
  package init?(_ text: String) {
    let seqText: String
    let hashText: String
    if let object = try? JSONParser.parseObject(Array(text.utf8)) {
      guard object.count == 2, let seq = object["seq"]?.intValue, let hash = object["hash"]?.stringValue else { return nil }
      (seqText, hashText) = (String(seq), hash)
    } else {
      let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
      guard parts.count == 2 else { return nil }
      (seqText, hashText) = (String(parts[0]), String(parts[1]))
    }
    guard !seqText.isEmpty, seqText.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
      let seq = Int(seqText)
    else { return nil }
    let hash = hashText.lowercased()
    guard hash.utf8.count == 64, hash.utf8.allSatisfy(ChainHead.isHexDigit) else { return nil }
    self.init(seq: seq, hash: hash)
  }

  /// The head of a chain with no event yet.
  package static let empty = ChainHead(seq: 0, hash: AuditEvent.genesisHash)

  /// `SEQ:HASH`, the form `--expect-head` takes.
  package var description: String { "\(seq):\(hash)" }

  /// `{"seq":…,"hash":…}`, as `hr-audit head` prints it.
  package var json: JSONObject { ["seq": .int(seq), "hash": .string(hash)] }

  private static func isHexDigit(_ byte: UInt8) -> Bool {
    (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
  }
}

/// Why the chain stopped holding at an event: stable codes a script can match on.
package enum ChainBreakReason: String, Sendable, CaseIterable {
  /// An event is gone: the sequence jumps over it (a deleted event).
  case missingEvent = "missing_event"
  /// A sequence number below 1: a row no append could have written.
  case unexpectedSeq = "unexpected_seq"
  /// The event's `prev_hash` is not the hash of the event before it (events reordered or inserted).
  case prevHashMismatch = "prev_hash_mismatch"
  /// The event's contents no longer give its hash (an event edited in place).
  case hashMismatch = "hash_mismatch"
  /// A hashed column holds another storage type than the one it was written with: the same bytes
  /// as a BLOB keep the hash but hide the event from every lookup by value.
  case storageType = "storage_type"
  /// The event named by `--expect-head` has another hash: the chain was rewritten at or before it.
  case headMismatch = "head_mismatch"
  /// The chain ends before the event named by `--expect-head`: its tail was cut off.
  case truncated
}

/// The first place where the chain no longer holds.
package struct ChainBreak: Equatable, Sendable {
  /// The first sequence number whose event is missing or wrong.
  package let seq: Int
  /// What is wrong there.
  package let reason: ChainBreakReason
  /// What was found, for people.
  package let message: String
}

/// What `hr-audit verify` found: the intact length of the chain and, if it is broken, where first;
/// and the append-only triggers that are no longer in place.
package struct ChainVerdict: Equatable, Sendable {
  /// Events found intact, in order, before the first break (every event when none is broken).
  package let eventsChecked: Int
  /// The last intact event: the head of the chain when nothing is broken.
  package let head: ChainHead
  /// The first break, or nil when the chain holds.
  package let broken: ChainBreak?
  /// The append-only triggers gone or replaced, when they were checked (``AuditChain/verifyStore(in:expecting:)``).
  package var missingTriggers: [MissingTrigger] = []
  /// What `verify --state` found, when it was asked for and the chain holds.
  package var state: StateSummary? = nil

  /// Whether every event holds (and the expected head, when one was given).
  package var isIntact: Bool { broken == nil }

  /// Whether the chain holds and every append-only trigger is in place.
  package var holds: Bool { broken == nil && missingTriggers.isEmpty && (state?.holds ?? true) }

  /// `{"ok":true,"events":N,"head":"…"}`, or `{"ok":false,"broken_seq":S,"reason":"…",
  /// "message":"…","events_checked":N}`; either with `"missing_triggers":[…]` (and `ok` false)
  /// when a trigger is gone, and with `"state":{…}` when the rows were compared too.
  package var json: JSONObject {
    var object: JSONObject
    if let broken {
      object = [
        "ok": false, "broken_seq": .int(broken.seq), "reason": .string(broken.reason.rawValue),
        "message": .string(broken.message), "events_checked": .int(eventsChecked),
      ]
    } else {
      object = ["ok": .bool(holds), "events": .int(eventsChecked), "head": .string(head.hash)]
    }
    if !missingTriggers.isEmpty { object["missing_triggers"] = .array(missingTriggers.map { .string($0.name) }) }
    if let state { object["state"] = .object(state.json) }
    return object
  }
}

/// Verification of the audit trail's hash chain (hr(7) AUDIT TRAIL; 第二十五条: use of records must stay traceable).
package enum AuditChain {
  /// The last event of the chain as stored, without verifying anything (`hr-audit head`).
  package static func head(in db: Database) throws -> ChainHead {
    let row = try Row.fetchOne(db, sql: "SELECT seq, hash FROM audit_event ORDER BY seq DESC LIMIT 1")
    guard let row else { return .empty }
    return ChainHead(seq: row[0], hash: row[1])
  }

  /// Verifies the chain (``verify(in:expecting:)``) and that the append-only triggers are in place.
  package static func verifyStore(in db: Database, expecting expected: ChainHead? = nil) throws -> ChainVerdict {
    var verdict = try verify(in: db, expecting: expected)
    verdict.missingTriggers = try AppendOnlyGuards.missing(in: db)
    return verdict
  }

  /// Recomputes the chain event by event, in `seq` order, and stops at the first event that breaks
  /// it: a sequence that jumps (a deleted event), a `prev_hash` that is not the previous event's
  /// hash (reordered or inserted events), or a hash its contents no longer give (an edited event).
  ///
  /// With `expected`, the event of that sequence number must exist and carry that hash, which
  /// catches what the chain alone cannot: a tail cut off, or every event from some point on
  /// rewritten and re-hashed.
  ///
  /// The events are streamed through one statement and copied, a batch at a time, into a ring of
  /// three buffers, which a second thread hashes and checks while this one reads on; so the table
  /// is never loaded, memory stays that of the ring, and no event costs an allocation.
  package static func verify(in db: Database, expecting expected: ChainHead? = nil) throws -> ChainVerdict {
    try verify(in: db, expecting: expected, batchBytes: 1 << 20, batchEvents: 8192, threaded: true)
  }

  /// ``verify(in:expecting:)`` with batches of `batchBytes` bytes (made larger for an event that
  /// does not fit) of at most `batchEvents` events: small ones put the hand-over from one batch to
  /// the next at a known event of a short chain. Without `threaded`, every batch is checked on
  /// this thread, as when no other thread can be started.
  static func verify(
    in db: Database, expecting expected: ChainHead?, batchBytes: Int, batchEvents: Int, threaded: Bool
  ) throws -> ChainVerdict {
    let statement = try db.makeStatement(
      sql: """
        SELECT seq, at, operator, role, org, action, record_no, outcome, detail, prev_hash, hash, \(
          try db.columns(in: "audit_event").contains { $0.name == "state" } ? "state" : "NULL")
        FROM audit_event ORDER BY seq
        """)
    // Stepped in place rather than through a row cursor: a million events pass through here.
    let raw = statement.sqliteStatement
    sqlite3_reset(raw)
    defer { sqlite3_reset(raw) }
    let pipeline = ChainPipeline(batchBytes: batchBytes, batchEvents: batchEvents, expecting: expected)
    pipeline.start(threaded: threaded)
    // A failing step ends the reading; the events before it are still checked, and a break among
    // them is the verdict, as it would be had they been checked one by one.
    var failure: (any Error)?
    var pending = false
    while let batch = pipeline.nextToFill() {
      var more = false
      do {
        more = try batch.fill(from: raw, pending: &pending, connection: db.sqliteConnection)
      } catch {
        failure = error
      }
      pipeline.publish(last: !more)
      if !more { break }
    }
    let (checked, previousHash): (Int, [UInt8])
    switch pipeline.waitForOutcome() {
    case .broken(let verdict): return verdict
    case .intact(let count, let head): (checked, previousHash) = (count, head)
    }
    if let failure { throw failure }
    func verdict(_ seq: Int, _ reason: ChainBreakReason, _ message: String) -> ChainVerdict {
      ChainVerdict(
        eventsChecked: checked,
        head: ChainHead(seq: checked, hash: String(decoding: previousHash, as: UTF8.self)),
        broken: ChainBreak(seq: seq, reason: reason, message: message))
    }
    if let expected {
      if expected.seq > checked {
        return verdict(
          checked + 1, .truncated,
          "the chain ends at seq \(checked), before the expected head at seq \(expected.seq): events from seq \(checked + 1) on are gone"
        )
      }
      if expected.seq == 0, expected.hash != AuditEvent.genesisHash {
        return verdict(0, .headMismatch, "seq 0 names the empty chain, whose hash is the genesis hash, not '\(expected.hash)'")
      }
    }
    return ChainVerdict(
      eventsChecked: checked, head: ChainHead(seq: checked, hash: String(decoding: previousHash, as: UTF8.self)), broken: nil)
  }
}
