import Foundation
import GRDB

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why the store could not be opened or written; each maps to its own exit status at the edge.
package enum StoreError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The file cannot be created or opened (exit 73).
  case cannotOpen(path: String, reason: String)
  /// The store was written by a newer version of the toolkit (exit 78).
  case newerThanTool(path: String, unknownMigrations: [String])
  /// The write lock stayed taken past the busy timeout; `seconds` is the time really waited (exit 75).
  case locked(path: String, seconds: Double)
  /// Any other SQLite failure (exit 74).
  case io(path: String, reason: String)
  /// The group or others can write the store file, so anyone among them could rewrite the records
  /// and the audit trail (exit 73, like every other store that cannot be opened).
  /// In a group installation (`groupWritable`), the tools' group writes the store, and only
  /// others are refused.
  case writableByOthers(path: String, mode: UInt32, groupWritable: Bool = false)
  /// A temporary file beside the store's work (a large export's sort runs) cannot be created,
  /// written or read back, most often a full disk under `$TMPDIR` (exit 74).
  case temporaryFile(directory: String, reason: String)
  /// The file is an SQLite database but no hr store: empty, for a tool that may not create a store
  /// (exit 66, like a missing one), or holding another program's tables (exit 73), which no tool
  /// may turn into a store by adding its own.
  case notAStore(path: String, foreignTables: [String])

  package var description: String {
    switch self {
    case .cannotOpen(let path, let reason): "cannot open store '\(path)': \(reason)"
    case .newerThanTool(let path, let unknown):
      "store '\(path)' was written by a newer version of hr (migrations \(unknown.map { "'\($0)'" }.joined(separator: ", "))); upgrade the tools"
    case .locked(let path, let seconds):
      "store '\(path)' stayed locked by another process for \(String(format: "%.1f", seconds)) seconds; try again later or raise --busy-timeout"
    case .io(let path, let reason): "store '\(path)': \(reason)"
    case .writableByOthers(let path, let mode, false):
      "store '\(path)' can be written by the group or others (mode \(FilePermissions.octal(mode_t(mode)))); run 'chmod go-w \(path)'"
    case .writableByOthers(let path, let mode, true):
      "store '\(path)' can be written by others (mode \(FilePermissions.octal(mode_t(mode)))); run 'chmod o-w \(path)', keeping the tools' group write"
    case .temporaryFile(let directory, let reason): "temporary file in '\(directory)': \(reason)"
    case .notAStore(let path, let tables): Store.notAStoreMessage(path: path, foreignTables: tables)
    }
  }
}

extension StoreError: LocalizedError {
  package var errorDescription: String? { description }
}

extension StoreError {
  /// Sorts an SQLite failure into the exit status a script can act on.
  static func from(_ error: any Error, path: String, waited: Double, opening: Bool) -> StoreError {
    guard let error = error as? DatabaseError else {
      return .io(path: path, reason: String(describing: error))
    }
    switch error.resultCode {
    case .SQLITE_BUSY, .SQLITE_LOCKED: return .locked(path: path, seconds: waited)
    case .SQLITE_CANTOPEN, .SQLITE_PERM, .SQLITE_READONLY, .SQLITE_NOTADB:
      let reason = error.message ?? "\(error.resultCode)"
      return opening ? .cannotOpen(path: path, reason: reason) : .io(path: path, reason: reason)
    default: return .io(path: path, reason: reason(error, path: path))
    }
  }
}

extension StoreError {
  /// The error a statement that failed in the middle of a run ends it with (exit 74), as the store
  /// reports any failure; the caller adds how far the committed work goes.
  package static func failed(_ error: DatabaseError, path: String) -> StoreError {
    from(error, path: path, waited: 0, opening: false)
  }

  /// SQLite's reason for a failed read or write, with its cause named when the file system holding
  /// the store has run out of space: SQLite says only "disk I/O error" when it cannot grow the
  /// store's shared-memory file, and "database or disk is full" without saying which. An operator
  /// told the disk is full frees space and runs the same input again; one told of an I/O error
  /// suspects the disk.
  static func reason(_ error: DatabaseError, path: String) -> String {
    let reason = error.message ?? "\(error.resultCode)"
    guard error.resultCode == .SQLITE_FULL || error.resultCode == .SQLITE_IOERR, spaceLeft(besides: path) < 1 << 20 else {
      return reason
    }
    return "\(reason): the file system holding it has no space left; free some space and run again"
  }

  /// The bytes an unprivileged process may still write on the file system of `path`'s directory;
  /// `Int.max` when that cannot be told.
  private static func spaceLeft(besides path: String) -> Int {
    let directory = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
    var info = statvfs()
    guard statvfs(directory.isEmpty ? "/" : directory, &info) == 0 else { return Int.max }
    return Int(info.f_bavail) * Int(info.f_frsize)
  }
}
