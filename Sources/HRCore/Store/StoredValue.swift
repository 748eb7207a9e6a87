import GRDB

#if canImport(GRDBSQLite)
import GRDBSQLite
#elseif canImport(SQLite3)
import SQLite3
#endif

/// A value in the store that does not read back as its type: a date outside years 1000–9999
/// (written by an earlier version of hr), or a cell edited by hand.
///
/// GRDB's `row[…]` subscripts stop the process on such a value, taking every tool that reads the
/// record down with it; read through `Row.stored`, it is an error for the line that needs the
/// record (`unreadable_record`) or for the run (exit 74), naming the record.
package struct StoredValueError: Error, Sendable, Equatable, CustomStringConvertible {
  package let table: String
  package let column: String
  /// The stored value as SQL shows it: `'10000-01-07'`, `NULL`, `3`.
  package let value: String
  /// What the column must hold: `a date YYYY-MM-DD in years 1000–9999`.
  package let expected: String
  package let recordNo: String?

  package var description: String {
    let record = recordNo.map { "record '\($0)': " } ?? ""
    return "\(record)stored \(table).\(column) \(value) is not \(expected); correct or restore the store"
  }
}

extension Row {
  /// The value at `index` as `T`, or a `StoredValueError` naming the record, table and column.
  func stored<T: DatabaseValueConvertible>(
    _ index: Int, in table: String, record recordNo: String?
  ) throws(StoredValueError) -> T {
    let value: DatabaseValue = self[index]
    guard let decoded = T.fromDatabaseValue(value) else {
      let columns = Array(columnNames)
      throw StoredValueError(
        table: table, column: index < columns.count ? columns[index] : "#\(index)", value: Row.sqlText(value),
        expected: Row.expectation(T.self), recordNo: recordNo)
    }
    return decoded
  }

  /// The value of `column` as `T`, or a `StoredValueError` naming the record, table and column.
  func stored<T: DatabaseValueConvertible>(
    _ column: String, in table: String, record recordNo: String?
  ) throws(StoredValueError) -> T {
    guard hasColumn(column) else {
      if let missing = T.fromMissingColumn() { return missing }
      throw StoredValueError(
        table: table, column: column, value: "(missing)", expected: Row.expectation(T.self), recordNo: recordNo)
    }
    let value: DatabaseValue = self[column]
    guard let decoded = T.fromDatabaseValue(value) else {
      throw StoredValueError(
        table: table, column: column, value: Row.sqlText(value), expected: Row.expectation(T.self), recordNo: recordNo)
    }
    return decoded
  }

  fileprivate static func sqlText(_ value: DatabaseValue) -> String {
    switch value.storage {
    case .null: "NULL"
    case .string(let text): "'\(text)'"
    case .int64(let number): "\(number)"
    case .double(let number): "\(number)"
    case .blob(let data): "a blob of \(data.count) bytes"
    }
  }

  fileprivate static func expectation(_ type: Any.Type) -> String {
    switch type {
    case is LocalDate.Type, is LocalDate?.Type:
      "a date YYYY-MM-DD in years \(LocalDate.years.lowerBound)–\(LocalDate.years.upperBound)"
    case is Bool.Type, is Bool?.Type: "a boolean"
    case is Int.Type, is Int?.Type, is Int64.Type, is Int64?.Type: "an integer"
    case is String.Type, is String?.Type: "text"
    default: "a valid \(type)"
    }
  }
}

extension RawRepresentable where RawValue == String {
  /// The case a stored text names, or a `StoredValueError` naming the record, table and column.
  init(stored text: String, in table: String, column: String, record recordNo: String?) throws(StoredValueError) {
    guard let value = Self(rawValue: text) else {
      throw StoredValueError(table: table, column: column, value: "'\(text)'", expected: "a known \(column)", recordNo: recordNo)
    }
    self = value
  }
}

/// The current row of a prepared statement, read column after column where SQLite holds it, with
/// the checks of `Row.stored`: for the look-ups that read a whole row for every input line, where
/// copying the row into a `Row` first cost more than the look-up.
struct StoredColumns {
  private let statement: SQLiteStatement
  private let table: String
  private let names: [String]
  /// The record the row belongs to, named by an error, once read.
  var recordNo: String?
  private var index: Int32 = 0

  /// Reads the row `statement` stands on, whose columns are `names` of `table`, in that order.
  init(_ statement: SQLiteStatement, table: String, names: [String]) {
    self.statement = statement
    self.table = table
    self.names = names
  }

  /// The next column's text as a case of `N`, or a `StoredValueError` when it names none.
  mutating func named<N: RawRepresentable<String>>() throws(StoredValueError) -> N {
    let column = name(of: index)
    let text: String = try next()
    return try N(stored: text, in: table, column: column, record: recordNo)
  }

  /// The next column's text as a case of `N`, nil for NULL, or a `StoredValueError` when it names none.
  mutating func optionalNamed<N: RawRepresentable<String>>() throws(StoredValueError) -> N? {
    let column = name(of: index)
    let text: String? = try next()
    return try text.map { text throws(StoredValueError) in try N(stored: text, in: table, column: column, record: recordNo) }
  }

  /// The next column's value as `T`, or a `StoredValueError` naming the record, table and column.
  mutating func next<T: DatabaseValueConvertible>() throws(StoredValueError) -> T {
    let column = index
    index += 1
    // Text and dates, most of a row, are read straight from SQLite as GRDB reads them: a
    // `DatabaseValue` and GRDB's conversion of an optional, which is not specialised for the
    // type, cost more than the text itself. Anything else goes through GRDB.
    let type = sqlite3_column_type(statement, column)
    if T.self == String.self || T.self == String?.self {
      if type == SQLITE_TEXT, let text = sqlite3_column_text(statement, column), let value = String(cString: text) as? T {
        return value
      }
      if type == SQLITE_NULL, let value = String?.none as? T { return value }
    } else if T.self == LocalDate.self || T.self == LocalDate?.self {
      // A text that is no date goes on to the error below.
      if type == SQLITE_TEXT, let text = sqlite3_column_text(statement, column),
        let date = LocalDate(utf8: UnsafeBufferPointer(start: text, count: Int(sqlite3_column_bytes(statement, column)))),
        let value = date as? T
      {
        return value
      }
      if type == SQLITE_NULL, let value = LocalDate?.none as? T { return value }
    }
    let value = DatabaseValue(sqliteStatement: statement, index: column)
    guard let decoded = T.fromDatabaseValue(value) else {
      throw StoredValueError(
        table: table, column: name(of: column), value: Row.sqlText(value),
        expected: Row.expectation(T.self), recordNo: recordNo)
    }
    return decoded
  }

  /// The name of a column, as an error names it.
  private func name(of column: Int32) -> String {
    Int(column) < names.count ? names[Int(column)] : "#\(column)"
  }
}
