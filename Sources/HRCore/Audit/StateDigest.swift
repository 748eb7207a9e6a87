import Crypto
import GRDB
import HRLines

#if canImport(GRDBSQLite)
import GRDBSQLite
#elseif canImport(SQLite3)
import SQLite3
#endif

/// A table whose rows each event's digest covers, so that a row changed in the file by another
/// means than the tools is found (hr(7) AUDIT TRAIL, `hr-audit verify --state`; 第二十五条).
///
/// A row is named `TABLE/KEY`. The identifiers of a record are one unit, named by its record
/// number, so that no event or report ever carries an identifier's value.
package struct CoveredTable: Sendable {
  /// The table's name.
  package let name: String
  /// The column that names a row (for `identifier`, the record the rows belong to).
  let key: String
  /// Whether the key is an integer rowid.
  let integerKey: Bool
  /// The columns hashed, in this order: the one list both the writer and `verify --state` use.
  let columns: [String]
  /// Every row of the unit named `key`, in a fixed order.
  let select: PreparedSQL
  /// The first bytes hashed: the table's name and a zero byte.
  let prefix: [UInt8]

  init(name: String, key: String, integerKey: Bool, columns: [String]) {
    self.name = name
    self.key = key
    self.integerKey = integerKey
    self.columns = columns
    let order = name == "identifier" ? " ORDER BY kind, value" : ""
    select = PreparedSQL("SELECT \(columns.joined(separator: ", ")) FROM main.\(name) WHERE \(key) = ?\(order)")
    prefix = Array(name.utf8) + [0]
  }

  /// Every table covered. Adding a column to a table does not add it here: the digests already
  /// in the trail would no longer match; a new column is covered by a new entry of its own.
  package static let all: [CoveredTable] = [
    CoveredTable(
      name: "record", key: "record_no", integerKey: false,
      columns: [
        "record_no", "division", "name", "sex", "birth_date", "id_number", "birth_cert_no", "mother_id_number",
        "managing_org", "managing_district", "status", "archive_reason", "archived_on", "death_date", "phone",
        "current_address", "registered_address", "ethnicity", "work_unit", "emergency_contact", "responsible_doctor",
        "past_history", "family_history", "blood_type", "payment_methods", "restricted", "last_contact",
        "protected_until", "created_on", "created_by", "created_at",
      ]),
    CoveredTable(
      name: "identifier", key: "record_no", integerKey: false,
      columns: ["kind", "value", "record_no", "current", "added_on"]),
    CoveredTable(
      name: "record_history", key: "id", integerKey: true,
      columns: ["id", "record_no", "field", "old_value", "new_value", "changed_on", "changed_at", "changed_by"]),
    CoveredTable(
      name: "service", key: "service_id", integerKey: true,
      columns: [
        "service_id", "record_no", "type", "date", "org", "free", "summary", "restricted", "late", "off_site",
        "entered_on", "entered_at", "entered_by",
      ]),
    CoveredTable(
      name: "amendment", key: "amendment_id", integerKey: true,
      columns: [
        "amendment_id", "service_id", "record_no", "changes", "reason", "approved_by", "entered_on", "entered_at",
        "entered_by",
      ]),
    CoveredTable(
      name: "tag", key: "tag_id", integerKey: true,
      columns: ["tag_id", "record_no", "code", "source", "since", "ended", "entered_on", "entered_at", "entered_by"]),
    CoveredTable(
      name: "contract", key: "contract_id", integerKey: true,
      columns: ["contract_id", "record_no", "doctor", "team", "signed_on", "entered_on", "entered_at", "entered_by"]),
    CoveredTable(
      name: "contact", key: "contact_id", integerKey: true,
      columns: ["contact_id", "record_no", "date", "method", "entered_on", "entered_at", "entered_by"]),
    CoveredTable(
      name: "transfer", key: "transfer_id", integerKey: true,
      columns: [
        "transfer_id", "record_no", "from_org", "to_org", "from_district", "to_district", "kind", "reason",
        "consent_method", "consent_ref", "status", "requested_on", "requested_at", "requested_by", "due", "decided_on",
        "decided_at", "decided_by", "decision_reason", "late", "protected_until",
      ]),
    CoveredTable(
      name: "archive_event", key: "event_id", integerKey: true,
      columns: [
        "event_id", "record_no", "action", "effective_on", "evidence", "death_date", "death_cause", "reported_on",
        "left_on", "contact_date", "correction", "late", "entered_on", "entered_at", "entered_by",
      ]),
    CoveredTable(
      name: "export_approval", key: "ref", integerKey: false,
      columns: ["ref", "grantee", "scope", "purpose", "expires", "approved_on", "approved_at", "approved_by"]),
    CoveredTable(
      name: "export_revocation", key: "ref", integerKey: false,
      columns: ["ref", "reason", "revoked_on", "revoked_at", "revoked_by"]),
  ]

  /// The covered table of that name.
  static func named(_ name: Substring) -> CoveredTable? { all.first { $0.name == name } }
}

/// The digests of the rows a change leaves behind: what each event's `state` carries and what
/// `hr-audit verify --state` recomputes (hr(7) AUDIT TRAIL).
///
/// A unit's digest is SHA-256 over the table's name, a zero byte, then each of its rows' columns
/// in the table's order, each as its SQLite storage type and value: `n` for NULL; `i` and 8 bytes
/// big-endian for an integer; `r` and the 8 bytes of the IEEE double big-endian for a real; `t` or
/// `b`, a 4-byte big-endian length and the bytes for text or a blob. A unit with no row has no
/// digest (JSON `null`).
package enum StateDigest {
  /// Creates, on the writer's connection, the temporary table and triggers that note each unit
  /// the tools insert, update or delete, so the next event's `state` covers it whatever code made
  /// the change. Temporary objects live with the connection and are never in the file.
  ///
  /// Made before the connection's first write rather than when the store opens (``Store``): the
  /// 36 triggers cost a seventh of the work of a run that writes nothing. Once made, they stay: a
  /// tool that hands some inserts over has dropped those triggers, which must not come back.
  static func installTracking(in db: Database) throws {
    let installed = "SELECT 1 FROM sqlite_temp_master WHERE type = 'table' AND name = 'state_touched'"
    guard try Bool.fetchOne(db, sql: installed) == nil else { return }
    // A unit is noted as often as it changes, and read once (``touchedUnits(in:)``): a key or a
    // constraint on the table would make the triggers' inserts conflict or fail, and a statement
    // that says `OR FAIL` imposes that on its triggers, whose `OR IGNORE` would then fail.
    var sql = "CREATE TEMP TABLE IF NOT EXISTS state_touched (tbl TEXT, key);"
    for table in CoveredTable.all {
      let note = { (row: String) in
        "INSERT INTO state_touched VALUES ('\(table.name)', \(row).\(table.key));"
      }
      sql += """
        CREATE TEMP TRIGGER IF NOT EXISTS state_\(table.name)_insert AFTER INSERT ON main.\(table.name)
          BEGIN \(note("NEW")) END;
        CREATE TEMP TRIGGER IF NOT EXISTS state_\(table.name)_update AFTER UPDATE ON main.\(table.name)
          BEGIN \(note("OLD"))
            INSERT INTO state_touched SELECT '\(table.name)', NEW.\(table.key) WHERE NEW.\(table.key) IS NOT OLD.\(table.key);
          END;
        CREATE TEMP TRIGGER IF NOT EXISTS state_\(table.name)_delete AFTER DELETE ON main.\(table.name)
          BEGIN \(note("OLD")) END;

        """
    }
    #if DEBUG
    sql += "CREATE TEMP TABLE IF NOT EXISTS state_handed (tbl TEXT, key);"
    #endif
    try db.execute(sql: sql)
  }

  /// The tables whose inserts `hr-create` hands over (``StateRows``): the record, its identifiers
  /// and its tags.
  package static let createdTables: Set<String> = ["record", "identifier", "tag"]

  /// The table whose inserts `hr-update` hands over: its services.
  package static let updatedTables: Set<String> = ["service"]

  /// The table whose inserts `hr-transfer` hands over: its requests.
  package static let transferTables: Set<String> = ["transfer"]

  /// The table whose inserts `hr-archive` hands over: its archive events.
  package static let archiveTables: Set<String> = ["archive_event"]

  /// Stops noting the inserts into `tables` by trigger on this connection: from now on the code
  /// that inserts there hands every row over (``StateRows``) to the event that records it. A table
  /// with a trigger makes SQLite run the trigger's program and keep a statement journal of every
  /// page each insert touches; `hr-create` pays that on every record, the other tools on every
  /// service, transfer and archive event. Updates are still noted by trigger unless
  /// ``handOverUpdates(of:in:)`` says otherwise, and deletes always are.
  ///
  /// Debug builds (the tests) note those inserts by trigger in a table of their own, and each
  /// event checks that its state covers every one (``takeState(in:written:)``).
  package static func handOverInserts(into tables: Set<String>, in db: Database) throws {
    try handOver("insert", of: tables, in: db)
  }

  /// The table whose updates `hr-update` and `hr-archive` hand over: the record, whose last
  /// contact a service raises and whose status archiving changes.
  package static let recordUpdates: Set<String> = ["record"]

  /// The tables whose updates `hr-transfer` hands over: the record a confirmation moves, and the
  /// transfer it decides.
  package static let transferUpdates: Set<String> = ["record", "transfer"]

  /// Stops noting the updates of `tables` by trigger on this connection: from now on the code that
  /// updates a row there hands it over whole (``ResidentRecord/handOver(to:)``), or notes the
  /// update (``StateRows/noteUpdate(of:key:)``) for the event to read the row back. The trigger
  /// runs a program of its own and two inserts for each row updated: some 6.7 µs of the 17.8 µs
  /// the update of a record takes.
  ///
  /// Debug builds (the tests) note those updates by trigger in a table of their own, and each
  /// event checks that it covers every one (``takeState(in:written:)``).
  package static func handOverUpdates(of tables: Set<String>, in db: Database) throws {
    try handOver("update", of: tables, in: db)
  }

  /// Drops the tracking triggers on `change` (`insert` or `update`) of `tables`, and in debug
  /// builds puts checking ones in their place.
  private static func handOver(_ change: String, of tables: Set<String>, in db: Database) throws {
    var sql = ""
    for table in CoveredTable.all where tables.contains(table.name) {
      sql += "DROP TRIGGER IF EXISTS temp.state_\(table.name)_\(change);"
      #if DEBUG
      let key = table.key
      let note =
        change == "insert"
        ? "INSERT INTO state_handed VALUES ('\(table.name)', NEW.\(key));"
        : """
        INSERT INTO state_handed VALUES ('\(table.name)', OLD.\(key));
        INSERT INTO state_handed SELECT '\(table.name)', NEW.\(key) WHERE NEW.\(key) IS NOT OLD.\(key);
        """
      sql += """
        CREATE TEMP TRIGGER IF NOT EXISTS state_\(table.name)_\(change)_handed AFTER \(change.uppercased()) ON main.\(table.name)
          BEGIN \(note) END;
        """
      #endif
    }
    try db.execute(sql: sql)
  }

  /// The digests of the units changed since the last event, as the JSON object
  /// `{"TABLE/KEY":"HEX"|null,…}` (by table, then key), and forgets them: the `state` of the event
  /// being appended. Its text is hashed as stored, so it is written here once.
  ///
  /// The units are the ones the triggers noted, and the ones the caller hands over in `written`:
  /// rows inserted where no trigger notes them (``handOverInserts(into:in:)``), rows an update
  /// left in a state the caller knows whole (``ResidentRecord/handOver(to:)``), and units updated
  /// where no trigger notes them (``handOverUpdates(of:in:)``), read back. A unit handed over with
  /// its rows is hashed from the bytes they were bound with instead of being read back.
  static func takeState(in db: Database, written: StateRows? = nil) throws -> String {
    var units = try touchedUnits(in: db)
    if let written, !written.units.isEmpty || !written.updated.isEmpty {
      for unit in written.units { include(unit.table, unit.key, in: &units) }
      for unit in written.updated { include(unit.table, unit.key, in: &units) }
      units.sort(by: precedes)
    }
    #if DEBUG
    try checkHandedOver(covered: units, in: db)
    #endif
    // A unit takes some 90 bytes, and a change touches a few: room for them at once.
    var state: [UInt8] = []
    state.reserveCapacity(512)
    state.append(UInt8(ascii: "{"))
    for (table, key) in units {
      if state.count > 1 { state.append(UInt8(ascii: ",")) }
      JSONWriter.writeString("\(table.name)/\(key.storage.keyText)", to: &state)
      state.append(UInt8(ascii: ":"))
      let rows = written?.rows(of: table.name, key: key)
      if let digest = try rows.map({ digest(of: table, rows: $0) }) ?? digest(of: table, key: key, in: db) {
        // Debug builds (the tests) prove every digest handed over equal to the stored rows'.
        assert(rows == nil || (try? self.digest(of: table, key: key, in: db)) == digest, "\(table.name) digest of written rows")
        state.append(UInt8(ascii: "\""))
        state.append(contentsOf: digest.utf8)
        state.append(UInt8(ascii: "\""))
      } else {
        state.append(contentsOf: "null".utf8)
      }
    }
    state.append(UInt8(ascii: "}"))
    return String(decoding: state, as: UTF8.self)
  }

  /// Adds the unit `key` of the table named `name` to `units`, unless it is there already.
  private static func include(_ name: String, _ key: DatabaseValue, in units: inout [(table: CoveredTable, key: DatabaseValue)]) {
    guard !units.contains(where: { $0.table.name == name && $0.key == key }), let table = CoveredTable.named(Substring(name))
    else { return }
    units.append((table, key))
  }

  private static let touchedSelect = PreparedSQL("SELECT tbl, key FROM temp.state_touched")
  private static let touchedDelete = PreparedSQL("DELETE FROM temp.state_touched")

  /// The units the triggers noted since the last event, each once, by table, then key, and
  /// forgets them.
  private static func touchedUnits(in db: Database) throws -> [(table: CoveredTable, key: DatabaseValue)] {
    let touched = try touchedSelect.statement(in: db)
    let raw = touched.sqliteStatement
    sqlite3_reset(raw)
    defer { sqlite3_reset(raw) }
    var units: [(table: CoveredTable, key: DatabaseValue)] = []
    while try step(raw, in: db) {
      guard let table = CoveredTable.named(Substring(String(cString: sqlite3_column_text(raw, 0)))) else { continue }
      let key: DatabaseValue =
        sqlite3_column_type(raw, 1) == SQLITE_INTEGER
        ? sqlite3_column_int64(raw, 1).databaseValue : String(cString: sqlite3_column_text(raw, 1)).databaseValue
      units.append((table, key))
    }
    guard !units.isEmpty else { return units }
    try touchedDelete.statement(in: db).run(in: db) { _ in }
    // A handful of units, some noted more than once: sorted here, without a sorter in SQLite.
    units.sort(by: precedes)
    var distinct = [units[0]]
    for unit in units.dropFirst() where !same(distinct[distinct.count - 1], unit) { distinct.append(unit) }
    return distinct
  }

  /// Whether two units are the same: the same table, and keys of the same type and value.
  private static func same(
    _ a: (table: CoveredTable, key: DatabaseValue), _ b: (table: CoveredTable, key: DatabaseValue)
  ) -> Bool {
    a.table.name == b.table.name && a.key == b.key
  }

  /// Whether unit `a` comes before `b` in the order ``touchedUnits(in:)`` reads them: by table name, then
  /// by key as SQLite orders values, integers before text and text by its bytes.
  private static func precedes(
    _ a: (table: CoveredTable, key: DatabaseValue), _ b: (table: CoveredTable, key: DatabaseValue)
  ) -> Bool {
    if a.table.name != b.table.name { return a.table.name.bytewisePrecedes(b.table.name) }
    switch (a.key.storage, b.key.storage) {
    case (.int64(let x), .int64(let y)): return x < y
    case (.int64, _): return true
    case (_, .int64): return false
    default: return a.key.storage.keyText.bytewisePrecedes(b.key.storage.keyText)
    }
  }

  #if DEBUG
  /// Checks that the event's state covers every insert and update the checking triggers of
  /// ``handOverInserts(into:in:)`` and ``handOverUpdates(of:in:)`` noted since the last event, and
  /// forgets them.
  private static func checkHandedOver(covered units: [(table: CoveredTable, key: DatabaseValue)], in db: Database) throws {
    let handed = try Row.fetchAll(db, sql: "SELECT tbl, key FROM temp.state_handed")
    for row in handed {
      let table: String = row[0]
      let key: DatabaseValue = row[1]
      assert(
        units.contains { $0.table.name == table && $0.key == key },
        "\(table)/\(key.storage.keyText) written but neither handed over nor noted")
    }
    if !handed.isEmpty { try db.execute(sql: "DELETE FROM temp.state_handed") }
  }
  #endif

  /// The digest of the unit `key` of `table` as it is now, or nil when it has no row.
  ///
  /// Every change of the tools pays for this, so the prepared statement is stepped in place: no
  /// row object, no argument array, each column hashed from the bytes SQLite holds.
  static func digest(of table: CoveredTable, key: DatabaseValue, in db: Database) throws -> String? {
    let raw = try table.select.statement(in: db).sqliteStatement
    sqlite3_reset(raw)
    defer { sqlite3_reset(raw) }
    switch key.storage {
    case .int64(let value): sqlite3_bind_int64(raw, 1, value)
    case .string(let value): sqlite3_bind_text(raw, 1, value, -1, sqliteTransient)
    default: sqlite3_bind_null(raw, 1)
    }
    var hasher = SHA256()
    table.prefix.withUnsafeBytes { hasher.update(bufferPointer: $0) }
    var found = false
    var buffer: [UInt8] = []
    buffer.reserveCapacity(512)
    while try step(raw, in: db) {
      found = true
      buffer.removeAll(keepingCapacity: true)
      for column in 0..<Int32(table.columns.count) { append(column, of: raw, to: &buffer) }
      buffer.withUnsafeBytes { hasher.update(bufferPointer: $0) }
    }
    return found ? hasher.finalize().hexString : nil
  }

  /// The digest of a unit from its rows' column bytes, in the order the table's `select` reads them.
  static func digest(of table: CoveredTable, rows: [[UInt8]]) -> String? {
    guard !rows.isEmpty else { return nil }
    var hasher = SHA256()
    table.prefix.withUnsafeBytes { hasher.update(bufferPointer: $0) }
    for row in rows { row.withUnsafeBytes { hasher.update(bufferPointer: $0) } }
    return hasher.finalize().hexString
  }

  /// Appends a text column's storage type, length and bytes.
  static func appendText(_ bytes: UnsafeBufferPointer<UInt8>, to buffer: inout [UInt8]) {
    appendTagged(UInt8(ascii: "t"), UnsafeRawBufferPointer(bytes), to: &buffer)
  }

  /// Appends a storage type, the 4-byte big-endian length and the bytes: text or a blob. The tag
  /// and length go in one append, as most values are a few bytes long.
  private static func appendTagged(_ tag: UInt8, _ bytes: UnsafeRawBufferPointer, to buffer: inout [UInt8]) {
    let count = UInt32(truncatingIfNeeded: bytes.count)
    let header = (
      tag, UInt8(truncatingIfNeeded: count >> 24), UInt8(truncatingIfNeeded: count >> 16), UInt8(truncatingIfNeeded: count >> 8),
      UInt8(truncatingIfNeeded: count)
    )
    withUnsafeBytes(of: header) { buffer.append(contentsOf: $0) }
    if !bytes.isEmpty { buffer.append(contentsOf: bytes) }
  }

  /// Appends an integer column's storage type and value.
  static func appendInteger(_ value: Int64, to buffer: inout [UInt8]) {
    buffer.append(UInt8(ascii: "i"))
    appendBigEndian(UInt64(bitPattern: value), to: &buffer)
  }

  private static func appendBigEndian(_ value: UInt64, to buffer: inout [UInt8]) {
    withUnsafeBytes(of: value.bigEndian) { buffer.append(contentsOf: $0) }
  }

  /// Steps a statement: true for a row, false when done, an error otherwise.
  private static func step(_ statement: SQLiteStatement, in db: Database) throws -> Bool {
    let code = sqlite3_step(statement)
    if code == SQLITE_ROW { return true }
    if code == SQLITE_DONE { return false }
    throw DatabaseError(
      resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
  }

  /// Appends one column's storage type and value.
  private static func append(_ column: Int32, of statement: SQLiteStatement, to buffer: inout [UInt8]) {
    func bytes(_ tag: UInt8, _ start: UnsafeRawPointer?) {
      let count = Int(sqlite3_column_bytes(statement, column))
      appendTagged(tag, UnsafeRawBufferPointer(start: count > 0 ? start : nil, count: count), to: &buffer)
    }
    switch sqlite3_column_type(statement, column) {
    case SQLITE_INTEGER: appendInteger(sqlite3_column_int64(statement, column), to: &buffer)
    case SQLITE_FLOAT:
      buffer.append(UInt8(ascii: "r"))
      appendBigEndian(sqlite3_column_double(statement, column).bitPattern, to: &buffer)
    case SQLITE_TEXT: bytes(UInt8(ascii: "t"), UnsafeRawPointer(sqlite3_column_text(statement, column)))
    case SQLITE_BLOB: bytes(UInt8(ascii: "b"), sqlite3_column_blob(statement, column))
    default: buffer.append(UInt8(ascii: "n"))
    }
  }
}

extension DatabaseValue.Storage {
  /// A unit's key as it is written after `TABLE/`.
  var keyText: String {
    switch self {
    case .int64(let value): String(value)
    case .string(let value): value
    case .double(let value): String(value)
    case .blob(let data): data.hexString
    case .null: "null"
    }
  }
}

extension Store {
  /// The digests of the rows each event's change left behind, in a hashed column of its own
  /// (hr(7) AUDIT TRAIL): NULL for the events already written, whose hashes stay as they were.
  static func addAuditState(_ db: Database) throws {
    try db.execute(sql: "ALTER TABLE audit_event ADD COLUMN state TEXT")
  }
}
