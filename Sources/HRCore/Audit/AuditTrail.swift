import Crypto
import GRDB
import HRLines

#if canImport(GRDBSQLite)
import GRDBSQLite
#elseif canImport(SQLite3)
import SQLite3
#endif

/// How an audited attempt ended.
package enum AuditOutcome: String, Sendable, CaseIterable {
  case ok
  /// The operator was not allowed (hr(7) ROLES).
  case denied
  /// A rule refused the change, e.g. `already_served`.
  case rejected
}

/// An event to append to the audit trail: what was done, to which record, with what outcome.
package struct AuditEntry: Sendable {
  package var action: String
  package var recordNo: String?
  package var outcome: AuditOutcome
  package var detail: JSONObject

  package init(action: String, recordNo: String?, outcome: AuditOutcome = .ok, detail: JSONObject = JSONObject()) {
    self.action = action
    self.recordNo = recordNo
    self.outcome = outcome
    self.detail = detail
  }
}

/// One stored link of the chain, with the fields its hash covers.
package struct AuditEvent: Sendable, Equatable {
  package var seq: Int
  package var at: String
  package var operatorID: String
  package var role: String
  package var org: String?
  package var action: String
  package var recordNo: String?
  package var outcome: String
  /// The detail object as canonical JSON text, exactly as stored.
  package var detail: String
  package var prevHash: String
  package var hash: String
  /// The digests of the rows the event's change left behind, as compact JSON
  /// `{"TABLE/KEY":"HEX"|null,…}` (``StateDigest``); nil for an event written before the trail
  /// carried them, whose hash then covers no `state`.
  package var state: String? = nil

  /// The hash of the genesis event's predecessor.
  package static let genesisHash = String(repeating: "0", count: 64)

  /// SHA-256, in lower-case hex, over `prevHash` followed by the canonical JSON (keys sorted) of the
  /// event's other fields (hr(7) AUDIT TRAIL): the single definition both the writer and `verify` use.
  package var computedHash: String {
    // An event's hashed fields take some 500 bytes: room for them at once.
    var input: [UInt8] = []
    input.reserveCapacity(1024)
    AuditEvent.writeHashInput(of: self, to: &input)
    return SHA256.hash(data: input).hexString
  }

  /// Appends the bytes the hash covers: `prev_hash`, then `{"action":…,"at":…,"detail":…,
  /// "operator":…,"org":…,"outcome":…,"record_no":…,"role":…,"seq":…,"state":…}` with the keys
  /// in byte order, strings escaped as the JSON writer escapes them, `detail` and `state` as their
  /// stored canonical text; `"state"` only when the event has one, so that the events written
  /// before it existed keep their hashes.
  ///
  /// Generic over where the fields come from, so that `verify` reads them straight from the
  /// stored row's bytes while every other caller goes through `computedHash`, and the two can never
  /// disagree on the layout.
  static func writeHashInput(of event: some AuditHashFields, to buffer: inout [UInt8]) {
    event.appendRaw(.prevHash, to: &buffer)
    buffer.append(contentsOf: #"{"action":"#.utf8)
    event.appendString(.action, to: &buffer)
    buffer.append(contentsOf: #","at":"#.utf8)
    event.appendString(.at, to: &buffer)
    buffer.append(contentsOf: #","detail":"#.utf8)
    event.appendRaw(.detail, to: &buffer)
    buffer.append(contentsOf: #","operator":"#.utf8)
    event.appendString(.operatorID, to: &buffer)
    buffer.append(contentsOf: #","org":"#.utf8)
    event.appendString(.org, to: &buffer)
    buffer.append(contentsOf: #","outcome":"#.utf8)
    event.appendString(.outcome, to: &buffer)
    buffer.append(contentsOf: #","record_no":"#.utf8)
    event.appendString(.recordNo, to: &buffer)
    buffer.append(contentsOf: #","role":"#.utf8)
    event.appendString(.role, to: &buffer)
    buffer.append(contentsOf: #","seq":"#.utf8)
    // A small string: no allocation below 16 digits.
    buffer.append(contentsOf: String(event.seq).utf8)
    if event.hasState {
      buffer.append(contentsOf: #","state":"#.utf8)
      event.appendRaw(.state, to: &buffer)
    }
    buffer.append(UInt8(ascii: "}"))
  }
}

/// The stored columns an event's hash covers.
enum AuditHashField {
  case at, operatorID, role, org, action, recordNo, outcome, detail, prevHash, state
}

/// Where the hashed fields of an event are read from: a decoded `AuditEvent`, or a stored row read
/// in place by `verify`.
protocol AuditHashFields {
  var seq: Int { get }
  /// Whether the event carries a `state` (every event written since the trail covers the state).
  var hasState: Bool { get }
  /// Appends a text field as a JSON string, or `null` when it has no value.
  func appendString(_ field: AuditHashField, to buffer: inout [UInt8])
  /// Appends a field's stored text exactly as it is (`prev_hash`, and `detail`, already canonical JSON).
  func appendRaw(_ field: AuditHashField, to buffer: inout [UInt8])
}

extension AuditEvent: AuditHashFields {
  var hasState: Bool { state != nil }

  private func text(_ field: AuditHashField) -> String? {
    switch field {
    case .at: at
    case .operatorID: operatorID
    case .role: role
    case .org: org
    case .action: action
    case .recordNo: recordNo
    case .outcome: outcome
    case .detail: detail
    case .prevHash: prevHash
    case .state: state
    }
  }

  func appendString(_ field: AuditHashField, to buffer: inout [UInt8]) {
    if let text = text(field) {
      JSONWriter.writeString(text, to: &buffer)
    } else {
      buffer.append(contentsOf: "null".utf8)
    }
  }

  func appendRaw(_ field: AuditHashField, to buffer: inout [UInt8]) {
    buffer.append(contentsOf: (text(field) ?? "").utf8)
  }
}

extension AuditEvent: FetchableRecord, PersistableRecord {
  package static let databaseTableName = "audit_event"

  package init(row: Row) {
    seq = row["seq"]
    at = row["at"]
    operatorID = row["operator"]
    role = row["role"]
    org = row["org"]
    action = row["action"]
    recordNo = row["record_no"]
    outcome = row["outcome"]
    detail = row["detail"]
    prevHash = row["prev_hash"]
    hash = row["hash"]
    state = row["state"]
  }

  package func encode(to container: inout PersistenceContainer) {
    for (column, value) in zip(Self.columnNames, databaseValues) { container[column] = value }
  }

  /// Inserts the event through one statement prepared once per connection: every change appends one.
  func insertPrepared(_ db: Database) throws {
    try Self.insert.statement(in: db).run(in: db) { bind in
      bind.integer(seq)
      bind.text(at)
      bind.text(operatorID)
      bind.text(role)
      bind.text(org)
      bind.text(action)
      bind.text(recordNo)
      bind.text(outcome)
      bind.text(detail)
      bind.text(prevHash)
      bind.text(hash)
      bind.text(state)
    }
  }

  /// The columns of the table, in the order of `databaseValues`.
  private static let columnNames = [
    "seq", "at", "operator", "role", "org", "action", "record_no", "outcome", "detail", "prev_hash", "hash", "state",
  ]

  /// `OR FAIL`, with the trigger that refuses replacing an event failing rather than aborting
  /// (`v5-audit-no-replace-fails`): a single row is all or nothing either way, and SQLite then
  /// keeps no statement journal of the pages each event touches.
  private static let insert = PreparedSQL(
    "INSERT OR FAIL INTO audit_event (\(columnNames.joined(separator: ", "))) VALUES (\(columnNames.map { _ in "?" }.joined(separator: ", ")))"
  )

  private var databaseValues: [(any DatabaseValueConvertible)?] {
    [seq, at, operatorID, role, org, action, recordNo, outcome, detail, prevHash, hash, state]
  }
}

/// The tamper-evident trail every write, view, export and denial appends to (hr(7) AUDIT TRAIL, 责任可溯).
package enum AuditTrail {
  private static let lastEvent = PreparedSQL("SELECT seq, hash FROM audit_event ORDER BY seq DESC LIMIT 1")

  /// Appends `entry` as the next link of the chain, inside the caller's transaction, so the event
  /// commits or rolls back with the change it records.
  ///
  /// `written` hands over rows the change has just written, so that its `state` is hashed from
  /// them rather than read back (``StateRows``).
  @discardableResult
  package static func append(
    _ entry: AuditEntry, by staff: OperatorEntry, in db: Database, written: StateRows? = nil
  ) throws -> AuditEvent {
    let last = try lastEvent.statement(in: db).first(
      in: db, { _ in }, read: { (seq: Int(sqlite3_column_int64($0, 0)), hash: columnText($0, 1)) })
    var detail = entry.detail
    if let claim = staff.dateClaim {
      // A claimed date is kept beside the real one in the hashed detail (hr(7) DATES).
      detail["today"] = ["claimed": .string(claim.claimed.description), "real": .string(claim.real.description)]
    }
    var event = AuditEvent(
      seq: (last?.seq ?? 0) + 1,
      at: Timestamp.now(),
      operatorID: staff.id,
      role: staff.role.rawValue,
      org: staff.org,
      action: entry.action,
      recordNo: entry.recordNo,
      outcome: entry.outcome.rawValue,
      detail: detail.canonical,
      prevHash: last?.hash ?? AuditEvent.genesisHash,
      hash: "",
      state: try StateDigest.takeState(in: db, written: written))
    event.hash = event.computedHash
    try event.insertPrepared(db)
    return event
  }
}

extension Sequence where Element == UInt8 {
  /// The bytes as lower-case hexadecimal text.
  package var hexString: String {
    withContiguousStorageIfAvailable { hexText(of: UnsafeRawBufferPointer($0)) } ?? hexText(of: Array(self))
  }
}

extension Digest {
  /// The digest as lower-case hexadecimal text, written straight from its bytes: a digest's
  /// iterator copies them into an array first, and an event hashes two or three digests.
  package var hexString: String { withUnsafeBytes { hexText(of: $0) } }
}

/// The bytes as lower-case hexadecimal text.
private func hexText(of bytes: some Collection<UInt8>) -> String {
  String(unsafeUninitializedCapacity: 2 * bytes.count) { text in
    var at = 0
    for byte in bytes {
      text[at] = hexDigit(byte >> 4)
      text[at + 1] = hexDigit(byte & 0x0f)
      at += 2
    }
    return at
  }
}

/// The lower-case hexadecimal digit of a value from 0 to 15, as an ASCII byte.
private func hexDigit(_ value: UInt8) -> UInt8 {
  value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") - 10 + value
}
