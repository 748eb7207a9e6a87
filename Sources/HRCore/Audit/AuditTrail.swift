import Crypto
import GRDB

/// How an audited attempt ended.
package enum AuditOutcome: String, Sendable {
  case ok
  /// The operator was not allowed (§9).
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

  /// The hash of the genesis event's predecessor.
  package static let genesisHash = String(repeating: "0", count: 64)

  /// SHA-256, in lower-case hex, over `prevHash` followed by the canonical JSON (keys sorted) of the
  /// event's other fields (§11): the single definition both the writer and `verify` use.
  package var computedHash: String {
    var text = prevHash
    text += #"{"action":"#
    text += JSONValue.string(action).compact
    text += #","at":"#
    text += JSONValue.string(at).compact
    text += #","detail":"#
    text += detail
    text += #","operator":"#
    text += JSONValue.string(operatorID).compact
    text += #","org":"#
    text += org.map { JSONValue.string($0).compact } ?? "null"
    text += #","outcome":"#
    text += JSONValue.string(outcome).compact
    text += #","record_no":"#
    text += recordNo.map { JSONValue.string($0).compact } ?? "null"
    text += #","role":"#
    text += JSONValue.string(role).compact
    text += #","seq":"#
    text += String(seq)
    text += "}"
    return SHA256.hash(data: Array(text.utf8)).hexString
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
  }

  package func encode(to container: inout PersistenceContainer) {
    container["seq"] = seq
    container["at"] = at
    container["operator"] = operatorID
    container["role"] = role
    container["org"] = org
    container["action"] = action
    container["record_no"] = recordNo
    container["outcome"] = outcome
    container["detail"] = detail
    container["prev_hash"] = prevHash
    container["hash"] = hash
  }
}

/// The tamper-evident trail every write, view, export and denial appends to (§11, 责任可溯).
package enum AuditTrail {
  /// Appends `entry` as the next link of the chain, inside the caller's transaction, so the event
  /// commits or rolls back with the change it records.
  @discardableResult
  package static func append(_ entry: AuditEntry, by staff: OperatorEntry, in db: Database) throws -> AuditEvent {
    let last = try Row.fetchOne(
      db.cachedStatement(sql: "SELECT seq, hash FROM audit_event ORDER BY seq DESC LIMIT 1"))
    var event = AuditEvent(
      seq: (last?["seq"] as Int? ?? 0) + 1,
      at: Timestamp.now(),
      operatorID: staff.id,
      role: staff.role.rawValue,
      org: staff.org,
      action: entry.action,
      recordNo: entry.recordNo,
      outcome: entry.outcome.rawValue,
      detail: entry.detail.canonical,
      prevHash: last?["hash"] ?? AuditEvent.genesisHash,
      hash: "")
    event.hash = event.computedHash
    try db.cachedStatement(
      sql: """
        INSERT INTO audit_event (seq, at, operator, role, org, action, record_no, outcome, detail, prev_hash, hash)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """
    ).execute(arguments: [
      event.seq, event.at, event.operatorID, event.role, event.org, event.action, event.recordNo, event.outcome,
      event.detail, event.prevHash, event.hash,
    ])
    return event
  }
}

extension Sequence where Element == UInt8 {
  /// The bytes as lower-case hexadecimal text.
  package var hexString: String {
    let digits = Array("0123456789abcdef".utf8)
    var out = [UInt8]()
    out.reserveCapacity(64)
    for byte in self {
      out.append(digits[Int(byte >> 4)])
      out.append(digits[Int(byte & 0x0f)])
    }
    return String(decoding: out, as: UTF8.self)
  }
}
