import HRLines

/// The hint for a line that shows the whole input is in the wrong shape: pretty-printed JSON, a
/// JSON array, or CSV fed as JSON Lines. Given once a run, after the first such rejection, so a
/// file of a thousand lines gets one hint and not a thousand (hr(7) COMMON BEHAVIOUR).
enum InputHint {
  /// The hint a rejected line `line` calls for, if any; `code` is its rejection code.
  static func hint(for line: InputLine, code: String) -> String? {
    if ["invalid_utf8", "nul_byte"].contains(code), looksLikeUTF16(line.bytes) {
      return "the input looks like UTF-16 (as Windows PowerShell's '>' and a spreadsheet's 'Unicode text' write it): "
        + "convert it with 'iconv -f UTF-16 -t UTF-8'"
    }
    if code == "invalid_utf8" {
      return "if the input was saved on a Chinese system, it is usually GB18030 (or GBK): "
        + "convert it with 'iconv -f GB18030 -t UTF-8'"
    }
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

/// Whether `bytes`, the start of an input, look like UTF-16: a UTF-16 byte order mark, or a NUL
/// byte in every other place, as UTF-16 writes Latin letters and digits.
func looksLikeUTF16(_ bytes: some Collection<UInt8>) -> Bool {
  let start = Array(bytes.prefix(64))
  if start.starts(with: [0xFF, 0xFE]) || start.starts(with: [0xFE, 0xFF]) { return true }
  return start.count >= 4 && start.filter { $0 == 0 }.count * 3 >= start.count
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
