import GRDB
import HRLines

/// The organisation and district an evaluation counts something against.
package struct MetricsKey: Hashable, Sendable {
  /// The organisation's code.
  package let org: String
  /// The district's code, as the store recorded it with the record or transfer, or as the
  /// configuration gives it for a serving organisation.
  package let district: String
}

/// The SQL of the evaluation indicators (第二十六条; annex 1 四(四), 六(一)2, 六(二)1): one query per
/// kind of fact, each grouped by organisation, so that a city of millions of records is counted
/// in a few passes and only a few hundred tallies are ever held in memory.
///
/// "Managed as of" a day: a record created on or before it, whose managing organisation is the
/// one it had that day (the `from_org` of the first transfer completed after it, else the
/// current one) and whose status is the one its archive history gave it that day (archived when
/// its last archive event up to that day was lost, deceased or moved_out). An archive event takes
/// effect on the day it was entered, a death on its death date. A purged record is gone and is
/// counted nowhere.
struct MetricsQueries {
  let period: MetricsPeriod
  let rules: Rules
  /// Limits every query to one organisation or the organisations of one district; nil for all.
  let filter: MetricsFilter?
  /// Whether some transfer completed after the as-of day, so that organisations then must be read.
  var laterTransfers = true
  /// Whether some archive event took effect after the as-of day, so that statuses then must be read.
  var laterArchiveEvents = true

  /// Finds out whether the store changed after the as-of day: whether the history must be read.
  mutating func lookForLaterHistory(in db: Database) throws {
    let asOf = period.asOf.description
    laterTransfers =
      try Bool.fetchOne(
        db, sql: "SELECT EXISTS (SELECT 1 FROM transfer WHERE decided_on > ? AND status = 'completed')", arguments: [asOf])
      ?? true
    laterArchiveEvents =
      try Bool.fetchOne(
        db, sql: "SELECT EXISTS (SELECT 1 FROM archive_event WHERE effective_on > ?)", arguments: [asOf]) ?? true
  }

  /// The last birthday of the elderly (65 and over) on the as-of day.
  var elderlyBorn: LocalDate { period.asOf.adding(years: -65) ?? .earliest }

  /// The last birthday too early for a child under 7 (child_0_6) on the as-of day.
  var childBorn: LocalDate { period.asOf.adding(years: -7) ?? .earliest }

  /// The named arguments every query may use.
  var arguments: StatementArguments {
    let asOf = period.asOf
    let usageFrom = asOf.adding(days: -364) ?? .earliest
    let signedFrom = asOf.adding(days: -rules.signedContactDays) ?? .earliest
    var values: [String: (any DatabaseValueConvertible)?] = [
      "asOf": asOf.description, "start": period.start.description,
      // A window reaching before year 1000 starts there: no date is earlier.
      "usageFrom": usageFrom.description, "signedFrom": signedFrom.description,
      // The start of the earlier of the two.
      "servedFrom": min(usageFrom, signedFrom).description,
      "elderlyBorn": elderlyBorn.description, "childBorn": childBorn.description,
    ]
    switch filter {
    case .org(let org): values["org"] = org
    case .district(let district, let orgs):
      values["district"] = district
      values["orgs"] = JSONValue.array(orgs.map(JSONValue.string)).compact
    case nil: break
    }
    return StatementArguments(values)
  }

  /// A service's date after its last amendment that corrected the date: services count at the
  /// amended date (annex 1 三(一)).
  static func redated(_ alias: String) -> String { "json_extract(\(alias).changes, '$.date') IS NOT NULL" }

  /// The services whose date was amended, with their final date.
  static let redatedServices = """
    SELECT a.service_id, a.record_no, json_extract(a.changes, '$.date') AS date FROM amendment a
    WHERE \(redated("a")) AND NOT EXISTS (
      SELECT 1 FROM amendment b WHERE b.service_id = a.service_id AND \(redated("b")) AND b.amendment_id > a.amendment_id)
    """

  /// A condition on the record named `record` (an SQL expression for its number): a service dated
  /// (as amended) from `from` to `to`, or with `contacts` a contact then too.
  ///
  /// Only a record with an amended date needs its amendments read; every other record is one
  /// probe of the (tiny) index of amended dates, then of its services and contacts by date.
  static func served(_ record: String, from: String, to: String, contacts: Bool = true) -> String {
    let contact =
      contacts
      ? "WHEN EXISTS (SELECT 1 FROM contact k WHERE k.record_no = \(record) AND k.date BETWEEN \(from) AND \(to)) THEN 1" : ""
    let service = "SELECT 1 FROM service s WHERE s.record_no = \(record) AND s.date BETWEEN \(from) AND \(to)"
    return """
      CASE WHEN NOT EXISTS (SELECT 1 FROM amendment a WHERE a.record_no = \(record) AND \(redated("a"))) THEN
        CASE WHEN EXISTS (\(service)) THEN 1 \(contact) ELSE 0 END
      WHEN EXISTS (\(service) AND NOT EXISTS (SELECT 1 FROM amendment a WHERE a.service_id = s.service_id AND \(redated("a")))) THEN 1
      WHEN EXISTS (SELECT 1 FROM (\(redatedServices)) d WHERE d.record_no = \(record) AND d.date BETWEEN \(from) AND \(to)) THEN 1
      \(contact)
      ELSE 0 END
      """
  }

  /// The records as of the day, with their organisation, district and state (`active`, `lost`,
  /// `deceased`, `moved_out`), as a common table expression named `managed`.
  ///
  /// Only the records transferred or archived after the day need their history read; when there
  /// are none (the current year, most days) the expression reads the records alone.
  var managed: String { managed(records: "record r") }

  /// `managed`, reading the records from `records` (the table aliased `r`, with any index hint)
  /// that also meet `condition`.
  func managed(records: String, condition: String = "1") -> String {
    let tables = historyTables + [view("managed", records: records, history: true, condition: condition)]
    return "WITH " + tables.joined(separator: ",\n")
  }

  /// The history after the as-of day the records' state and organisation then are read from, as
  /// common table expressions: `moved` (the first transfer completed after the day), when some
  /// transfer completed after it, and `changed` (records with an archive event after the day),
  /// when some took effect after it.
  var historyTables: [String] {
    var tables: [String] = []
    if laterTransfers {
      tables.append(
        """
        moved AS MATERIALIZED (
          SELECT record_no, from_org, from_district, min(transfer_id) FROM transfer INDEXED BY transfer_by_decided
          WHERE decided_on > :asOf AND status = 'completed' GROUP BY record_no)
        """)
    }
    if laterArchiveEvents {
      tables.append(
        """
        changed AS MATERIALIZED (
          SELECT DISTINCT record_no FROM archive_event INDEXED BY archive_event_by_effective WHERE effective_on > :asOf)
        """)
    }
    return tables
  }

  /// A common table expression named `name`: the records of `records` (the table aliased `r`)
  /// created by the as-of day that meet `condition`, with their organisation, district and state
  /// as of the day when `history` (read from `historyTables`), else as they are now.
  func view(_ name: String, records: String, history: Bool, condition: String = "1") -> String {
    var joins = ""
    var org = "r.managing_org"
    var district = "r.managing_district"
    let current = "(CASE WHEN r.status = 'active' THEN 'active' ELSE ifnull(r.archive_reason, 'active') END)"
    var state = current
    if history && laterTransfers {
      joins += " LEFT JOIN moved m ON m.record_no = r.record_no"
      org = "ifnull(m.from_org, r.managing_org)"
      district = "ifnull(m.from_district, r.managing_district)"
    }
    if history && laterArchiveEvents {
      joins += " LEFT JOIN changed c ON c.record_no = r.record_no"
      state = """
        CASE WHEN c.record_no IS NULL THEN \(current) ELSE ifnull((
          SELECT CASE WHEN a.action IN ('reactivated', 'death_corrected') THEN 'active' ELSE a.action END
          FROM archive_event a WHERE a.record_no = r.record_no
            AND (CASE WHEN a.action = 'deceased' THEN ifnull(a.death_date, a.effective_on) ELSE a.effective_on END) <= :asOf
          ORDER BY a.event_id DESC LIMIT 1), 'active') END
        """
    }
    return """
      \(name) AS (
        SELECT r.record_no, r.birth_date, r.death_date, \(org) AS org, \(district) AS district, \(state) AS state
        FROM \(records)\(joins)
        WHERE r.created_on <= :asOf AND \(condition))
      """
  }

  /// The filter on a query's organisation and district columns.
  func scope(org: String, district: String) -> String {
    switch filter {
    case .org: "\(org) = :org"
    case .district: "\(district) = :district"
    case nil: "1"
    }
  }

  /// The filter on the column of a serving organisation, which has no district column of its own.
  func servingScope(_ org: String) -> String {
    switch filter {
    case .org: "\(org) = :org"
    case .district: "\(org) IN (SELECT value FROM json_each(:orgs))"
    case nil: "1"
    }
  }

  /// Runs `sql`, whose rows start with an organisation and a district, and adds each row to the
  /// tally of its organisation.
  func accumulate(
    _ sql: String, in db: Database, into tallies: inout [MetricsKey: MetricsTally], _ add: (inout MetricsTally, Row) -> Void
  ) throws {
    let rows = try Row.fetchCursor(db.cachedStatement(sql: sql), arguments: arguments)
    while let row = try rows.next() {
      let key = MetricsKey(org: row[0] ?? "", district: row[1] ?? "")
      add(&tallies[key, default: MetricsTally()], row)
    }
  }

  /// Records, archived records, usage, age-derived key populations and the deceased with a
  /// service in the year, by the organisation managing them on the as-of day.
  ///
  /// Each record's counts are worked out first, in `counted`, and only those few numbers are
  /// grouped: grouping sorts its rows, and a sort of the records themselves would copy every cover
  /// field of a city's records into it. `LIMIT -1` keeps SQLite from merging `counted` into the
  /// grouping query. For the whole city the records are read in their own order, which keeps the
  /// probes of their services and contacts in the order of those indexes too.
  ///
  /// Every record is counted as it is now. When the store holds history after the as-of day, the
  /// few records it concerns (`later`) are counted twice more: taken off as they are now, and
  /// added as they were then; so the history is joined to those records alone rather than to every
  /// record of the city. A unit with no record then, whose counts all cancel, is left out.
  var recordsSQL: String {
    var tables = historyTables + [view("now", records: filter == nil ? "record r NOT INDEXED" : "record r", history: false)]
    var parts = [counts(from: "now", sign: 1)]
    if laterTransfers || laterArchiveEvents {
      var sets: [String] = []
      if laterTransfers { sets.append("SELECT record_no FROM moved") }
      if laterArchiveEvents { sets.append("SELECT record_no FROM changed") }
      let later = "later l JOIN record r ON r.record_no = l.record_no"
      tables.append("later AS MATERIALIZED (\(sets.joined(separator: " UNION ")))")
      tables.append(view("now_later", records: later, history: false))
      tables.append(view("then_later", records: later, history: true))
      parts.append(counts(from: "now_later", sign: -1))
      parts.append(counts(from: "then_later", sign: 1))
    }
    tables.append("counted AS (\n" + parts.joined(separator: "\nUNION ALL\n") + "\nLIMIT -1)")
    return """
      WITH \(tables.joined(separator: ",\n"))
      SELECT org, district, sum(sign * (state = 'active')), sum(sign * (state = 'lost')), sum(sign * (state = 'deceased')),
        sum(sign * (state = 'moved_out')), sum(sign * used), sum(sign * elderly), sum(sign * child), sum(sign * deceased_served)
      FROM counted
      GROUP BY org, district HAVING sum(sign) > 0
      """
  }

  /// The counts of each record of the view named `view` in the scope of the run, with `sign`.
  private func counts(from view: String, sign: Int) -> String {
    """
    SELECT m.org, m.district, m.state, \(sign) AS sign,
      CASE WHEN state = 'active' THEN \(Self.served("m.record_no", from: ":usageFrom", to: ":asOf")) ELSE 0 END AS used,
      state = 'active' AND birth_date <= :elderlyBorn AS elderly,
      state = 'active' AND birth_date > :childBorn AND birth_date <= :asOf AS child,
      \(deceasedServed("m")) AS deceased_served
    FROM \(view) m WHERE \(scope(org: "m.org", district: "m.district"))
    """
  }

  /// Whether the record of the view aliased `alias` died in the period, deceased on the as-of day,
  /// with a service that year before its death (annex 1 六(一)2): 1 or 0.
  func deceasedServed(_ alias: String) -> String {
    """
    CASE WHEN \(alias).state = 'deceased' AND \(alias).death_date BETWEEN :start AND :asOf
      THEN \(Self.served("\(alias).record_no", from: ":start", to: "\(alias).death_date", contacts: false)) ELSE 0 END
    """
  }

  /// Whether the tag aliased `alias` sets a key population in force on the as-of day: set on or
  /// before it and not ended by then.
  func tagInForce(_ alias: String) -> String {
    let t = alias
    let codes = MetricsTally.keyPopulations.filter { !TagCode.derived.contains($0) }.map { "'\($0)'" }.joined(separator: ", ")
    return """
      \(t).code IN (\(codes)) AND \(t).ended IS NULL AND ifnull(\(t).since, \(t).entered_on) <= :asOf
        AND NOT EXISTS (
          SELECT 1 FROM tag e WHERE e.record_no = \(t).record_no AND e.code = \(t).code AND e.tag_id > \(t).tag_id
            AND e.ended IS NOT NULL AND e.ended <= :asOf)
      """
  }

  /// The active records with an empty cover field (规范率, 第十二条), which the completeness rate
  /// leaves out of its numerator: read from `record_incomplete`, which holds those records alone,
  /// rather than by testing ten fields of every record of the city.
  var incompleteSQL: String {
    """
    \(managed(records: "record r", condition: CoverField.anyEmptySQL(alias: "r")))
    SELECT m.org, m.district, count(*) FROM managed m
    WHERE m.state = 'active' AND \(scope(org: "m.org", district: "m.district"))
    GROUP BY m.org, m.district
    """
  }

  /// The set key populations (maternal, hypertension …) of active records: a tag counts when it
  /// was set on or before the as-of day and not ended by then.
  var tagsSQL: String {
    """
    \(managed)
    SELECT m.org, m.district, t.code, count(DISTINCT t.record_no)
    FROM tag t JOIN managed m ON m.record_no = t.record_no
    WHERE \(tagInForce("t")) AND m.state = 'active' AND \(scope(org: "m.org", district: "m.district"))
    GROUP BY m.org, m.district, t.code
    """
  }

  /// Signed residents in active management and those contacted or served within
  /// `signed_contact_days` of the as-of day (or signed within it).
  var signedSQL: String {
    """
    \(managed)
    SELECT m.org, m.district, count(*),
      sum(CASE WHEN c.signed_on >= :signedFrom THEN 1 ELSE \(Self.served("m.record_no", from: ":signedFrom", to: ":asOf")) END)
    FROM (SELECT record_no, max(signed_on) AS signed_on FROM contract WHERE signed_on <= :asOf GROUP BY record_no) c
    JOIN managed m ON m.record_no = c.record_no
    WHERE m.state = 'active' AND \(scope(org: "m.org", district: "m.district"))
    GROUP BY m.org, m.district
    """
  }

  /// Services of the period, at their amended date, by the organisation that gave them (谁服务，谁负责,
  /// annex 1 五(五)): all, those entered in time, and the off-site ones. The district column is
  /// filled in from the configuration.
  var servicesSQL: String {
    // Every service dated in the period, less the amended ones among them, plus the amended ones
    // whose corrected date is in the period. The year's services are counted from the index
    // alone, one range per serving organisation: `orgs` steps from one organisation of the index
    // to the next, and each organisation's range is summed where it lies, with no sort of the
    // year's services (the three sums travel as one JSON array, a subquery giving one value;
    // `sums` is materialised so that each range is read once, not once for each use of it). The
    // scope outside is written `+org` so that SQLite, pushing it into the amended services,
    // does not read the organisation's whole range to find the few of them.
    """
    WITH RECURSIVE orgs(org) AS (
      SELECT min(org) FROM service INDEXED BY service_metrics_by_org
      UNION ALL
      SELECT (SELECT min(s.org) FROM service s INDEXED BY service_metrics_by_org WHERE s.org > orgs.org) FROM orgs
      WHERE orgs.org IS NOT NULL),
    sums(org, counts) AS MATERIALIZED (
      SELECT org, (
        SELECT json_array(count(*), sum(s.late = 0), sum(s.off_site)) FROM service s INDEXED BY service_metrics_by_org
        WHERE s.org = orgs.org AND s.date BETWEEN :start AND :asOf)
      FROM orgs WHERE org IS NOT NULL AND \(servingScope("org")))
    SELECT org, '', sum(n), sum(timely), sum(off_site) FROM (
      SELECT org, json_extract(counts, '$[0]') AS n, json_extract(counts, '$[1]') AS timely,
        json_extract(counts, '$[2]') AS off_site
      FROM sums WHERE json_extract(counts, '$[0]') > 0
      UNION ALL
      SELECT s.org, -1, -(s.late = 0), -s.off_site FROM service s
      WHERE s.service_id IN (SELECT a.service_id FROM amendment a WHERE \(Self.redated("a"))) AND s.date BETWEEN :start AND :asOf
      UNION ALL
      SELECT s.org, 1, s.late = 0, s.off_site FROM (\(Self.redatedServices)) d JOIN service s ON s.service_id = d.service_id
      WHERE d.date BETWEEN :start AND :asOf)
    WHERE \(servingScope("+org"))
    GROUP BY org
    """
  }

  /// Free services refused in the period because the person already had them (already_served),
  /// by the organisation that would have given them.
  var refusalsSQL: String {
    """
    SELECT org, '', count(*) FROM (
      SELECT json_extract(detail, '$.org') AS org FROM audit_event
      WHERE action IN ('service.add', 'service.off_site', 'service.amend') AND outcome = 'rejected'
        AND json_extract(detail, '$.code') = 'already_served'
        AND json_extract(detail, '$.date') BETWEEN :start AND :asOf)
    WHERE \(servingScope("org"))
    GROUP BY org
    """
  }

  /// Transfers by the organisation asked to release the record (转出机构), which answers them:
  /// requested, completed and rejected in the period, decided with a due day and of those in time;
  /// pending on the as-of day, and of those past due.
  var transfersSQL: String {
    """
    SELECT from_org, from_district, sum(part = 'requested'), sum(part = 'completed'), sum(part = 'rejected'),
      sum(part IN ('pending', 'overdue')), sum(part = 'overdue'),
      sum(part IN ('completed', 'rejected') AND due IS NOT NULL), sum(part IN ('completed', 'rejected') AND due IS NOT NULL AND late = 0)
    FROM (
      SELECT from_org, from_district, 'requested' AS part, due, late FROM transfer WHERE requested_on BETWEEN :start AND :asOf
      UNION ALL
      SELECT from_org, from_district, status, due, late FROM transfer
      WHERE decided_on BETWEEN :start AND :asOf AND status IN ('completed', 'rejected')
      UNION ALL
      SELECT from_org, from_district, CASE WHEN due < :asOf THEN 'overdue' ELSE 'pending' END, due, late FROM transfer
      WHERE status = 'pending' AND requested_on <= :asOf
      UNION ALL
      SELECT from_org, from_district, CASE WHEN due < :asOf THEN 'overdue' ELSE 'pending' END, due, late FROM transfer
      WHERE decided_on > :asOf AND requested_on <= :asOf AND status <> 'pending')
    WHERE \(scope(org: "from_org", district: "from_district"))
    GROUP BY from_org, from_district
    """
  }
}

/// What an evaluation is limited to: one organisation, or one district with its configured organisations.
package enum MetricsFilter: Sendable, Equatable {
  /// The records one organisation manages and the services it gives.
  case org(String)
  /// The records managed in one district, and the services its organisations (by the configuration) give.
  case district(String, orgs: [String])
}
