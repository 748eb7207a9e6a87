import HRLines

/// The level at which `hr-metrics` reports (统计单位): one line per managing organisation, per
/// district or for the whole city.
package enum MetricsLevel: String, CaseIterable, Sendable, Comparable {
  /// One line per managing organisation (管理责任单位).
  case org
  /// One line per district or county (区县).
  case district
  /// One line for the whole city (全市).
  case city

  /// The levels from the narrowest to the widest.
  private var rank: Int {
    switch self {
    case .org: 0
    case .district: 1
    case .city: 2
    }
  }

  package static func < (lhs: MetricsLevel, rhs: MetricsLevel) -> Bool { lhs.rank < rhs.rank }
}

/// The calendar year evaluated (考核年度, 第二十六条) and the day its counts of records stand on.
///
/// Counts of records, rates over active records and key populations are as of `asOf`: today
/// while the year runs, 31 December once it is over. Events (services, transfers, refusals) are
/// those dated from 1 January to `asOf`.
package struct MetricsPeriod: Sendable, Equatable {
  /// The calendar year.
  package let year: Int
  /// 1 January of the year.
  package let start: LocalDate
  /// The day counts of records stand on.
  package let asOf: LocalDate

  /// The period of `year` seen on `today`; a year that has not begun yet has nothing to count.
  package init(year: Int, today: LocalDate) throws(MetricsError) {
    guard year <= today.year, let start = LocalDate(year: year, month: 1, day: 1),
      let end = LocalDate(year: year, month: 12, day: 31)
    else { throw .futureYear(year, today: today) }
    self.year = year
    self.start = start
    asOf = min(end, today)
  }
}

/// A rate with what it is made of: `{"value":0.62,"num":620,"den":1000}`, the value rounded to
/// four decimals and null when nothing was there to count.
package struct Rate: Sendable, Equatable {
  /// The numerator.
  package var num: Int
  /// The denominator.
  package var den: Int

  /// Makes a rate.
  package init(num: Int, den: Int) {
    self.num = num
    self.den = den
  }

  /// The rate in [0, 1] to four decimals, or nil when the denominator is zero.
  package var value: Double? {
    guard den > 0 else { return nil }
    return (Double(num) / Double(den) * 10_000).rounded() / 10_000
  }

  /// The rate as the listing prints it.
  package var json: JSONValue {
    ["value": value.map(JSONValue.double) ?? .null, "num": .int(num), "den": .int(den)]
  }
}

/// The counts behind every indicator of one organisation, which add up into districts and the city.
package struct MetricsTally: Sendable, Equatable {
  /// 在管档案: records in active management on the as-of day.
  package var active = 0
  /// Records archived as lost (失访) on the as-of day.
  package var lost = 0
  /// Records archived as deceased (死亡) on the as-of day.
  package var deceased = 0
  /// Records archived as moved out of the city (迁出) on the as-of day.
  package var movedOut = 0
  /// Active records with a service or contact in the 365 days to the as-of day (使用率).
  package var used = 0
  /// Active records with every cover field filled in (规范率, 第十二条).
  package var complete = 0
  /// Services of the period given by the organisation.
  package var services = 0
  /// Services of the period entered within `service_entry_days` of their date.
  package var timelyServices = 0
  /// Off-site services (异地服务, annex 1 五) the organisation gave in the period.
  package var offSiteServices = 0
  /// Free services it was refused because the person already had them (服务拒绝, annex 1 五(四)).
  package var offSiteRefused = 0
  /// Transfers out of the organisation (转迁, annex 1 四) requested in the period.
  package var transfersRequested = 0
  /// Transfers out completed in the period, direct ones included.
  package var transfersCompleted = 0
  /// Transfers out rejected in the period.
  package var transfersRejected = 0
  /// Transfers out pending on the as-of day.
  package var transfersPending = 0
  /// Transfers out pending past their due day on the as-of day.
  package var transfersOverdue = 0
  /// Transfers out confirmed or rejected in the period that had a due day (not direct ones).
  package var transfersDecided = 0
  /// Of those, the ones decided by their due day.
  package var transfersDecidedTimely = 0
  /// Active records in each key population, in `MetricsTally.keyPopulations` order.
  package var keyPopulations = [Int](repeating: 0, count: MetricsTally.keyPopulations.count)
  /// Records that died in the year and had a service that year (annex 1 六(一)2).
  package var deceasedWithService = 0
  /// Active signed residents (家庭医生签约).
  package var signed = 0
  /// Of those, the ones signed, contacted or served within `signed_contact_days` of the as-of day.
  package var signedTimely = 0

  /// The key populations counted (重点人群), derived tags first.
  package static let keyPopulations = [
    "elderly", "child_0_6", "maternal", "hypertension", "diabetes", "severe_mental_disorder", "tuberculosis",
  ]

  /// Makes an empty tally.
  package init() {}

  /// Adds another unit's counts to these.
  package mutating func add(_ other: MetricsTally) {
    active += other.active
    lost += other.lost
    deceased += other.deceased
    movedOut += other.movedOut
    used += other.used
    complete += other.complete
    services += other.services
    timelyServices += other.timelyServices
    offSiteServices += other.offSiteServices
    offSiteRefused += other.offSiteRefused
    transfersRequested += other.transfersRequested
    transfersCompleted += other.transfersCompleted
    transfersRejected += other.transfersRejected
    transfersPending += other.transfersPending
    transfersOverdue += other.transfersOverdue
    transfersDecided += other.transfersDecided
    transfersDecidedTimely += other.transfersDecidedTimely
    for index in keyPopulations.indices { keyPopulations[index] += other.keyPopulations[index] }
    deceasedWithService += other.deceasedWithService
    signed += other.signed
    signedTimely += other.signedTimely
  }
}

/// One line of the evaluation: a unit, its counts and what they are measured against.
package struct MetricsUnit: Sendable, Equatable {
  /// Whether the unit is an organisation, a district or the city.
  package let level: MetricsLevel
  /// The organisation's or district's code; `city` for the city.
  package let code: String
  /// The name the configuration gives it.
  package let name: String
  /// The resident population the filing rate is measured against, when it is known.
  package let population: Int?
  /// The counts.
  package var tally: MetricsTally

  /// Makes a unit.
  package init(level: MetricsLevel, code: String, name: String, population: Int?, tally: MetricsTally = MetricsTally()) {
    self.level = level
    self.code = code
    self.name = name
    self.population = population
    self.tally = tally
  }

  /// The keys of each line, in the order they are printed.
  package static let keys = [
    "unit", "code", "name", "year", "as_of", "records_active", "records_archived", "filing_rate", "usage_rate",
    "completeness_rate", "timely_entry_rate", "transfers", "transfer_response_timely_rate", "off_site_services",
    "off_site_refused", "key_populations", "deceased_with_service_in_year", "signed_contact_timely_rate",
  ]

  /// The rates of the unit in the order they are printed, each with its key; the filing rate is
  /// nil without a population to measure it against (an organisation has none configured).
  package var rates: [(key: String, rate: Rate?)] {
    let t = tally
    return [
      ("filing_rate", population.map { Rate(num: t.active, den: $0) }),
      ("usage_rate", Rate(num: t.used, den: t.active)),
      ("completeness_rate", Rate(num: t.complete, den: t.active)),
      ("timely_entry_rate", Rate(num: t.timelyServices, den: t.services)),
      ("transfer_response_timely_rate", Rate(num: t.transfersDecidedTimely, den: t.transfersDecided + t.transfersOverdue)),
      ("signed_contact_timely_rate", Rate(num: t.signedTimely, den: t.signed)),
    ]
  }

  /// The line `hr-metrics` prints for the unit in `period`, keys in `keys` order.
  package func json(period: MetricsPeriod) -> JSONObject {
    let t = tally
    var object: JSONObject = [
      "unit": .string(level.rawValue), "code": .string(code), "name": .string(name), "year": .int(period.year),
      "as_of": .string(period.asOf.description), "records_active": .int(t.active),
      "records_archived": ["lost": .int(t.lost), "deceased": .int(t.deceased), "moved_out": .int(t.movedOut)],
    ]
    var populations = JSONObject()
    for (code, count) in zip(MetricsTally.keyPopulations, t.keyPopulations) { populations[code] = .int(count) }
    var fields: [String: JSONValue] = [
      "transfers": [
        "requested": .int(t.transfersRequested), "completed": .int(t.transfersCompleted),
        "rejected": .int(t.transfersRejected), "pending": .int(t.transfersPending), "overdue": .int(t.transfersOverdue),
      ],
      "off_site_services": .int(t.offSiteServices), "off_site_refused": .int(t.offSiteRefused),
      "key_populations": .object(populations), "deceased_with_service_in_year": .int(t.deceasedWithService),
    ]
    for (key, rate) in rates { fields[key] = rate?.json ?? .null }
    for key in Self.keys where object[key] == nil { object[key] = fields[key] ?? .null }
    return object
  }
}
