import GRDB
import HRLines

#if canImport(GRDBSQLite)
import GRDBSQLite
#elseif canImport(SQLite3)
import SQLite3
#endif

/// The current row of the verifying statement, read in place: the hashed fields are the bytes
/// SQLite holds for the row, with no copy and no `String`.
struct StoredEventRow: AuditHashFields {
  let statement: SQLiteStatement
  /// The columns that hold NULL, one bit each.
  private let nulls: UInt16
  /// Whether every column holds the storage type the writer gives it (read before any text, as
  /// reading text may convert the value).
  let typesAsWritten: Bool

  /// Columns 4 (`org`), 6 (`record_no`) and 11 (`state`) may be NULL.
  private static var nullableColumns: UInt16 { 1 << 4 | 1 << 6 | 1 << 11 }

  init(statement: SQLiteStatement) {
    self.statement = statement
    var nulls: UInt16 = 0
    var fine = sqlite3_column_type(statement, 0) == SQLITE_INTEGER
    for column in Int32(1)...11 {
      let type = sqlite3_column_type(statement, column)
      if type == SQLITE_NULL {
        nulls |= 1 << UInt16(column)
      } else if type != SQLITE_TEXT {
        fine = false
      }
    }
    self.nulls = nulls
    typesAsWritten = fine && nulls & ~Self.nullableColumns == 0
  }

  /// The column of each field in the verifying statement.
  private static func column(_ field: AuditHashField) -> Int32 {
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

  var seq: Int { Int(sqlite3_column_int64(statement, 0)) }

  var hasState: Bool { nulls & 1 << 11 == 0 }

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
      let type = sqlite3_column_type(statement, Int32(index))
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

  /// The stored text of a field; empty for NULL. Valid until the cursor moves on.
  func bytes(of field: AuditHashField) -> UnsafeBufferPointer<UInt8> {
    bytes(column: Self.column(field))
  }

  /// The bytes `AuditEvent.writeHashInput` gives for this row, copied straight from the row into
  /// `scratch` (made larger when needed), and their count; nil when a text field holds a byte the
  /// JSON writer escapes, which that function then writes.
  func writeUnescapedHashInput(into scratch: inout UnsafeMutableRawBufferPointer) -> Int? {
    var needed = 192
    for column in Int32(1)...11 { needed += Int(sqlite3_column_bytes(statement, column)) }
    if scratch.count < needed {
      scratch.deallocate()
      scratch = .allocate(byteCount: 2 * needed, alignment: 1)
    }
    let base = scratch.baseAddress!.assumingMemoryBound(to: UInt8.self)
    var at = 0
    func raw(_ column: Int32) {
      let text = sqlite3_column_text(statement, column)
      let count = Int(sqlite3_column_bytes(statement, column))
      if let text, count > 0 { (base + at).update(from: text, count: count) }
      at += count
    }
    func literal(_ text: StaticString) {
      (base + at).update(from: text.utf8Start, count: text.utf8CodeUnitCount)
      at += text.utf8CodeUnitCount
    }
    func string(_ column: Int32) -> Bool {
      if nulls & 1 << UInt16(column) != 0 {
        literal("null")
        return true
      }
      let text = sqlite3_column_text(statement, column)
      let count = Int(sqlite3_column_bytes(statement, column))
      base[at] = UInt8(ascii: "\"")
      if let text {
        for index in 0..<count {
          let byte = text[index]
          if byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { return false }
          base[at + 1 + index] = byte
        }
      }
      base[at + 1 + count] = UInt8(ascii: "\"")
      at += count + 2
      return true
    }
    raw(9)
    literal(#"{"action":"#)
    guard string(5) else { return nil }
    literal(#","at":"#)
    guard string(1) else { return nil }
    literal(#","detail":"#)
    raw(8)
    literal(#","operator":"#)
    guard string(2) else { return nil }
    literal(#","org":"#)
    guard string(4) else { return nil }
    literal(#","outcome":"#)
    guard string(7) else { return nil }
    literal(#","record_no":"#)
    guard string(6) else { return nil }
    literal(#","role":"#)
    guard string(3) else { return nil }
    literal(#","seq":"#)
    var value = seq
    guard value > 0 else { return nil }
    var digits = 0
    var rest = value
    while rest > 0 {
      digits += 1
      rest /= 10
    }
    for position in stride(from: at + digits - 1, through: at, by: -1) {
      base[position] = UInt8(ascii: "0") + UInt8(value % 10)
      value /= 10
    }
    at += digits
    if hasState {
      literal(#","state":"#)
      raw(11)
    }
    literal("}")
    return at
  }

  /// The stored text of the `hash` column.
  var storedHash: UnsafeBufferPointer<UInt8> { bytes(column: 10) }

  private func bytes(column: Int32) -> UnsafeBufferPointer<UInt8> {
    // sqlite3_column_text before sqlite3_column_bytes, as SQLite asks, so the length is that of the text.
    let text = sqlite3_column_text(statement, column)
    let count = Int(sqlite3_column_bytes(statement, column))
    return UnsafeBufferPointer(start: text, count: text == nil ? 0 : count)
  }

  func appendString(_ field: AuditHashField, to buffer: inout [UInt8]) {
    if nulls & 1 << UInt16(Self.column(field)) != 0 {
      buffer.append(contentsOf: "null".utf8)
    } else {
      JSONWriter.writeString(utf8: bytes(of: field), to: &buffer)
    }
  }

  func appendRaw(_ field: AuditHashField, to buffer: inout [UInt8]) {
    buffer.append(contentsOf: bytes(of: field))
  }
}
