import Foundation
import GRDB

#if canImport(GRDBSQLite)
import GRDBSQLite
#elseif canImport(SQLite3)
import SQLite3
#endif

/// The whole city's records counted in one pass (第二十六条; annex 1 四(四), 六(一)2, 六(二)1):
/// records, usage, key populations and signed residents together.
///
/// The records are read in their own order, and beside them, in that same order, the services and
/// contacts of the usage windows, the tags, the contracts and the records with an amended service
/// date, each through its record index: one pass over each index instead of a search of three
/// indexes for each of a city's records, and no grouping sort. Only the records whose state or
/// organisation on the as-of day the history after it changed (`later`), and those with an amended
/// service date, are worked out one by one.
extension MetricsQueries {
  /// A record's state as a number: 0 active, 1 lost, 2 deceased, 3 moved out.
  private static func stateCode(_ state: String) -> String {
    "CASE \(state) WHEN 'lost' THEN 1 WHEN 'deceased' THEN 2 WHEN 'moved_out' THEN 3 ELSE 0 END"
  }

  /// The city's records created by the as-of day, in record order, as they are now: number,
  /// organisation, district, whether active, archive reason, birth date, death date. The state and
  /// ages are worked out by `CityPass` from the bytes as SQLite holds them, as `view` would give
  /// them, rather than by SQL expressions evaluated for every record.
  var cityRecordsSQL: String {
    """
    SELECT r.record_no, r.managing_org, r.managing_district, r.status = 'active', r.archive_reason, r.birth_date, r.death_date
    FROM record r NOT INDEXED WHERE r.created_on <= :asOf ORDER BY r.record_no
    """
  }

  /// Whether the deceased record `:record`, dead on `:death` in the period, had a service that
  /// year before its death (annex 1 六(一)2).
  static let deceasedServedSQL = "SELECT \(served(":record", from: ":start", to: ":death", contacts: false))"

  /// The city's records whose organisation or state on the as-of day the history after it changed,
  /// in record order, as they were then: number, organisation, district, state, deceased in the
  /// period with a service before death. Nil when the store holds no history after the day.
  var cityLaterSQL: String? {
    var sets: [String] = []
    if laterTransfers { sets.append("SELECT record_no FROM moved") }
    if laterArchiveEvents { sets.append("SELECT record_no FROM changed") }
    guard !sets.isEmpty else { return nil }
    let tables =
      historyTables + [
        "later AS MATERIALIZED (\(sets.joined(separator: " UNION ")))",
        // CROSS JOIN keeps SQLite from scanning every record for their order: the few are sorted.
        view("then_later", records: "later l CROSS JOIN record r ON r.record_no = l.record_no", history: true),
      ]
    return """
      WITH \(tables.joined(separator: ",\n"))
      SELECT v.record_no, v.org, v.district, \(Self.stateCode("v.state")), \(deceasedServed("v"))
      FROM then_later v ORDER BY v.record_no
      """
  }

  /// The services (`service`) or contacts (`contact`) dated in either window, usage's or the
  /// signed residents', in record order: number, in the usage window, in the signed window. Their
  /// amendments are left to `amendedRecordsSQL`.
  static func cityServedSQL(_ table: String) -> String {
    """
    SELECT record_no, date >= :usageFrom, date >= :signedFrom FROM \(table) INDEXED BY \(table)_by_record
    WHERE date BETWEEN :servedFrom AND :asOf ORDER BY record_no
    """
  }

  /// The records with a service whose date an amendment corrected, in record order: their usage is
  /// worked out by `amendedServedSQL`.
  static let amendedRecordsSQL = """
    SELECT DISTINCT record_no FROM amendment a INDEXED BY amendment_redated_by_record WHERE \(redated("a"))
    ORDER BY record_no
    """

  /// Whether the record `:record` was served (or contacted) in the usage window, then in the signed
  /// residents' window, its services at their amended dates.
  static let amendedServedSQL = """
    SELECT \(served(":record", from: ":usageFrom", to: ":asOf")), \(served(":record", from: ":signedFrom", to: ":asOf"))
    """

  /// The tags of the set key populations, in record order, then by code, oldest first: number, the key population's place in `MetricsTally.keyPopulations`,
  /// whether the tag was set on or before the as-of day and not ended, whether it was ended by
  /// then. A code is in force when a tag set and not ended is followed by no tag ended by then
  /// (`tagsSQL`); `CityPass` follows each code's tags in that order. The table is read in its own
  /// order and its few rows sorted: through `tag_by_record`, each tag would be a search of the
  /// table out of the order of its pages.
  var cityTagsSQL: String {
    let populations = MetricsTally.keyPopulations.enumerated().filter { !TagCode.derived.contains($0.element) }
    let cases = populations.map { "WHEN '\($0.element)' THEN \($0.offset)" }.joined(separator: " ")
    let codes = populations.map { "'\($0.element)'" }.joined(separator: ", ")
    return """
      SELECT t.record_no, CASE t.code \(cases) END, t.ended IS NULL AND ifnull(t.since, t.entered_on) <= :asOf,
        t.ended IS NOT NULL AND t.ended <= :asOf
      FROM tag t NOT INDEXED WHERE t.code IN (\(codes)) ORDER BY t.record_no, t.code, t.tag_id
      """
  }

  /// The records signed by the as-of day, in record order: number, and whether their last contract
  /// was signed within the signed residents' window.
  static let citySignedSQL = """
    SELECT record_no, max(signed_on) >= :signedFrom FROM contract INDEXED BY contract_by_record
    WHERE signed_on <= :asOf GROUP BY record_no ORDER BY record_no
    """

  /// Counts the city's records, usage, key populations and signed residents into `tallies`, by the
  /// organisation managing each record on the as-of day; `incompleteSQL`, services, refusals and
  /// transfers are counted apart.
  func countCityRecords(in db: Database, into tallies: inout [MetricsKey: MetricsTally]) throws {
    let arguments = arguments
    func rows(_ sql: String) throws -> RecordOrdered { try RecordOrdered(db.cachedStatement(sql: sql), arguments, in: db) }
    let records = try rows(cityRecordsSQL)
    let later = try cityLaterSQL.map(rows)
    let pass = try CityPass(
      services: rows(Self.cityServedSQL("service")), contacts: rows(Self.cityServedSQL("contact")),
      amended: rows(Self.amendedRecordsSQL), tags: rows(cityTagsSQL), signed: rows(Self.citySignedSQL),
      amendedProbe: db.cachedStatement(sql: Self.amendedServedSQL),
      deceasedProbe: db.cachedStatement(sql: Self.deceasedServedSQL), arguments: arguments, queries: self)
    defer {
      for cursor in [records, later, pass.services, pass.contacts, pass.amended, pass.tags, pass.signed] { cursor?.close() }
    }
    var units = UnitTallies()
    while records.hasRow {
      let recordNo = records.text(0)
      let unit: Int
      let state: Int
      let deceasedServed: Int
      if let then = later, try then.reach(recordNo) {
        // A record the history after the as-of day changed counts as it was then.
        unit = units.index(org: then.text(1), district: then.text(2))
        state = then.int(3)
        deceasedServed = then.int(4)
      } else {
        unit = units.index(org: records.text(1), district: records.text(2))
        state = CityPass.state(active: records.int(3) != 0, reason: records.text(4))
        deceasedServed = state == 2 ? try pass.deceasedServed(recordNo, death: records.text(6)) : 0
      }
      try pass.count(recordNo, state: state, birth: records.text(5), deceasedServed: deceasedServed, into: &units.tallies[unit])
      try records.advance()
    }
    for (key, index) in units.indexes { tallies[key, default: MetricsTally()].add(units.tallies[index]) }
  }
}

/// The rows read beside the city's records, and how one record is counted from them.
private struct CityPass {
  let services: RecordOrdered
  let contacts: RecordOrdered
  let amended: RecordOrdered
  let tags: RecordOrdered
  let signed: RecordOrdered
  let amendedProbe: Statement
  let deceasedProbe: Statement
  let arguments: StatementArguments
  /// The first day of the period, the as-of day, and the birthdays of the elderly and of children
  /// under 7 as of that day, as bytes.
  let start: [UInt8]
  let asOf: [UInt8]
  let elderlyBorn: [UInt8]
  let childBorn: [UInt8]

  init(
    services: RecordOrdered, contacts: RecordOrdered, amended: RecordOrdered, tags: RecordOrdered, signed: RecordOrdered,
    amendedProbe: Statement, deceasedProbe: Statement, arguments: StatementArguments, queries: MetricsQueries
  ) {
    self.services = services
    self.contacts = contacts
    self.amended = amended
    self.tags = tags
    self.signed = signed
    self.amendedProbe = amendedProbe
    self.deceasedProbe = deceasedProbe
    self.arguments = arguments
    start = Array(queries.period.start.description.utf8)
    asOf = Array(queries.period.asOf.description.utf8)
    elderlyBorn = Array(queries.elderlyBorn.description.utf8)
    childBorn = Array(queries.childBorn.description.utf8)
  }

  /// The state of a record as `view` gives it (0 active, 1 lost, 2 deceased, 3 moved out): active
  /// when its status is, else its archive reason, which the store holds to those three.
  static func state(active: Bool, reason: UnsafeBufferPointer<UInt8>) -> Int {
    guard !active, let first = reason.first else { return 0 }
    switch first {
    case UInt8(ascii: "l"): return 1
    case UInt8(ascii: "d"): return 2
    case UInt8(ascii: "m"): return 3
    default: return 0
    }
  }

  /// Whether a deceased record that died on `death` did so in the period with a service that year
  /// before its death: 1 or 0.
  func deceasedServed(_ recordNo: UnsafeBufferPointer<UInt8>, death: UnsafeBufferPointer<UInt8>) throws -> Int {
    guard order(death, start) >= 0, order(death, asOf) <= 0 else { return 0 }
    let values: StatementArguments = [
      "record": String(decoding: recordNo, as: UTF8.self), "death": String(decoding: death, as: UTF8.self),
    ]
    return try Int.fetchOne(deceasedProbe, arguments: arguments &+ values) ?? 0
  }

  /// Counts the record `recordNo` in `state` on the as-of day (0 active, 1 lost, 2 deceased,
  /// 3 moved out), born on `birth`, into its unit's tally.
  func count(
    _ recordNo: UnsafeBufferPointer<UInt8>, state: Int, birth: UnsafeBufferPointer<UInt8>, deceasedServed: Int,
    into tally: inout MetricsTally
  ) throws {
    tally.deceasedWithService += deceasedServed
    switch state {
    case 1: tally.lost += 1
    case 2: tally.deceased += 1
    case 3: tally.movedOut += 1
    default:
      tally.active += 1
      // Every active record is complete but those `incompleteSQL` finds with an empty field.
      tally.complete += 1
      if order(birth, elderlyBorn) <= 0 { tally.keyPopulations[0] += 1 }
      if order(birth, childBorn) > 0, order(birth, asOf) <= 0 { tally.keyPopulations[1] += 1 }
      let (used, servedRecently) = try served(recordNo)
      if used { tally.used += 1 }
      // A code set and not ended counts unless a later tag of the code ended it.
      var populations = 0
      while try tags.reach(recordNo) {
        let bit = 1 << tags.int(1)
        if tags.int(2) != 0 { populations |= bit }
        if tags.int(3) != 0 { populations &= ~bit }
        try tags.advance()
      }
      for index in tally.keyPopulations.indices where populations & (1 << index) != 0 {
        tally.keyPopulations[index] += 1
      }
      if try signed.reach(recordNo) {
        tally.signed += 1
        if signed.int(1) != 0 || servedRecently { tally.signedTimely += 1 }
      }
    }
  }

  /// Whether the record was served or contacted in the usage window, and in the signed
  /// residents' window.
  private func served(_ recordNo: UnsafeBufferPointer<UInt8>) throws -> (Bool, Bool) {
    if try amended.reach(recordNo) {
      let number = String(decoding: recordNo, as: UTF8.self)
      guard let row = try Row.fetchOne(amendedProbe, arguments: arguments &+ ["record": number]) else {
        return (false, false)
      }
      return (row[0], row[1])
    }
    var used = false
    var servedRecently = false
    for rows in [services, contacts] {
      while try rows.reach(recordNo) {
        used = used || rows.int(1) != 0
        servedRecently = servedRecently || rows.int(2) != 0
        try rows.advance()
      }
    }
    return (used, servedRecently)
  }
}

/// The tallies of the units met, found again without a dictionary look-up while the records of
/// one unit follow each other, as record numbers beginning with the division's code do.
private struct UnitTallies {
  var tallies: [MetricsTally] = []
  var indexes: [MetricsKey: Int] = [:]
  private var last: (org: [UInt8], district: [UInt8], index: Int)?

  /// The place in `tallies` of the unit of `org` and `district`.
  mutating func index(org: UnsafeBufferPointer<UInt8>, district: UnsafeBufferPointer<UInt8>) -> Int {
    if let last, last.org.withUnsafeBufferPointer({ order($0, org) == 0 }),
      last.district.withUnsafeBufferPointer({ order($0, district) == 0 })
    {
      return last.index
    }
    let key = MetricsKey(org: String(decoding: org, as: UTF8.self), district: String(decoding: district, as: UTF8.self))
    let index: Int
    if let known = indexes[key] {
      index = known
    } else {
      index = tallies.count
      indexes[key] = index
      tallies.append(MetricsTally())
    }
    last = (Array(org), Array(district), index)
    return index
  }
}

/// A statement's rows in record order, its first column the record number, read beside the
/// records: stepped and read where SQLite holds them, with no row object or copy.
private final class RecordOrdered {
  private let statement: Statement
  private let raw: SQLiteStatement
  private let db: Database
  /// Whether a row is there to read; false once the rows are all read.
  private(set) var hasRow = false

  init(_ statement: Statement, _ arguments: StatementArguments, in db: Database) throws {
    try statement.setArguments(arguments)
    self.statement = statement
    raw = statement.sqliteStatement
    self.db = db
    try advance()
  }

  /// Moves on to the next row.
  func advance() throws {
    switch sqlite3_step(raw) {
    case SQLITE_ROW: hasRow = true
    case SQLITE_DONE: hasRow = false
    case let code:
      hasRow = false
      throw DatabaseError(resultCode: ResultCode(rawValue: code), message: db.lastErrorMessage, sql: statement.sql)
    }
  }

  /// Leaves the statement, read or not, ready for its next use.
  func close() {
    hasRow = false
    sqlite3_reset(raw)
  }

  /// Passes over the rows of records before `recordNo`, which must not come before a record asked
  /// for earlier; whether the row reached is one of `recordNo`'s.
  func reach(_ recordNo: UnsafeBufferPointer<UInt8>) throws -> Bool {
    while hasRow {
      let comparison = order(text(0), recordNo)
      if comparison == 0 { return true }
      if comparison > 0 { return false }
      try advance()
    }
    return false
  }

  /// A column of the row as an integer.
  func int(_ column: Int32) -> Int { Int(sqlite3_column_int64(raw, column)) }

  /// A column of the row as text, valid until the row moves on; empty for NULL.
  func text(_ column: Int32) -> UnsafeBufferPointer<UInt8> {
    // sqlite3_column_text before sqlite3_column_bytes, as SQLite asks, so the length is that of the text.
    let text = sqlite3_column_text(raw, column)
    let count = Int(sqlite3_column_bytes(raw, column))
    return UnsafeBufferPointer(start: text, count: text == nil ? 0 : count)
  }
}

/// Negative, zero or positive as `a` sorts before, with or after `b` by their bytes, as SQLite
/// orders text.
private func order(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Int {
  let common = min(a.count, b.count)
  if common > 0, let left = a.baseAddress, let right = b.baseAddress {
    let order = memcmp(left, right, common)
    if order != 0 { return Int(order) }
  }
  return a.count - b.count
}

/// `order` of text and the bytes of a date.
private func order(_ a: UnsafeBufferPointer<UInt8>, _ b: [UInt8]) -> Int {
  b.withUnsafeBufferPointer { order(a, $0) }
}
