import GRDB

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
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
  /// organisation, district, state, elderly, child under 7, and deceased in the period with a
  /// service before death.
  var cityRecordsSQL: String {
    """
    WITH \(view("now", records: "record r NOT INDEXED", history: false))
    SELECT v.record_no, v.org, v.district, \(Self.stateCode("v.state")), v.birth_date <= :elderlyBorn,
      v.birth_date > :childBorn AND v.birth_date <= :asOf, \(deceasedServed("v"))
    FROM now v ORDER BY v.record_no
    """
  }

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
        view("then_later", records: "later l JOIN record r ON r.record_no = l.record_no", history: true),
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

  /// The set key populations in force on the as-of day, in record order: number and the key
  /// population's place in `MetricsTally.keyPopulations` (a record may come more than once).
  var cityTagsSQL: String {
    let cases = MetricsTally.keyPopulations.enumerated().filter { !TagCode.derived.contains($0.element) }
      .map { "WHEN '\($0.element)' THEN \($0.offset)" }.joined(separator: " ")
    return """
      SELECT t.record_no, CASE t.code \(cases) END FROM tag t WHERE \(tagInForce("t")) ORDER BY t.record_no
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
    let records = try RecordOrdered(db.cachedStatement(sql: cityRecordsSQL), arguments)
    let later = try cityLaterSQL.map { try RecordOrdered(db.cachedStatement(sql: $0), arguments) }
    let pass = CityPass(
      services: try RecordOrdered(db.cachedStatement(sql: Self.cityServedSQL("service")), arguments),
      contacts: try RecordOrdered(db.cachedStatement(sql: Self.cityServedSQL("contact")), arguments),
      amended: try RecordOrdered(db.cachedStatement(sql: Self.amendedRecordsSQL), arguments),
      tags: try RecordOrdered(db.cachedStatement(sql: cityTagsSQL), arguments),
      signed: try RecordOrdered(db.cachedStatement(sql: Self.citySignedSQL), arguments),
      amendedServed: try db.cachedStatement(sql: Self.amendedServedSQL), arguments: arguments)
    var units = UnitTallies()
    while records.hasRow {
      let recordNo = records.text(0)
      // A record the history after the as-of day changed counts as it was then.
      let then = try later?.reach(recordNo) == true ? later : nil
      let source = then ?? records
      let unit = units.index(org: source.text(1), district: source.text(2))
      try pass.count(
        recordNo, state: source.int(3), elderly: records.int(4), child: records.int(5),
        deceasedServed: then?.int(4) ?? records.int(6), into: &units.tallies[unit])
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
  let amendedServed: Statement
  let arguments: StatementArguments

  /// Counts the record `recordNo` in `state` on the as-of day (0 active, 1 lost, 2 deceased,
  /// 3 moved out) into its unit's tally.
  func count(
    _ recordNo: UnsafeBufferPointer<UInt8>, state: Int, elderly: Int, child: Int, deceasedServed: Int,
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
      tally.keyPopulations[0] += elderly
      tally.keyPopulations[1] += child
      let (used, servedRecently) = try served(recordNo)
      if used { tally.used += 1 }
      var populations = 0
      while try tags.reach(recordNo) {
        populations |= 1 << tags.int(1)
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
      guard let row = try Row.fetchOne(amendedServed, arguments: arguments &+ ["record": number]) else {
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
    if let last, last.org.elementsEqual(org), last.district.elementsEqual(district) { return last.index }
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
/// records: its columns are read where SQLite holds them, with no copy.
private final class RecordOrdered {
  private let rows: RowCursor
  private let statement: SQLiteStatement
  /// Whether a row is there to read; false once the rows are all read.
  private(set) var hasRow: Bool

  init(_ statement: Statement, _ arguments: StatementArguments) throws {
    rows = try Row.fetchCursor(statement, arguments: arguments)
    self.statement = statement.sqliteStatement
    hasRow = try rows.next() != nil
  }

  /// Moves on to the next row.
  func advance() throws { hasRow = try rows.next() != nil }

  /// Passes over the rows of records before `recordNo`, which must not come before a record asked
  /// for earlier; whether the row reached is one of `recordNo`'s.
  func reach(_ recordNo: UnsafeBufferPointer<UInt8>) throws -> Bool {
    while hasRow {
      let order = Self.order(text(0), recordNo)
      if order == 0 { return true }
      if order > 0 { return false }
      try advance()
    }
    return false
  }

  /// A column of the row as an integer.
  func int(_ column: Int32) -> Int { Int(sqlite3_column_int64(statement, column)) }

  /// A column of the row as text, valid until the row moves on; empty for NULL.
  func text(_ column: Int32) -> UnsafeBufferPointer<UInt8> {
    // sqlite3_column_text before sqlite3_column_bytes, as SQLite asks, so the length is that of the text.
    let text = sqlite3_column_text(statement, column)
    let count = Int(sqlite3_column_bytes(statement, column))
    return UnsafeBufferPointer(start: text, count: text == nil ? 0 : count)
  }

  /// Negative, zero or positive as `a` sorts before, with or after `b` by their bytes, as SQLite
  /// orders text.
  private static func order(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Int {
    let common = min(a.count, b.count)
    if common > 0, let left = a.baseAddress, let right = b.baseAddress {
      let order = memcmp(left, right, common)
      if order != 0 { return Int(order) }
    }
    return a.count - b.count
  }
}
