import HRLines

/// The hint for a line that shows the whole input is in the wrong shape: pretty-printed JSON, a
/// JSON array, or CSV fed as JSON Lines. Given once a run, after the first such rejection, so a
/// file of a thousand lines gets one hint and not a thousand (hr(7) COMMON BEHAVIOUR).
enum InputHint {
  /// The hint a rejected line `line` calls for, if any; `code` is its rejection code.
  static func hint(for line: InputLine, code: String) -> String? {
    guard ["invalid_json", "not_an_object"].contains(code) else { return nil }
    let text = String(decoding: line.bytes, as: UTF8.self).trimmedOfBlanks()
    if text == "{" || text == "[" {
      return
        "the input looks like pretty-printed JSON, one object over many lines; each object must be on a line of its own: pipe it through 'jq -c .'"
    }
    if text.hasPrefix("[") {
      return "the line is a JSON array; each object must be on a line of its own: pipe it through jq -c '.[]'"
    }
    if !text.contains("{"), text.contains(",") {
      return "the input looks like CSV: give --input csv (a file whose name ends '.csv' is read as CSV)"
    }
    return nil
  }
}

extension String {
  /// The text without leading and trailing spaces and tabs.
  fileprivate func trimmedOfBlanks() -> String {
    let set: Set<Character> = [" ", "\t"]
    let start = firstIndex { !set.contains($0) } ?? endIndex
    let end = lastIndex { !set.contains($0) }.map(index(after:)) ?? start
    return start < end ? String(self[start..<end]) : ""
  }
}
