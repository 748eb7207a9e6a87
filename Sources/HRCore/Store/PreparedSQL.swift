import GRDB

#if canImport(GRDBSQLite)
import GRDBSQLite
#elseif canImport(SQLite3)
import SQLite3
#endif

/// The SQL of a statement that every input line runs, found again by this value's identity
/// rather than by its text.
///
/// GRDB's `cachedStatement(sql:)` finds a statement by hashing its SQL: 1,000 to 3,000
/// instructions for the statements of a line (a record has 31 columns), several times a line.
/// Within a tool's writing (``StatementShelf/keeping(on:_:)``) the statement is kept on a shelf
/// under this value; anywhere else it is GRDB's cached one.
package final class PreparedSQL: Sendable {
  package let sql: String

  package init(_ sql: String) {
    self.sql = sql
  }

  /// The statement prepared for this SQL on `db`'s connection.
  package func statement(in db: Database) throws -> Statement {
    guard let shelf = StatementShelf.current, shelf.connection == db.sqliteConnection else {
      return try db.cachedStatement(sql: sql)
    }
    if let statement = shelf.statements[ObjectIdentifier(self)] { return statement }
    let statement = try db.cachedStatement(sql: sql)
    shelf.statements[ObjectIdentifier(self)] = statement
    return statement
  }
}

/// The statements of ``PreparedSQL`` values prepared during one of a tool's writes, on its connection.
///
/// It is reached only from the closure it is bound for (``Store/writeWithoutTransaction(_:)``), on
/// the thread that runs it, and dropped when the closure returns, while the connection is still
/// open and GRDB's cache still holds the same statements. SQLite prepares a statement again by
/// itself if the schema changes meanwhile.
package final class StatementShelf: @unchecked Sendable {
  /// The shelf of the write in progress on this thread, if any.
  @TaskLocal static var current: StatementShelf?

  fileprivate let connection: SQLiteConnection?
  fileprivate var statements: [ObjectIdentifier: Statement] = [:]

  private init(connection: SQLiteConnection?) {
    self.connection = connection
  }

  /// Runs `body` with a shelf for the statements it prepares on `db`.
  package static func keeping<T>(on db: Database, _ body: () throws -> T) rethrows -> T {
    try $current.withValue(StatementShelf(connection: db.sqliteConnection), operation: body)
  }
}
