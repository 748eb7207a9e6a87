import ArgumentParser
import Foundation
import GRDB
import HRCLI
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
  /// How the floor writes the rows.
  enum Plan: Equatable {
    /// Each table's rows in the order of its key, as `SELECT *` reads them from the tool's store,
    /// in one transaction: the floor the tools are measured against. A table keyed by record
    /// number (`record`, `identifier`) then takes each row at the end of its b-tree.
    case keyOrder
    /// The rows in the order the tool wrote them, committed every `batch` lines (one transaction
    /// when nil), shown for reference. Each row goes with an event of the run (`measure(lines:)`
    /// says which), and a transaction holds the events of `batch` lines. The rows then reach the
    /// places of each b-tree the tool's reach, one after the other, and with a batch every page
    /// they share is written again at each commit, as the tool's are.
    case toolOrder(batch: Int?)
  }

  let copy: URL
  let diff: URL
  let source: URL
  let plan: Plan
  /// Whether only the rows of the run are compared: its events, and the rows of the records they
  /// name (every row a tool writes belongs to a record its events name, but for the shared
  /// tables such as `division_sequence`, which are compared whole). The whole store is compared
  /// otherwise, which a store of millions of records makes take minutes.
  let comparesTheRunOnly: Bool

  /// Takes the copy of `store` before the tool runs.
  init(of store: URL, in setup: BenchSetup, name: String, plan: Plan = .keyOrder) throws {
    try self.init(of: store, in: setup.directory, name: name, plan: plan)
  }

  /// Takes the copy of `store` before the tool runs, in `directory`.
  init(of store: URL, in directory: URL, name: String, plan: Plan = .keyOrder) throws {
    source = store
    self.plan = plan
    comparesTheRunOnly = false
    copy = directory.appendingPathComponent("\(name)-floor.sqlite")
    diff = directory.appendingPathComponent("\(name)-floor-diff.sqlite")
    removeStore(copy)
    if FileManager.default.fileExists(atPath: store.path) {
      let queue = try DatabaseQueue(path: store.path)
      try queue.writeWithoutTransaction { db in try db.execute(sql: "VACUUM INTO ?", arguments: [copy.path]) }
      try queue.close()
    }
    _ = try Store(path: copy.path)
  }

  /// Follows `store` with `copy`, a copy of its files taken once (not rebuilt, as `VACUUM INTO`
  /// would, so that its pages lie as the store's do): each run's floor writes into `copy` the rows
  /// the run added to `store`, and so brings it level with `store` for the next run. For a store
  /// too large to copy before every run; only the run's rows are compared.
  init(following store: URL, copy: URL, in directory: URL, name: String, plan: Plan) {
    source = store
    self.copy = copy
    self.plan = plan
    comparesTheRunOnly = true
    diff = directory.appendingPathComponent("\(name)-floor-diff.sqlite")
  }

  /// The tables a tool writes, parents first so that every foreign key holds as rows arrive.
  static let tables = [
    "division_sequence", "record", "identifier", "record_history", "service", "amendment", "tag", "contract", "contact",
    "transfer", "archive_event", "audit_event",
  ]

  /// Measures the floor once the tool has run: the rows of `source` that the copy lacks or holds
  /// otherwise, written into the copy as `plan` says, the tool having read `lines` lines. Returns
  /// the timing and the number of rows written, as SQLite counts them.
  func measure(lines: Int? = nil) throws -> (timing: Timing, rows: Int) {
    removeStore(diff)
    let queue = try DatabaseQueue(path: diff.path)
    var steps: [Step] = []
    // The last event of each transaction but the last (tool order with a batch).
    var commitAfter: [Int] = []
    try queue.writeWithoutTransaction { db in
      try db.execute(sql: "ATTACH DATABASE ? AS src", arguments: [source.path])
      try db.execute(sql: "ATTACH DATABASE ? AS base", arguments: [copy.path])
      let firstNewEvent = (try Int.fetchOne(db, sql: "SELECT coalesce(max(seq), 0) FROM base.audit_event") ?? 0) + 1
      if plan != .keyOrder {
        // Each record's events of the run, numbered from 0.
        try db.execute(
          sql: """
            CREATE TABLE run_event AS SELECT record_no, row_number() OVER (PARTITION BY record_no ORDER BY seq) - 1 AS nth, seq
              FROM src.audit_event WHERE seq >= \(firstNewEvent) AND record_no IS NOT NULL;
            CREATE INDEX run_event_by_record ON run_event(record_no, nth);
            """)
      }
      for table in Self.tables {
        let info = try Row.fetchAll(db, sql: "PRAGMA src.table_info(\(table))")
        let columns: [String] = info.map { $0["name"] }
        let keys: [String] = info.filter { ($0["pk"] as Int) > 0 }.sorted { ($0["pk"] as Int) < ($1["pk"] as Int) }.map {
          $0["name"]
        }
        let integerKey =
          keys.count == 1 && info.contains { ($0["pk"] as Int) == 1 && ($0["type"] as String) == "INTEGER" }
        let match = keys.map { "b.\($0) = s.\($0)" }.joined(separator: " AND ")
        let differs = columns.filter { !keys.contains($0) }.map { "b.\($0) IS NOT s.\($0)" }.joined(separator: " OR ")
        var step = Step(table: table, columns: columns, keys: keys)
        var ofTheRun = ""
        if comparesTheRunOnly {
          if table == "audit_event" {
            ofTheRun = " AND s.seq >= \(firstNewEvent)"
          } else if columns.contains("record_no") {
            ofTheRun = " AND s.record_no IN (SELECT record_no FROM src.audit_event WHERE seq >= \(firstNewEvent))"
          }
        }
        for kind in Step.Kind.allCases {
          var source =
            kind == .new
            ? "FROM src.\(table) s WHERE NOT EXISTS (SELECT 1 FROM base.\(table) b WHERE \(match))\(ofTheRun)"
            : "FROM src.\(table) s JOIN base.\(table) b ON \(match) WHERE (\(differs.isEmpty ? "0" : differs))\(ofTheRun)"
          // In tool order each row carries `event`, the event it goes with: an event itself; the
          // n-th new row of a record in a table with an integer key (its n-th service, say) the
          // record's n-th event of the run, the tools handing out such keys in order; any other
          // row of a record the record's first event of the run when the row is new, its last
          // when it changed; any other row the largest integer, the last transaction.
          var event = ""
          var ordering = ""
          if plan != .keyOrder {
            let none = "\(Int64.max)"
            if table == "audit_event" {
              event = ", s.seq AS event"
              ordering = " ORDER BY s.seq"
            } else if !columns.contains("record_no") {
              event = ", \(none) AS event"
              ordering = " ORDER BY " + keys.map { "s.\($0)" }.joined(separator: ", ")
            } else if kind == .new && integerKey {
              source =
                "FROM (SELECT s.*, row_number() OVER (PARTITION BY s.record_no ORDER BY s.\(keys[0])) - 1 AS nth \(source)) s"
              event =
                ", coalesce((SELECT r.seq FROM run_event r WHERE r.record_no = s.record_no AND r.nth = s.nth), \(none)) AS event"
              ordering = " ORDER BY s.\(keys[0])"
            } else {
              event =
                ", coalesce((SELECT \(kind == .new ? "min" : "max")(r.seq) FROM run_event r WHERE r.record_no = s.record_no), \(none)) AS event"
              ordering = " ORDER BY event, " + keys.map { "s.\($0)" }.joined(separator: ", ")
            }
          }
          try db.execute(sql: "CREATE TABLE \(kind)_\(table) AS SELECT s.*\(event) \(source)\(ordering)")
          step.counts[kind] = try Int.fetchOne(db, sql: "SELECT count(*) FROM \(kind)_\(table)") ?? 0
        }
        steps.append(step)
      }
      guard case .toolOrder(let batch) = plan else { return }
      let events = try Int.fetchAll(db, sql: "SELECT seq FROM new_audit_event ORDER BY rowid")
      guard let batch, !events.isEmpty else { return }
      // `batch` lines a transaction, each line with its share of the events.
      let perTransaction = max(1, batch * events.count / max(lines ?? events.count, 1))
      commitAfter = stride(from: perTransaction - 1, to: events.count - 1, by: perTransaction).map { events[$0] }
      // Where each transaction's rows end in each table, found before the timing starts: each
      // table holds its rows in the order of their events.
      for index in steps.indices {
        for kind in Step.Kind.allCases {
          let table = "\(kind)_\(steps[index].table)"
          try db.execute(sql: "CREATE INDEX \(table)_by_event ON \(table)(event)")
          steps[index].lastRows[kind] = try commitAfter.map { event in
            try Int.fetchOne(
              db, sql: "SELECT rowid FROM \(table) WHERE event <= ? ORDER BY event DESC, rowid DESC LIMIT 1",
              arguments: [event]) ?? 0
          }
        }
      }
    }
    try queue.close()

    // The statements of each transaction, one a line, transactions parted by `commit`; written
    // out for the process that runs them.
    var script = ""
    for transaction in 0...commitAfter.count {
      if transaction > 0 { script += FloorWrite.commit + "\n" }
      for step in steps {
        // This transaction's rows of `kind`, those after the last one of the transaction
        // before; every row in one transaction.
        func part(_ kind: Step.Kind) -> String {
          let table = "diff.\(kind)_\(step.table)"
          guard !commitAfter.isEmpty else { return table }
          let last = step.lastRows[kind, default: []]
          let after = transaction == 0 ? 0 : last[transaction - 1]
          let through = transaction < last.count ? last[transaction] : Int.max
          return "(SELECT * FROM \(table) WHERE rowid > \(after) AND rowid <= \(through) ORDER BY rowid)"
        }
        if step.counts[.changed, default: 0] > 0 {
          let assignments = step.columns.filter { !step.keys.contains($0) }.map { "\($0) = c.\($0)" }.joined(
            separator: ", ")
          let match = step.keys.map { "\(step.table).\($0) = c.\($0)" }.joined(separator: " AND ")
          script += "UPDATE main.\(step.table) SET \(assignments) FROM \(part(.changed)) c WHERE \(match)\n"
        }
        if step.counts[.new, default: 0] > 0 {
          let columns = step.columns.joined(separator: ", ")
          script += "INSERT INTO main.\(step.table) (\(columns)) SELECT \(columns) FROM \(part(.new))\n"
        }
      }
    }
    let scriptFile = URL(fileURLWithPath: copy.path + ".sql")
    let rowsFile = URL(fileURLWithPath: copy.path + ".rows")
    try script.write(to: scriptFile, atomically: true, encoding: .utf8)
    defer { for file in [scriptFile, rowsFile] { try? FileManager.default.removeItem(at: file) } }
    // In a process of its own, as each tool runs: the floor is timed the way the tool is, from
    // its start to its exit, opening the store and closing it (the pages the commits left in the
    // log are copied into the file by then), and its peak memory is its own.
    let timing = try timedRun(
      FloorWrite.executable, ["floor-write", "--store", copy.path, "--diff", diff.path], input: scriptFile,
      output: rowsFile, environment: [:])
    guard timing.status == 0,
      let rows = Int(try String(contentsOf: rowsFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines))
    else { throw RunFailure("the floor's writer exited \(timing.status)") }
    return (timing, rows)
  }

  /// One table's part of the floor.
  private struct Step {
    /// The rows the tool added, and the rows it changed.
    enum Kind: String, CaseIterable, CustomStringConvertible {
      case new, changed
      var description: String { rawValue }
    }

    let table: String
    let columns: [String]
    let keys: [String]
    var counts: [Kind: Int] = [:]
    /// The last row of `<kind>_<table>` each transaction but the last writes.
    var lastRows: [Kind: [Int]] = [:]
  }
}

/// The two floors shown for reference next to a tool's: the same rows in the order the tool wrote
/// them, in one transaction, and committed every `--batch-size` lines as the tools commit them by
/// default. The first tells how much of the distance to the floor is the order of the rows; the
/// second how much is the commits of a tool that prints each result once it is durable, with
/// memory flat in the input.
struct ReferenceFloors {
  let batch: Int
  let oneTransaction: Floor
  let batches: Floor

  /// Takes the copies of `store` before the tool runs.
  init(of store: URL, in setup: BenchSetup, name: String) throws {
    batch = try LineOptions.parse([]).batchSize
    oneTransaction = try Floor(of: store, in: setup, name: "\(name)-tool-order", plan: .toolOrder(batch: nil))
    batches = try Floor(of: store, in: setup, name: "\(name)-tool-batches", plan: .toolOrder(batch: batch))
  }

  /// Measures both once the tool has run on `lines` lines; each must write the `rows` the floor
  /// wrote.
  func measure(lines: Int, rows: Int) throws -> [(name: String, timing: Timing)] {
    try [
      ("the same rows in the tool's order, one transaction", oneTransaction),
      ("the same rows in the tool's order, committed every \(batch) lines", batches),
    ].map { name, floor in
      let (timing, written) = try floor.measure(lines: lines)
      guard written == rows else { throw RunFailure("\(name) wrote \(written) rows, the floor \(rows)") }
      return (name, timing)
    }
  }

  /// Prints what `measure(lines:rows:)` measured next to the tool's `timing`.
  static func show(_ references: [(name: String, timing: Timing)], tool timing: Timing, items: Int, unit: String) {
    for (name, reference) in references {
      report("  \(name) (reference)", items: items, timing: reference, unit: unit)
      print(
        "    ratio hr/this: \(String(format: "%.2f", timing.seconds / max(reference.seconds, 1e-9)))x wall, "
          + "\(String(format: "%.2f", timing.cpuSeconds / max(reference.cpuSeconds, 1e-9)))x CPU")
    }
  }
}

/// Runs a floor's statements on a store, timed from outside as a tool is: one statement a line
/// on standard input, each transaction's parted from the next by a line `commit`; prints the
/// rows written, as SQLite counts them.
struct FloorWrite: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "floor-write", abstract: "Run a floor's statements on a store (used by the benchmarks).",
    shouldDisplay: false)

  /// The line that ends one transaction and begins the next.
  static let commit = "commit"

  /// This executable, which the benchmarks run again for each floor.
  static var executable: URL {
    URL(
      fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0])
  }

  @Option(help: "The store the rows are written to.") var store: String
  @Option(help: "The database of the rows, attached as `diff`.") var diff: String

  func run() throws {
    var transactions: [[String]] = [[]]
    while let line = readLine() {
      if line == Self.commit {
        transactions.append([])
      } else if !line.isEmpty {
        transactions[transactions.count - 1].append(line)
      }
    }
    var rows = 0
    // Opened as every tool opens its store.
    let store = try Store(path: store)
    try store.writeWithoutTransaction { db in
      try db.execute(sql: "ATTACH DATABASE ? AS diff", arguments: [diff])
      for statements in transactions {
        try db.inTransaction(.immediate) {
          for sql in statements {
            try db.execute(sql: sql)
            rows += db.changesCount
          }
          return .commit
        }
      }
    }
    print(rows)
  }
}
