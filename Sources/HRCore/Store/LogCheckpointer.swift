import Foundation

#if canImport(GRDBSQLite)
import GRDBSQLite
#elseif canImport(SQLite3)
import SQLite3
#endif

/// Copies the pages that the writer's commits left in the write-ahead log into the store's file
/// (SQLite's checkpoint) on a thread and connection of its own, while the writer goes on with its
/// next batch.
///
/// SQLite checkpoints on the writer's thread right after a commit: it reads each page back from
/// the log, writes it into the file and syncs the file, while the tool waits. Here a commit only
/// hands that over. The log cannot be rewound while pages in it are still to be copied, so it grows
/// by a batch at each commit a copy overlaps; once it holds `rewindAt` pages, the commit waits for
/// the copy and checkpoints the rest itself, as SQLite would, and the next transaction writes the
/// log from its start again.
///
/// A checkpoint changes no content, and a commit is durable in the log before any checkpoint:
/// a crash during one leaves every committed transaction in the log, to be copied again.
final class LogCheckpointer: @unchecked Sendable {
  /// Below this many pages in the log, a commit leaves the log alone: SQLite's own threshold.
  static let copyAt: Int32 = 2048
  /// From this many pages in the log on, a commit waits for the copy and the log is rewound:
  /// 32,768 pages of 4 KiB (some 135 MB of log on disk, none of it in memory), three or four
  /// batches of 5,000 new residents on a store of a million, whose copies then overlap the next
  /// batch's work.
  static let rewindAt: Int32 = 32768

  private let path: String
  private let condition = NSCondition()
  /// The connection the thread checkpoints through, opened with the thread at the first commit
  /// that leaves `copyAt` pages: a run that writes less never starts either.
  private var connection: OpaquePointer?
  private var thread: WorkerThread?
  /// Whether starting the thread failed: the writer then checkpoints as SQLite does.
  private var unavailable = false
  /// Whether a checkpoint has been asked for and not started yet.
  private var requested = false
  /// Whether the thread is checkpointing.
  private var copying = false
  /// Whether the thread should end.
  private var stopping = false

  /// A checkpointer for the store at `path`, which does nothing until ``follow(_:)``.
  init(path: String) {
    self.path = path
  }

  /// Makes the checkpointer follow the commits of `writer`, in place of SQLite's own checkpoint.
  func follow(_ writer: OpaquePointer) {
    sqlite3_wal_hook(
      writer,
      { context, writer, _, pages in
        guard let context, let writer else { return SQLITE_OK }
        Unmanaged<LogCheckpointer>.fromOpaque(context).takeUnretainedValue().committed(writer, pages: pages)
        return SQLITE_OK
      }, Unmanaged.passUnretained(self).toOpaque())
  }

  /// Stops following `writer`, ends the thread and closes its connection. Called before the
  /// writer closes, since the last connection to close checkpoints the whole log and removes it.
  func stop(following writer: OpaquePointer?) {
    if let writer { sqlite3_wal_hook(writer, nil, nil) }
    condition.lock()
    stopping = true
    condition.broadcast()
    let thread = self.thread
    condition.unlock()
    thread?.join()
    sqlite3_close_v2(connection)
    connection = nil
  }

  /// After a commit on the writer, whose log now holds `pages` pages.
  private func committed(_ writer: OpaquePointer, pages: Int32) {
    guard pages >= Self.copyAt else { return }
    condition.lock()
    if pages < Self.rewindAt, startIfNeeded() {
      requested = true
      condition.broadcast()
      condition.unlock()
      return
    }
    while copying || requested { condition.wait() }
    condition.unlock()
    // What the copies left, and then the log starts again. Passive, as SQLite's own: a reader
    // still on an older state keeps its pages in the log, and the writer never waits for it.
    sqlite3_wal_checkpoint_v2(writer, nil, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
  }

  /// Opens the connection and starts the thread, once; whether they run. Called with the lock held.
  private func startIfNeeded() -> Bool {
    if thread != nil { return true }
    if unavailable { return false }
    var connection: OpaquePointer?
    // A first read opens the log: a connection that has read nothing has none to checkpoint.
    guard sqlite3_open_v2(path, &connection, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nil) == SQLITE_OK,
      sqlite3_exec(connection, "PRAGMA synchronous = FULL; PRAGMA user_version", nil, nil, nil) == SQLITE_OK,
      let thread = WorkerThread({ self.copy() })
    else {
      sqlite3_close_v2(connection)
      unavailable = true
      return false
    }
    (self.connection, self.thread) = (connection, thread)
    return true
  }

  /// The thread: a passive checkpoint for each request, until stopped.
  private func copy() {
    condition.lock()
    while true {
      while !requested && !stopping { condition.wait() }
      if stopping { break }
      (requested, copying) = (false, true)
      let connection = self.connection
      condition.unlock()
      // Passive: it never waits for a lock; another process's checkpoint at the same moment
      // makes it give up, with nothing lost.
      sqlite3_wal_checkpoint_v2(connection, nil, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
      condition.lock()
      copying = false
      condition.broadcast()
    }
    condition.unlock()
  }
}
