import GRDB

/// The conditions of a listing's WHERE clause and the arguments of their placeholders, built from
/// the filters a caller gave, so that each optional filter is one line: its condition and its value.
struct SQLConditions {
  private var clauses: [String] = []
  /// The arguments of every placeholder, in the order of the conditions.
  private(set) var arguments = StatementArguments()

  /// The conditions joined with AND; `1`, which every row meets, when there are none.
  var sql: String { clauses.isEmpty ? "1" : clauses.joined(separator: " AND ") }

  /// Adds `clause`, whose placeholders take `values` in order.
  mutating func add(_ clause: String, _ values: any DatabaseValueConvertible...) {
    clauses.append(clause)
    arguments += StatementArguments(values)
  }

  /// Adds `clause` when `value` was given, with the value in each of its placeholders; a filter
  /// left out adds nothing.
  mutating func add(_ clause: String, ifGiven value: (any DatabaseValueConvertible)?) {
    guard let value else { return }
    clauses.append(clause)
    arguments += StatementArguments(Array(repeating: value, count: clause.count(where: { $0 == "?" })))
  }
}
