import GRDB
import HRLines

/// Why `hr-metrics` will not evaluate what it was asked to.
package enum MetricsError: Error, Equatable, Sendable, CustomStringConvertible {
  /// A year that has not begun has nothing to count.
  case futureYear(Int, today: LocalDate)
  /// Units wider than what is evaluated would count only part of themselves.
  case levelWiderThanScope(MetricsLevel, scope: Coverage)

  /// The message, as `hr-metrics` prints it after its name.
  package var description: String {
    switch self {
    case .futureYear(let year, let today): "year '\(year)' has not begun on \(today)"
    case .levelWiderThanScope(let level, let scope):
      "--by \(level.rawValue) is wider than \(scope.phrase): use a narrower --by"
    }
  }
}

extension Coverage {
  /// The coverage in a message: `organisation '500103001'`, `district '500103'`, `the city`.
  var phrase: String {
    switch self {
    case .nothing: "nothing"
    case .org(let org): "organisation '\(org)'"
    case .district(let district): "district '\(district)'"
    case .city: "the city"
    }
  }
}

/// One evaluation run (绩效评价, 第二十六条): the period, the level of its units and what it is limited to.
///
/// Clinicians and organisation administrators evaluate their own organisation, district
/// administrators their district, city administrators and auditors the city (the `metrics` row of
/// the role table in AccessPolicy.swift).
package struct Evaluation: Sendable {
  /// The configuration: rules, organisations, districts and their populations.
  package let configuration: Configuration
  /// The year and the day counts stand on.
  package let period: MetricsPeriod
  /// One line per organisation, per district or for the city.
  package let level: MetricsLevel
  /// The organisation or district the run is limited to; nil for the whole city.
  package let filter: MetricsFilter?

  /// An evaluation of `coverage` (`Session.coverage(for: .metrics, …)`) by `level`, refused when a
  /// unit would be wider than what is evaluated.
  package init(coverage: Coverage, level: MetricsLevel, period: MetricsPeriod, configuration: Configuration) throws(MetricsError)
  {
    self.configuration = configuration
    self.period = period
    self.level = level
    switch coverage {
    case .nothing, .org:
      guard level == .org, case .org(let org) = coverage else { throw .levelWiderThanScope(level, scope: coverage) }
      filter = .org(org)
    case .district(let district):
      guard level <= .district else { throw .levelWiderThanScope(level, scope: coverage) }
      filter = .district(district, orgs: configuration.orgs(in: district))
    case .city:
      filter = nil
    }
  }

  /// What the run covers, as the detail of its audit event.
  package var detail: JSONObject {
    var detail: JSONObject = [:]
    switch filter {
    case .org(let org): detail["org"] = .string(org)
    case .district(let district, _): detail["district"] = .string(district)
    case nil: detail["scope"] = "city"
    }
    detail["by"] = .string(level.rawValue)
    detail["year"] = .int(period.year)
    detail["as_of"] = .string(period.asOf.description)
    return detail
  }

  /// Counts every indicator, the whole city's records in one pass in record order and an
  /// organisation's or district's in a few grouped queries, and returns the units in order of code.
  package func run(in db: Database) throws -> [MetricsUnit] {
    // The usage probes of an organisation or district walk the indexes of services and contacts
    // record by record: with SQLite's default 2 MB of cache their inner pages are read from the
    // file again at every probe. 8 MB keeps them, and bounds the memory of a run whatever the size
    // of the store (a sort may use as much again).
    try db.execute(sql: "PRAGMA cache_size = -8192")
    var queries = MetricsQueries(period: period, rules: configuration.rules, filter: filter)
    try queries.lookForLaterHistory(in: db)
    var tallies: [MetricsKey: MetricsTally] = [:]
    if filter == nil {
      try queries.countCityRecords(in: db, into: &tallies)
    } else {
      try Self.countScopedRecords(queries, in: db, into: &tallies)
    }
    try queries.accumulate(queries.incompleteSQL, in: db, into: &tallies) { tally, row in
      tally.complete -= row[2]
    }
    try queries.accumulate(queries.servicesSQL, in: db, into: &tallies) { tally, row in
      tally.services += row[2]
      tally.timelyServices += row[3]
      tally.offSiteServices += row[4]
    }
    try queries.accumulate(queries.refusalsSQL, in: db, into: &tallies) { tally, row in
      tally.offSiteRefused += row[2]
    }
    try queries.accumulate(queries.transfersSQL, in: db, into: &tallies) { tally, row in
      tally.transfersRequested += row[2]
      tally.transfersCompleted += row[3]
      tally.transfersRejected += row[4]
      tally.transfersPending += row[5]
      tally.transfersOverdue += row[6]
      tally.transfersDecided += row[7]
      tally.transfersDecidedTimely += row[8]
    }
    return units(from: tallies)
  }

  /// Counts the records, usage, key populations and signed residents of an organisation or a
  /// district, in grouped queries that find the records of the scope through their index and look
  /// their services, contacts, tags and contracts up one record at a time.
  private static func countScopedRecords(
    _ queries: MetricsQueries, in db: Database, into tallies: inout [MetricsKey: MetricsTally]
  ) throws {
    try queries.accumulate(queries.recordsSQL, in: db, into: &tallies) { tally, row in
      tally.active += row[2]
      tally.lost += row[3]
      tally.deceased += row[4]
      tally.movedOut += row[5]
      tally.used += row[6]
      // Every active record is complete but those the next query finds with an empty field.
      tally.complete += row[2]
      tally.keyPopulations[0] += row[7]
      tally.keyPopulations[1] += row[8]
      tally.deceasedWithService += row[9]
    }
    try queries.accumulate(queries.tagsSQL, in: db, into: &tallies) { tally, row in
      if let index = MetricsTally.keyPopulations.firstIndex(of: row[2]) { tally.keyPopulations[index] += row[3] }
    }
    try queries.accumulate(queries.signedSQL, in: db, into: &tallies) { tally, row in
      tally.signed += row[2]
      tally.signedTimely += row[3]
    }
  }

  /// Sums the organisations' tallies into the units of the run's level. Every organisation the
  /// configuration places in the run's scope has a unit, even with nothing counted, and so has
  /// every district with an organisation; an organisation is placed in the district the
  /// configuration gives it, else the one the store recorded.
  func units(from tallies: [MetricsKey: MetricsTally]) -> [MetricsUnit] {
    var byOrg: [String: (district: String, tally: MetricsTally)] = [:]
    for (org, organisation) in configuration.orgs where covers(org: org, district: organisation.district) {
      byOrg[org] = (organisation.district, MetricsTally())
    }
    for (key, tally) in tallies {
      let district = configuration.district(ofOrg: key.org) ?? key.district
      byOrg[key.org, default: (district, MetricsTally())].tally.add(tally)
    }
    switch level {
    case .org:
      return byOrg.keys.sorted().compactMap { org in
        guard let entry = byOrg[org] else { return nil }
        return MetricsUnit(level: .org, code: org, name: configuration.orgs[org]?.name ?? "", population: nil, tally: entry.tally)
      }
    case .district:
      var byDistrict: [String: MetricsTally] = [:]
      for entry in byOrg.values { byDistrict[entry.district, default: MetricsTally()].add(entry.tally) }
      return byDistrict.keys.sorted().map { code in
        let district = configuration.districts[code]
        return MetricsUnit(
          level: .district, code: code, name: district?.name ?? "", population: district?.population,
          tally: byDistrict[code] ?? MetricsTally())
      }
    case .city:
      var city = MetricsTally()
      for entry in byOrg.values { city.add(entry.tally) }
      // The city's population is known only when every district's is.
      let populations = configuration.districts.values.map(\.population)
      let population = populations.contains(nil) ? nil : populations.compactMap { $0 }.reduce(0, +)
      return [MetricsUnit(level: .city, code: "city", name: "全市", population: population, tally: city)]
    }
  }

  /// Whether an organisation of the configuration lies in what the run evaluates.
  private func covers(org: String, district: String) -> Bool {
    switch filter {
    case .org(let own): org == own
    case .district(let own, _): district == own
    case nil: true
    }
  }
}

extension Configuration {
  /// The codes of the organisations the configuration places in `district`, in order.
  package func orgs(in district: String) -> [String] {
    orgs.values.filter { $0.district == district }.map(\.code).sorted()
  }
}
