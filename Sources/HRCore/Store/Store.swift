import Foundation
import GRDB
import SQLiteProcess

#if canImport(GRDBSQLite)
import GRDBSQLite
#elseif canImport(SQLite3)
import SQLite3
#endif

/// The one SQLite file that holds every record, its history and the audit trail (hr(7)).
///
/// WAL journal, foreign keys, `synchronous=FULL` and a busy timeout, so that several tools can write
/// at once; every write transaction is `BEGIN IMMEDIATE`, so none fails half-way on `SQLITE_BUSY`.
package final class Store: Sendable {
  package let path: String
  /// The connections: a pool for a store opened to write, one connection for a read-only one.
  private let pool: any DatabaseWriter
  /// Whether the writer notes each changed unit for the audit state: a store opened to write.
  /// The notes are set up before its first write (``writeWithoutTransaction(_:)``), so that a run
  /// that writes nothing does not pay for them.
  private let tracksState: Bool
  let busyTimeout: Double
  /// The writer's checkpoints, on a thread of their own; nil for a store opened to read only.
  private let checkpointer: LogCheckpointer?

  /// The size, in bytes, to which the write-ahead log is cut back when it starts again: a reader
  /// that held a snapshot through a long import lets it grow, and it should not stay that large.
  /// Above the log's size between rewinds (`LogCheckpointer.rewindAt` pages, some 135 MB): cut
  /// below that at every rewind, the file system would free its blocks and allocate them again
  /// each time (a fifth more system time for a million new residents).
  package static let journalSizeLimit = 192 << 20

  /// How a connection waits for a lock another process holds: it tries again every millisecond
  /// until `timeout` seconds have passed on the clock. SQLite's own wait sleeps up to 100 ms
  /// between tries, while a tool that commits batch after batch lets the lock go for a millisecond
  /// or two between them; a process trying every 100 ms could miss each of those moments through
  /// a long load and give up (exit 75).
  static func waiting(_ timeout: Double) -> Database.BusyMode {
    .callback { tried in
      // SQLite calls the handler on the waiting thread, again and again for one wait, counting
      // from 0: the thread keeps when that wait began.
      let now = Store.now()
      let thread = Thread.current.threadDictionary
      if tried == 0 { thread[waitStartKey] = now }
      guard now - (thread[waitStartKey] as? Double ?? now) < timeout else { return false }
      usleep(1000)
      return true
    }
  }

  /// Where a waiting thread keeps the time its wait began.
  private static let waitStartKey = "hr.store.waitStart"

  /// SQLite's settings for the whole process, made once before its first connection opens: without
  /// its count of allocated memory, a tool writes each line some 6% faster.
  private static let processSettings: Int32 = hr_sqlite_disable_memory_statistics()

  /// Opens the store at `path` to write, creating it with `newFileMode` (0600, or 0640 when
  /// group-readable) when it is missing, and migrating its schema forward as needed.
  /// Without `creating`, an empty database is refused as no store (only `hr-create` makes one),
  /// and a database holding another program's tables is refused whatever `creating` says.
  ///
  /// Several tools of one pipeline may open a brand-new store at the same moment; SQLite then
  /// answers some of the opening steps (the WAL set-up, the first read of the schema) with
  /// `SQLITE_BUSY` at once, without waiting. The whole opening is therefore retried, with
  /// back-off, until the busy timeout has really passed.
  /// A group-writable `newFileMode` (0660, a group installation's) accepts a store the group may
  /// write, the group being the tools' own; others may never write it.
  package init(
    path: String, busyTimeout: Double = 30, newFileMode: mode_t = 0o600, creating: Bool = true
  )
    throws(StoreError)
  {
    self.path = path
    self.busyTimeout = busyTimeout
    tracksState = true
    let checkpointer = LogCheckpointer(path: path)
    self.checkpointer = checkpointer
    _ = Store.processSettings
    try Store.refuseWritableByOthers(path, groupWritable: newFileMode & 0o020 != 0)
    try Store.create(path, mode: newFileMode)
    try Store.refuseReadOnly(path)
    var configuration = GRDB.Configuration()
    configuration.busyMode = Store.waiting(busyTimeout)
    configuration.foreignKeysEnabled = true
    // Before GRDB switches the file to WAL: another program's database is left as it was. In one
    // read transaction, whose first read takes the snapshot: another process may be creating the
    // store, and the tables and the migrations applied must be seen as one.
    configuration.prepareDatabase { db in
      try db.inTransaction(.deferred) {
        _ = try Row.fetchOne(db, sql: "SELECT rootpage FROM sqlite_master LIMIT 1")
        _ = try Store.refuseNonStore(db, path: path, applied: Store.migrator.appliedIdentifiers(db), creating: creating)
        return .commit
      }
    }
    pool = try Store.retryingWhileBusy(path: path, busyTimeout: busyTimeout) {
      let primer = Store.primeWriteAheadLog(path)
      defer { if let primer { sqlite3_close_v2(primer) } }
      let pool = try DatabasePool(path: path, configuration: configuration)
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
        // read again from the file: 24 MiB, so that memory stays flat in the store's size (a
        // tool's peak stays under 60 MiB). On a store of millions, one institution's 1,000 new
        // residents dirty some 4,000 pages, which fit: none is spilled to the log before the
        // commit and written again in it, which makes SQLite read back and re-sum every frame of
        // the transaction at the commit (29% fewer system calls than with 16 MiB). A batch of the
        // default 10,000 lines spills some on a store of a million; committing more often costs more
        // (`LineOptions`).
        try db.execute(sql: "PRAGMA cache_size = -24576")
        // The commits' pages are copied from the log into the file on a thread of its own.
        checkpointer.follow(db.sqliteConnection!)
      }
      try Store.migrate(pool, path: path)
      return pool
    }
  }

  deinit {
    if let checkpointer {
      checkpointer.stop(following: pool.writeWithoutTransaction { $0.sqliteConnection })
    }
  }

  /// Opens an existing store to read only, for the commands that append no event (`hr-audit
  /// verify` and `head`, `hr-transfer list`): they work on a read-only copy kept as evidence,
  /// never wait for another process's write lock, and leave no file behind.
  ///
  /// How depends on what this process may write. When it may write the store and its directory,
  /// the connection is opened read-write with `PRAGMA query_only`, which refuses every change:
  /// SQLite then removes the `-wal` and `-shm` it needed when the connection closes, whereas a
  /// connection opened with `SQLITE_OPEN_READONLY` would leave them behind, with the store's mode
  /// (0444 for a write-protected store, which then blocks every writer). The one write SQLite may
  /// still make is its own checkpoint on close, which moves transactions already committed from
  /// the log into the file and changes no content. Otherwise, the store is opened with
  /// `SQLITE_OPEN_READONLY`: through its `-wal` and `-shm` when they exist (a writer may be at
  /// work), else as immutable, since without a log there is no writer and SQLite could not create
  /// the companions it needs to read a WAL store.
  package init(readingOnly path: String, busyTimeout: Double = 30, groupWritable: Bool = false) throws(StoreError) {
    self.path = path
    self.busyTimeout = busyTimeout
    tracksState = false
    checkpointer = nil
    _ = Store.processSettings
    try Store.refuseWritableByOthers(path, groupWritable: groupWritable)
    var configuration = GRDB.Configuration()
    configuration.busyMode = Store.waiting(busyTimeout)
    var location = path
    if Store.mayWrite(path), Store.mayWrite(Store.directory(of: path)) {
      configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA query_only = 1") }
    } else {
      configuration.readonly = true
      if access(path + "-wal", F_OK) != 0 { location = Store.immutableURI(path) }
    }
    pool = try Store.retryingWhileBusy(path: path, busyTimeout: busyTimeout) {
      let queue = try DatabaseQueue(path: location, configuration: configuration)
      let migrator = Store.migrator
      let applied = try queue.read { db in
        try Store.refuseNonStore(db, path: path, applied: migrator.appliedIdentifiers(db), creating: false)
      }
      let unknown = applied.subtracting(migrator.migrations).sorted()
      guard unknown.isEmpty else { throw StoreError.newerThanTool(path: path, unknownMigrations: unknown) }
      return queue
    }
  }

  /// Opens a connection that leaves a frame in the write-ahead log of a WAL store whose log is
  /// missing or empty (no other process has it open), without waiting for any disk, and keeps the
  /// log there while the pool opens; nil when there is nothing to do or it cannot be done.
  ///
  /// A pool that finds the log empty creates and drops a table to make one, which is two
  /// synchronous writes to the disk and a schema change on every run of a tool against an idle
  /// store. The frame written here instead rewrites the header page with the value it has
  /// (`user_version`), without syncing: losing it in a crash loses nothing.
  private static func primeWriteAheadLog(_ path: String) -> OpaquePointer? {
    var info = stat()
    if stat(path + "-wal", &info) == 0, info.st_size > 0 { return nil }
    // Bytes 18 and 19 of the header are 2 in a WAL store; a new, empty file has no header yet.
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    var header = [UInt8](repeating: 0, count: 20)
    let count = header.withUnsafeMutableBytes { pread(fd, $0.baseAddress, 20, 0) }
    close(fd)
    guard count == 20, header[18] == 2, header[19] == 2 else { return nil }
    var connection: OpaquePointer?
    guard sqlite3_open_v2(path, &connection, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nil) == SQLITE_OK else {
      sqlite3_close_v2(connection)
      return nil
    }
    var version: Int64?
    var statement: OpaquePointer?
    if sqlite3_exec(connection, "PRAGMA synchronous = OFF; BEGIN IMMEDIATE", nil, nil, nil) == SQLITE_OK,
      sqlite3_prepare_v2(connection, "PRAGMA user_version", -1, &statement, nil) == SQLITE_OK,
      sqlite3_step(statement) == SQLITE_ROW
    {
      version = sqlite3_column_int64(statement, 0)
    }
    sqlite3_finalize(statement)
    guard let version, sqlite3_exec(connection, "PRAGMA user_version = \(version); COMMIT", nil, nil, nil) == SQLITE_OK
    else {
      sqlite3_exec(connection, "ROLLBACK", nil, nil, nil)
      sqlite3_close_v2(connection)
      return nil
    }
    return connection
  }

  /// The SQLite URI that opens `path` as immutable: read without locks or companion files.
  private static func immutableURI(_ path: String) -> String {
    var absolute = path
    if !path.hasPrefix("/"), let cwd = getcwd(nil, 0) {
      absolute = String(cString: cwd) + "/" + path
      free(cwd)
    }
    var encoded = ""
    for byte in absolute.utf8 {
      let character = Character(Unicode.Scalar(byte))
      if byte < 0x80, character.isLetter || character.isNumber || "/-._~".contains(character) {
        encoded.append(character)
      } else {
        encoded += "%" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
      }
    }
    return "file://" + encoded + "?immutable=1"
  }

  /// Creates the store file with `mode` when it is missing, so that SQLite, which gives its
  /// `-wal` and `-shm` the main file's mode, never creates any of them under a looser umask.
  private static func create(_ path: String, mode: mode_t) throws(StoreError) {
    let fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, mode)
    if fd < 0 {
      if errno == EEXIST { return }
      throw .cannotOpen(path: path, reason: String(cString: strerror(errno)))
    }
    defer { close(fd) }
    // The umask may have taken bits away, never added any; fchmod sets exactly the mode asked for.
    guard fchmod(fd, mode) == 0 else { throw .cannotOpen(path: path, reason: String(cString: strerror(errno))) }
  }

  /// Refuses, before SQLite half-opens it, a store this process cannot write, or whose directory
  /// cannot take its `-wal` and `-shm`: every command that opens it so must append an event.
  private static func refuseReadOnly(_ path: String) throws(StoreError) {
    let directory = Store.directory(of: path)
    for (file, what) in [(path, "the store"), (directory, "its directory '\(directory)'")] where !mayWrite(file) {
      let reason = String(cString: strerror(errno))
      throw .cannotOpen(
        path: path,
        reason:
          "\(what) cannot be written (\(reason)), and this command must write it: every change and every reading of records is audited"
      )
    }
  }

  /// The directory holding `path`, where SQLite creates its `-wal` and `-shm`.
  static func directory(of path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "." }
    return slash == path.startIndex ? "/" : String(path[..<slash])
  }

  /// Whether this process may write `path` with its effective ids: a tool installed set-group-ID
  /// writes the store through its group, which `access` (the caller's real ids) would not count.
  static func mayWrite(_ path: String) -> Bool {
    faccessat(AT_FDCWD, path, W_OK, AT_EACCESS) == 0
  }

  /// Refuses a store that the group or others can write; only others when `groupWritable`.
  static func refuseWritableByOthers(_ path: String, groupWritable: Bool = false) throws(StoreError) {
    let writable = groupWritable ? FilePermissions.writableByOthers & 0o002 : FilePermissions.writableByOthers
    if let mode = FilePermissions.mode(ofFileAt: path), mode & writable != 0 {
      throw .writableByOthers(path: path, mode: UInt32(mode), groupWritable: groupWritable)
    }
  }

  /// Migrates the schema forward, refusing a store that a newer toolkit has migrated further.
  private static func migrate(_ pool: DatabasePool, path: String) throws {
    let migrator = Store.migrator
    // Read on the writer, which every run opens anyway: a reader would be one more connection
    // opened, and the schema parsed once more, for a single query. A store that has every
    // migration and no other is current, and the migrator (a barrier, a DDL statement) is skipped.
    // In one read transaction: another process may be creating the store, and the query and
    // GRDB's check that the table is missing must see the same snapshot.
    let applied = try pool.writeWithoutTransaction { db in
      var applied: Set<String> = []
      try db.inTransaction(.deferred) {
        // A deferred transaction takes its snapshot at its first read, which this is.
        _ = try Row.fetchOne(db, sql: "SELECT rootpage FROM sqlite_master LIMIT 1")
        applied = try migrator.appliedIdentifiers(db)
        return .commit
      }
      return applied
    }
    let unknown = applied.subtracting(migrator.migrations).sorted()
    guard unknown.isEmpty else { throw StoreError.newerThanTool(path: path, unknownMigrations: unknown) }
    if applied.count == migrator.migrations.count { return }
    // The tools of one pipeline may open a new store at the same moment. GRDB reads the applied
    // migrations before it takes the write lock, so the slower process can run a migration the
    // other has just committed and fail; each migration commits atomically, so reading again and
    // retrying is safe. Each such failure follows a migration another process committed, so one
    // attempt more than there are migrations is enough however the two interleave.
    for attempt in 1... {
      do {
        try migrator.migrate(pool)
        return
      } catch {
        if Store.isBusy(error) { throw error }
        if try pool.read(migrator.hasCompletedMigrations) { return }
        if attempt > migrator.migrations.count { throw error }
      }
    }
  }

  /// Runs `open` until it succeeds, again after a pause while SQLite answers that the store is
  /// busy, until `busyTimeout` seconds have passed; the error then names the time really waited.
  static func retryingWhileBusy<T>(
    path: String, busyTimeout: Double, _ open: () throws -> T
  ) throws(StoreError) -> T {
    let start = Store.now()
    var pause = 0.002
    while true {
      do {
        return try open()
      } catch let error as StoreError {
        throw error
      } catch {
        let waited = Store.now() - start
        guard Store.isBusy(error), waited < busyTimeout else {
          throw StoreError.from(error, path: path, waited: waited, opening: true)
        }
        let seconds = min(pause, busyTimeout - waited)
        usleep(useconds_t(max(seconds, 0) * 1_000_000))
        pause = min(pause * 2, 0.1)
      }
    }
  }

  /// Whether SQLite refused because another connection holds a lock, so that trying again later
  /// can succeed.
  static func isBusy(_ error: any Error) -> Bool {
    guard let error = error as? DatabaseError else { return false }
    return [.SQLITE_BUSY, .SQLITE_LOCKED, .SQLITE_PROTOCOL].contains(error.resultCode)
  }

  /// Seconds on a monotonic clock.
  static func now() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
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
  /// Every write of a tool goes through here, so that none escapes the audit state's notes; the
  /// statements it runs by ``PreparedSQL`` are kept for it on a shelf of its own.
  package func writeWithoutTransaction<T>(_ work: (Database) throws -> T) throws -> T {
    let start = Store.now()
    do {
      return try pool.writeWithoutTransaction { db in
        if tracksState { try StateDigest.installTracking(in: db) }
        return try StatementShelf.keeping(on: db) { try work(db) }
      }
    } catch let error as DatabaseError {
      throw StoreError.from(error, path: path, waited: Store.now() - start, opening: false)
    }
  }

  /// A read-only snapshot of the store as it is now, for a reading that must see one state across
  /// several steps (a de-identified export counts its classes, then streams the same records).
  package func makeSnapshot() throws(StoreError) -> DatabaseSnapshot {
    guard let pool = pool as? DatabasePool else {
      throw StoreError.io(path: path, reason: "a snapshot needs the store opened for writing")
    }
    do {
      return try pool.makeSnapshot()
    } catch {
      throw StoreError.from(error, path: path, waited: 0, opening: false)
    }
  }

  /// Runs `work` on a read-only snapshot of the store.
  package func read<T>(_ work: (Database) throws -> T) throws -> T {
    let start = Store.now()
    do {
      return try pool.read(work)
    } catch let error as DatabaseError {
      throw StoreError.from(error, path: path, waited: Store.now() - start, opening: false)
    }
  }
}
