import GRDB
import HRLines

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One record as the export's scan reads it, before it is pseudonymised and put in order.
struct ScannedRecord {
  var recordNo: String
  var equivalenceClass: EquivalenceClass
  /// `active`, or the archive reason.
  var status: String
  /// The set tags in force, sorted.
  var tags: [String]
  /// Services counted by year-month and type, sorted by month then type.
  var services: [(month: String, type: String, count: Int)]
}

extension Deidentification {
  /// Hands every record the export may consider to `body`, in record-number order, with its tags in
  /// force and its services at their amended dates and types.
  ///
  /// Four cursors read the record, tag, service and amendment tables in that same order, each
  /// once through its record index, and are merged here: one pass over each table instead of
  /// three index searches a record.
  func scan(in db: Database, _ body: (ScannedRecord) throws -> Void) throws {
    // Rows are read by position, by hand, not through `StoredRecord`: the scan reads every record,
    // tag, service and amendment of the store, and the generic coding would dominate it (speed).
    var tags = RecordRows(
      try Row.fetchCursor(
        db.makeStatement(sql: "SELECT record_no, code, ended IS NULL FROM tag ORDER BY record_no, code, tag_id"))
    ) { row in (row[0], (code: row[1] as String, inForce: row[2] as Bool)) }
    var services = RecordRows(
      try Row.fetchCursor(db.makeStatement(sql: "SELECT record_no, service_id, date, type FROM service ORDER BY record_no"))
    ) { row in (row[0], (id: row[1] as Int64, month: String((row[2] as String).prefix(7)), type: row[3] as String)) }
    var amendments = RecordRows(
      try Row.fetchCursor(
        db.makeStatement(sql: "SELECT record_no, service_id, changes FROM amendment ORDER BY record_no, amendment_id"))
    ) { row in (row[0], (serviceID: row[1] as Int64, changes: row[2] as String)) }

    let records = try Row.fetchCursor(
      db.makeStatement(
        sql: """
          SELECT r.record_no, \(Self.bandSQL), r.sex, r.managing_district, coalesce(r.archive_reason, r.status)
          FROM record r WHERE \(inScope) ORDER BY r.record_no
          """), arguments: arguments)
    while let row = try records.next() {
      let recordNo: String = row[0]
      try body(
        ScannedRecord(
          recordNo: recordNo, equivalenceClass: EquivalenceClass(ageBandStart: row[1], sex: row[2], district: row[3]),
          status: row[4], tags: Self.inForce(try tags.rows(of: recordNo)),
          services: Self.servicesByMonth(try services.rows(of: recordNo), amendments: try amendments.rows(of: recordNo))))
    }
  }

  /// The tags in force among a record's tag rows, de-identified (`TagCode.deidentified`), sorted
  /// and each once: for each code its latest row, unless that row ends it. The rows come ordered by
  /// code, then oldest first.
  static func inForce(_ rows: [(code: String, inForce: Bool)]) -> [String] {
    var tags: Set<String> = []
    for (index, row) in rows.enumerated() where row.inForce {
      let isLatest = index + 1 == rows.count || rows[index + 1].code != row.code
      if isLatest { tags.insert(TagCode.deidentified(row.code)) }
    }
    return tags.sorted()
  }

  /// A record's services counted by year-month and type, each at the date and type of the latest
  /// amendment that changed them (amendments in the order they were made), sorted by month then type.
  static func servicesByMonth(
    _ rows: [(id: Int64, month: String, type: String)], amendments: [(serviceID: Int64, changes: String)]
  ) -> [(month: String, type: String, count: Int)] {
    guard !rows.isEmpty else { return [] }
    var services = rows
    // Annex 1 三(一): a correction stands beside the original; the latest one that names a field wins.
    for amendment in amendments {
      guard let changes = try? JSONParser.parseObject(Array(amendment.changes.utf8)) else { continue }
      for index in services.indices where services[index].id == amendment.serviceID {
        if let date = changes["date"]?.stringValue { services[index].month = String(date.prefix(7)) }
        if let type = changes["type"]?.stringValue { services[index].type = type }
      }
    }
    var counts: [(month: String, type: String, count: Int)] = []
    for service in services.sorted(by: { ($0.month, $0.type) < ($1.month, $1.type) }) {
      if let last = counts.last, last.month == service.month, last.type == service.type {
        counts[counts.count - 1].count += 1
      } else {
        counts.append((service.month, service.type, 1))
      }
    }
    return counts
  }
}

/// A cursor over rows ordered by record number, read one record's rows at a time as the records
/// go by in the same order; the rows of records the export skips are passed over.
private struct RecordRows<Element> {
  let cursor: RowCursor
  let decode: (Row) throws -> (String, Element)
  /// The row read past the last record asked for, waiting for its own.
  var pending: (recordNo: String, element: Element)?

  init(_ cursor: RowCursor, decode: @escaping (Row) throws -> (String, Element)) {
    self.cursor = cursor
    self.decode = decode
  }

  /// The rows of `recordNo`, which must not come before a record asked for earlier.
  mutating func rows(of recordNo: String) throws -> [Element] {
    var rows: [Element] = []
    while true {
      if pending == nil {
        guard let row = try cursor.next() else { return rows }
        pending = try decode(row)
      }
      guard let (owner, element) = pending else { return rows }
      let order = Self.byteOrder(owner, recordNo)
      if order < 0 {
        pending = nil
      } else if order == 0 {
        rows.append(element)
        pending = nil
      } else {
        return rows
      }
    }
  }

  /// Negative, zero or positive as `a` sorts before, with or after `b` by their bytes, as SQLite
  /// orders text.
  private static func byteOrder(_ a: String, _ b: String) -> Int {
    var a = a
    var b = b
    return a.withUTF8 { x in
      b.withUTF8 { y in
        let common = min(x.count, y.count)
        if common > 0, let left = x.baseAddress, let right = y.baseAddress {
          let order = memcmp(left, right, common)
          if order != 0 { return Int(order) }
        }
        return x.count - y.count
      }
    }
  }
}
