import Yams

/// Composing the configuration's YAML into a node tree: Yams' errors as configuration errors, and
/// every duplicate key located by its key path (a later value must never silently replace one).
extension ConfigurationParser {
  /// Composes the YAML text into a node tree, converting Yams' errors. Yams refuses a duplicate
  /// key; each one it finds is renamed with a marker and the text composed again, so that the
  /// duplicates can be located by their key path and the rest of the file still read. Returns the
  /// tree and, when it holds marked keys, the first duplicate as Yams found it.
  func compose(_ yaml: String) throws(ConfigurationError) -> (root: Yams.Node, firstDuplicate: ConfigurationError?)? {
    var text = yaml
    var firstDuplicate: ConfigurationError?
    var renames = 0
    while true {
      // Plain scalars are typed by `PlainScalar`, not by the resolver's regular expressions.
      let result = Result<Yams.Node?, any Error> { try Yams.compose(yaml: text, .basic) }
      switch result {
      case .success(let node):
        guard let node else {
          if let firstDuplicate { throw firstDuplicate }
          return nil
        }
        return (node, firstDuplicate)
      case .failure(let error):
        if let yamlError = error as? Yams.YamlError, case .duplicatedKeysInMapping(let keys, let context) = yamlError {
          let duplicate = ConfigurationError(
            file: file, line: context.mark.line, key: nil,
            message: "duplicate key '\(Self.stripMarker(keys.first ?? ""))'")
          if firstDuplicate == nil { firstDuplicate = duplicate }
          renames += 1
          guard renames <= Self.maximumDuplicateRenames,
            let renamed = Self.insertMarker(into: text, at: context.mark, number: renames)
          else { throw firstDuplicate ?? duplicate }
          text = renamed
          continue
        }
        if let firstDuplicate { throw firstDuplicate }
        throw invalidYAML(error, yaml: yaml)
      }
    }
  }

  /// Converts an error from Yams into an "invalid YAML" error at the line Yams reports.
  func invalidYAML(_ error: any Error, yaml: String) -> ConfigurationError {
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
  static func stripMarker(_ key: String) -> String {
    guard key.hasPrefix(duplicateMarker) else { return key }
    let rest = key.dropFirst(duplicateMarker.count)
    let digits = rest.prefix { $0.isASCII && $0.isNumber }
    let tail = rest.dropFirst(digits.count)
    guard !digits.isEmpty, tail.hasPrefix("__") else { return key }
    return String(tail.dropFirst(2))
  }

  /// Notes every mapping, at any depth, that holds the same key twice (500103 and "500103" count
  /// as the same); stops only at a document too large to walk.
  func checkDuplicates(
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
          note(error(at: key, path + [name], "duplicate key '\(name)'"))
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
}
