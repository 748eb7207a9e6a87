/// A reason a line is not a JSON object this toolkit accepts.
///
/// The `code` is stable for scripts to match on: `invalid_json`, `invalid_utf8`, `nul_byte`,
/// `duplicate_key`, `not_an_object` or `too_deep`. The message is for people and already names the column.
package struct JSONSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The stable reject code.
  package let code: String
  /// The readable explanation, such as "duplicate key 'name' at column 31".
  package let message: String
  /// The 1-based byte column where the problem was found.
  package let column: Int

  /// The message.
  package var description: String {
    message
  }
}

extension JSONSyntaxError {
  /// Makes an `invalid_json` error whose message ends with the column.
  static func invalidJSON(_ text: String, offset: Int) -> JSONSyntaxError {
    JSONSyntaxError(code: "invalid_json", message: "\(text) at column \(offset + 1)", column: offset + 1)
  }
}
