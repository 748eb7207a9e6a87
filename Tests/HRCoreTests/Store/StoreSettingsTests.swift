import Foundation
import GRDB
import HRCore
import Testing

/// The settings every printed line's durability rests on, read back from the connection that
/// writes: GRDB's WAL set-up must not have undone them.
@Suite("Store settings")
struct StoreSettingsTests {
  /// A store file in a temporary directory, created anew or opened again.
  private static func withStore(_ body: (String) throws -> Void) throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hr-store-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    try body(directory.appendingPathComponent("hr.sqlite").path)
  }

  @Test("The writer commits with synchronous=FULL, in a new store and in one opened again")
  func writerIsSynchronousFull() throws {
    try Self.withStore { path in
      for _ in 1...2 {
        let store = try Store(path: path)
        let synchronous = try store.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
        #expect(synchronous == 2, "2 is FULL; GRDB's WAL set-up leaves 1, NORMAL")
        let journalMode = try store.writeWithoutTransaction { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
        #expect(journalMode == "wal")
      }
    }
  }

  @Test("A rewound write-ahead log is cut back to 192 MiB")
  func journalSizeLimit() throws {
    try Self.withStore { path in
      let store = try Store(path: path)
      let limit = try store.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA journal_size_limit") }
      #expect(limit == 192 * 1024 * 1024)
      #expect(Store.journalSizeLimit == 201_326_592)
    }
  }
}
