import Yams

/// The problems found in one configuration file, in the order they were found.
final class Problems {
  /// Every problem noted so far.
  var list: [ConfigurationError] = []

  /// The number of problems noted so far.
  var count: Int { list.count }

  /// The first problem with every further one, in the file's line order (top-level keys are
  /// checked before the sections), or nil when there is none.
  var combined: ConfigurationError? {
    let ordered = list.enumerated().sorted { ($0.element.line ?? 0, $0.offset) < ($1.element.line ?? 0, $1.offset) }
    guard var first = ordered.first?.element else { return nil }
    first.further = ordered.dropFirst().map(\.element)
    return first
  }
}

/// The values of a configuration file, each read with the file, line and key of an error.
extension ConfigurationParser {

  /// One key and value of a mapping, with the key's text.
  struct Entry {
    /// The key's text, e.g. "500103" for both 500103 and "500103".
    let key: String
    /// The key's node, for its line.
    let keyNode: Yams.Node
    /// The value's node.
    let value: Yams.Node
  }

  /// The entries of a mapping in document order; a null value counts as an empty mapping.
  func entries(of node: Yams.Node, path: [String]) throws(ConfigurationError) -> [Entry] {
    if Self.isNull(node) { return [] }
    guard case .mapping(let mapping) = node else {
      throw error(at: node, path, "expected a mapping, found \(Self.describe(node))")
    }
    var result: [Entry] = []
    for (key, value) in mapping {
      guard case .scalar(let scalar) = key else {
        throw error(at: key, path, "expected a plain key, found \(Self.describe(key))")
      }
      result.append(Entry(key: scalar.string, keyNode: key, value: value))
    }
    return result
  }

  /// Like `entries(of:path:)`, but a value that is not a mapping is noted and read as empty; a
  /// later duplicate of a key, noted already, is left out so that the first one is read.
  func readEntries(of node: Yams.Node, path: [String]) -> [Entry] {
    let entries = attempt { () throws(ConfigurationError) in try self.entries(of: node, path: path) } ?? []
    return entries.filter { !$0.key.hasPrefix(Self.duplicateMarker) }
  }

  /// Notes every entry whose key is not one of `allowed`.
  func checkKeys(_ entries: [Entry], allowed: [String], path: [String]) {
    for entry in entries where !allowed.contains(entry.key) {
      note(unknownKey(entry, path, allowed: allowed))
    }
  }

  /// The error for a key that is not one of `allowed`, naming the allowed key nearest to it.
  func unknownKey(_ entry: Entry, _ path: [String], allowed: [String]) -> ConfigurationError {
    error(at: entry.keyNode, path + [entry.key], "unknown key '\(entry.key)'" + Spelling.suggestion(for: entry.key, in: allowed))
  }

  /// Notes that the required `key` is missing from `entry`, unless the entry has it (and its
  /// value, refused, was noted already).
  func noteMissing(_ key: String, in fields: [Entry], of entry: Entry, _ path: [String]) {
    guard !fields.contains(where: { $0.key == key }) else { return }
    note(error(at: entry.keyNode, path + [key], "missing required key '\(key)'"))
  }

  /// Notes a problem and goes on reading the file.
  func note(_ problem: ConfigurationError) {
    problems.list.append(problem)
  }

  /// The value `read` gives, or nil with its error noted, so that the file's other values are still read.
  func attempt<Value>(_ read: () throws(ConfigurationError) -> Value) -> Value? {
    do {
      return try read()
    } catch {
      note(error)
      return nil
    }
  }

  /// A YAML boolean.
  func boolean(_ node: Yams.Node, _ path: [String]) throws(ConfigurationError) -> Bool {
    guard case .scalar(let scalar) = node, Self.tagName(node) == .bool, let value = Bool(scalar.string.lowercased())
    else {
      throw error(at: node, path, "expected true or false, found \(Self.describe(node))")
    }
    return value
  }

  /// A YAML integer of at least `minimum`; quoted strings, booleans, floats and octal or hexadecimal forms are refused.
  func integer(
    _ node: Yams.Node, _ path: [String], minimum: Int, maximum: Int = .max
  ) throws(ConfigurationError) -> Int {
    if let value = Self.decimalInteger(node), value >= minimum {
      guard value > maximum else { return value }
      throw error(at: node, path, "expected at most \(maximum), found \(Self.describe(node))")
    }
    let expected =
      switch minimum {
      case 0: "a non-negative integer"
      case 1: "a positive integer"
      default: "an integer of at least \(minimum)"
      }
    throw error(at: node, path, "expected \(expected), found \(Self.describe(node))")
  }

  /// Like `integer(_:_:minimum:maximum:)`, but a null value means "not set".
  func optionalInteger(
    _ node: Yams.Node, _ path: [String], minimum: Int, maximum: Int = .max
  ) throws(ConfigurationError) -> Int? {
    Self.isNull(node) ? nil : try integer(node, path, minimum: minimum, maximum: maximum)
  }

  /// A YAML string that is not empty or blank.
  func nonEmptyString(_ node: Yams.Node, _ path: [String]) throws(ConfigurationError) -> String {
    if case .scalar(let scalar) = node, Self.tagName(node) == .str,
      !scalar.string.allSatisfy({ $0.isWhitespace })
    {
      return scalar.string
    }
    throw error(at: node, path, "expected a non-empty string, found \(Self.describe(node))")
  }

  /// A district code: exactly six digits starting with a GB/T 2260 province code (an unquoted integer is accepted).
  func districtCode(_ node: Yams.Node, _ path: [String]) throws(ConfigurationError) -> String {
    guard case .scalar(let scalar) = node, [Yams.Tag.Name.str, .int].contains(Self.tagName(node)) else {
      throw error(at: node, path, "expected a district code, found \(Self.describe(node))")
    }
    let code = scalar.string
    guard code.count == 6, code.allSatisfy({ $0.isASCII && $0.isNumber }) else {
      throw error(at: node, path, "district code '\(code)' is not 6 digits")
    }
    guard let province = Int(code.prefix(2)), DivisionCode.provinces.contains(province) else {
      throw error(at: node, path, "district code '\(code)' does not start with a valid province code")
    }
    return code
  }

  /// A district code naming a known district (a default one or one the file adds).
  func knownDistrict(_ node: Yams.Node, _ path: [String]) throws(ConfigurationError) -> String {
    let code = try districtCode(node, path)
    guard config.districts[code] != nil else { throw error(at: node, path, "unknown district '\(code)'") }
    return code
  }

  /// Like `knownDistrict(_:_:)`, but a null value means "not set".
  func optionalKnownDistrict(_ node: Yams.Node, _ path: [String]) throws(ConfigurationError) -> String? {
    Self.isNull(node) ? nil : try knownDistrict(node, path)
  }

  /// An org code naming an organisation defined under `orgs:` (or one whose own entry was refused,
  /// and noted already); a null value means "not set".
  func knownOrg(_ node: Yams.Node, _ path: [String]) throws(ConfigurationError) -> String? {
    if Self.isNull(node) { return nil }
    guard case .scalar(let scalar) = node, [Yams.Tag.Name.str, .int].contains(Self.tagName(node)) else {
      throw error(at: node, path, "expected an org code, found \(Self.describe(node))")
    }
    guard config.orgs[scalar.string] != nil || refusedOrgs.contains(scalar.string) else {
      throw error(
        at: node, path, "unknown org '\(scalar.string)'" + Spelling.suggestion(for: scalar.string, in: config.orgs.keys))
    }
    return scalar.string
  }

  /// One of the six roles, by its raw value.
  func role(_ node: Yams.Node, _ path: [String]) throws(ConfigurationError) -> Role {
    if case .scalar(let scalar) = node, Self.tagName(node) == .str, let role = Role(rawValue: scalar.string) {
      return role
    }
    let expected = Role.allCases.map(\.rawValue).joined(separator: ", ")
    guard case .scalar(let scalar) = node else {
      throw error(at: node, path, "expected one of \(expected), found \(Self.describe(node))")
    }
    throw error(at: node, path, "unknown role '\(scalar.string)'; expected one of \(expected)")
  }

  /// A code or id used as a key: a string or unquoted integer of up to `maximumLength` ASCII letters, digits and `extraCharacters`.
  func identifier(
    _ node: Yams.Node, _ path: [String], what: String, maximumLength: Int, extraCharacters: String, rule: String
  ) throws(ConfigurationError) -> String {
    guard case .scalar(let scalar) = node, [Yams.Tag.Name.str, .int].contains(Self.tagName(node)) else {
      throw error(at: node, path, "expected \(what) to be a string, found \(Self.describe(node))")
    }
    let text = scalar.string
    let valid =
      (1...maximumLength).contains(text.count)
      && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || extraCharacters.contains($0)) }
    guard valid else { throw error(at: node, path, "\(what) '\(text)' must be \(rule)") }
    return text
  }

  /// Whether a key is a valid service type name, matching `^[a-z][a-z0-9_]{0,39}$`.
  static func isServiceType(_ node: Yams.Node) -> Bool {
    guard case .scalar(let scalar) = node, tagName(node) == .str else { return false }
    let text = scalar.string
    guard let first = text.first, (1...40).contains(text.count), first.isASCII, first.isLowercase else { return false }
    return text.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") }
  }

  /// The value of a plain decimal YAML integer (underscores allowed), or nil for anything else.
  static func decimalInteger(_ node: Yams.Node) -> Int? {
    guard case .scalar(let scalar) = node, tagName(node) == .int else { return nil }
    var text = scalar.string.filter { $0 != "_" }
    if text.hasPrefix("+") { text.removeFirst() }
    let digits = text.hasPrefix("-") ? text.dropFirst() : Substring(text)
    guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), digits == "0" || digits.first != "0"
    else { return nil }
    return Int(text)
  }

  /// The resolved tag name of a node, e.g. `.int` for an unquoted 7 and `.str` for a quoted "7".
  ///
  /// The tree is composed without resolving plain scalars (``compose(_:)``), which leaves them
  /// all strings: a plain one is typed by its text here. So is one tagged `!!str` or `!`, which
  /// then cannot be told from it: quoting is how the file makes a value a string.
  static func tagName(_ node: Yams.Node) -> Yams.Tag.Name {
    let name = Yams.Tag.Name(rawValue: node.tag.rawValue)
    if case .scalar(let scalar) = node, scalar.style == .plain, name == .str { return PlainScalar.tag(of: scalar.string) }
    return name
  }

  /// Whether the node is a YAML null (`~`, `null` or nothing).
  static func isNull(_ node: Yams.Node) -> Bool {
    if case .scalar = node { return tagName(node) == .null }
    return false
  }

  /// Describes what was found instead of the expected value, e.g. "'abc'", "a list" or "nothing".
  static func describe(_ node: Yams.Node) -> String {
    switch node {
    case .mapping: return "a mapping"
    case .sequence: return "a list"
    case .alias: return "an alias"
    case .scalar(let scalar):
      if scalar.string.isEmpty, tagName(node) == .null { return "nothing" }
      let quoted = scalar.style == .singleQuoted || scalar.style == .doubleQuoted
      if quoted, Int(scalar.string) != nil { return "'\(scalar.string)' (a quoted string)" }
      return "'\(scalar.string)'"
    }
  }

  /// An error at the node's line naming the dotted key path (none for an empty path).
  func error(at node: Yams.Node, _ path: [String], _ message: String) -> ConfigurationError {
    ConfigurationError(
      file: file, line: node.mark?.line, key: path.isEmpty ? nil : path.joined(separator: "."), message: message
    )
  }
}
