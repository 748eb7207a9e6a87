import Foundation
import GRDB
import HRCore

/// The floor of a tool's run: the time SQLite alone takes to make the same change to the same
/// schema with the same pragmas, in one transaction.
///
/// Before the tool runs, `Floor` copies the store as it is (`VACUUM INTO`), or makes a fresh store
/// with hr's schema when there is none yet. After the run, the rows the tool inserted and the rows
/// it changed are found by comparing the two stores (not timed) and kept in a side database; the
/// floor is then one `BEGIN IMMEDIATE` transaction on the copy, opened as `Store` opens every store
/// (WAL, `synchronous=FULL`, foreign keys, the schema's triggers), of `INSERT … SELECT` for new rows
/// and `UPDATE … FROM` for changed ones.
struct Floor {
  let copy: URL
  let diff: URL
  let source: URL

  /// Takes the copy of `store` before the tool runs.
  init(of store: URL, in setup: BenchSetup, name: String) throws {
    source = store
    copy = setup.file("\(name)-floor.sqlite")
    diff = setup.file("\(name)-floor-diff.sqlite")
    for url in [copy, diff] {
      for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: url.path + suffix) }
    }
    if FileManager.default.fileExists(atPath: store.path) {
      let queue = try DatabaseQueue(path: store.path)
      try queue.writeWithoutTransaction { db in try db.execute(sql: "VACUUM INTO ?", arguments: [copy.path]) }
      try queue.close()
    }
    _ = try Store(path: copy.path)
  }

  /// The tables a tool writes, parents first so that every foreign key holds as rows arrive.
  static let tables = [
    "division_sequence", "record", "identifier", "record_history", "service", "amendment", "tag", "contract", "contact",
    "transfer", "archive_event", "audit_event",
  ]

  /// Measures the floor once the tool has run: the rows of `source` that the copy lacks or holds
  /// otherwise, written into the copy in one transaction. Returns the timing and the number of
  /// rows written.
  func measure() throws -> (timing: Timing, rows: Int) {
    let queue = try DatabaseQueue(path: diff.path)
    var plan: [(table: String, inserted: Int, changed: Int, columns: [String], keys: [String])] = []
    try queue.writeWithoutTransaction { db in
      try db.execute(sql: "ATTACH DATABASE ? AS src", arguments: [source.path])
      try db.execute(sql: "ATTACH DATABASE ? AS base", arguments: [copy.path])
      for table in Self.tables {
        let info = try Row.fetchAll(db, sql: "PRAGMA src.table_info(\(table))")
        let columns: [String] = info.map { $0["name"] }
        let keys: [String] = info.filter { ($0["pk"] as Int) > 0 }.sorted { ($0["pk"] as Int) < ($1["pk"] as Int) }.map {
          $0["name"]
        }
        let match = keys.map { "b.\($0) = s.\($0)" }.joined(separator: " AND ")
        try db.execute(
          sql:
            "CREATE TABLE new_\(table) AS SELECT s.* FROM src.\(table) s WHERE NOT EXISTS (SELECT 1 FROM base.\(table) b WHERE \(match))"
        )
        let differs = columns.filter { !keys.contains($0) }.map { "b.\($0) IS NOT s.\($0)" }.joined(separator: " OR ")
        try db.execute(
          sql:
            "CREATE TABLE changed_\(table) AS SELECT s.* FROM src.\(table) s JOIN base.\(table) b ON \(match) WHERE \(differs.isEmpty ? "0" : differs)"
        )
        let inserted = try Int.fetchOne(db, sql: "SELECT count(*) FROM new_\(table)") ?? 0
        let changed = try Int.fetchOne(db, sql: "SELECT count(*) FROM changed_\(table)") ?? 0
        plan.append((table, inserted, changed, columns, keys))
      }
    }
    try queue.close()

    let store = try Store(path: copy.path)
    var rows = 0
    let timing = try store.writeWithoutTransaction { db in
      try db.execute(sql: "ATTACH DATABASE ? AS diff", arguments: [diff.path])
      let cpuBefore = ownCPUSeconds()
      let start = DispatchTime.now().uptimeNanoseconds
      try db.inTransaction(.immediate) {
        for step in plan {
          if step.changed > 0 {
            let assignments = step.columns.filter { !step.keys.contains($0) }.map { "\($0) = c.\($0)" }.joined(separator: ", ")
            let match = step.keys.map { "\(step.table).\($0) = c.\($0)" }.joined(separator: " AND ")
            try db.execute(sql: "UPDATE main.\(step.table) SET \(assignments) FROM diff.changed_\(step.table) c WHERE \(match)")
          }
          if step.inserted > 0 {
            try db.execute(sql: "INSERT INTO main.\(step.table) SELECT * FROM diff.new_\(step.table)")
          }
          rows += step.changed + step.inserted
        }
        return .commit
      }
      let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
      return Timing(seconds: seconds, cpuSeconds: ownCPUSeconds() - cpuBefore, status: 0)
    }
    return (timing, rows)
  }
}
