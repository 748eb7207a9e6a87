import Yams

/// The settings of a configuration that decide who may act and on which date.
extension ConfigurationParser {
  /// A YAML boolean, `true` or `false`; a quoted "true", `yes` or a number is refused.
  func boolean(_ node: Yams.Node, _ path: [String]) throws(ConfigurationError) -> Bool {
    guard case .scalar(let scalar) = node, Self.tagName(node) == .bool, let value = Bool(scalar.string.lowercased())
    else {
      throw error(at: node, path, "expected true or false, found \(Self.describe(node))")
    }
    return value
  }
}
