import GRDB

/// Rows a change has just written, each as the column bytes the audit state hashes
/// (`Statement.runCapturing(in:_:)`), handed to the audit append so that it need not read them back;
/// and the units it updated without holding their rows, which the append reads back.
package struct StateRows {
  /// The units handed over, each with its rows.
  private(set) var units: [(table: String, key: DatabaseValue, rows: [[UInt8]])] = []
  /// The units updated whose rows the append reads back (``StateDigest/handOverUpdates(of:in:)``).
  private(set) var updated: [(table: String, key: DatabaseValue)] = []

  /// No rows yet.
  package init() {}

  /// Adds a row of the unit `key` of `table`; the rows of a unit are added in the order the
  /// table's digest reads them (for `identifier`, by kind, then value).
  package mutating func add(_ row: [UInt8], table: String, key: DatabaseValue) {
    if let index = units.firstIndex(where: { $0.table == table && $0.key == key }) {
      units[index].rows.append(row)
    } else {
      units.append((table, key, [row]))
    }
  }

  /// Adds the row just inserted into or updated in `table`, keyed by an integer rowid: the key, then
  /// the other columns as the insert bound and captured them (``Statement/runCapturing(in:_:)``) or
  /// as ``Bindings/captured(_:)`` gives them, as the table's digest reads them.
  package mutating func addRow(into table: String, key: Int64, columns: [UInt8]) {
    var row: [UInt8] = []
    row.reserveCapacity(9 + columns.count)
    StateDigest.appendInteger(key, to: &row)
    row.append(contentsOf: columns)
    add(row, table: table, key: key.databaseValue)
  }

  /// Notes that the unit `key` of `table` was just updated, on a connection where no trigger notes
  /// it (``StateDigest/handOverUpdates(of:in:)``): the audit append reads its rows back.
  package mutating func noteUpdate(of table: String, key: DatabaseValue) {
    if !updated.contains(where: { $0.table == table && $0.key == key }) { updated.append((table, key)) }
  }

  /// The rows handed over for a unit, or nil when the unit was not.
  func rows(of table: String, key: DatabaseValue) -> [[UInt8]]? {
    units.first { $0.table == table && $0.key == key }?.rows
  }
}
