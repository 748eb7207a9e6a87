import Foundation
import GRDB

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
    let directory = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
    var info = statvfs()
    guard statvfs(directory.isEmpty ? "/" : directory, &info) == 0 else { return Int.max }
    return Int(info.f_bavail) * Int(info.f_frsize)
  }
}
