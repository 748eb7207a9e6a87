import GRDB
import HRCore

extension Sandbox {
  /// Recomputes the audit chain of the sandbox's store from the stored rows, independently of any
  /// tool: the number of events and whether every link holds.
  func auditChain() throws -> (events: Int, intact: Bool) {
    let queue = try DatabaseQueue(path: store)
    return try queue.read { db in
      var previous = AuditEvent.genesisHash
      var count = 0
      var intact = true
      let events = try AuditEvent.fetchCursor(db, sql: "SELECT * FROM audit_event ORDER BY seq")
      while let event = try events.next() {
        count += 1
        intact = intact && event.seq == count && event.prevHash == previous && event.hash == event.computedHash
        previous = event.hash
      }
      return (count, intact)
    }
  }
}
