import Yams

/// Turns YAML text into a validated `Configuration`, or refuses it with every problem of the file,
/// each with its line and key path, so that one run shows all there is to fix.
package struct ConfigurationParser {
  /// The file name used in error messages.
  let file: String
  /// The configuration built so far, starting from the built-in defaults.
  var config = Configuration.defaults
  /// The problems found so far; shared, so that the value readers can note one and go on.
  let problems = Problems()
  /// Organisations whose own entry was refused: an operator naming one is not refused again for it.
  var refusedOrgs = Set<String>()

  /// The keys allowed at the top level of the file.
  static let topLevelKeys = ["rules", "districts", "orgs", "operators", "services", "export", "store", "training"]
  /// The keys of a district's entry.
  static let districtKeys = ["name", "intra_district_protection_days", "population"]
  /// The keys of an organisation's entry.
  static let orgKeys = ["name", "district"]
  /// The keys of an operator's entry.
  static let operatorKeys = ["name", "role", "org", "district", "users"]
  /// The keys of a service type's entry.
  static let serviceKeys = ["free_per_year", "min_age"]
  /// The keys of `export:`.
  static let exportKeys = ["k", "age_band_years", "l", "pseudonym_key_file"]
  /// The keys of `store:`.
  static let storeKeys = ["group_readable"]
  /// The prefix of the marker that renames a key Yams refused as a duplicate, so that the key can be located.
  static let duplicateMarker = "__hr_duplicate_"
  /// The most duplicate keys located before giving up and reporting the first one as Yams found it.
  static let maximumDuplicateRenames = 100
  /// The most nodes (counting each use of an alias) a document may hold, which stops alias bombs.
  static let maximumNodes = 100_000
  /// The longest period in days a rule may set: a century. Dates are counted from these periods,
  /// and a larger one would overflow the day arithmetic or leave the calendar.
  private static let maximumDays = 36_500
  /// The longest retention in years: the calendar's span.
  private static let maximumYears = 9_999

  /// Creates a parser that names `file` in its errors.
  private init(file: String) {
    self.file = file
  }

  /// Parses and validates YAML text; `file` is the name used in error messages. Every problem of
  /// the file is found before it is refused; only YAML that cannot be composed stops the reading.
  package static func parse(yaml: String, file: String) throws(ConfigurationError) -> Configuration {
    var parser = ConfigurationParser(file: file)
    do {
      if let (root, firstDuplicate) = try parser.compose(yaml) {
        var budget = maximumNodes
        let before = parser.problems.count
        try parser.checkDuplicates(root, path: [], budget: &budget, stripMarkers: firstDuplicate != nil)
        if let firstDuplicate, parser.problems.count == before { parser.note(firstDuplicate) }
        parser.build(root)
      }
    } catch {
      parser.note(error)
    }
    if let error = parser.problems.combined { throw error }
    return parser.config
  }

  // MARK: - Sections

  /// Validates the document and merges it over the defaults.
  private mutating func build(_ root: Yams.Node) {
    if Self.isNull(root) { return }
    guard case .mapping = root else {
      return note(error(at: root, [], "expected a mapping at the top level, found \(Self.describe(root))"))
    }
    let sections = readEntries(of: root, path: [])
    checkKeys(sections, allowed: Self.topLevelKeys, path: [])
    /// The value of the named top-level section, if the file has it.
    func section(_ name: String) -> Yams.Node? { sections.first { $0.key == name }?.value }
    // Sections are validated in dependency order: orgs need districts, operators need orgs.
    if let node = section("rules") { parseRules(node) }
    if let node = section("districts") { parseDistricts(node) }
    if let node = section("orgs") { parseOrgs(node) }
    if let node = section("operators") { parseOperators(node) }
    if let node = section("services") { parseServices(node) }
    if let node = section("export") { parseExport(node) }
    if let node = section("store") { parseStore(node) }
    if let node = section("training") {
      if let value = attempt({ () throws(ConfigurationError) in try boolean(node, ["training"]) }) { config.training = value }
    }
  }

  /// Validates `rules:` and sets each rule it names.
  private mutating func parseRules(_ node: Yams.Node) {
    let days = Self.maximumDays
    let fields: [(key: String, property: WritableKeyPath<Rules, Int>, minimum: Int, maximum: Int)] = [
      ("transfer_confirm_days", \.transferConfirmDays, 1, days),
      ("cross_district_protection_days", \.crossDistrictProtectionDays, 0, days),
      ("intra_district_protection_days", \.intraDistrictProtectionDays, 0, days),
      ("lost_after_days", \.lostAfterDays, 0, days),
      ("moved_out_after_days", \.movedOutAfterDays, 0, days),
      ("service_entry_days", \.serviceEntryDays, 0, days),
      ("death_entry_days", \.deathEntryDays, 0, days),
      ("signed_contact_days", \.signedContactDays, 0, days),
      ("newborn_id_update_days", \.newbornIdUpdateDays, 0, days),
      ("retention_years", \.retentionYears, 1, Self.maximumYears),
    ]
    let path = ["rules"]
    for entry in readEntries(of: node, path: path) {
      guard let field = fields.first(where: { $0.key == entry.key }) else {
        note(unknownKey(entry, path, allowed: fields.map(\.key)))
        continue
      }
      if let value = attempt({ () throws(ConfigurationError) in
        try integer(entry.value, path + [entry.key], minimum: field.minimum, maximum: field.maximum)
      }) {
        config.rules[keyPath: field.property] = value
      }
    }
  }

  /// Validates `districts:`, merging each entry over the default district with the same code or adding a new one.
  private mutating func parseDistricts(_ node: Yams.Node) {
    for entry in readEntries(of: node, path: ["districts"]) {
      guard let code = attempt({ () throws(ConfigurationError) in try districtCode(entry.keyNode, ["districts", entry.key]) })
      else { continue }
      let path = ["districts", code]
      var district = config.districts[code]
      var name: String?
      var protection = district?.intraDistrictProtectionDays
      var population = district?.population
      let fields = readEntries(of: entry.value, path: path)
      for field in fields {
        let key = path + [field.key]
        switch field.key {
        case "name": name = attempt { () throws(ConfigurationError) in try nonEmptyString(field.value, key) } ?? name
        case "intra_district_protection_days":
          protection =
            attempt { () throws(ConfigurationError) in
              try optionalInteger(field.value, key, minimum: 0, maximum: Self.maximumDays)
            } ?? protection
        case "population":
          population =
            attempt { () throws(ConfigurationError) in try optionalInteger(field.value, key, minimum: 1) } ?? population
        default: note(unknownKey(field, path, allowed: Self.districtKeys))
        }
      }
      if district == nil {
        guard let name else {
          noteMissing("name", in: fields, of: entry, path)
          continue
        }
        district = District(code: code, name: name)
      } else if let name {
        district?.name = name
      }
      district?.intraDistrictProtectionDays = protection
      district?.population = population
      config.districts[code] = district
    }
  }

  /// Validates `orgs:`; each organisation needs a name and a known district.
  private mutating func parseOrgs(_ node: Yams.Node) {
    for entry in readEntries(of: node, path: ["orgs"]) {
      guard
        let code = attempt({ () throws(ConfigurationError) in
          try identifier(
            entry.keyNode, ["orgs", entry.key], what: "org code", maximumLength: 32, extraCharacters: "_-",
            rule: "1 to 32 letters, digits, '_' or '-'")
        })
      else {
        refusedOrgs.insert(entry.key)
        continue
      }
      let path = ["orgs", code]
      var name: String?
      var district: String?
      let fields = readEntries(of: entry.value, path: path)
      for field in fields {
        let key = path + [field.key]
        switch field.key {
        case "name": name = attempt { () throws(ConfigurationError) in try nonEmptyString(field.value, key) }
        case "district": district = attempt { () throws(ConfigurationError) in try knownDistrict(field.value, key) }
        default: note(unknownKey(field, path, allowed: Self.orgKeys))
        }
      }
      guard let name, let district else {
        refusedOrgs.insert(code)
        noteMissing("name", in: fields, of: entry, path)
        noteMissing("district", in: fields, of: entry, path)
        continue
      }
      config.orgs[code] = Organisation(code: code, name: name, district: district)
    }
  }

  /// Validates `operators:`; each needs a name and a role, and the scope the role requires (分类授权).
  private mutating func parseOperators(_ node: Yams.Node) {
    for entry in readEntries(of: node, path: ["operators"]) {
      guard
        let id = attempt({ () throws(ConfigurationError) in
          try identifier(
            entry.keyNode, ["operators", entry.key], what: "operator id", maximumLength: 64, extraCharacters: "_.@-",
            rule: "1 to 64 letters, digits, '_', '.', '@' or '-'")
        })
      else { continue }
      let path = ["operators", id]
      var name: String?
      var role: Role?
      var org: String?
      var district: (code: String, node: Yams.Node)?
      // A value refused here is noted once; the checks that need it are then not made.
      var users: [String]?
      var refused = false
      let fields = readEntries(of: entry.value, path: path)
      for field in fields {
        let key = path + [field.key]
        let before = problems.count
        switch field.key {
        case "name": name = attempt { () throws(ConfigurationError) in try nonEmptyString(field.value, key) }
        case "role": role = attempt { () throws(ConfigurationError) in try self.role(field.value, key) }
        case "org": org = attempt { () throws(ConfigurationError) in try knownOrg(field.value, key) } ?? nil
        case "district":
          if let code = attempt({ () throws(ConfigurationError) in try optionalKnownDistrict(field.value, key) }) ?? nil {
            district = (code, field.value)
          }
        case "users": users = attempt { () throws(ConfigurationError) in try accountNames(field.value, key) }
        default: note(unknownKey(field, path, allowed: Self.operatorKeys))
        }
        refused = refused || problems.count > before
      }
      if let org, config.orgs[org] == nil { refused = true }
      guard let name, let role else {
        noteMissing("name", in: fields, of: entry, path)
        noteMissing("role", in: fields, of: entry, path)
        continue
      }
      if refused { continue }
      var districtCode = district?.code
      if let org, let orgDistrict = config.orgs[org]?.district {
        if let district, district.code != orgDistrict {
          note(
            error(
              at: district.node, path + ["district"],
              "district '\(district.code)' does not match district '\(orgDistrict)' of org '\(org)'"))
          continue
        }
        districtCode = orgDistrict
      }
      switch role {
      case .clinician, .orgAdmin:
        guard org != nil else {
          note(error(at: entry.keyNode, path + ["org"], "role '\(role.rawValue)' requires an org"))
          continue
        }
      case .districtAdmin:
        guard districtCode != nil else {
          note(error(at: entry.keyNode, path + ["district"], "role '\(role.rawValue)' requires a district or an org"))
          continue
        }
      case .cityAdmin, .auditor, .researcher:
        break
      }
      config.operators[id] = OperatorEntry(id: id, name: name, role: role, org: org, district: districtCode, users: users)
    }
  }

  /// Validates `services:`, merging each entry's fields over the policy of an existing type or adding a new type.
  private mutating func parseServices(_ node: Yams.Node) {
    for entry in readEntries(of: node, path: ["services"]) {
      let type = entry.key
      let path = ["services", type]
      guard Self.isServiceType(entry.keyNode) else {
        note(
          error(
            at: entry.keyNode, path,
            "service type '\(type)' must be a lower-case letter followed by up to 39 lower-case letters, digits or '_'"))
        continue
      }
      var policy = config.services[type] ?? ServicePolicy()
      for field in readEntries(of: entry.value, path: path) {
        let key = path + [field.key]
        switch field.key {
        case "free_per_year":
          policy.freePerYear =
            attempt { () throws(ConfigurationError) in try optionalInteger(field.value, key, minimum: 0) }
            ?? policy.freePerYear
        case "min_age":
          policy.minAge =
            attempt { () throws(ConfigurationError) in try optionalInteger(field.value, key, minimum: 0) } ?? policy.minAge
        default: note(unknownKey(field, path, allowed: Self.serviceKeys))
        }
      }
      config.services[type] = policy
    }
  }

  /// Validates `export:` and sets each setting it names.
  private mutating func parseExport(_ node: Yams.Node) {
    let path = ["export"]
    for field in readEntries(of: node, path: path) {
      let key = path + [field.key]
      switch field.key {
      case "k":
        config.export.k =
          attempt { () throws(ConfigurationError) in try integer(field.value, key, minimum: 2) } ?? config.export.k
      case "age_band_years":
        config.export.ageBandYears =
          attempt { () throws(ConfigurationError) in try integer(field.value, key, minimum: 1, maximum: 100) }
          ?? config.export.ageBandYears
      // ℓ-diversity with one tag set per class would be no constraint at all: at least 2, or absent.
      case "l":
        config.export.l =
          attempt { () throws(ConfigurationError) in try optionalInteger(field.value, key, minimum: 2) } ?? config.export.l
      case "pseudonym_key_file":
        config.export.pseudonymKeyFile =
          Self.isNull(field.value)
          ? nil
          : attempt { () throws(ConfigurationError) in try nonEmptyString(field.value, key) }
      default: note(unknownKey(field, path, allowed: Self.exportKeys))
      }
    }
  }

  /// Validates `store:`: only `group_readable`, a YAML boolean.
  private mutating func parseStore(_ node: Yams.Node) {
    let path = ["store"]
    for field in readEntries(of: node, path: path) {
      guard field.key == "group_readable" else {
        note(unknownKey(field, path, allowed: Self.storeKeys))
        continue
      }
      if let value = attempt({ () throws(ConfigurationError) in try boolean(field.value, path + [field.key]) }) {
        config.store.groupReadable = value
      }
    }
  }
}
