import GRDB

/// A trigger that the schema gives the store and that is no longer there as the schema wrote it.
package struct MissingTrigger: Equatable, Sendable {
  /// The trigger's name, e.g. `audit_event_no_update`.
  package let name: String
  /// The table it guards.
  package let table: String
  /// Whether a trigger of that name is there with other SQL, rather than gone.
  package let changed: Bool

  /// For people: what is missing and what the store no longer refuses.
  package var message: String {
    let what = changed ? "was replaced by another trigger of the same name" : "is missing"
    return "append-only trigger '\(name)' on \(table) \(what): the store no longer refuses that change to \(table)"
  }
}

/// The triggers by which the store refuses to modify the audit trail and the append-only tables
/// (hr(7) AUDIT TRAIL; 第二十五条): `hr-audit verify` checks that every one is in place.
package enum AppendOnlyGuards {
  /// The triggers the schema created, up to the store's last migration, that the store no longer
  /// holds with the same SQL (compared with runs of white space folded), in name order.
  ///
  /// What "the schema created" means is read from an empty database migrated in memory up to the
  /// same migration as the store, so the list is never written out a second time and a later
  /// migration's triggers are checked as soon as a store has them.
  package static func missing(in db: Database) throws -> [MissingTrigger] {
    let migrator = Store.migrator
    let applied = try migrator.appliedIdentifiers(db)
    guard let last = migrator.migrations.last(where: applied.contains) else { return [] }
    let reference = try DatabaseQueue()
    try migrator.migrate(reference, upTo: last)
    let expected = try reference.read { try triggers(in: $0) }
    let present = try triggers(in: db)
    var missing: [MissingTrigger] = []
    for (name, trigger) in expected.sorted(by: { $0.key < $1.key }) {
      guard let found = present[name] else {
        missing.append(MissingTrigger(name: name, table: trigger.table, changed: false))
        continue
      }
      if found != trigger { missing.append(MissingTrigger(name: name, table: trigger.table, changed: true)) }
    }
    return missing
  }

  private struct Trigger: Equatable {
    let table: String
    let sql: String
  }

  /// The triggers of the main schema, by name, with their SQL's white space folded.
  private static func triggers(in db: Database) throws -> [String: Trigger] {
    var result: [String: Trigger] = [:]
    let rows = try Row.fetchCursor(db, sql: "SELECT name, tbl_name, sql FROM main.sqlite_master WHERE type = 'trigger'")
    while let row = try rows.next() {
      let sql: String = row[2] ?? ""
      result[row[0]] = Trigger(table: row[1], sql: sql.split(whereSeparator: \.isWhitespace).joined(separator: " "))
    }
    return result
  }
}
