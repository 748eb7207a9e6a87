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
  /// The events are streamed through one statement and each field is hashed from the row's own
  /// bytes, so the table is never loaded and no event costs an allocation.
  package static func verify(in db: Database, expecting expected: ChainHead? = nil) throws -> ChainVerdict {
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
    var input: [UInt8] = []
    input.reserveCapacity(1024)
    var scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 1)
    defer { scratch.deallocate() }
    var previousHash = Array(AuditEvent.genesisHash.utf8)
    var checked = 0

    func verdict(_ seq: Int, _ reason: ChainBreakReason, _ message: String) -> ChainVerdict {
      ChainVerdict(
        eventsChecked: checked,
        head: ChainHead(seq: checked, hash: String(decoding: previousHash, as: UTF8.self)),
        broken: ChainBreak(seq: seq, reason: reason, message: message))
    }

    while true {
      let code = sqlite3_step(raw)
      if code == SQLITE_DONE { break }
      guard code == SQLITE_ROW else {
        throw DatabaseError(
          resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
      }
      let event = StoredEventRow(statement: raw)
      let seq = event.seq
      let expectedSeq = checked + 1
      if seq > expectedSeq {
        let message =
          expectedSeq == 1
          ? "event 1 is missing: the chain starts at seq \(seq)"
          : "event \(expectedSeq) is missing: the chain goes from seq \(checked) to seq \(seq)"
        return verdict(expectedSeq, .missingEvent, message)
      }
      if seq < expectedSeq {
        return verdict(seq, .unexpectedSeq, "seq \(seq) where seq \(expectedSeq) was expected")
      }
      if !event.typesAsWritten, let (column, found, expected) = event.wrongStorageType() {
        return verdict(
          seq, .storageType,
          "event \(seq): \(column) is stored as \(found), not \(expected): a lookup by that column no longer finds the event")
      }
      guard same(event.bytes(of: .prevHash), previousHash) else {
        let previous = seq == 1 ? "the genesis hash" : "the hash of event \(seq - 1)"
        return verdict(
          seq, .prevHashMismatch, "prev_hash of event \(seq) is not \(previous): events were reordered, inserted or removed")
      }
      let stored = event.storedHash
      // Most events need no escaping, and their bytes are copied straight from the row; the one
      // definition of the layout, `writeHashInput`, decides every other event and any mismatch.
      var intact = false
      if event.typesAsWritten, let count = event.writeUnescapedHashInput(into: &scratch) {
        intact = matches(sha256Of: UnsafeRawBufferPointer(rebasing: scratch[..<count]), hex: stored)
      }
      if !intact {
        input.removeAll(keepingCapacity: true)
        AuditEvent.writeHashInput(of: event, to: &input)
        intact = input.withUnsafeBytes { matches(sha256Of: $0, hex: stored) }
      }
      guard intact else {
        return verdict(seq, .hashMismatch, "event \(seq) does not give its stored hash: its contents were changed")
      }
      if let expected, expected.seq == seq, !stored.elementsEqual(expected.hash.utf8) {
        return verdict(
          seq, .headMismatch,
          "event \(seq) has hash '\(String(decoding: stored, as: UTF8.self))', not the expected '\(expected.hash)': the chain was rewritten at or before seq \(seq)"
        )
      }
      // The stored hash is 64 bytes, as `matches` found: copied over the previous one in place.
      if previousHash.count == stored.count, let base = stored.baseAddress {
        previousHash.withUnsafeMutableBufferPointer { $0.baseAddress!.update(from: base, count: stored.count) }
      } else {
        previousHash.removeAll(keepingCapacity: true)
        previousHash.append(contentsOf: stored)
      }
      checked = seq
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

  /// Whether stored text holds exactly these bytes.
  private static func same(_ stored: UnsafeBufferPointer<UInt8>, _ bytes: [UInt8]) -> Bool {
    guard stored.count == bytes.count else { return false }
    guard let base = stored.baseAddress, !bytes.isEmpty else { return bytes.isEmpty }
    return bytes.withUnsafeBufferPointer { memcmp(base, $0.baseAddress!, bytes.count) == 0 }
  }

  /// Whether `hex` is the lower-case hexadecimal SHA-256 of `input`, compared without building a string.
  private static func matches(sha256Of input: UnsafeRawBufferPointer, hex: UnsafeBufferPointer<UInt8>) -> Bool {
    guard hex.count == 64 else { return false }
    var hasher = SHA256()
    hasher.update(bufferPointer: input)
    return hasher.finalize().withUnsafeBytes { digest in
      var different: UInt8 = 0
      for position in 0..<32 {
        let byte = digest[position]
        different |= hex[2 * position] ^ hexDigit(byte >> 4)
        different |= hex[2 * position + 1] ^ hexDigit(byte & 0x0f)
      }
      return different == 0
    }
  }

  /// The lower-case hexadecimal digit of a value below 16.
  @inline(__always) private static func hexDigit(_ value: UInt8) -> UInt8 {
    value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") - 10 + value
  }
}
