#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The city-wide time limits that the record rules are checked against, configurable under `rules:`.
package struct Rules: Sendable, Equatable {
  /// The days a receiving organisation has to confirm a record transfer.
  package var transferConfirmDays = 7
  /// The days a record stays protected after a transfer across districts.
  package var crossDistrictProtectionDays = 180
  /// The days a record stays protected after a transfer within a district, for districts that set none.
  package var intraDistrictProtectionDays = 0
  /// The days without contact after which a resident counts as lost to follow-up.
  package var lostAfterDays = 365
  /// The days of absence after which a resident counts as moved out.
  package var movedOutAfterDays = 365
  /// The days within which a service must be entered into the record.
  package var serviceEntryDays = 5
  /// The days within which a death must be entered into the record.
  package var deathEntryDays = 30
  /// The days within which a signed (family doctor) resident must be contacted.
  package var signedContactDays = 182
  /// The days within which a newborn's record must be updated with the identity number.
  package var newbornIdUpdateDays = 90
  /// The years a closed record is retained.
  package var retentionYears = 15

  /// Creates the city's rules; the configuration's `rules:` changes any of them.
  package init() {}
}

/// A district or county identified by its GB/T 2260 code.
package struct District: Sendable, Equatable {
  /// The six-digit GB/T 2260 code, e.g. "500103".
  package var code: String
  /// The district's name, e.g. "渝中区".
  package var name: String
  /// The district's own intra-district protection period in days, if it sets one.
  package var intraDistrictProtectionDays: Int?
  /// The resident population, if known.
  package var population: Int?
}

/// A health-care organisation (e.g. a community health service centre) in one district.
package struct Organisation: Sendable, Equatable {
  /// The organisation's code, 1–32 characters of [0-9A-Za-z_-].
  package var code: String
  /// The organisation's name.
  package var name: String
  /// The code of the district the organisation belongs to.
  package var district: String
}

/// A person allowed to use the toolkit, with the role and scope that decide what they may do.
package struct OperatorEntry: Sendable, Equatable {
  /// The operator's id, 1–64 characters of [0-9A-Za-z_.@-].
  package var id: String
  /// The operator's display name.
  package var name: String
  /// The role that decides what the operator may do.
  package var role: Role
  /// The code of the operator's organisation, if any.
  package var org: String?
  /// The code of the operator's district, derived from the organisation when not given.
  package var district: String?
  /// The Unix accounts allowed to act as this operator, or nil when the configuration names none:
  /// what ties an operator to a person (第二十八条, 责任可溯).
  package var users: [String]?
  /// The date a run claims with `--today` and the real one, when a date was claimed: every event
  /// the run appends keeps both.
  package var dateClaim: DateClaim?

  /// Creates an operator entry.
  package init(
    id: String, name: String, role: Role, org: String? = nil, district: String? = nil, users: [String]? = nil
  ) {
    self.id = id
    self.name = name
    self.role = role
    self.org = org
    self.district = district
    self.users = users
  }
}

/// A date claimed with `--today` beside the real date in China, kept in every event a run with a
/// claimed date appends, so that no one can pass a period's end off as reached.
package struct DateClaim: Sendable, Equatable {
  /// The date the run claimed.
  package var claimed: LocalDate
  /// Today in China Standard Time when the run started.
  package var real: LocalDate
}

/// The policy for one service type: how many are free each year and from what age.
package struct ServicePolicy: Sendable, Equatable {
  /// The number of free services per resident per year, or nil when unlimited or not free.
  package var freePerYear: Int?
  /// The minimum age in years of a resident eligible for the service, or nil for any age.
  package var minAge: Int?

  /// Creates a service policy.
  package init(freePerYear: Int? = nil, minAge: Int? = nil) {
    self.freePerYear = freePerYear
    self.minAge = minAge
  }
}

/// The settings for de-identified exports.
package struct ExportSettings: Sendable, Equatable {
  /// The smallest equivalence class allowed in a de-identified export (k-anonymity).
  package var k = 5
  /// The width in years of the age bands that replace exact ages.
  package var ageBandYears = 5
  /// The path of the file holding the pseudonymisation key, if configured (existence is not checked here).
  package var pseudonymKeyFile: String?
  /// The fewest distinct health-tag sets a released class must carry (ℓ-diversity), or nil when off.
  package var l: Int?

  /// Creates the default export settings.
  package init(k: Int = 5, ageBandYears: Int = 5, pseudonymKeyFile: String? = nil, l: Int? = nil) {
    self.k = k
    self.ageBandYears = ageBandYears
    self.pseudonymKeyFile = pseudonymKeyFile
    self.l = l
  }
}

/// How the store's files are shared, under `store:`.
package struct StoreSettings: Sendable, Equatable {
  /// Whether the store and the files beside it are created 0640 rather than 0600, so that a group
  /// (the auditors' accounts) may read them; never writable by anyone but the owner.
  package var groupReadable = false

  /// Creates the default store settings: owner-only files.
  package init(groupReadable: Bool = false) {
    self.groupReadable = groupReadable
  }
}

/// The toolkit's configuration: city rules, districts, organisations, operators, service types and export settings.
package struct Configuration: Sendable, Equatable {
  /// The city-wide time limits.
  package var rules: Rules
  /// The known districts, keyed by six-digit code.
  package var districts: [String: District]
  /// The known organisations, keyed by code.
  package var orgs: [String: Organisation]
  /// The known operators, keyed by id.
  package var operators: [String: OperatorEntry]
  /// Every known service type with its policy: the default set merged with the file's `services:`.
  package var services: [String: ServicePolicy]
  /// The de-identified export settings.
  package var export: ExportSettings
  /// How the store's files are shared.
  package var store = StoreSettings()
  /// Whether this is a training or test installation, where a command that writes may claim
  /// another date with `--today`; in production the regulation's periods run on the real date.
  package var training = false

  /// Creates a configuration from its parts.
  package init(
    rules: Rules, districts: [String: District], orgs: [String: Organisation],
    operators: [String: OperatorEntry], services: [String: ServicePolicy], export: ExportSettings
  ) {
    self.rules = rules
    self.districts = districts
    self.orgs = orgs
    self.operators = operators
    self.services = services
    self.export = export
  }

  /// The service types every configuration knows, in their conventional order.
  package static let defaultServiceTypes: [String] = [
    "consultation", "health_exam", "elderly_exam", "child_health", "maternal", "hypertension_followup",
    "diabetes_followup", "mental_followup", "tb_followup", "immunization", "referral", "other",
  ]

  /// The built-in defaults: city rules, the 38 Chongqing districts and counties, the default service types, no orgs, no operators.
  package static var defaults: Configuration {
    var districts: [String: District] = [:]
    for (code, name) in ChongqingDistricts.all {
      districts[code] = District(code: code, name: name)
    }
    var services: [String: ServicePolicy] = [:]
    for type in defaultServiceTypes {
      services[type] = ServicePolicy()
    }
    // 国家基本公共卫生服务规范: one free health check a year for residents aged 65 and over.
    services["elderly_exam"] = ServicePolicy(freePerYear: 1, minAge: 65)
    return Configuration(
      rules: Rules(), districts: districts, orgs: [:], operators: [:], services: services, export: ExportSettings()
    )
  }

  /// Parses and validates YAML text; `file` is the name used in error messages.
  package static func parse(yaml: String, file: String) throws(ConfigurationError) -> Configuration {
    try ConfigurationParser.parse(yaml: yaml, file: file)
  }

  /// Reads and validates a YAML file, refusing one that the group or others can write: whoever can
  /// change it can declare themselves an operator of any role (第二十八条, 第二十九条).
  package static func load(path: String) throws(ConfigurationError) -> Configuration {
    let text: String
    switch readTextFile(path) {
    case .success(let contents): text = contents
    case .failure(let reason): throw ConfigurationError(file: path, line: nil, key: nil, message: "cannot read: \(reason)")
    case .writableByOthers(let mode):
      throw ConfigurationError(
        file: path, line: nil, key: nil,
        message: "the group or others can write this file (mode \(FilePermissions.octal(mode))); run 'chmod go-w \(path)'")
    }
    return try parse(yaml: text, file: path)
  }

  /// The district's intra-district protection period: its own value, else the rules' default.
  package func intraDistrictProtectionDays(for district: String) -> Int {
    districts[district]?.intraDistrictProtectionDays ?? rules.intraDistrictProtectionDays
  }

  /// The code of the district the organisation belongs to, or nil for an unknown organisation.
  package func district(ofOrg org: String) -> String? {
    orgs[org]?.district
  }
}

/// The largest configuration read: far beyond any city's, and small enough that `--config
/// /dev/zero` ends with an error rather than filling memory.
private let maximumConfigurationBytes = 16 << 20

/// What reading the configuration file gave.
private enum ReadResult {
  case success(String)
  case failure(ReadFailureReason)
  /// A regular file the group or others can write, with its mode.
  case writableByOthers(mode_t)
}

/// Reads a whole file as UTF-8 text, or returns the system's reason why it cannot be read. The
/// mode is taken from the open file, so that it is the mode of the file read; only a regular
/// file is checked (a pipe from `<(…)` or `/dev/null` belongs to no one who could change it).
private func readTextFile(_ path: String) -> ReadResult {
  let descriptor = open(path, O_RDONLY | O_CLOEXEC)
  guard descriptor >= 0 else { return .failure(ReadFailureReason(errno)) }
  defer { close(descriptor) }
  var info = stat()
  if fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG,
    info.st_mode & FilePermissions.writableByOthers != 0
  {
    return .writableByOthers(info.st_mode & 0o7777)
  }
  var bytes: [UInt8] = []
  var buffer = [UInt8](repeating: 0, count: 65_536)
  while true {
    let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
    if count < 0 {
      if errno == EINTR { continue }
      return .failure(ReadFailureReason(errno))
    }
    if count == 0 { break }
    bytes.append(contentsOf: buffer[0..<count])
    if bytes.count > maximumConfigurationBytes {
      return .failure(ReadFailureReason(text: "larger than \(maximumConfigurationBytes >> 20) MiB"))
    }
  }
  guard let text = String(validating: bytes, as: UTF8.self) else {
    return .failure(ReadFailureReason(text: "not valid UTF-8 text"))
  }
  return .success(text)
}

/// A description of why a file could not be read.
private struct ReadFailureReason: Error, CustomStringConvertible {
  /// The human-readable reason.
  let description: String

  /// Describes a POSIX error number with the system's message.
  init(_ code: Int32) { description = String(cString: strerror(code)) }

  /// Describes a failure with the given text.
  init(text: String) { description = text }
}
