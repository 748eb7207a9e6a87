import GRDB
import HRLines

/// How a row differs from what the trail says the tools left behind.
package enum StateChange: String, Sendable, CaseIterable {
  /// The row is there with other values, or other storage types, than its last event recorded.
  case changed
  /// The row is gone, and no event deleted it.
  case deleted
  /// The row is there, and no event wrote it (or the last one deleted it).
  case inserted
}

/// One row changed outside the tools: its table, its key and how. Never a personal value: the
/// identifiers of a record are named by the record's number.
package struct StateFinding: Equatable, Sendable {
  package let table: String
  package let key: String
  package let change: StateChange

  /// `{"table":…,"key":…,"change":…}`.
  package var json: JSONObject { ["table": .string(table), "key": .string(key), "change": .string(change.rawValue)] }
}

/// What `hr-audit verify --state` counted.
package struct StateSummary: Equatable, Sendable {
  /// Rows (and records' sets of identifiers) whose digest the trail holds, all compared.
  package var checked = 0
  /// Rows found changed, deleted or inserted.
  package var changed = 0
  package var deleted = 0
  package var inserted = 0
  /// Rows no event covers, in a store whose trail began before events carried digests: they may
  /// be as the tools left them or inserted by hand, which cannot be told apart.
  package var notCovered = 0

  /// Whether every covered row is as its last event left it.
  package var holds: Bool { changed + deleted + inserted == 0 }

  /// `{"checked":N,"changed":N,"deleted":N,"inserted":N,"not_covered":N}`.
  package var json: JSONObject {
    [
      "checked": .int(checked), "changed": .int(changed), "deleted": .int(deleted), "inserted": .int(inserted),
      "not_covered": .int(notCovered),
    ]
  }
}

/// Compares the rows of the store with the digests the trail recorded for them (hr(7) AUDIT TRAIL,
/// `hr-audit verify --state`; 第二十五条: the records' changes stay traceable).
package enum StateCheck {
  /// Replays the latest digest of each unit from the events, in SQL, compares each with the unit
  /// as it is now, then lists the rows that no event covers; calls `each` for every finding.
  ///
  /// Nothing is gathered in memory: SQLite groups the digests by key and streams them in order,
  /// and the rows no event names are found with one statement.
  package static func check(in db: Database, each: (StateFinding) throws -> Void) throws -> StateSummary {
    var summary = StateSummary()
    let tracked = try db.columns(in: "audit_event").contains { $0.name == "state" }
    let digests =
      tracked
      ? "SELECT j.key AS k, j.value AS d, e.seq AS seq FROM audit_event e, json_each(e.state) j WHERE e.state IS NOT NULL"
      : "SELECT NULL AS k, NULL AS d, NULL AS seq WHERE 0"
    func report(_ table: String, _ key: String, _ change: StateChange) throws {
      switch change {
      case .changed: summary.changed += 1
      case .deleted: summary.deleted += 1
      case .inserted: summary.inserted += 1
      }
      try each(StateFinding(table: table, key: key, change: change))
    }

    let latest = try Row.fetchCursor(
      db, sql: "SELECT k, d, max(seq) FROM (\(digests)) GROUP BY k ORDER BY k")
    while let row = try latest.next() {
      let unit: String = row[0]
      let recorded: String? = row[1]
      guard let slash = unit.firstIndex(of: "/"), let table = CoveredTable.named(unit[..<slash]) else { continue }
      let keyText = String(unit[unit.index(after: slash)...])
      let key = table.integerKey ? (Int64(keyText) ?? -1).databaseValue : keyText.databaseValue
      summary.checked += 1
      let current = try StateDigest.digest(of: table, key: key, in: db)
      switch (recorded, current) {
      case (let recorded?, nil) where !recorded.isEmpty: try report(table.name, keyText, .deleted)
      case (let recorded?, let current?) where recorded != current: try report(table.name, keyText, .changed)
      case (nil, _?): try report(table.name, keyText, .inserted)
      default: break
      }
    }

    let olderEvents =
      try Bool.fetchOne(
        db, sql: tracked ? "SELECT EXISTS (SELECT 1 FROM audit_event WHERE state IS NULL)" : "SELECT 1") ?? true
    let units = CoveredTable.all.map { table in
      let distinct = table.name == "identifier" ? "DISTINCT " : ""
      return """
        SELECT \(distinct)'\(table.name)' AS tbl, \(table.key) AS key FROM main.\(table.name)
        WHERE '\(table.name)/' || \(table.key) NOT IN covered
        """
    }
    let uncovered = try Row.fetchCursor(
      db,
      sql: "WITH covered AS (SELECT DISTINCT k FROM (\(digests))) \(units.joined(separator: " UNION ALL "))")
    while let row = try uncovered.next() {
      if olderEvents {
        summary.notCovered += 1
      } else {
        let key: DatabaseValue = row[1]
        try report(row[0], String(describing: key.storage.keyText), .inserted)
      }
    }
    return summary
  }
}
