import GRDB
import HRLines

/// Which records a roster lists by state: `active` (在管, the default: a call list is of the
/// residents under management), `archived`, one archive reason, or `all`.
package enum RosterStatus: String, Sendable, CaseIterable {
  case active
  case archived
  case lost
  case deceased
  case movedOut = "moved_out"
  case all
}

/// Which records `hr-export roster` lists: the operator's reach narrowed by organisation or
/// district (`Session.coverage(for:org:district:)`), state and tag.
package struct RosterFilter: Sendable, Equatable {
  /// The records managed within the coverage.
  package var coverage: Coverage
  /// Only records in this state (`--status`, default active).
  package var status: RosterStatus
  /// A set tag in force (`hypertension`, `weight_status:obese` …) or a derived one (`elderly`, `child_0_6`).
  package var tag: String?

  /// A filter; by default the active records of the coverage.
  package init(coverage: Coverage, status: RosterStatus = .active, tag: String? = nil) {
    self.coverage = coverage
    self.status = status
    // A set tag as a line keeps it: `weight_status: obese` is `weight_status:obese`.
    self.tag = tag.map { (try? TagCode(settable: $0))?.value ?? $0 }
  }
}

/// Why a roster cannot be listed at all.
package enum RosterError: Error, Equatable, Sendable, CustomStringConvertible {
  case unknownTag(String)

  /// The message, naming the value given.
  package var description: String {
    switch self {
    case .unknownTag(let tag):
      TagCode.unknown(tag, derivedToo: true)
    }
  }
}

extension Store {
  /// The keys of a roster line, in order.
  package static let rosterKeys = [
    "record_no", "name", "sex", "birth_date", "phone", "current_address", "managing_org", "status", "tags", "last_contact",
  ]

  /// Lists the residents a managing organisation serves, for its own staff: a call list or a
  /// follow-up list that never needs SQL (第二十五条: staff use records within their authorisation).
  /// Each line is `{"record_no","name","sex","birth_date","phone","current_address","managing_org",
  /// "status","tags","last_contact"}`, by record number; `each` receives them inside one write
  /// transaction, which appends the run's `record.list` event (the filter and the count) and
  /// commits once every line has been handed over.
  ///
  /// A roster reaches as far as `hr-export record` does without a resident's authorisation:
  /// clinicians and organisation administrators their own organisation, district administrators
  /// their district, city administrators the city (one row of the role table).
  @discardableResult
  package func roster(_ filter: RosterFilter, session: Session, each: (JSONObject) throws -> Void) throws -> Int {
    var detail = filter.coverage.detail
    detail["status"] = .string(filter.status.rawValue)
    if let tag = filter.tag { detail["tag"] = .string(tag) }
    if let tag = filter.tag, !Self.isKnownTag(tag) { throw RosterError.unknownTag(tag) }

    let today = session.today
    let derived = filter.tag.flatMap { TagCode.derived.contains($0) ? $0 : nil }
    let query = Self.rosterQuery(filter)

    return try write { db in
      let rows = try RosterRow.fetchCursor(db.cachedStatement(sql: query.sql), arguments: query.arguments)
      var count = 0
      while let row = try rows.next() {
        let ageTags = TagCode.derivedTags(birthDate: row.birthDate, on: today)
        if let derived, !ageTags.contains(derived) { continue }
        let tags = ageTags + (try HealthTags.active(ofRecord: row.recordNo, in: db).map(\.code))
        try each([
          "record_no": .string(row.recordNo), "name": .string(row.name), "sex": .int(row.sex),
          "birth_date": .string(row.birthDate.description), "phone": row.phone.map(JSONValue.string) ?? .null,
          "current_address": row.currentAddress.map(JSONValue.string) ?? .null, "managing_org": .string(row.managingOrg),
          "status": .string(row.status), "tags": .array(tags.map(JSONValue.string)),
          "last_contact": .string(row.lastContact.description),
        ])
        count += 1
      }
      detail["count"] = .int(count)
      try AuditTrail.append(AuditEntry(action: "record.list", recordNo: nil, detail: detail), by: session.staff, in: db)
      return count
    }
  }

  /// The query of the records a roster lists, by record number, with its arguments; a derived tag
  /// (`elderly`, `child_0_6`) is left to the caller, which knows today.
  package static func rosterQuery(_ filter: RosterFilter) -> (sql: String, arguments: StatementArguments) {
    let scope = filter.coverage.recordFilter(alias: "record")
    let city = filter.coverage == .city
    // Each state is read through the index of the organisation or district, which gives its records
    // in number order; `all` is the active and the archived ones merged in that order (one range of
    // the index would give them by state, then number, and SQLite would sort them all in memory
    // before the first line). City-wide, the unary `+` keeps the state from the indexes, so that
    // the table is read in its own order of record numbers, with flat memory.
    var states: [(sql: String, arguments: StatementArguments)]
    switch filter.status {
    case .active: states = [("status = 'active'", [])]
    case .archived: states = [("status = 'archived'", [])]
    case .lost, .deceased, .movedOut: states = [("status = 'archived' AND archive_reason = ?", [filter.status.rawValue])]
    case .all: states = city ? [("status <> 'purging'", [])] : [("status = 'active'", []), ("status = 'archived'", [])]
    }
    var selects: [String] = []
    var arguments = StatementArguments()
    for state in states {
      var conditions = [scope.sql, city ? "+(\(state.sql))" : state.sql]
      arguments += scope.arguments
      arguments += state.arguments
      if let tag = filter.tag, !TagCode.derived.contains(tag) {
        // The tag in force: the latest row kept for its code has not ended it.
        conditions.append(
          """
          EXISTS (SELECT 1 FROM tag t WHERE t.record_no = record.record_no AND t.code = ? AND t.ended IS NULL
                  AND t.tag_id = (SELECT max(tag_id) FROM tag WHERE record_no = t.record_no AND code = t.code))
          """)
        arguments += [tag]
      }
      selects.append(
        """
        SELECT record_no, name, sex, birth_date, phone, current_address, managing_org, status, last_contact
        FROM record WHERE \(conditions.joined(separator: " AND "))
        """)
    }
    return (selects.joined(separator: "\nUNION ALL\n") + "\nORDER BY record_no", arguments)
  }

  /// Whether `tag` is a tag code a record can carry.
  static func isKnownTag(_ tag: String) -> Bool {
    if TagCode.derived.contains(tag) { return true }
    return (try? TagCode(settable: tag)) != nil
  }
}

/// A record as the roster lists it, read by column name.
private struct RosterRow: Decodable, StoredRecord {
  static let storedTable = "record"
  let recordNo, name, managingOrg, status: String
  let sex: Int
  let birthDate, lastContact: LocalDate
  let phone, currentAddress: String?

}
