import GRDB

extension Store {
  /// Refuses a database that is no hr store (`StoreError.notAStore`): one with none of the
  /// toolkit's migrations and tables of its own, or one whose migrations are another program's;
  /// an empty one unless `creating`. Returns `applied`.
  ///
  /// The migrations table alone is not foreign: a process creating the store makes it first, and
  /// commits each migration with its tables, so tables seen imply their migration is applied.
  static func refuseNonStore(_ db: Database, path: String, applied: Set<String>, creating: Bool) throws -> Set<String> {
    if let first = migrator.migrations.first, applied.contains(first) { return applied }
    let tables = try String.fetchAll(
      db,
      sql: """
        SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND substr(name, 1, 7) <> 'sqlite_'
          AND name <> 'grdb_migrations' ORDER BY name
        """)
    let foreign = tables.isEmpty && !applied.isEmpty ? ["grdb_migrations"] : tables
    if !foreign.isEmpty || !creating { throw StoreError.notAStore(path: path, foreignTables: foreign) }
    return applied
  }

  /// The message of `StoreError.notAStore`.
  static func notAStoreMessage(path: String, foreignTables tables: [String]) -> String {
    guard !tables.isEmpty else {
      return "store '\(path)' is an empty database, not an hr store; only hr-create creates a store"
    }
    let named = tables.prefix(5).map { "'\($0)'" }.joined(separator: ", ")
    return "'\(path)' is not an hr store: it holds the tables of another program (\(named)); name the hr store"
  }
}
