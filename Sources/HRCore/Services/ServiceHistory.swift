import GRDB
import HRLines

#if canImport(GRDBSQLite)
import GRDBSQLite
#elseif canImport(SQLite3)
import SQLite3
#endif

/// What a service record says and an amendment may correct: its type, date, summary and whether
/// it is withheld (开放限制).
package struct ServiceContent: Sendable, Equatable {
  /// One of the configuration's service types.
  package var type: String
  /// The day of the service.
  package var date: LocalDate
  /// Main problems, reports, fees: free-form, as the serving organisation recorded them.
  package var summary: JSONObject
  /// Withheld from de-identified exports and from some guardians (hr(7) SERVICES AND TAGS, 第四章, annex 2).
  package var restricted: Bool

  /// Creates service content.
  package init(type: String, date: LocalDate, summary: JSONObject, restricted: Bool) {
    self.type = type
    self.date = date
    self.summary = summary
    self.restricted = restricted
  }

  /// The content after one amendment's `changes`: `type`, `date` and `restricted` replace the
  /// value, each key of `summary` replaces that key of the summary and a null removes it. A
  /// restriction is never lifted.
  package func applying(_ changes: JSONObject) -> ServiceContent {
    var next = self
    if let type = changes["type"]?.stringValue { next.type = type }
    if let text = changes["date"]?.stringValue, let date = LocalDate(text) { next.date = date }
    if let patch = changes["summary"]?.objectValue {
      // One pass over each object: removing keys one by one costs a pass each, and a patch of
      // 100,000 nulls would stall every reader of the service.
      var merged = JSONObject()
      for (key, value) in summary {
        guard let replacement = patch[key] else {
          merged[key] = value
          continue
        }
        if !replacement.isNull { merged[key] = replacement }
      }
      for (key, value) in patch where summary[key] == nil && !value.isNull { merged[key] = value }
      next.summary = merged
    }
    if changes["restricted"]?.boolValue == true { next.restricted = true }
    return next
  }

  /// The content as its output fields, in this order: `type`, `date`, `summary`, `restricted`.
  package var json: JSONObject {
    ["type": .string(type), "date": .string(date.description), "summary": .object(summary), "restricted": .bool(restricted)]
  }
}

/// An approved correction kept beside the service record it corrects (勘误, annex 1 三(一)).
package struct ServiceAmendment: Sendable, Equatable {
  /// The amendment's number, in the order amendments were made.
  package var amendmentID: Int
  /// Only the fields the amendment changed; `summary` holds the keys it replaced or removed.
  package var changes: JSONObject
  /// Why the service was corrected.
  package var reason: String
  /// The administrator who approved the correction (指定的管理员审批同意).
  package var approvedBy: String
  /// The day of the correction.
  package var enteredOn: LocalDate
  /// The time of the correction (需注明修改时间).
  package var enteredAt: String
  /// The operator who made the correction.
  package var enteredBy: String

  /// The amendment as its output fields, in this order.
  package var json: JSONObject {
    [
      "amendment_id": .int(amendmentID), "changes": .object(changes), "reason": .string(reason),
      "approved_by": .string(approvedBy), "entered_on": .string(enteredOn.description), "entered_at": .string(enteredAt),
      "entered_by": .string(enteredBy),
    ]
  }
}

/// A saved service record (卫生健康服务活动记录) with every amendment made to it: the original is
/// never changed, and readers see both it and the corrected content (annex 1, 三(一)).
package struct RecordedService: Sendable, Equatable {
  /// The service's number, given in order of entry.
  package var serviceID: Int
  /// The record the service belongs to.
  package var recordNo: String
  /// The serving organisation (谁服务，谁负责).
  package var org: String
  /// Given as the free national basic public health service.
  package var free: Bool
  /// Entered more than `service_entry_days` after the service (annex 1, 三(二)); fixed at entry.
  package var late: Bool
  /// Served by an organisation other than the managing one at entry (异地服务, annex 1 五).
  package var offSite: Bool
  /// The day of the entry.
  package var enteredOn: LocalDate
  /// The time of the entry (RFC 3339, UTC).
  package var enteredAt: String
  /// The operator who entered the service.
  package var enteredBy: String
  /// The content as first saved.
  package var original: ServiceContent
  /// The corrections, oldest first.
  package var amendments: [ServiceAmendment]

  /// The content with every amendment applied in order.
  package var current: ServiceContent {
    amendments.reduce(original) { $0.applying($1.changes) }
  }

  /// The service for a reader: the current content, then `original` and `amendments` when it was
  /// corrected. Keys in this order: `service_id`, `record_no`, `type`, `date`, `org`, `free`,
  /// `summary`, `restricted`, `late`, `off_site`, `entered_on`, `entered_by`, `amended`,
  /// `original`, `amendments`.
  package var json: JSONObject {
    let content = current
    var out: JSONObject = [
      "service_id": .int(serviceID), "record_no": .string(recordNo), "type": .string(content.type),
      "date": .string(content.date.description), "org": .string(org), "free": .bool(free),
      "summary": .object(content.summary), "restricted": .bool(content.restricted), "late": .bool(late),
      "off_site": .bool(offSite), "entered_on": .string(enteredOn.description), "entered_by": .string(enteredBy),
      "amended": .bool(!amendments.isEmpty),
    ]
    if !amendments.isEmpty {
      out["original"] = .object(original.json)
      out["amendments"] = .array(amendments.map { .object($0.json) })
    }
    return out
  }
}

/// Reads service records with their amendments: what `hr-export record`, `hr-audit` and the
/// already-served rule see.
package enum ServiceHistory {
  private static let serviceColumns = ServiceRow.columnNames.joined(separator: ", ")

  /// A record's services in time order (by current date, then entry), each with its amendments.
  package static func services(ofRecord recordNo: String, in db: Database) throws -> [RecordedService] {
    let services = try db.cachedStatement(
      sql: "SELECT \(serviceColumns) FROM service WHERE record_no = ? ORDER BY date, service_id"
    ).all(in: db, { $0.text(recordNo) }, read: ServiceRow.service)
    return try attachingAmendments(to: services, recordNo: recordNo, in: db)
  }

  /// One service with its amendments, or nil when there is none with that number.
  package static func service(id: Int, in db: Database) throws -> RecordedService? {
    guard
      var service = try db.cachedStatement(sql: "SELECT \(serviceColumns) FROM service WHERE service_id = ?").first(
        in: db, { $0.integer(id) }, read: ServiceRow.service)
    else { return nil }
    service.amendments = try amendments(ofService: id, in: db)
    return service
  }

  /// Amended services are read too: an amendment may have moved one into this type or year.
  private static let freeCandidates = PreparedSQL(
    """
    SELECT \(serviceColumns) FROM service
    WHERE record_no = ?1 AND free = 1
      AND ((type = ?2 AND date BETWEEN ?3 AND ?4)
           OR service_id IN (SELECT service_id FROM amendment WHERE record_no = ?1))
    ORDER BY date, service_id
    """)

  /// The free services of `type` a record had in `year`, by their current type and date, oldest
  /// first: what the once-a-year rule counts (annex 1, 五(四)). `excluding` leaves out the service
  /// being amended.
  package static func freeServices(
    ofRecord recordNo: String, type: String, year: Int, excluding: Int? = nil, in db: Database
  ) throws -> [RecordedService] {
    guard let first = LocalDate(year: year, month: 1, day: 1), let last = LocalDate(year: year, month: 12, day: 31) else {
      return []
    }
    let candidates = try freeCandidates.statement(in: db).all(
      in: db,
      { bind in
        bind.text(recordNo)
        bind.text(type)
        bind.date(first)
        bind.date(last)
      }, read: ServiceRow.service)
    guard !candidates.isEmpty else { return [] }
    return try attachingAmendments(to: candidates, recordNo: recordNo, in: db).filter { service in
      let content = service.current
      return service.serviceID != excluding && content.type == type && content.date.year == year
    }
  }

  /// Services other organisations recorded for residents whose records `org` manages: the
  /// off-site services (异地服务) the managing organisation is to look at (annex 1, 五(三)).
  package static func offSiteServices(managedBy org: String, since: LocalDate? = nil, in db: Database) throws -> [RecordedService]
  {
    var services = try db.cachedStatement(
      sql: """
        SELECT \(ServiceRow.columnNames.map { "s.\($0)" }.joined(separator: ", "))
        FROM record r JOIN service s ON s.record_no = r.record_no
        WHERE r.managing_org = ? AND s.org <> r.managing_org AND s.date >= ?
        ORDER BY s.date, s.service_id
        """
    ).all(
      in: db,
      { bind in
        bind.text(org)
        bind.date(since ?? LocalDate.earliest)
      }, read: ServiceRow.service)
    for index in services.indices {
      services[index].amendments = try amendments(ofService: services[index].serviceID, in: db)
    }
    return services
  }

  /// The amendments of one service, oldest first.
  package static func amendments(ofService id: Int, in db: Database) throws -> [ServiceAmendment] {
    try db.cachedStatement(
      sql: "SELECT \(AmendmentRow.columns) FROM amendment WHERE service_id = ? ORDER BY amendment_id"
    ).all(in: db, { $0.integer(id) }, read: AmendmentRow.init).map(\.amendment)
  }

  /// Attaches each record's amendments, read in one query, and orders by current date.
  private static func attachingAmendments(
    to services: [RecordedService], recordNo: String, in db: Database
  ) throws -> [RecordedService] {
    let rows = try db.cachedStatement(
      sql: "SELECT \(AmendmentRow.columns) FROM amendment WHERE record_no = ? ORDER BY amendment_id"
    ).all(in: db, { $0.text(recordNo) }, read: AmendmentRow.init)
    guard !rows.isEmpty else { return services }
    var byService: [Int: [ServiceAmendment]] = [:]
    for row in rows {
      byService[row.serviceID, default: []].append(row.amendment)
    }
    var result = services
    for index in result.indices {
      result[index].amendments = byService[result[index].serviceID] ?? []
    }
    return result.sorted { ($0.current.date, $0.serviceID) < ($1.current.date, $1.serviceID) }
  }
}

/// A row of `service`, read by position: `hr-update` reads a resident's free services of a type
/// for every free service it adds, and its identical service for every line entered again.
private enum ServiceRow {
  /// The columns read, in order; the record first, so that an error in any other names it.
  static let columnNames = [
    "record_no", "service_id", "type", "date", "org", "free", "summary", "restricted", "late", "off_site", "entered_on",
    "entered_at", "entered_by",
  ]

  /// The service as saved, without its amendments, from a row of `columnNames`.
  static func service(_ statement: SQLiteStatement) throws(StoredValueError) -> RecordedService {
    var columns = StoredColumns(statement, table: "service", names: columnNames)
    let recordNo: String = try columns.next()
    columns.recordNo = recordNo
    let serviceID: Int = try columns.next()
    let type: String = try columns.next()
    let date: LocalDate = try columns.next()
    let org: String = try columns.next()
    let free: Bool = try columns.next()
    let summary: String = try columns.next()
    let restricted: Bool = try columns.next()
    return RecordedService(
      serviceID: serviceID, recordNo: recordNo, org: org, free: free, late: try columns.next(), offSite: try columns.next(),
      enteredOn: try columns.next(), enteredAt: try columns.next(), enteredBy: try columns.next(),
      original: ServiceContent(
        type: type, date: date, summary: ServiceHistory.storedObject(summary), restricted: restricted),
      amendments: [])
  }
}

/// A row of `amendment`, read by position.
private struct AmendmentRow {
  /// The columns read, in order; the record first, so that an error in any other names it.
  static let columnNames = [
    "record_no", "service_id", "amendment_id", "changes", "reason", "approved_by", "entered_on", "entered_at", "entered_by",
  ]
  static let columns = columnNames.joined(separator: ", ")

  let serviceID: Int
  let amendment: ServiceAmendment

  init(_ statement: SQLiteStatement) throws(StoredValueError) {
    var columns = StoredColumns(statement, table: "amendment", names: Self.columnNames)
    columns.recordNo = try columns.next()
    serviceID = try columns.next()
    let amendmentID: Int = try columns.next()
    let changes: String = try columns.next()
    amendment = ServiceAmendment(
      amendmentID: amendmentID, changes: ServiceHistory.storedObject(changes), reason: try columns.next(),
      approvedBy: try columns.next(), enteredOn: try columns.next(), enteredAt: try columns.next(),
      enteredBy: try columns.next())
  }
}

extension ServiceHistory {
  /// A JSON object the store wrote itself; anything else reads as empty rather than stopping a reader.
  static func storedObject(_ text: String) -> JSONObject {
    (try? JSONParser.parse(text))?.objectValue ?? JSONObject()
  }
}
