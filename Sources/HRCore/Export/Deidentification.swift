import GRDB
import HRLines

/// One record as a de-identified export prints it: a keyed pseudonym, the quasi-identifiers
/// generalised (age band, sex, district), its status, its set health tags, and its service types by
/// year-month. No direct identifier (附件2 六): no name, identifier, certificate number, phone,
/// address, emergency contact or record number.
package struct DeidentifiedRecord: Equatable, Sendable {
  /// Hex HMAC-SHA256 of the record number under the export key.
  package var pseudonym: String
  /// The age band today, e.g. `65-69`.
  package var ageBand: String
  /// GB/T 2261.1 sex code.
  package var sex: Int
  /// The managing district's code.
  package var district: String
  /// `active`, or the archive reason (`lost`, `deceased`, `moved_out`).
  package var status: String
  /// The set tags in force, sorted. The age tags (`elderly`, `child_0_6`) are left out: they only
  /// restate the age band, or split it finer than the band (`child_0_6` cuts 5–9 in two).
  package var tags: [String]
  /// Services counted by year-month and type, in that order; an amended service counts at its
  /// amended date and type.
  package var services: [(month: String, type: String, count: Int)]

  /// The keys of every printed record, in order.
  package static let outputKeys = ["pseudonym", "age_band", "sex", "district", "status", "tags", "services"]

  /// The record as printed.
  package var output: JSONObject {
    [
      "pseudonym": .string(pseudonym), "age_band": .string(ageBand), "sex": .int(sex), "district": .string(district),
      "status": .string(status), "tags": .array(tags.map(JSONValue.string)),
      "services": .array(services.map { ["month": .string($0.month), "type": .string($0.type), "count": .int($0.count)] }),
    ]
  }

  /// Appends the record as one compact JSON line, byte for byte what `output` prints, without
  /// building the object: a research export writes a million of them.
  package func writeJSONLine(to buffer: inout [UInt8]) {
    buffer.append(contentsOf: #"{"pseudonym":"#.utf8)
    JSONWriter.writeString(pseudonym, to: &buffer)
    buffer.append(contentsOf: #","age_band":"#.utf8)
    JSONWriter.writeString(ageBand, to: &buffer)
    buffer.append(contentsOf: #","sex":"#.utf8)
    buffer.append(contentsOf: String(sex).utf8)
    buffer.append(contentsOf: #","district":"#.utf8)
    JSONWriter.writeString(district, to: &buffer)
    buffer.append(contentsOf: #","status":"#.utf8)
    JSONWriter.writeString(status, to: &buffer)
    buffer.append(contentsOf: #","tags":["#.utf8)
    for (index, tag) in tags.enumerated() {
      if index > 0 { buffer.append(UInt8(ascii: ",")) }
      JSONWriter.writeString(tag, to: &buffer)
    }
    buffer.append(contentsOf: #"],"services":["#.utf8)
    for (index, service) in services.enumerated() {
      buffer.append(contentsOf: index > 0 ? #",{"month":"#.utf8 : #"{"month":"#.utf8)
      JSONWriter.writeString(service.month, to: &buffer)
      buffer.append(contentsOf: #","type":"#.utf8)
      JSONWriter.writeString(service.type, to: &buffer)
      buffer.append(contentsOf: #","count":"#.utf8)
      buffer.append(contentsOf: String(service.count).utf8)
      buffer.append(UInt8(ascii: "}"))
    }
    buffer.append(contentsOf: "]}\n".utf8)
  }

  /// Two records are equal when they print the same.
  package static func == (lhs: Self, rhs: Self) -> Bool { lhs.output == rhs.output }
}

/// The de-identified export's SQL (附件2 六): equivalence classes counted in the store first, then
/// the records of the released classes streamed in pseudonym order, so memory does not grow with
/// the number of records and the order reveals nothing of the record numbers.
package struct Deidentification: Sendable {
  /// Whose records: the approval's scope.
  package let scope: ApprovalScope
  /// `k`, `l` and the age band width.
  package let settings: ExportSettings
  /// The day ages are counted to.
  package let today: LocalDate

  /// The label of the age band starting at `start`: `65-69` for bands of 5 years, `65` for bands of one.
  package func ageBand(startingAt start: Int) -> String {
    settings.ageBandYears == 1 ? "\(start)" : "\(start)-\(start + settings.ageBandYears - 1)"
  }

  /// The equivalence classes of the non-restricted records in scope, with their sizes and (with
  /// `export.l`) their numbers of distinct tag sets; and the number of restricted records left out.
  package func countClasses(in db: Database) throws -> (counts: [EquivalenceClass: ClassCount], restricted: Int) {
    // The tags come in whatever order the index gives; hr_tag_set sorts them, so one set is one text.
    db.add(
      function: DatabaseFunction("hr_tag_set", argumentCount: 1, pure: true) { values in
        String.fromDatabaseValue(values[0]).map { Self.tags(in: $0).joined(separator: "\u{1F}") } ?? ""
      })
    let tagSet = settings.l == nil ? "''" : "hr_tag_set(\(Self.tagsSQL))"
    let sql = """
      SELECT band, sex, district, count(*), count(DISTINCT tag_set) FROM (
        SELECT \(Self.bandSQL) AS band, r.sex AS sex, r.managing_district AS district, \(tagSet) AS tag_set
        FROM record r WHERE \(inScope))
      GROUP BY band, sex, district
      """
    var counts: [EquivalenceClass: ClassCount] = [:]
    let rows = try Row.fetchCursor(db.makeStatement(sql: sql), arguments: arguments)
    while let row = try rows.next() {
      counts[EquivalenceClass(ageBandStart: row[0], sex: row[1], district: row[2])] = ClassCount(records: row[3], tagSets: row[4])
    }
    let restricted =
      try Int.fetchOne(
        db.cachedStatement(
          sql: "SELECT count(*) FROM record r WHERE \(scopeCondition) AND r.status <> 'purging' AND r.restricted = 1"),
        arguments: arguments) ?? 0
    return (counts, restricted)
  }

  /// Calls `body` with every record of a class not in `suppressed`, in pseudonym order; returns
  /// their number.
  package func forEachReleased(
    in db: Database, key: PseudonymKey, suppressed: Set<EquivalenceClass>, _ body: (DeidentifiedRecord) throws -> Void
  ) throws -> Int {
    db.add(
      function: DatabaseFunction("hr_pseudonym", argumentCount: 1, pure: true) { values in
        String.fromDatabaseValue(values[0]).map(key.pseudonym(of:))
      })
    // Suppressed classes are few, usually none: an IN list SQLite indexes once, not a call per record.
    var arguments = self.arguments
    var filter = ""
    if !suppressed.isEmpty {
      let keys = suppressed.map { JSONValue.string("\($0.ageBandStart) \($0.sex) \($0.district)") }
      filter =
        " AND (\(Self.bandSQL) || ' ' || r.sex || ' ' || r.managing_district) NOT IN (SELECT value FROM json_each(:suppressed))"
      _ = arguments.append(contentsOf: ["suppressed": JSONValue.array(keys).compact])
    }
    // SQLite sorts by pseudonym, spilling to temporary files past its cache: memory stays flat.
    let sql = """
      SELECT hr_pseudonym(r.record_no) AS pseudonym, \(Self.bandSQL), r.sex, r.managing_district,
             coalesce(r.archive_reason, r.status), \(Self.tagsSQL), \(Self.servicesSQL), \(Self.amendmentsSQL)
      FROM record r
      WHERE \(inScope)\(filter)
      ORDER BY pseudonym
      """
    let rows = try Row.fetchCursor(db.makeStatement(sql: sql), arguments: arguments)
    var count = 0
    var bands: [Int: String] = [:]
    while let row = try rows.next() {
      let start: Int = row[1]
      let band = bands[start] ?? ageBand(startingAt: start)
      bands[start] = band
      try body(
        DeidentifiedRecord(
          pseudonym: row[0], ageBand: band, sex: row[2], district: row[3], status: row[4], tags: Self.tags(in: row[5] ?? ""),
          services: Self.servicesByMonth(row[6] ?? "", amendments: row[7] ?? "")))
      count += 1
    }
    return count
  }

  /// The tags of a U+001F-separated list, sorted.
  static func tags(in list: String) -> [String] {
    list.isEmpty ? [] : list.split(separator: "\u{1F}").map(String.init).sorted()
  }

  /// Services counted by year-month and type from `id US date US type` entries separated by U+001E,
  /// each at the date and type of the latest amendment that changed them (`id US changes` entries,
  /// in amendment order), sorted by month then type.
  static func servicesByMonth(_ list: String, amendments: String) -> [(month: String, type: String, count: Int)] {
    guard !list.isEmpty else { return [] }
    var services: [(id: Substring, month: Substring, type: Substring)] = list.split(separator: "\u{1E}").compactMap { entry in
      let parts = entry.split(separator: "\u{1F}", omittingEmptySubsequences: false)
      guard parts.count == 3 else { return nil }
      return (parts[0], parts[1].prefix(7), parts[2])
    }
    if !amendments.isEmpty {
      // Annex 1 三(一): a correction stands beside the original; the latest one that names a field wins.
      for entry in amendments.split(separator: "\u{1E}") {
        guard let separator = entry.firstIndex(of: "\u{1F}"),
          let changes = try? JSONParser.parseObject(Array(entry[entry.index(after: separator)...].utf8))
        else { continue }
        let id = entry[..<separator]
        for index in services.indices where services[index].id == id {
          if let date = changes["date"]?.stringValue { services[index].month = Substring(date.prefix(7)) }
          if let type = changes["type"]?.stringValue { services[index].type = Substring(type) }
        }
      }
    }
    var counts: [(month: String, type: String, count: Int)] = []
    for service in services.sorted(by: { ($0.month, $0.type) < ($1.month, $1.type) }) {
      if let last = counts.last, last.month == service.month, last.type == service.type {
        counts[counts.count - 1].count += 1
      } else {
        counts.append((String(service.month), String(service.type), 1))
      }
    }
    return counts
  }

  /// The records an export may consider: in scope, not being purged, not restricted (开放限制).
  private var inScope: String { "\(scopeCondition) AND r.status <> 'purging' AND r.restricted = 0" }

  private var scopeCondition: String {
    switch scope {
    case .city: "1"
    case .district: "r.managing_district = :district"
    }
  }

  private var arguments: StatementArguments {
    var arguments: [String: (any DatabaseValueConvertible)?] = [
      "year": today.year, "monthDay": String(today.description.dropFirst(5)), "width": settings.ageBandYears,
    ]
    if case .district(let code) = scope { arguments["district"] = code }
    return StatementArguments(arguments)
  }

  /// The start of the age band of `r.birth_date` on today: the age as `LocalDate.age(on:)` counts
  /// it (a birthday not reached yet this year takes one off), rounded down to the band width.
  private static let bandSQL = """
    (max(0, :year - CAST(substr(r.birth_date, 1, 4) AS INTEGER) - (substr(r.birth_date, 6, 5) > :monthDay)) / :width * :width)
    """

  /// The set tags in force on `r`, joined by U+001F (a tag value never holds a control character),
  /// in no set order: a tag is in force when no later row of its code exists and it is no end row.
  private static let tagsSQL = """
    (SELECT group_concat(t.code, char(31)) FROM tag t
     WHERE t.record_no = r.record_no AND t.ended IS NULL
       AND NOT EXISTS (SELECT 1 FROM tag u WHERE u.record_no = t.record_no AND u.code = t.code AND u.tag_id > t.tag_id))
    """

  /// The services of `r` as `service_id US date US type`, joined by U+001E.
  private static let servicesSQL = """
    (SELECT group_concat(s.service_id || char(31) || s.date || char(31) || s.type, char(30)) FROM service s
     WHERE s.record_no = r.record_no)
    """

  /// The amendments of `r`'s services as `service_id US changes`, joined by U+001E, in the order they
  /// were made (the index on record_no keeps the rowid order).
  private static let amendmentsSQL = """
    (SELECT group_concat(a.service_id || char(31) || a.changes, char(30)) FROM
       (SELECT service_id, changes FROM amendment WHERE record_no = r.record_no ORDER BY amendment_id) a)
    """
}
