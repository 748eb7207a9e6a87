import Yams

/// Turns YAML text into a validated `Configuration`, refusing it at the first problem with the problem's line and key path.
package struct ConfigurationParser {
  /// The file name used in error messages.
  let file: String
  /// The configuration built so far, starting from the built-in defaults.
  var config = Configuration.defaults

  /// The keys allowed at the top level of the file.
  private static let topLevelKeys = ["rules", "districts", "orgs", "operators", "services", "export", "store", "training"]
  /// The prefix of the marker that renames a key Yams refused as a duplicate, so that the key can be located.
  private static let duplicateMarker = "__hr_duplicate_"
  /// The most duplicate keys located before giving up and reporting the first one as Yams found it.
  private static let maximumDuplicateRenames = 100
  /// The most nodes (counting each use of an alias) a document may hold, which stops alias bombs.
  private static let maximumNodes = 100_000
  /// The longest period in days a rule may set: a century. Dates are counted from these periods,
  /// and a larger one would overflow the day arithmetic or leave the calendar.
  private static let maximumDays = 36_500
  /// The longest retention in years: the calendar's span.
  private static let maximumYears = 9_999

  /// Creates a parser that names `file` in its errors.
  private init(file: String) {
    self.file = file
  }

  /// Parses and validates YAML text; `file` is the name used in error messages.
  package static func parse(yaml: String, file: String) throws(ConfigurationError) -> Configuration {
    var parser = ConfigurationParser(file: file)
    guard let root = try parser.compose(yaml) else { return parser.config }
    var budget = maximumNodes
    try parser.checkDuplicates(root, path: [], budget: &budget, stripMarkers: false)
    try parser.build(root)
    return parser.config
  }

  // MARK: - Composing

  /// Composes the YAML text into a node tree, converting Yams' errors and locating duplicate keys by their key path.
  private func compose(_ yaml: String) throws(ConfigurationError) -> Yams.Node? {
    var text = yaml
    var firstDuplicate: ConfigurationError?
    var renames = 0
    while true {
      let result = Result<Yams.Node?, any Error> { try Yams.compose(yaml: text) }
      switch result {
      case .success(let node):
        guard let firstDuplicate else { return node }
        // Yams refused a duplicate key; the renamed document lets our own check name the later occurrence's path.
        if let node {
          var budget = Self.maximumNodes
          try checkDuplicates(node, path: [], budget: &budget, stripMarkers: true)
        }
        throw firstDuplicate
      case .failure(let error):
        if let yamlError = error as? Yams.YamlError, case .duplicatedKeysInMapping(let keys, let context) = yamlError {
          if firstDuplicate == nil {
            let name = keys.first ?? ""
            firstDuplicate = ConfigurationError(
              file: file, line: context.mark.line, key: nil, message: "duplicate key '\(Self.stripMarker(name))'"
            )
          }
          renames += 1
          guard renames <= Self.maximumDuplicateRenames,
            let renamed = Self.insertMarker(into: text, at: context.mark, number: renames)
          else { throw firstDuplicate! }
          text = renamed
          continue
        }
        if let firstDuplicate { throw firstDuplicate }
        throw invalidYAML(error, yaml: yaml)
      }
    }
  }

  /// Converts an error from Yams into an "invalid YAML" error at the line Yams reports.
  private func invalidYAML(_ error: any Error, yaml: String) -> ConfigurationError {
    guard let yamlError = error as? Yams.YamlError else {
      return ConfigurationError(file: file, line: nil, key: nil, message: "invalid YAML: \(error)")
    }
    switch yamlError {
    case .scanner(let context, let problem, let mark, _),
      .parser(let context, let problem, let mark, _),
      .composer(let context, let problem, let mark, _):
      let text = context.map { "\($0.text), \(problem)" } ?? problem
      return ConfigurationError(file: file, line: mark.line, key: nil, message: "invalid YAML: \(text)")
    case .reader(let problem, let offset, _, _):
      let line = offset.map { offset in 1 + yaml.prefix(offset).reduce(0) { $1.isNewline ? $0 + 1 : $0 } }
      return ConfigurationError(file: file, line: line, key: nil, message: "invalid YAML: \(problem)")
    default:
      return ConfigurationError(file: file, line: nil, key: nil, message: "invalid YAML: \(yamlError)")
    }
  }

  /// Returns the text with a numbered marker put at the start of the key at `mark`, or nil when the key cannot be marked safely.
  private static func insertMarker(into text: String, at mark: Yams.Mark, number: Int) -> String? {
    var scalars = Array(text.unicodeScalars)
    var line = 1
    var column = 1
    var index = 0
    while index < scalars.count, line < mark.line || (line == mark.line && column < mark.column) {
      let scalar = scalars[index]
      if scalar == "\n" || (scalar == "\r" && (index + 1 == scalars.count || scalars[index + 1] != "\n")) {
        line += 1
        column = 1
      } else if scalar != "\r" {
        column += 1
      }
      index += 1
    }
    guard index < scalars.count, line == mark.line, column == mark.column else { return nil }
    // Skip the key's properties (an anchor and/or a tag), which libyaml counts as the start of the node.
    while index < scalars.count, scalars[index] == "&" || scalars[index] == "!" {
      while index < scalars.count, !" \t\n\r".unicodeScalars.contains(scalars[index]) { index += 1 }
      while index < scalars.count, scalars[index] == " " || scalars[index] == "\t" { index += 1 }
    }
    guard index < scalars.count else { return nil }
    let first = scalars[index]
    if first == "\"" || first == "'" {
      index += 1
    } else if "&!*?|>%@`[]{},#\n\r\t ".unicodeScalars.contains(first) {
      return nil
    }
    scalars.insert(contentsOf: "\(duplicateMarker)\(number)__".unicodeScalars, at: index)
    var result = String.UnicodeScalarView()
    result.append(contentsOf: scalars)
    return String(result)
  }

  /// Removes a marker put by `insertMarker(into:at:number:)` from the start of a key, if there is one.
  private static func stripMarker(_ key: String) -> String {
    guard key.hasPrefix(duplicateMarker) else { return key }
    let rest = key.dropFirst(duplicateMarker.count)
    let digits = rest.prefix { $0.isASCII && $0.isNumber }
    let tail = rest.dropFirst(digits.count)
    guard !digits.isEmpty, tail.hasPrefix("__") else { return key }
    return String(tail.dropFirst(2))
  }

  /// Refuses any mapping, at any depth, that holds the same key twice (500103 and "500103" count as the same).
  private func checkDuplicates(
    _ node: Yams.Node, path: [String], budget: inout Int, stripMarkers: Bool
  ) throws(ConfigurationError) {
    budget -= 1
    if budget < 0 {
      throw error(at: node, path, "document has more than \(Self.maximumNodes) nodes counting each use of an alias")
    }
    switch node {
    case .mapping(let mapping):
      var seen = Set<String>()
      for (key, value) in mapping {
        guard case .scalar(let scalar) = key else {
          try checkDuplicates(value, path: path + ["?"], budget: &budget, stripMarkers: stripMarkers)
          continue
        }
        let name = stripMarkers ? Self.stripMarker(scalar.string) : scalar.string
        if !seen.insert(name).inserted {
          throw error(at: key, path + [name], "duplicate key '\(name)'")
        }
        try checkDuplicates(value, path: path + [name], budget: &budget, stripMarkers: stripMarkers)
      }
    case .sequence(let sequence):
      for (offset, element) in sequence.enumerated() {
        try checkDuplicates(element, path: path + ["\(offset)"], budget: &budget, stripMarkers: stripMarkers)
      }
    case .scalar, .alias:
      break
    }
  }

  // MARK: - Sections

  /// Validates the document and merges it over the defaults.
  private mutating func build(_ root: Yams.Node) throws(ConfigurationError) {
    if Self.isNull(root) { return }
    guard case .mapping = root else {
      throw error(at: root, [], "expected a mapping at the top level, found \(Self.describe(root))")
    }
    let sections = try entries(of: root, path: [])
    try checkKeys(sections, allowed: Self.topLevelKeys, path: [])
    // Sections are validated in dependency order: orgs need districts, operators need orgs.
    /// The value of the named top-level section, if the file has it.
    func section(_ name: String) -> Yams.Node? { sections.first { $0.key == name }?.value }
    if let node = section("rules") { try parseRules(node) }
    if let node = section("districts") { try parseDistricts(node) }
    if let node = section("orgs") { try parseOrgs(node) }
    if let node = section("operators") { try parseOperators(node) }
    if let node = section("services") { try parseServices(node) }
    if let node = section("export") { try parseExport(node) }
    if let node = section("store") { try parseStore(node) }
    if let node = section("training") { config.training = try boolean(node, ["training"]) }
  }

  /// Validates `rules:` and sets each rule it names.
  private mutating func parseRules(_ node: Yams.Node) throws(ConfigurationError) {
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
    for entry in try entries(of: node, path: path) {
      guard let field = fields.first(where: { $0.key == entry.key }) else {
        throw error(at: entry.keyNode, path + [entry.key], "unknown key '\(entry.key)'")
      }
      config.rules[keyPath: field.property] = try integer(
        entry.value, path + [entry.key], minimum: field.minimum, maximum: field.maximum)
    }
  }

  /// Validates `districts:`, merging each entry over the default district with the same code or adding a new one.
  private mutating func parseDistricts(_ node: Yams.Node) throws(ConfigurationError) {
    for entry in try entries(of: node, path: ["districts"]) {
      let code = try districtCode(entry.keyNode, ["districts", entry.key])
      let path = ["districts", code]
      var district = config.districts[code]
      var name: String?
      var protection = district?.intraDistrictProtectionDays
      var population = district?.population
      for field in try entries(of: entry.value, path: path) {
        switch field.key {
        case "name": name = try nonEmptyString(field.value, path + [field.key])
        case "intra_district_protection_days":
          protection = try optionalInteger(field.value, path + [field.key], minimum: 0, maximum: Self.maximumDays)
        case "population": population = try optionalInteger(field.value, path + [field.key], minimum: 1)
        default: throw error(at: field.keyNode, path + [field.key], "unknown key '\(field.key)'")
        }
      }
      if district == nil {
        guard let name else { throw error(at: entry.keyNode, path + ["name"], "missing required key 'name'") }
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
  private mutating func parseOrgs(_ node: Yams.Node) throws(ConfigurationError) {
    for entry in try entries(of: node, path: ["orgs"]) {
      let code = try identifier(
        entry.keyNode, ["orgs", entry.key], what: "org code", maximumLength: 32, extraCharacters: "_-",
        rule: "1 to 32 letters, digits, '_' or '-'"
      )
      let path = ["orgs", code]
      var name: String?
      var district: String?
      for field in try entries(of: entry.value, path: path) {
        switch field.key {
        case "name": name = try nonEmptyString(field.value, path + [field.key])
        case "district": district = try knownDistrict(field.value, path + [field.key])
        default: throw error(at: field.keyNode, path + [field.key], "unknown key '\(field.key)'")
        }
      }
      guard let name else { throw error(at: entry.keyNode, path + ["name"], "missing required key 'name'") }
      guard let district else {
        throw error(at: entry.keyNode, path + ["district"], "missing required key 'district'")
      }
      config.orgs[code] = Organisation(code: code, name: name, district: district)
    }
  }

  /// Validates `operators:`; each needs a name and a role, and the scope the role requires (分类授权).
  private mutating func parseOperators(_ node: Yams.Node) throws(ConfigurationError) {
    for entry in try entries(of: node, path: ["operators"]) {
      let id = try identifier(
        entry.keyNode, ["operators", entry.key], what: "operator id", maximumLength: 64, extraCharacters: "_.@-",
        rule: "1 to 64 letters, digits, '_', '.', '@' or '-'"
      )
      let path = ["operators", id]
      var name: String?
      var role: Role?
      var org: String?
      var district: (code: String, node: Yams.Node)?
      var users: [String]?
      for field in try entries(of: entry.value, path: path) {
        switch field.key {
        case "name": name = try nonEmptyString(field.value, path + [field.key])
        case "role": role = try self.role(field.value, path + [field.key])
        case "org": org = try knownOrg(field.value, path + [field.key])
        case "district":
          if let code = try optionalKnownDistrict(field.value, path + [field.key]) { district = (code, field.value) }
        case "users": users = try accountNames(field.value, path + [field.key])
        default: throw error(at: field.keyNode, path + [field.key], "unknown key '\(field.key)'")
        }
      }
      guard let name else { throw error(at: entry.keyNode, path + ["name"], "missing required key 'name'") }
      guard let role else { throw error(at: entry.keyNode, path + ["role"], "missing required key 'role'") }
      var districtCode = district?.code
      if let org, let orgDistrict = config.orgs[org]?.district {
        if let district, district.code != orgDistrict {
          throw error(
            at: district.node, path + ["district"],
            "district '\(district.code)' does not match district '\(orgDistrict)' of org '\(org)'"
          )
        }
        districtCode = orgDistrict
      }
      switch role {
      case .clinician, .orgAdmin:
        guard org != nil else {
          throw error(at: entry.keyNode, path + ["org"], "role '\(role.rawValue)' requires an org")
        }
      case .districtAdmin:
        guard districtCode != nil else {
          throw error(at: entry.keyNode, path + ["district"], "role '\(role.rawValue)' requires a district or an org")
        }
      case .cityAdmin, .auditor, .researcher:
        break
      }
      config.operators[id] = OperatorEntry(id: id, name: name, role: role, org: org, district: districtCode, users: users)
    }
  }

  /// Validates `services:`, merging each entry's fields over the policy of an existing type or adding a new type.
  private mutating func parseServices(_ node: Yams.Node) throws(ConfigurationError) {
    for entry in try entries(of: node, path: ["services"]) {
      let type = entry.key
      let path = ["services", type]
      guard Self.isServiceType(entry.keyNode) else {
        throw error(
          at: entry.keyNode, path,
          "service type '\(type)' must be a lower-case letter followed by up to 39 lower-case letters, digits or '_'"
        )
      }
      var policy = config.services[type] ?? ServicePolicy()
      for field in try entries(of: entry.value, path: path) {
        switch field.key {
        case "free_per_year": policy.freePerYear = try optionalInteger(field.value, path + [field.key], minimum: 0)
        case "min_age": policy.minAge = try optionalInteger(field.value, path + [field.key], minimum: 0)
        default: throw error(at: field.keyNode, path + [field.key], "unknown key '\(field.key)'")
        }
      }
      config.services[type] = policy
    }
  }

  /// Validates `export:` and sets each setting it names.
  private mutating func parseExport(_ node: Yams.Node) throws(ConfigurationError) {
    let path = ["export"]
    for field in try entries(of: node, path: path) {
      switch field.key {
      case "k": config.export.k = try integer(field.value, path + [field.key], minimum: 2)
      case "age_band_years": config.export.ageBandYears = try integer(field.value, path + [field.key], minimum: 1, maximum: 100)
      // ℓ-diversity with one tag set per class would be no constraint at all: at least 2, or absent.
      case "l": config.export.l = try optionalInteger(field.value, path + [field.key], minimum: 2)
      case "pseudonym_key_file":
        config.export.pseudonymKeyFile =
          Self.isNull(field.value) ? nil : try nonEmptyString(field.value, path + [field.key])
      default: throw error(at: field.keyNode, path + [field.key], "unknown key '\(field.key)'")
      }
    }
  }

  /// Validates `store:`: only `group_readable`, a YAML boolean.
  private mutating func parseStore(_ node: Yams.Node) throws(ConfigurationError) {
    let path = ["store"]
    for field in try entries(of: node, path: path) {
      guard field.key == "group_readable" else {
        throw error(at: field.keyNode, path + [field.key], "unknown key '\(field.key)'")
      }
      config.store.groupReadable = try boolean(field.value, path + [field.key])
    }
  }
}
