import Foundation
import GRDB

/// Why the store could not be opened or written; each maps to its own exit status at the edge.
package enum StoreError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The file cannot be created or opened (exit 73).
  case cannotOpen(path: String, reason: String)
  /// The store was written by a newer version of the toolkit (exit 78).
  case newerThanTool(path: String, unknownMigrations: [String])
  /// The write lock stayed taken past the busy timeout (exit 75).
  case locked(path: String, seconds: Double)
  /// Any other SQLite failure (exit 74).
  case io(path: String, reason: String)

  package var description: String {
    switch self {
    case .cannotOpen(let path, let reason): "cannot open store '\(path)': \(reason)"
    case .newerThanTool(let path, let unknown):
      "store '\(path)' was written by a newer version of hr (migrations \(unknown.map { "'\($0)'" }.joined(separator: ", "))); upgrade the tools"
    case .locked(let path, let seconds): "store '\(path)' stayed locked for more than \(Int(seconds)) seconds"
    case .io(let path, let reason): "store '\(path)': \(reason)"
    }
  }
}

extension StoreError: LocalizedError {
  package var errorDescription: String? { description }
}

/// The one SQLite file that holds every record, its history and the audit trail (hr(7)).
///
/// WAL journal, foreign keys, `synchronous=FULL` and a busy timeout, so that several tools can write
/// at once; every write transaction is `BEGIN IMMEDIATE`, so none fails half-way on `SQLITE_BUSY`.
package final class Store: Sendable {
  package let path: String
  package let pool: DatabasePool
  let busyTimeout: Double

  /// The size, in bytes, to which a checkpoint truncates the write-ahead log: a reader that held
  /// a snapshot through a long import lets the log grow, and it should not stay that large.
  package static let journalSizeLimit = 64 << 20

  /// Opens the store at `path`, creating it and migrating its schema forward as needed.
  package init(path: String, busyTimeout: Double = 30) throws(StoreError) {
    self.path = path
    self.busyTimeout = busyTimeout
    var configuration = GRDB.Configuration()
    configuration.busyMode = .timeout(busyTimeout)
    configuration.foreignKeysEnabled = true
    do {
      pool = try DatabasePool(path: path, configuration: configuration)
      // Only the writer's settings matter, and they must come after the pool is open: GRDB's WAL
      // set-up runs after `prepareDatabase` and sets the writer to `synchronous=NORMAL`, under
      // which a commit can be lost in a power failure although its results were printed.
      try pool.writeWithoutTransaction { db in
        try db.execute(sql: "PRAGMA synchronous = FULL")
        try db.execute(sql: "PRAGMA journal_size_limit = \(Store.journalSizeLimit)")
        // Each line's savepoint journals the pages it touches; in a temporary file that costs a
        // write system call per page, in memory nothing (it holds one line's pages at a time).
        try db.execute(sql: "PRAGMA temp_store = MEMORY")
        // The pages of the indexes a line touches stay cached between lines rather than being
        // read again from the file: 16 MiB, so that memory stays flat in the store's size.
        try db.execute(sql: "PRAGMA cache_size = -16384")
        // A batch of 1,000 lines commits a few thousand pages; checkpointing every 8,192 pages
        // rather than every 1,000 copies a page written by several batches into the file once.
        try db.execute(sql: "PRAGMA wal_autocheckpoint = 8192")
      }
    } catch {
      throw StoreError.from(error, path: path, busyTimeout: busyTimeout, opening: true)
    }
    do {
      let migrator = Store.migrator
      let unknown = try pool.read { db in
        try migrator.appliedIdentifiers(db).subtracting(migrator.migrations).sorted()
      }
      guard unknown.isEmpty else { throw StoreError.newerThanTool(path: path, unknownMigrations: unknown) }
      // The tools of one pipeline may open a new store at the same moment. GRDB reads the applied
      // migrations before it takes the write lock, so the slower process can run a migration the
      // other has just committed and fail; each migration commits atomically, so reading again and
      // retrying is safe.
      for attempt in 1... {
        do {
          try migrator.migrate(pool)
          break
        } catch {
          if try pool.read(migrator.hasCompletedMigrations) { break }
          if attempt == 5 { throw error }
        }
      }
    } catch let error as StoreError {
      throw error
    } catch {
      throw StoreError.from(error, path: path, busyTimeout: busyTimeout, opening: true)
    }
  }

  /// Runs `work` in one `BEGIN IMMEDIATE` transaction, committing unless `commit` is false.
  package func write<T>(commit: Bool = true, _ work: (Database) throws -> T) throws -> T {
    try writeWithoutTransaction { db in
      var result: T?
      try db.inTransaction(.immediate) {
        result = try work(db)
        return commit ? .commit : .rollback
      }
      return result!
    }
  }

  /// Runs `work` on the writer connection outside any transaction, for a caller that opens its own
  /// (the line loop's batches); a lock held past the busy timeout is `locked`, as for `write`.
  package func writeWithoutTransaction<T>(_ work: (Database) throws -> T) throws -> T {
    do {
      return try pool.writeWithoutTransaction(work)
    } catch let error as DatabaseError {
      throw StoreError.from(error, path: path, busyTimeout: busyTimeout, opening: false)
    }
  }

  /// Runs `work` on a read-only snapshot of the store.
  package func read<T>(_ work: (Database) throws -> T) throws -> T {
    do {
      return try pool.read(work)
    } catch let error as DatabaseError {
      throw StoreError.from(error, path: path, busyTimeout: busyTimeout, opening: false)
    }
  }
}

extension StoreError {
  /// Sorts an SQLite failure into the exit status a script can act on.
  static func from(_ error: any Error, path: String, busyTimeout: Double, opening: Bool) -> StoreError {
    guard let error = error as? DatabaseError else {
      return .io(path: path, reason: String(describing: error))
    }
    switch error.resultCode {
    case .SQLITE_BUSY, .SQLITE_LOCKED: return .locked(path: path, seconds: busyTimeout)
    case .SQLITE_CANTOPEN, .SQLITE_PERM, .SQLITE_READONLY, .SQLITE_NOTADB:
      let reason = error.message ?? "\(error.resultCode)"
      return opening ? .cannotOpen(path: path, reason: reason) : .io(path: path, reason: reason)
    default: return .io(path: path, reason: error.message ?? "\(error.resultCode)")
    }
  }
}
