import Foundation
import GRDB
import HRCore
import HRLines
import HRTestSupport

/// The shared test store under the example configuration, with helpers that run `hr-create` and
/// `hr-update` lines through the library the way the line loop does.
final class ServiceFixture: TestStore {
  override init(yaml: String = Repository.exampleConfiguration) throws {
    try super.init(yaml: yaml)
  }

  /// Creates a record and returns its number.
  @discardableResult
  func create(_ person: JSONObject, by operatorID: String = "admin-city", today: String = "2026-11-26") throws -> String {
    let session = try session(operatorID, today: today)
    let out = try store.write { db in try Registry.create(person, session: session, in: db) }
    return out["record_no"]!.stringValue!
  }

  /// A valid GB 11643 number: the 17 digits given and their check character.
  static func id(_ body: String) -> String {
    body + String(ResidentID.checkCharacter(body.utf8.map { Int($0 - 48) }))
  }

  /// A man born 1956-01-01 (70 on 2026-11-26) managed by 解放碑 (500103001): the usual subject.
  static let elderID = id("50010319560101001")

  @discardableResult
  func createElder(id: String = ServiceFixture.elderID, org: String = "500103001") throws -> String {
    let division = org.hasPrefix("500106") ? "500106001001" : "500103001001"
    return try create([
      "id_number": .string(id), "name": "张三", "division": .string(division), "org": .string(org), "created_on": "2026-01-05",
    ])
  }

  /// Runs one `hr-update` line (by default as doc-li, a clinician of 解放碑) and returns its output;
  /// a rejection is thrown as `LineRejection`.
  @discardableResult
  func update(_ line: JSONObject, by operatorID: String = "doc-li", today: String = "2026-11-26") throws -> JSONObject {
    let session = try session(operatorID, today: today)
    return try store.write { db in try RecordUpdate.apply(line, session: session, in: db) }
  }

  /// Runs one `hr-update amend` line and returns its output.
  @discardableResult
  func amend(_ line: JSONObject, by operatorID: String = "admin-city", today: String = "2026-11-26") throws -> JSONObject {
    let session = try session(operatorID, today: today)
    return try store.write { db in try ServiceLog.amend(line, session: session, in: db) }
  }

  /// The rejection a line meets, or nil when it is accepted (and then committed).
  func rejection(
    of line: JSONObject, by operatorID: String = "doc-li", today: String = "2026-11-26", amend: Bool = false
  ) throws -> LineRejection? {
    do {
      if amend { try self.amend(line, by: operatorID, today: today) } else { try update(line, by: operatorID, today: today) }
      return nil
    } catch let rejection as LineRejection {
      return rejection
    }
  }

  func record(_ recordNo: String) throws -> ResidentRecord {
    try store.read { db in try ResidentRecord.find(recordNo, in: db)! }
  }

  /// Archives a record as `hr-archive` leaves it, for the rules that refuse archived records. The
  /// row is written directly: the lost rule needs a year without contact, which a record created on
  /// 2026-01-05 has not had by 2026-11-01, and the three reasons are archived the same way here.
  func archive(_ recordNo: String, reason: String = "lost") throws {
    try store.write { db in
      try db.execute(
        sql: "UPDATE record SET status = 'archived', archive_reason = ?, archived_on = '2026-11-01' WHERE record_no = ?",
        arguments: [reason, recordNo])
    }
  }

  /// The number of audit events with this action and outcome.
  func auditCount(_ action: String, outcome: String = "ok") throws -> Int {
    try scalar("SELECT count(*) FROM audit_event WHERE action = ? AND outcome = ?", [action, outcome]) ?? 0
  }
}
