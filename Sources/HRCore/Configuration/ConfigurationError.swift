/// Why a configuration was refused: the first problem found, and every further one of the same
/// file, each naming the file, line and key, so that one run shows all that needs fixing.
package struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The file name used in the message, as given to `parse(yaml:file:)` or `load(path:)`.
  package let file: String
  /// The 1-based line of the offending YAML node, or nil when not applicable (file unreadable).
  package let line: Int?
  /// The dotted path of the offending key, e.g. "orgs.500103001.district", or nil for the whole document.
  package let key: String?
  /// The lower-case reason without a final period, e.g. "unknown district '500199'".
  package let message: String
  /// The problems found after this one in the same file, in the order they were found.
  package var further: [ConfigurationError] = []

  /// Creates an error from its parts.
  package init(file: String, line: Int?, key: String?, message: String) {
    self.file = file
    self.line = line
    self.key = key
    self.message = message
  }

  /// This problem and every further one, each on its own, in order.
  package var all: [ConfigurationError] {
    var first = self
    first.further = []
    return [first] + further.flatMap(\.all)
  }

  /// Renders each problem as "file:line: key: message", omitting the parts that are nil, one a line.
  package var description: String {
    var text = file
    if let line { text += ":\(line)" }
    text += ": "
    if let key { text += "\(key): " }
    return ([text + message] + further.map(\.description)).joined(separator: "\n")
  }
}
