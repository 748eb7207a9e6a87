import Foundation
import GRDB

/// Changes to the schema that make the tools' writes cheaper without changing a rule.
extension Store {
  /// The CHECK constraints that list three or more values, as the first migrations wrote them, and
  /// the same rules as comparisons joined by OR.
  ///
  /// SQLite evaluates `x IN ('a', 'b', 'c')` by building a temporary index of the list every time
  /// a statement checks a row, which cost the tools more than writing the row itself: every record
  /// created, every audit event, every change of a record's status. A comparison per value costs
  /// nothing of the kind, and accepts and refuses exactly the same values (NULL included).
  static let listedChecks: [(table: String, listed: String, compared: String)] = [
    ("record", "status IN ('active', 'archived', 'purging')", "status = 'active' OR status = 'archived' OR status = 'purging'"),
    (
      "record", "archive_reason IN ('lost', 'deceased', 'moved_out')",
      "archive_reason = 'lost' OR archive_reason = 'deceased' OR archive_reason = 'moved_out'"
    ),
    ("audit_event", "outcome IN ('ok', 'denied', 'rejected')", "outcome = 'ok' OR outcome = 'denied' OR outcome = 'rejected'"),
    (
      "transfer", "status IN ('pending', 'completed', 'rejected', 'cancelled')",
      "status = 'pending' OR status = 'completed' OR status = 'rejected' OR status = 'cancelled'"
    ),
    (
      "archive_event", "action IN ('lost', 'deceased', 'moved_out', 'reactivated', 'death_corrected')",
      "action = 'lost' OR action = 'deceased' OR action = 'moved_out' OR action = 'reactivated' OR action = 'death_corrected'"
    ),
  ]

  /// Rewrites each of ``listedChecks`` in its table's definition without rebuilding the table: every
  /// stored row satisfies the old constraint, so it satisfies the equivalent new one, and SQLite
  /// documents editing the schema's text for changing a CHECK constraint (its page on ALTER TABLE,
  /// "making other kinds of table schema changes"). A store whose definition does not hold the
  /// text expected is not changed and the migration fails, rolling back.
  static func compareInsteadOfListing(_ db: Database) throws {
    var definitions: [String: String] = [:]
    for check in listedChecks {
      guard
        let definition = try definitions[check.table]
          ?? String.fetchOne(
            db, sql: "SELECT sql FROM main.sqlite_master WHERE type = 'table' AND name = ?", arguments: [check.table]),
        let range = definition.range(of: "CHECK (\(check.listed))")
      else {
        throw DatabaseError(message: "the definition of table \(check.table) does not hold CHECK (\(check.listed))")
      }
      definitions[check.table] = definition.replacingCharacters(in: range, with: "CHECK (\(check.compared))")
    }
    for (table, definition) in definitions.sorted(by: { $0.key < $1.key }) {
      try rewriteSchema(db, type: "table", name: table, sql: definition)
    }
  }

  /// Replaces the definition SQLite keeps of a table or index by `sql`, which must describe the
  /// rows it holds as the old one did: nothing is rebuilt.
  static func rewriteSchema(_ db: Database, type: String, name: String, sql: String) throws {
    let version = try Int.fetchOne(db, sql: "PRAGMA main.schema_version") ?? 0
    try db.execute(sql: "PRAGMA writable_schema = ON")
    try db.execute(
      sql: "UPDATE main.sqlite_master SET sql = ? WHERE type = ? AND name = ?", arguments: [sql, type, name])
    // A new schema version makes every connection read the definitions again.
    try db.execute(sql: "PRAGMA main.schema_version = \(version + 1)")
    try db.execute(sql: "PRAGMA writable_schema = OFF")
  }

  /// The trigger that refuses `REPLACE INTO audit_event` raises FAIL instead of ABORT. An insert
  /// with a trigger that may abort makes SQLite keep a statement journal of every page it touches,
  /// for every event of every tool; with FAIL, and the tools' `INSERT OR FAIL`, it keeps none. The
  /// refusal is the same: the statement stops with the same message before the row is written,
  /// and the rows a many-row insert added before it are new events, which any INSERT could add.
  static func failReplacingEvents(_ db: Database) throws {
    try db.execute(
      sql: """
        DROP TRIGGER audit_event_no_replace;
        CREATE TRIGGER audit_event_no_replace BEFORE INSERT ON audit_event
          WHEN EXISTS (SELECT 1 FROM audit_event WHERE seq = NEW.seq)
          BEGIN SELECT RAISE(FAIL, 'audit events are never modified'); END;
        """)
  }

  /// The tables the tools append a row to for a line, each row belonging to a record, with the
  /// column that names the table's rows in its trigger that refuses `REPLACE`.
  static let appendedPerLine = [("service", "service_id"), ("archive_event", "event_id"), ("tag", "tag_id")]

  /// The foreign key of ``appendedPerLine`` as the first migrations wrote it, and the same key
  /// checked when the transaction commits.
  static let recordKey = (
    immediate: "record_no TEXT NOT NULL REFERENCES record(record_no) ON DELETE CASCADE,",
    deferred: "record_no TEXT NOT NULL REFERENCES record(record_no) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,"
  )

  /// Lets an insert into ``appendedPerLine`` run without a statement journal. Such an insert fires
  /// the trigger that refuses `REPLACE`, and SQLite then checks the row's foreign key with a
  /// counter that may abort the statement at its end, and keeps a journal of every page the
  /// statement touches to undo it: for every service, archive event and tag written. Now the
  /// trigger raises FAIL, the tools insert `OR FAIL`, and the foreign key is checked at the
  /// commit: a row whose record does not exist still never commits, and the tools look every
  /// record up in the same transaction before they write a row of it. The trigger's refusal is
  /// the same, before the row is written.
  ///
  /// Each table keeps its definition but for the key, edited in place as in
  /// ``compareInsteadOfListing(_:)``: deferring a key changes no stored row. A store whose
  /// definition does not hold the key expected is not changed, and the migration fails.
  static func insertWithoutStatementJournal(_ db: Database) throws {
    for (table, key) in appendedPerLine {
      guard
        let definition = try String.fetchOne(
          db, sql: "SELECT sql FROM main.sqlite_master WHERE type = 'table' AND name = ?", arguments: [table]),
        let range = definition.range(of: recordKey.immediate)
      else {
        throw DatabaseError(message: "the definition of table \(table) does not hold \(recordKey.immediate)")
      }
      try rewriteSchema(
        db, type: "table", name: table, sql: definition.replacingCharacters(in: range, with: recordKey.deferred))
      try db.execute(
        sql: """
          DROP TRIGGER \(table)_no_replace;
          CREATE TRIGGER \(table)_no_replace BEFORE INSERT ON \(table)
            WHEN EXISTS (SELECT 1 FROM \(table) WHERE \(key) = NEW.\(key))
            BEGIN SELECT RAISE(FAIL, '\(table) rows are never modified'); END;
          """)
    }
  }

  /// Drops the two indexes of `service` that no query reads, which every service added paid for:
  /// `service_by_org (org, date)`, whose every use `service_metrics_by_org (org, date, late,
  /// off_site)` serves as well, and `service_by_date (date)`: a resident's services are read by
  /// record (`service_by_record`, `service_free_by_type`), the evaluation's by organisation and
  /// date (`service_metrics_by_org`), the late ones through `service_late`, any one by its number.
  static func dropServiceIndexesNothingReads(_ db: Database) throws {
    try db.execute(
      sql: """
        DROP INDEX service_by_org;
        DROP INDEX service_by_date;
        """)
  }
}
