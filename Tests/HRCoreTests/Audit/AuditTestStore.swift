import Foundation
import GRDB
import HRCore
import HRTestSupport

/// The shared test store, with the steps the audit tests need.
final class AuditTestStore: TestStore {
  override init(yaml: String = Repository.exampleConfiguration) throws {
    try super.init(yaml: yaml)
  }

  static let cityAdmin = OperatorEntry(id: "admin-city", name: "市管理员", role: .cityAdmin)
  static let orgAdmin = OperatorEntry(id: "admin-jfb", name: "解放碑中心管理员", role: .orgAdmin, org: "500103001", district: "500103")

  /// Appends `count` events, the n-th about record `5001030010010000n`-like numbers, some with
  /// text that needs escaping, and returns them as stored.
  @discardableResult
  func appendEvents(_ count: Int, by staff: OperatorEntry = AuditTestStore.cityAdmin) throws -> [AuditEvent] {
    try store.write { db in
      try (1...count).map { n in
        try AuditTrail.append(
          AuditEntry(
            action: n % 3 == 0 ? "audit.log" : "record.create",
            recordNo: n % 4 == 0 ? nil : String(format: "500103001001%05d", n),
            outcome: n % 5 == 0 ? .denied : .ok,
            detail: ["n": .int(n), "note": .string("第\(n)条 \"quoted\"\n\ttab"), "nested": ["b": 1, "a": [true, .null]]]),
          by: staff, in: db)
      }
    }
  }

  /// Runs SQL with the store's protections as they are: the tests drop the triggers first when
  /// they play someone editing the file by hand.
  func execute(_ sql: String) throws {
    try store.write { db in try db.execute(sql: sql) }
  }

  func verify(expecting head: ChainHead? = nil) throws -> ChainVerdict {
    try store.read { db in try AuditChain.verify(in: db, expecting: head) }
  }

  func events() throws -> [AuditEvent] {
    try store.read { db in try AuditEvent.fetchAll(db, sql: "SELECT * FROM audit_event ORDER BY seq") }
  }
}
