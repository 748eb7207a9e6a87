import Foundation
import GRDB
import HRTestSupport
import Testing

@testable import HRCore

/// The writer's checkpoints run on a thread of their own (`LogCheckpointer`): committed pages still
/// reach the file, the write-ahead log stays bounded, a reader on an older state never holds the
/// writer, and a closed store leaves no log behind.
@Suite("Checkpoints beside the writer", .timeLimit(.minutes(2)))
struct LogCheckpointerTests {
  /// Pages one commit of `commitPages` writes: a row of 3,000 bytes fills a page of its own.
  static let commitPages = 2500

  /// Commits `commitPages` new pages in one transaction.
  static func commitPages(_ store: Store) throws {
    try store.write { db in
      try db.execute(sql: "CREATE TABLE IF NOT EXISTS filler (bytes BLOB NOT NULL)")
      try db.execute(
        sql: """
          WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
          INSERT INTO filler (bytes) SELECT randomblob(3000) FROM n
          """, arguments: [commitPages])
    }
  }

  static func size(_ path: String) -> Int {
    ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
  }

  /// The bytes of a log of `pages` frames of 4 KiB, each with its 24-byte header, after the
  /// 32-byte header of the log.
  static func logBytes(pages: Int) -> Int { 32 + pages * (4096 + 24) }

  @Test func pagesCommittedReachTheFileWithoutAnotherCommit() throws {
    let fixture = try TestStore()
    let before = Self.size(fixture.path)
    try Self.commitPages(fixture.store)
    // The copy runs beside the writer: the file grows by the commit's pages while nothing
    // else is written.
    let deadline = Date().addingTimeInterval(30)
    while Self.size(fixture.path) < before + Self.commitPages * 4096, Date() < deadline { usleep(10_000) }
    #expect(Self.size(fixture.path) >= before + Self.commitPages * 4096)
    #expect(try fixture.count("SELECT count(*) FROM filler") == Self.commitPages)
  }

  @Test func theLogIsRewoundOnceItHoldsTheBoundWhateverTheWriterCommits() throws {
    let fixture = try TestStore()
    let bound = Self.logBytes(pages: Int(LogCheckpointer.rewindAt) + 2 * Self.commitPages)
    var largest = 0
    // Twice the bound's pages in all: a log never rewound would hold every one of them.
    for _ in 0..<(2 * Int(LogCheckpointer.rewindAt) / Self.commitPages) {
      try Self.commitPages(fixture.store)
      largest = max(largest, Self.size(fixture.path + "-wal"))
    }
    #expect(largest > 0)
    #expect(largest <= bound, "the log reached \(largest) bytes")
    #expect(try fixture.scalar("PRAGMA integrity_check") == "ok")
  }

  @Test func aReaderOnAnOlderStateNeverHoldsTheWriter() throws {
    let fixture = try TestStore()
    try Self.commitPages(fixture.store)
    let reader = try DatabaseQueue(path: fixture.path)
    var first: Int?
    var last: Int?
    // The reader keeps the state after the first commit while the writer goes past the bound:
    // the checkpoints copy what they may and the commits go on.
    try reader.read { db in
      first = try Int.fetchOne(db, sql: "SELECT count(*) FROM filler")
      for _ in 0..<(Int(LogCheckpointer.rewindAt) / Self.commitPages + 2) { try Self.commitPages(fixture.store) }
      last = try Int.fetchOne(db, sql: "SELECT count(*) FROM filler")
    }
    try reader.close()
    #expect(first == Self.commitPages)
    #expect(last == Self.commitPages)
    #expect(
      try fixture.count("SELECT count(*) FROM filler") == (Int(LogCheckpointer.rewindAt) / Self.commitPages + 3)
        * Self.commitPages)
    #expect(try fixture.scalar("PRAGMA integrity_check") == "ok")
  }

  @Test func aClosedStoreLeavesNoLogBehind() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hr-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let path = directory.appendingPathComponent("hr.sqlite").path
    var store: Store? = try Store(path: path)
    try Self.commitPages(store!)
    try Self.commitPages(store!)
    #expect(FileManager.default.fileExists(atPath: path + "-wal"))
    // The thread's connection closes first, so that the writer's is the last and removes the log.
    store = nil
    #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
    #expect(!FileManager.default.fileExists(atPath: path + "-shm"))
    let queue = try DatabaseQueue(path: path)
    #expect(try queue.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM filler") } == 2 * Self.commitPages)
  }
}
