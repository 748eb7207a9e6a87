import GRDB

/// Why `hr-metrics` will not evaluate what it was asked to.
package enum MetricsError: Error, Sendable, CustomStringConvertible {
  /// The operator asked for units beyond their reach (授权范围, 第二十五条); `audit` is the denial to keep.
  case forbidden(String, audit: AuditEntry)
  case unknownOrg(String)
  case unknownDistrict(String)
  /// A year that has not begun has nothing to count.
  case futureYear(Int, today: LocalDate)
  /// Units wider than the organisation or district asked for would count only part of themselves.
  case levelWiderThanScope(MetricsLevel, scope: String)

  /// The message, as `hr-metrics` prints it after its name.
  package var description: String {
    switch self {
    case .forbidden(let message, _): "forbidden: \(message)"
    case .unknownOrg(let org): "unknown organisation '\(org)'"
    case .unknownDistrict(let district): "unknown district '\(district)'"
    case .futureYear(let year, let today): "year '\(year)' has not begun on \(today)"
    case .levelWiderThanScope(let level, let scope): "--by \(level.rawValue) is wider than \(scope): use a narrower --by"
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

  /// An evaluation of `org` or `district` (else all the operator reaches) by `level`, refused
  /// when the operator may not see it or when a unit would be wider than what is evaluated.
  package init(org: String?, district: String?, level: MetricsLevel, period: MetricsPeriod, session: Session) throws(MetricsError) {
    let configuration = session.configuration
    let staff = session.staff
    self.configuration = configuration
    self.period = period
    self.level = level
    func denial(_ target: String, _ detail: JSONObject) -> MetricsError {
      var detail = detail
      detail["by"] = .string(level.rawValue)
      detail["year"] = .int(period.year)
      return .forbidden(
        "operator '\(staff.id)' (\(staff.role.rawValue)) may not measure \(target)",
        audit: AuditEntry(action: "metrics.report", recordNo: nil, outcome: .denied, detail: detail))
    }
    if let org {
      guard let organisation = configuration.orgs[org] else { throw .unknownOrg(org) }
      guard staff.may(.metrics, in: Scope(org: org, district: organisation.district)) else {
        throw denial("organisation '\(org)'", ["org": .string(org)])
      }
      guard level == .org else { throw .levelWiderThanScope(level, scope: "--org '\(org)'") }
      filter = .org(org)
    } else if let district {
      guard configuration.districts[district] != nil else { throw .unknownDistrict(district) }
      guard staff.may(.metrics, inDistrict: district) else {
        throw denial("district '\(district)'", ["district": .string(district)])
      }
      guard level <= .district else { throw .levelWiderThanScope(level, scope: "--district '\(district)'") }
      filter = .district(district, orgs: configuration.orgs(in: district))
    } else {
      switch staff.coverage(for: .metrics) {
      case .nothing: throw denial("anything", ["scope": "none"])
      case .org(let own):
        guard level == .org else { throw denial("a whole \(level.rawValue)", ["org": .string(own)]) }
        filter = .org(own)
      case .district(let own):
        guard level <= .district else { throw denial("the whole city", ["district": .string(own)]) }
        filter = .district(own, orgs: configuration.orgs(in: own))
      case .city:
        filter = nil
      }
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

  /// Counts every indicator, in a few grouped queries over the store, and returns the units in
  /// order of code.
  package func run(in db: Database) throws -> [MetricsUnit] {
    var queries = MetricsQueries(period: period, rules: configuration.rules, filter: filter)
    try queries.lookForLaterHistory(in: db)
    var tallies: [MetricsKey: MetricsTally] = [:]
    try queries.accumulate(queries.recordsSQL, in: db, into: &tallies) { tally, row in
      tally.active += row[2]
      tally.lost += row[3]
      tally.deceased += row[4]
      tally.movedOut += row[5]
      tally.used += row[6]
      tally.complete += row[7]
      tally.keyPopulations[0] += row[8]
      tally.keyPopulations[1] += row[9]
      tally.deceasedWithService += row[10]
    }
    try queries.accumulate(queries.tagsSQL, in: db, into: &tallies) { tally, row in
      if let index = MetricsTally.keyPopulations.firstIndex(of: row[2]) { tally.keyPopulations[index] += row[3] }
    }
    try queries.accumulate(queries.signedSQL, in: db, into: &tallies) { tally, row in
      tally.signed += row[2]
      tally.signedTimely += row[3]
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
