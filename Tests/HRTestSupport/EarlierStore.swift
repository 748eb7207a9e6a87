import Foundation
import GRDB
import HRCore

/// Calls `body` with the path of a store file whose schema stands where `migration` left it, as a
/// store written by an earlier version of the tools, and with a queue open on it to fill it;
/// `body` closes the queue before it opens the store as the tools do. The directory that holds
/// the file is removed afterwards.
package func withEarlierStore<T>(
  upTo migration: String, _ body: (_ path: String, _ queue: DatabaseQueue) throws -> T
)
  throws -> T
{
  let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hr-test-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
  defer { try? FileManager.default.removeItem(at: directory) }
  let path = directory.appendingPathComponent("hr.sqlite").path
  let queue = try DatabaseQueue(path: path)
  try Store.migrator.migrate(queue, upTo: migration)
  return try body(path, queue)
}

/// Inserts a record of 张三, managed by 500103001, into a store of any schema: active, or archived
/// as `reason` with the day it was archived.
package func insertRecord(_ recordNo: String, archived reason: String? = nil, in db: Database) throws {
  try db.execute(
    sql: """
      INSERT INTO record (record_no, division, name, sex, birth_date, managing_org, managing_district, status,
        archive_reason, archived_on, last_contact, created_on, created_by, created_at)
      VALUES (?, '500103001001', '张三', 1, '1956-01-01', '500103001', '500103', ?, ?, ?, '2020-01-01', '2020-01-01',
        'admin-city', '2020-01-01T00:00:00Z')
      """,
    arguments: [recordNo, reason == nil ? "active" : "archived", reason, reason == nil ? nil : "2026-01-01"])
}

/// Whether the migration of that name has been applied to the store at `path`.
package func applied(_ migration: String, at path: String) throws -> Bool {
  try DatabaseQueue(path: path).read { db in
    try Int.fetchOne(db, sql: "SELECT count(*) FROM grdb_migrations WHERE identifier = ?", arguments: [migration]) == 1
  }
}
