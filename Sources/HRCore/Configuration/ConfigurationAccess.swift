import Yams

/// Each operator's `users:`, the setting that ties an operator to the Unix accounts allowed to act as it.
extension ConfigurationParser {
  /// The Unix accounts allowed to act as an operator: a non-empty list of account names, each 1 to
  /// 32 letters, digits, '.', '_' or '-' not starting with '-' (the portable user names of POSIX).
  func accountNames(_ node: Yams.Node, _ path: [String]) throws(ConfigurationError) -> [String] {
    guard case .sequence(let sequence) = node, !sequence.isEmpty else {
      throw error(at: node, path, "expected a non-empty list of Unix account names, found \(Self.describe(node))")
    }
    var names: [String] = []
    for (offset, element) in sequence.enumerated() {
      let rule = "1 to 32 letters, digits, '.', '_' or '-', not starting with '-'"
      let name = try identifier(
        element, path + ["\(offset)"], what: "account name", maximumLength: 32, extraCharacters: "._-", rule: rule)
      guard !name.hasPrefix("-") else { throw error(at: element, path + ["\(offset)"], "account name '\(name)' must be \(rule)") }
      if !names.contains(name) { names.append(name) }
    }
    return names
  }
}
