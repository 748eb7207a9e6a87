import GRDB

/// A record that GRDB fetches through its `Decodable` conformance, each value read through
/// `Row.stored`: a value that does not read back as its type is a `StoredValueError` naming the
/// record, the table and the column (`unreadable_record`, exit 74), never a trap.
///
/// The cold paths read rows this way, by column name. The hot paths (the `hr-create` loop, the
/// de-identified scan, the metrics) read by position, by hand: the generic coding converts a name
/// to a column for every value of every row.
package protocol StoredRecord: FetchableRecord, Decodable {
  /// The table the rows come from, as the error names it.
  static var storedTable: String { get }
  /// The column that holds the number of the record a row belongs to, as the error names it; nil
  /// for rows that belong to no record.
  static var recordColumn: String? { get }
}

extension StoredRecord {
  /// Rows belong to a record by their `record_no`, unless a record type says otherwise.
  package static var recordColumn: String? { "record_no" }

  /// Decodes a row by column name; the first value that does not read back is a `StoredValueError`.
  package init(row: Row) throws {
    let recordNo: String? = try Self.recordColumn.flatMap { column throws(StoredValueError) in
      try row.stored(column, in: Self.storedTable, record: nil)
    }
    try self.init(from: StoredRowDecoder(row: row, table: Self.storedTable, recordNo: recordNo))
  }
}

/// Reads a row's columns for a `Decodable` record: a key names the column of the same name in
/// snake case (`enteredOn` is `entered_on`, `serviceID` is `service_id`); a key that names none
/// decodes a nested value from the same row (`Transfer.consent` from `consent_method` and `consent_ref`).
private struct StoredRowDecoder: Decoder {
  let row: Row
  let table: String
  let recordNo: String?
  /// The position of each of the row's columns, by name: looked up once per row rather than by a
  /// search through the names for every value.
  let positions: [String: Int]

  init(row: Row, table: String, recordNo: String?) {
    self.row = row
    self.table = table
    self.recordNo = recordNo
    var positions: [String: Int] = [:]
    positions.reserveCapacity(row.count)
    for (index, name) in row.columnNames.enumerated() where positions[name] == nil { positions[name] = index }
    self.positions = positions
  }

  var codingPath: [any CodingKey] { [] }
  var userInfo: [CodingUserInfoKey: Any] { [:] }

  func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
    KeyedDecodingContainer(Columns<Key>(decoder: self))
  }

  func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
    throw unsupported("a list")
  }

  func singleValueContainer() throws -> any SingleValueDecodingContainer {
    throw unsupported("a single value")
  }

  func unsupported(_ what: String) -> DecodingError {
    .typeMismatch(Row.self, .init(codingPath: [], debugDescription: "a row of \(table) is not \(what)"))
  }

  /// The column `key` names, as `V`.
  func value<V: DatabaseValueConvertible>(_ key: some CodingKey) throws(StoredValueError) -> V {
    let column = Self.column(key)
    if let index = positions[column] { return try row.stored(index, in: table, record: recordNo) }
    return try row.stored(column, in: table, record: recordNo)
  }

  /// Whether the row has the column `column`, and its value is NULL when it has.
  func isNull(_ column: String) -> Bool? {
    if let index = positions[column] { return (row[index] as DatabaseValue).isNull }
    guard row.hasColumn(column) else { return nil }
    return (row[column] as DatabaseValue).isNull
  }

  /// The column of a key: an underscore before each capital that follows a small letter or a
  /// digit, then all in small letters (keys are Swift names in ASCII).
  static func column(_ key: some CodingKey) -> String {
    var column: [UInt8] = []
    column.reserveCapacity(key.stringValue.utf8.count + 4)
    var previous: UInt8 = 0
    for byte in key.stringValue.utf8 {
      let capital = (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
      if capital,
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(previous) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(previous)
      {
        column.append(UInt8(ascii: "_"))
      }
      column.append(capital ? byte + 32 : byte)
      previous = byte
    }
    return String(decoding: column, as: UTF8.self)
  }

  struct Columns<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: StoredRowDecoder

    var codingPath: [any CodingKey] { [] }
    /// Not listed: the records decode the keys they declare.
    var allKeys: [Key] { [] }

    func contains(_ key: Key) -> Bool { decoder.isNull(StoredRowDecoder.column(key)) != nil }

    func decodeNil(forKey key: Key) throws -> Bool { decoder.isNull(StoredRowDecoder.column(key)) ?? true }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try decoder.value(key) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try decoder.value(key) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try decoder.value(key) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try decoder.value(key) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try decoder.value(key) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try decoder.value(key) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try decoder.value(key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try decoder.value(key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try decoder.value(key) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try decoder.value(key) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try decoder.value(key) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try decoder.value(key) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try decoder.value(key) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try decoder.value(key) }

    /// A named case (`RawRepresentable` by text) is read as its text and must be a known case; a
    /// database value as itself; any other `Decodable` from the same row.
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
      if let named = T.self as? any RawRepresentable<String>.Type {
        return try decodeNamed(named, key)
      }
      if let convertible = T.self as? any DatabaseValueConvertible.Type {
        return try decodeValue(convertible, key)
      }
      return try T(from: decoder)
    }

    private func decodeNamed<N: RawRepresentable<String>, T>(_: N.Type, _ key: Key) throws -> T {
      let text: String = try decoder.value(key)
      let named = try N(stored: text, in: decoder.table, column: StoredRowDecoder.column(key), record: decoder.recordNo)
      guard let value = named as? T else { throw decoder.unsupported("a \(T.self)") }
      return value
    }

    private func decodeValue<V: DatabaseValueConvertible, T>(_: V.Type, _ key: Key) throws -> T {
      let decoded: V = try decoder.value(key)
      guard let value = decoded as? T else { throw decoder.unsupported("a \(T.self)") }
      return value
    }

    func nestedContainer<NestedKey: CodingKey>(
      keyedBy type: NestedKey.Type, forKey key: Key
    ) throws -> KeyedDecodingContainer<NestedKey> {
      try decoder.container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
      throw decoder.unsupported("a list")
    }

    func superDecoder() throws -> any Decoder { decoder }
    func superDecoder(forKey key: Key) throws -> any Decoder { decoder }
  }
}
