import GRDB

/// One record as a de-identified export prints it: a keyed pseudonym, the quasi-identifiers
/// generalised (age band, sex, district), its status, its set health tags, and its service types by
/// year-month. No direct identifier (附件2 六): no name, identifier, certificate number, phone,
/// address, emergency contact or record number.
package struct DeidentifiedRecord: Equatable, Sendable {
  package var pseudonym: String
  package var ageBand: String
  package var sex: Int
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

  package static func == (lhs: Self, rhs: Self) -> Bool { lhs.output == rhs.output }
}

/// The de-identified export's SQL (附件2 六): equivalence classes counted in the store first, then
/// the records of the released classes streamed in pseudonym order, so memory does not grow with
/// the number of records and the order reveals nothing of the record numbers.
package struct Deidentification: Sendable {
  package let scope: ApprovalScope
  package let settings: ExportSettings
  package let today: LocalDate

  package init(scope: ApprovalScope, settings: ExportSettings, today: LocalDate) {
    self.scope = scope
    self.settings = settings
    self.today = today
  }

  /// The label of the age band starting at `start`: `65-69` for bands of 5 years, `65` for bands of one.
  package func ageBand(startingAt start: Int) -> String {
    settings.ageBandYears == 1 ? "\(start)" : "\(start)-\(start + settings.ageBandYears - 1)"
  }

  /// The equivalence classes of the non-restricted records in scope, with their sizes and (with
  /// `export.l`) their numbers of distinct tag sets; and the number of restricted records left out.
  package func countClasses(in db: Database) throws -> (counts: [EquivalenceClass: ClassCount], restricted: Int) {
    let tagSet = settings.l == nil ? "''" : Self.tagSetSQL
    let sql = """
      SELECT band, sex, district, count(*), count(DISTINCT tag_set) FROM (
        SELECT \(Self.bandSQL) AS band, r.sex AS sex, r.managing_district AS district, \(tagSet) AS tag_set
        FROM record r WHERE \(inScope))
      GROUP BY band, sex, district
      """
    var counts: [EquivalenceClass: ClassCount] = [:]
    let rows = try Row.fetchCursor(db.cachedStatement(sql: sql), arguments: arguments)
    while let row = try rows.next() {
      counts[EquivalenceClass(ageBandStart: row[0], sex: row[1], district: row[2])] = ClassCount(records: row[3], tagSets: row[4])
    }
    let restricted =
      try Int.fetchOne(
        db.cachedStatement(sql: "SELECT count(*) FROM record r WHERE \(scopeCondition) AND r.status <> 'purging' AND r.restricted = 1"),
        arguments: arguments) ?? 0
    return (counts, restricted)
  }

  /// Calls `body` with every record of a released class, in pseudonym order; returns their number.
  package func forEachReleased(
    in db: Database, key: PseudonymKey, released: Set<EquivalenceClass>, _ body: (DeidentifiedRecord) throws -> Void
  ) throws -> Int {
    db.add(
      function: DatabaseFunction("hr_pseudonym", argumentCount: 1, pure: true) { values in
        String.fromDatabaseValue(values[0]).map(key.pseudonym(of:))
      })
    db.add(
      function: DatabaseFunction("hr_released", argumentCount: 3, pure: true) { values in
        guard let band = Int.fromDatabaseValue(values[0]), let sex = Int.fromDatabaseValue(values[1]),
          let district = String.fromDatabaseValue(values[2])
        else { return false }
        return released.contains(EquivalenceClass(ageBandStart: band, sex: sex, district: district))
      })
    let sql = """
      SELECT hr_pseudonym(r.record_no) AS pseudonym, \(Self.bandSQL), r.sex, r.managing_district,
             coalesce(r.archive_reason, r.status), \(Self.tagSetSQL), \(Self.servicesSQL)
      FROM record r
      WHERE \(inScope) AND hr_released(\(Self.bandSQL), r.sex, r.managing_district)
      ORDER BY pseudonym
      """
    let rows = try Row.fetchCursor(db.makeStatement(sql: sql), arguments: arguments)
    var count = 0
    while let row = try rows.next() {
      let tags: String = row[5]
      let services: String? = row[6]
      try body(
        DeidentifiedRecord(
          pseudonym: row[0], ageBand: ageBand(startingAt: row[1]), sex: row[2], district: row[3], status: row[4],
          tags: tags.isEmpty ? [] : tags.split(separator: "\u{1F}").map(String.init),
          services: (services ?? "").split(separator: "\u{1E}").compactMap { entry in
            let parts = entry.split(separator: "\u{1F}", omittingEmptySubsequences: false)
            guard parts.count == 3, let count = Int(parts[2]) else { return nil }
            return (String(parts[0]), String(parts[1]), count)
          }))
      count += 1
    }
    return count
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

  /// The set tags in force on `r`, sorted and joined by U+001F (a tag value never holds a control
  /// character): a tag is in force when its latest row is not an end row.
  private static let tagSetSQL = """
    coalesce((SELECT group_concat(code, char(31)) FROM (
      SELECT t.code FROM tag t
      WHERE t.record_no = r.record_no AND t.ended IS NULL
        AND t.tag_id = (SELECT max(u.tag_id) FROM tag u WHERE u.record_no = t.record_no AND u.code = t.code)
      ORDER BY t.code)), '')
    """

  /// The services of `r` counted by year-month and type, at the date and type of their latest
  /// amendment that changed them (annex 1 三(一): corrections stand beside the original).
  private static let servicesSQL = """
    (SELECT group_concat(month || char(31) || kind || char(31) || n, char(30)) FROM (
      SELECT substr(day, 1, 7) AS month, kind, count(*) AS n FROM (
        SELECT coalesce((SELECT json_extract(a.changes, '$.date') FROM amendment a
                         WHERE a.service_id = s.service_id AND json_extract(a.changes, '$.date') IS NOT NULL
                         ORDER BY a.amendment_id DESC LIMIT 1), s.date) AS day,
               coalesce((SELECT json_extract(a.changes, '$.type') FROM amendment a
                         WHERE a.service_id = s.service_id AND json_extract(a.changes, '$.type') IS NOT NULL
                         ORDER BY a.amendment_id DESC LIMIT 1), s.type) AS kind
        FROM service s WHERE s.record_no = r.record_no)
      GROUP BY month, kind ORDER BY month, kind))
    """
}
