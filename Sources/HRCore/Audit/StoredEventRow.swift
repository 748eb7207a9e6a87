import GRDB
import HRLines

#if canImport(GRDBSQLite)
import GRDBSQLite
#elseif canImport(SQLite3)
import SQLite3
#endif

/// A batch of rows of the verifying statement, copied as SQLite gave them into one buffer, so that
/// one thread can step the statement while another hashes the rows it has already stepped.
///
/// Each row is a record of ``StoredEventRow/headerSize`` bytes — `seq`, the storage type of each
/// column, the record's size, and the offset and length of each text column — followed by the
/// columns' bytes; records start on 8-byte boundaries.
final class EventBatch {
  /// The records, one after the other.
  private(set) var base: UnsafeMutableRawPointer
  /// The bytes the buffer holds.
  private(set) var capacity: Int
  /// The bytes written so far.
  private(set) var used = 0
  /// The rows copied so far.
  private(set) var count = 0
  /// The most rows the batch takes, however small they are.
  let events: Int

  init(capacity: Int, events: Int) {
    self.capacity = capacity
    self.events = events
    base = .allocate(byteCount: capacity, alignment: 8)
  }

  deinit { base.deallocate() }

  /// Empties the batch for the next rows.
  func reset() {
    used = 0
    count = 0
  }

  /// Copies rows of `statement` until the batch is full (true: the row stepped last is still to be
  /// copied, into the next batch) or the statement is done (false). `pending` says that the current
  /// row was stepped but not copied yet.
  ///
  /// The counters are kept in locals while copying: a class's stored properties are checked for
  /// exclusive access at each use.
  func fill(from statement: SQLiteStatement, pending: inout Bool, connection: SQLiteConnection?) throws -> Bool {
    var writer = RowWriter(base: base, capacity: capacity, used: used, count: count)
    defer { (base, capacity, used, count) = (writer.base, writer.capacity, writer.used, writer.count) }
    if pending {
      // The batch is empty: the row fits, in a buffer made larger if it must be.
      _ = writer.append(statement)
      pending = false
    }
    while true {
      let code = sqlite3_step(statement)
      if code == SQLITE_DONE { return false }
      guard code == SQLITE_ROW else {
        throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(connection)))
      }
      if writer.count == events || !writer.append(statement) {
        pending = true
        return true
      }
    }
  }
}

/// Copies the current row of the statement at the end of a batch's buffer.
private struct RowWriter {
  var base: UnsafeMutableRawPointer
  var capacity: Int
  var used: Int
  var count: Int

  /// Copies the row and returns true, or returns false when it does not fit and the batch already
  /// holds rows; an empty batch grows to hold any row. A row that does not fit is abandoned where
  /// it stopped: nothing counts until the whole row is written.
  mutating func append(_ statement: SQLiteStatement) -> Bool {
    while true {
      if write(statement) { return true }
      guard count == 0 else { return false }
      base.deallocate()
      capacity *= 2
      base = .allocate(byteCount: capacity, alignment: 8)
    }
  }

  private mutating func write(_ statement: SQLiteStatement) -> Bool {
    let record = base + used
    var at = StoredEventRow.headerSize
    guard used + at <= capacity else { return false }
    let first = sqlite3_column_value(statement, 0)
    var types = UInt64(sqlite3_value_type(first))
    for column in 1...11 {
      // One `sqlite3_column_value` a column, which takes the connection's mutex, rather than a
      // call for the type, one for the text and one for its length, which take it each; the value
      // is read on this thread only, before the statement moves on. Its text is read after its
      // type, since reading text may convert the value, and before its length, as SQLite asks.
      let value = sqlite3_column_value(statement, Int32(column))
      let type = sqlite3_value_type(value)
      types |= UInt64(type) << UInt64(4 * column)
      var length = 0
      if type != SQLITE_NULL, let text = sqlite3_value_text(value) {
        length = Int(sqlite3_value_bytes(value))
        guard used + at + length <= capacity else { return false }
        (record + at).copyMemory(from: text, byteCount: length)
      }
      let entry = 24 + 8 * (column - 1)
      record.storeBytes(of: UInt32(truncatingIfNeeded: at), toByteOffset: entry, as: UInt32.self)
      record.storeBytes(of: UInt32(truncatingIfNeeded: length), toByteOffset: entry + 4, as: UInt32.self)
      at += length
    }
    let size = (at + 7) & ~7
    guard used + size <= capacity else { return false }
    record.storeBytes(of: sqlite3_value_int64(first), as: Int64.self)
    record.storeBytes(of: types, toByteOffset: 8, as: UInt64.self)
    record.storeBytes(of: UInt32(truncatingIfNeeded: size), toByteOffset: 16, as: UInt32.self)
    used += size
    count += 1
    return true
  }
}

/// One row of the verifying statement as a batch holds it: the hashed fields are the bytes SQLite
/// gave for the row, with no `String`.
struct StoredEventRow: AuditHashFields {
  /// The bytes before a record's text: `seq`, the types, the size, then offset and length of each
  /// of the columns 1 to 11.
  static let headerSize = 24 + 8 * 11

  private let record: UnsafeRawPointer
  /// The storage type of each column, four bits each, column 0 lowest.
  private let types: UInt64

  init(record: UnsafeRawPointer) {
    self.record = record
    types = record.load(fromByteOffset: 8, as: UInt64.self)
  }

  /// The bytes the record takes in its batch.
  var size: Int { Int(record.load(fromByteOffset: 16, as: UInt32.self)) }

  var seq: Int { Int(record.load(as: Int64.self)) }

  fileprivate func type(_ column: Int) -> Int32 { Int32(truncatingIfNeeded: types >> UInt64(4 * column) & 0xf) }

  /// `seq` an integer, every other column text, `org`, `record_no` and `state` text or null: the
  /// storage types of every row the writer gives.
  private static let written: UInt64 = {
    var types = UInt64(SQLITE_INTEGER)
    for column in 1...11 { types |= UInt64(SQLITE_TEXT) << UInt64(4 * column) }
    return types
  }()

  /// The columns that may hold NULL (4 `org`, 6 `record_no`, 11 `state`), four bits each.
  private static let nullable: UInt64 = 0xf << 16 | 0xf << 24 | 0xf << 44

  /// Whether every column holds the storage type the writer gives it.
  var typesAsWritten: Bool {
    if types == Self.written { return true }
    // Each nullable column may hold NULL instead of text; nothing else may differ.
    let different = types ^ Self.written
    guard different & ~Self.nullable == 0 else { return false }
    for column in [4, 6, 11] where type(column) != SQLITE_TEXT && type(column) != SQLITE_NULL { return false }
    return true
  }

  /// The column of each field in the verifying statement.
  private static func column(_ field: AuditHashField) -> Int {
    switch field {
    case .at: 1
    case .operatorID: 2
    case .role: 3
    case .org: 4
    case .action: 5
    case .recordNo: 6
    case .outcome: 7
    case .detail: 8
    case .prevHash: 9
    case .state: 11
    }
  }

  var hasState: Bool { type(11) != SQLITE_NULL }

  /// The storage type each column of the verifying statement was written with: text, or text
  /// or null where the writer may leave it out. `seq` is the table's integer primary key.
  private static let storageTypes: [(name: String, nullable: Bool)] = [
    ("seq", false), ("at", false), ("operator", false), ("role", false), ("org", true), ("action", false),
    ("record_no", true), ("outcome", false), ("detail", false), ("prev_hash", false), ("hash", false), ("state", true),
  ]

  /// The first column whose storage type is not the one the writer gives it: its name, the type
  /// found and the type expected.
  func wrongStorageType() -> (String, String, String)? {
    for (index, column) in Self.storageTypes.enumerated() {
      let type = type(index)
      let expected = index == 0 ? SQLITE_INTEGER : SQLITE_TEXT
      if type == expected || (column.nullable && type == SQLITE_NULL) { continue }
      let wanted = index == 0 ? "integer" : column.nullable ? "text or null" : "text"
      return (column.name, Self.typeName(type), wanted)
    }
    return nil
  }

  private static func typeName(_ type: Int32) -> String {
    switch type {
    case SQLITE_INTEGER: "integer"
    case SQLITE_FLOAT: "real"
    case SQLITE_TEXT: "text"
    case SQLITE_BLOB: "blob"
    default: "null"
    }
  }

  /// The stored text of a field; empty for NULL.
  func bytes(of field: AuditHashField) -> UnsafeBufferPointer<UInt8> {
    bytes(column: Self.column(field))
  }

  /// The stored text of the `hash` column.
  var storedHash: UnsafeBufferPointer<UInt8> { bytes(column: 10) }

  fileprivate func bytes(column: Int) -> UnsafeBufferPointer<UInt8> {
    let entry = 24 + 8 * (column - 1)
    let offset = Int(record.load(fromByteOffset: entry, as: UInt32.self))
    let count = Int(record.load(fromByteOffset: entry + 4, as: UInt32.self))
    return UnsafeBufferPointer(start: (record + offset).assumingMemoryBound(to: UInt8.self), count: count)
  }

  /// The bytes `AuditEvent.writeHashInput` gives for this row, copied straight from the record
  /// into `scratch` (made larger when needed), and their count; nil when a text field holds a byte
  /// the JSON writer escapes, which that function then writes.
  func writeUnescapedHashInput(into scratch: inout UnsafeMutableRawBufferPointer) -> Int? {
    let needed = 192 + size
    if scratch.count < needed {
      scratch.deallocate()
      scratch = .allocate(byteCount: 2 * needed, alignment: 1)
    }
    var input = HashInputWriter(base: scratch.baseAddress!.assumingMemoryBound(to: UInt8.self))
    input.raw(bytes(column: 9))
    input.literal(#"{"action":"#)
    guard input.string(self, column: 5) else { return nil }
    input.literal(#","at":"#)
    guard input.string(self, column: 1) else { return nil }
    input.literal(#","detail":"#)
    input.raw(bytes(column: 8))
    input.literal(#","operator":"#)
    guard input.string(self, column: 2) else { return nil }
    input.literal(#","org":"#)
    guard input.string(self, column: 4) else { return nil }
    input.literal(#","outcome":"#)
    guard input.string(self, column: 7) else { return nil }
    input.literal(#","record_no":"#)
    guard input.string(self, column: 6) else { return nil }
    input.literal(#","role":"#)
    guard input.string(self, column: 3) else { return nil }
    input.literal(#","seq":"#)
    guard seq > 0 else { return nil }
    input.decimal(seq)
    if hasState {
      input.literal(#","state":"#)
      input.raw(bytes(column: 11))
    }
    input.literal("}")
    return input.at
  }

  /// Writes the hash input of a row whose text needs no escaping, at `base`. A struct rather than
  /// local functions over a captured position, whose every use would be checked for exclusive
  /// access at run time.
  private struct HashInputWriter {
    let base: UnsafeMutablePointer<UInt8>
    var at = 0

    mutating func raw(_ text: UnsafeBufferPointer<UInt8>) {
      if let source = text.baseAddress, !text.isEmpty { (base + at).update(from: source, count: text.count) }
      at += text.count
    }

    @inline(__always) mutating func literal(_ text: StaticString) {
      (base + at).update(from: text.utf8Start, count: text.utf8CodeUnitCount)
      at += text.utf8CodeUnitCount
    }

    /// The column's text as a JSON string, or `null`; false when the text needs escaping.
    mutating func string(_ row: StoredEventRow, column: Int) -> Bool {
      if row.type(column) == SQLITE_NULL {
        literal("null")
        return true
      }
      let text = row.bytes(column: column)
      guard !StoredEventRow.needsEscaping(text) else { return false }
      base[at] = UInt8(ascii: "\"")
      at += 1
      raw(text)
      base[at] = UInt8(ascii: "\"")
      at += 1
      return true
    }

    /// A positive integer in decimal.
    mutating func decimal(_ number: Int) {
      var digits = 1
      var rest = number / 10
      while rest > 0 {
        digits += 1
        rest /= 10
      }
      var value = number
      for position in stride(from: at + digits - 1, through: at, by: -1) {
        base[position] = UInt8(ascii: "0") + UInt8(value % 10)
        value /= 10
      }
      at += digits
    }
  }

  /// Whether the text holds a byte the JSON writer escapes: a control character, `"` or `\\`.
  /// Eight bytes at a time, the last word overlapping the one before it.
  fileprivate static func needsEscaping(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
    guard let start = text.baseAddress else { return false }
    let count = text.count
    guard count >= 8 else {
      for byte in text where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { return true }
      return false
    }
    let ones: UInt64 = 0x0101_0101_0101_0101
    let highs: UInt64 = 0x8080_8080_8080_8080
    func special(_ word: UInt64) -> Bool {
      // A byte below 0x20, or one that the XOR with `"` or `\` turns to zero (the classic
      // "has a zero byte" test, exact for the word as a whole).
      let below = (word &- ones &* 0x20) & ~word
      let quote = word ^ (ones &* 0x22)
      let backslash = word ^ (ones &* 0x5c)
      return (below | (quote &- ones) & ~quote | (backslash &- ones) & ~backslash) & highs != 0
    }
    let raw = UnsafeRawPointer(start)
    var offset = 0
    while offset + 8 <= count {
      if special(raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) { return true }
      offset += 8
    }
    return offset < count && special(raw.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self))
  }

  func appendString(_ field: AuditHashField, to buffer: inout [UInt8]) {
    if type(Self.column(field)) == SQLITE_NULL {
      buffer.append(contentsOf: "null".utf8)
    } else {
      JSONWriter.writeString(utf8: bytes(of: field), to: &buffer)
    }
  }

  func appendRaw(_ field: AuditHashField, to buffer: inout [UInt8]) {
    buffer.append(contentsOf: bytes(of: field))
  }
}
