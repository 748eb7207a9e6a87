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
