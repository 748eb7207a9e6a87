import Foundation
import GRDB

#if canImport(GRDBSQLite)
import GRDBSQLite
#elseif canImport(SQLite3)
import SQLite3
#endif

/// The parameters of a prepared statement, bound one after the other straight to SQLite.
///
/// The statements every input line runs (a record and its identifiers, a service, an audit event)
/// would otherwise build an argument array and box each value for every line, which cost more than
/// SQLite's own work of inserting the row.
package struct Bindings {
  /// The statement bound, or nil when the values are only captured (``captured(_:)``).
  fileprivate let statement: SQLiteStatement?
  fileprivate var index: Int32 = 0
  /// The values bound so far as the audit state hashes a stored row's columns, when the caller
  /// asked for them (`runCapturing(in:_:)`).
  fileprivate var row: [UInt8] = []
  fileprivate var capturing = false
  /// Where bound text is copied for SQLite to read in place until the statement is reset and its
  /// bindings cleared (``Statement/withBindings(capturing:_:_:)``), rather than SQLite allocating a
  /// copy of each value and freeing it at the next binding; text that does not fit is copied by
  /// SQLite.
  fileprivate var scratch = UnsafeMutableRawBufferPointer(start: nil, count: 0)
  fileprivate var scratchUsed = 0

  /// Binds text, or NULL.
  package mutating func text(_ value: String?) {
    index += 1
    if var value {
      value.withUTF8 { bytes in
        // SQLite keeps text up to its first zero byte, as it does for text bound with length -1.
        var kept = bytes
        if let base = bytes.baseAddress, let zero = memchr(base, 0, bytes.count) {
          kept = UnsafeBufferPointer(start: base, count: UnsafeRawPointer(zero) - UnsafeRawPointer(base))
        }
        if let statement, let start = kept.baseAddress, !kept.isEmpty {
          if let base = scratch.baseAddress, kept.count <= scratch.count - scratchUsed {
            let copy = base + scratchUsed
            copy.copyMemory(from: start, byteCount: kept.count)
            scratchUsed += kept.count
            sqlite3_bind_text(statement, index, copy.assumingMemoryBound(to: CChar.self), Int32(kept.count), nil)
          } else {
            sqlite3_bind_text(
              statement, index, UnsafeRawPointer(start).assumingMemoryBound(to: CChar.self), Int32(kept.count),
              sqliteTransient)
          }
        } else if let statement {
          // A null pointer would bind NULL.
          sqlite3_bind_text(statement, index, "", 0, sqliteTransient)
        }
        if capturing { StateDigest.appendText(kept, to: &row) }
      }
    } else {
      if let statement { sqlite3_bind_null(statement, index) }
      if capturing { row.append(UInt8(ascii: "n")) }
    }
  }

  /// Binds an integer, or NULL.
  package mutating func integer(_ value: Int?) {
    index += 1
    if let value {
      if let statement { sqlite3_bind_int64(statement, index, Int64(value)) }
      if capturing { StateDigest.appendInteger(Int64(value), to: &row) }
    } else {
      if let statement { sqlite3_bind_null(statement, index) }
      if capturing { row.append(UInt8(ascii: "n")) }
    }
  }

  /// Binds a flag as 1 or 0, as GRDB stores a `Bool`.
  package mutating func bool(_ value: Bool) { integer(value ? 1 : 0) }

  /// Binds a date as its `YYYY-MM-DD` text, as `LocalDate` is stored, or NULL.
  package mutating func date(_ value: LocalDate?) { text(value?.description) }

  /// The values `bind` gives, as the audit state hashes a stored row's columns, without a
  /// statement: the row an UPDATE has left behind, when the caller knows every column of it
  /// (``ResidentRecord/handOver(to:)``).
  static func captured(_ bind: (inout Bindings) -> Void) -> [UInt8] {
    var bindings = Bindings(statement: nil, capturing: true)
    bindings.row.reserveCapacity(512)
    bind(&bindings)
    return bindings.row
  }
}

/// SQLite copies the bound text, which lives only for the call.
let sqliteTransient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)

extension Statement {
  /// Binds every parameter through `bind` and runs the statement to its end, as `execute` does
  /// but without an argument array; a failure is the `DatabaseError` `execute` would throw.
  package func run(in db: Database, _ bind: (inout Bindings) -> Void) throws {
    _ = try runToEnd(in: db, capturing: false, bind)
  }

  /// Runs the statement as `run(in:_:)` does and returns the bound values as the audit state
  /// hashes the columns of a stored row (``StateDigest``), for an INSERT that binds every column of
  /// a covered table in the table's order, each with the type its column stores unchanged (text
  /// for a TEXT column, an integer for an INTEGER one).
  package func runCapturing(in db: Database, _ bind: (inout Bindings) -> Void) throws -> [UInt8] {
    try runToEnd(in: db, capturing: true, bind)
  }

  /// Binds every parameter through `bind` and steps the statement to its end, returning what the
  /// bindings captured.
  private func runToEnd(in db: Database, capturing: Bool, _ bind: (inout Bindings) -> Void) throws -> [UInt8] {
    try withBindings(capturing: capturing, bind) { raw, bindings in
      var code = sqlite3_step(raw)
      while code == SQLITE_ROW { code = sqlite3_step(raw) }
      guard code == SQLITE_DONE else { throw failure(code, in: db) }
      return bindings.row
    }
  }

  /// Binds every parameter through `bind`, steps to the first row and returns what `read` makes
  /// of it, or nil when there is none.
  package func first<T>(
    in db: Database, _ bind: (inout Bindings) -> Void, read: (SQLiteStatement) throws -> T
  ) throws -> T? {
    try withBindings(capturing: false, bind) { raw, _ in
      let code = sqlite3_step(raw)
      if code == SQLITE_ROW { return try read(raw) }
      guard code == SQLITE_DONE else { throw failure(code, in: db) }
      return nil
    }
  }

  /// Binds every parameter through `bind`, steps through every row and returns what `read`
  /// makes of each, in order.
  package func all<T>(
    in db: Database, _ bind: (inout Bindings) -> Void, read: (SQLiteStatement) throws -> T
  ) throws -> [T] {
    try withBindings(capturing: false, bind) { raw, _ in
      var rows: [T] = []
      while true {
        let code = sqlite3_step(raw)
        if code == SQLITE_DONE { return rows }
        guard code == SQLITE_ROW else { throw failure(code, in: db) }
        rows.append(try read(raw))
      }
    }
  }

  /// Resets the statement, binds every parameter through `bind` and runs `body` on it; then resets
  /// it and clears its bindings, whose text may lie in space on the stack that `body` outlives.
  private func withBindings<T>(
    capturing: Bool, _ bind: (inout Bindings) -> Void, _ body: (SQLiteStatement, inout Bindings) throws -> T
  ) throws -> T {
    // The text of a record's or an event's parameters takes a few hundred bytes.
    try withUnsafeTemporaryAllocation(byteCount: 1024, alignment: 1) { scratch in
      let raw = sqliteStatement
      sqlite3_reset(raw)
      defer {
        sqlite3_reset(raw)
        sqlite3_clear_bindings(raw)
      }
      var bindings = Bindings(statement: raw, capturing: capturing, scratch: scratch)
      if capturing { bindings.row.reserveCapacity(512) }
      bind(&bindings)
      assert(bindings.index == sqlite3_bind_parameter_count(raw), "every parameter is bound")
      return try body(raw, &bindings)
    }
  }

  /// The error of a failed step, with SQLite's message, before the statement is reset.
  private func failure(_ code: Int32, in db: Database) -> DatabaseError {
    let error = DatabaseError(
      resultCode: ResultCode(rawValue: sqlite3_extended_errcode(db.sqliteConnection)),
      message: String(cString: sqlite3_errmsg(db.sqliteConnection)), sql: sql)
    sqlite3_reset(sqliteStatement)
    return error
  }
}

/// The text of a column of the current row, or nil when it is NULL.
package func columnText(_ statement: SQLiteStatement, _ column: Int32) -> String? {
  guard let text = sqlite3_column_text(statement, column) else { return nil }
  return String(cString: text)
}
