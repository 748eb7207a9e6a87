import Crypto
import Foundation

/// Hands batches of stepped events from the thread that steps the verifying statement to a thread
/// that checks them, through a ring of a few buffers, so that reading the store and hashing the
/// events run side by side while memory stays that of the ring.
///
/// The chain stays sequential: the checking thread takes the batches in the order they were filled
/// and the events of each in order, and carries the previous event's hash from one to the next.
/// When no thread can be started, each batch is checked on the reading thread as it is handed over.
final class ChainPipeline: @unchecked Sendable {
  private let condition = NSCondition()
  private let batches: [EventBatch]
  private let expected: ChainHead?
  /// Batches filled and handed over so far; batch `n` is `batches[n % batches.count]`.
  private var published = 0
  /// Batches checked and given back so far.
  private var consumed = 0
  /// Whether the last batch was handed over.
  private var finished = false
  /// The checker's outcome, once it has stopped.
  private var outcome: ChainChecker.Outcome?
  /// The checking thread, joined once it has stopped.
  private var thread: WorkerThread?
  /// The checker that runs on the reading thread when no other could be started.
  private var inline: ChainChecker?

  /// A ring of `batches` buffers of `batchBytes` bytes each, holding at most `batchEvents` events,
  /// whose events must end at `expected` if given.
  init(batches: Int = 3, batchBytes: Int, batchEvents: Int, expecting expected: ChainHead?) {
    self.batches = (0..<batches).map { _ in EventBatch(capacity: batchBytes, events: batchEvents) }
    self.expected = expected
  }

  /// Starts the checking thread, or, when it cannot be started (or `threaded` is false), the checker
  /// that `publish` runs on the reading thread.
  func start(threaded: Bool = true) {
    if threaded, let thread = WorkerThread({ self.check() }) {
      self.thread = thread
      return
    }
    inline = ChainChecker(expecting: expected)
  }

  /// The checking thread: checks each batch handed over, in order, and gives it back.
  private func check() {
    var checker = ChainChecker(expecting: expected)
    var broken: ChainVerdict?
    while broken == nil, let batch = nextToCheck() {
      broken = checker.check(batch)
      condition.lock()
      consumed += 1
      condition.broadcast()
      condition.unlock()
    }
    let result = broken.map { .broken($0) } ?? ChainChecker.Outcome.intact(checked: checker.checked, head: checker.previousHash)
    checker.deallocate()
    condition.lock()
    outcome = result
    condition.broadcast()
    condition.unlock()
  }

  /// The next batch to fill, once the checker has given it back; nil when the checker has stopped
  /// at a broken event, and reading on would be wasted.
  func nextToFill() -> EventBatch? {
    condition.lock()
    defer { condition.unlock() }
    while published - consumed == batches.count && outcome == nil { condition.wait() }
    guard outcome == nil else { return nil }
    let batch = batches[published % batches.count]
    batch.reset()
    return batch
  }

  /// Hands the batch just filled to the checker; `last` when no event follows.
  func publish(last: Bool) {
    if inline != nil {
      let batch = batches[published % batches.count]
      (published, consumed) = (published + 1, consumed + 1)
      if let broken = inline?.check(batch) {
        outcome = .broken(broken)
      } else if last, let checker = inline {
        outcome = .intact(checked: checker.checked, head: checker.previousHash)
      }
      if outcome != nil {
        inline?.deallocate()
        inline = nil
      }
      return
    }
    condition.lock()
    published += 1
    finished = last
    condition.broadcast()
    condition.unlock()
  }

  /// Waits for the checker to stop, after the last batch or at a broken event.
  func waitForOutcome() -> ChainChecker.Outcome {
    thread?.join()
    condition.lock()
    defer { condition.unlock() }
    // The thread sets the outcome before it ends; without a thread, the last batch handed over
    // or the first broken event set it.
    if let outcome { return outcome }
    return .intact(checked: inline?.checked ?? 0, head: inline?.previousHash ?? Array(AuditEvent.genesisHash.utf8))
  }

  private func nextToCheck() -> EventBatch? {
    condition.lock()
    defer { condition.unlock() }
    while consumed == published && !finished { condition.wait() }
    guard consumed < published else { return nil }
    return batches[consumed % batches.count]
  }
}

/// Checks events in `seq` order, carrying the previous event's hash: the rules of
/// ``AuditChain/verify(in:expecting:)``, on the rows a batch holds.
struct ChainChecker {
  /// How the checking ended.
  enum Outcome {
    /// At a broken event.
    case broken(ChainVerdict)
    /// After the last event, every one intact: their number and the last hash.
    case intact(checked: Int, head: [UInt8])
  }

  private let expected: ChainHead?
  private(set) var checked = 0
  private(set) var previousHash = Array(AuditEvent.genesisHash.utf8)
  private var input: [UInt8] = []
  private var scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 1)

  init(expecting expected: ChainHead?) {
    self.expected = expected
    input.reserveCapacity(1024)
  }

  /// Frees the buffer the fast path writes into.
  func deallocate() { scratch.deallocate() }

  /// The verdict for the chain broken at `seq`.
  func verdict(_ seq: Int, _ reason: ChainBreakReason, _ message: String) -> ChainVerdict {
    ChainVerdict(
      eventsChecked: checked,
      head: ChainHead(seq: checked, hash: String(decoding: previousHash, as: UTF8.self)),
      broken: ChainBreak(seq: seq, reason: reason, message: message))
  }

  /// Checks the batch's events in order; the verdict at the first broken one, if any.
  mutating func check(_ batch: EventBatch) -> ChainVerdict? {
    var record = UnsafeRawPointer(batch.base)
    for _ in 0..<batch.count {
      let event = StoredEventRow(record: record)
      if let broken = check(event) { return broken }
      record += event.size
    }
    return nil
  }

  private mutating func check(_ event: StoredEventRow) -> ChainVerdict? {
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
    let typesAsWritten = event.typesAsWritten
    if !typesAsWritten, let (column, found, expected) = event.wrongStorageType() {
      return verdict(
        seq, .storageType,
        "event \(seq): \(column) is stored as \(found), not \(expected): a lookup by that column no longer finds the event")
    }
    guard Self.same(event.bytes(of: .prevHash), previousHash) else {
      let previous = seq == 1 ? "the genesis hash" : "the hash of event \(seq - 1)"
      return verdict(
        seq, .prevHashMismatch, "prev_hash of event \(seq) is not \(previous): events were reordered, inserted or removed")
    }
    let stored = event.storedHash
    // Most events need no escaping, and their bytes are copied straight from the row; the one
    // definition of the layout, `writeHashInput`, decides every other event and any mismatch.
    var intact = false
    if typesAsWritten, let count = event.writeUnescapedHashInput(into: &scratch) {
      intact = Self.matches(sha256Of: UnsafeRawBufferPointer(rebasing: scratch[..<count]), hex: stored)
    }
    if !intact {
      input.removeAll(keepingCapacity: true)
      AuditEvent.writeHashInput(of: event, to: &input)
      intact = input.withUnsafeBytes { Self.matches(sha256Of: $0, hex: stored) }
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
    return nil
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
