/// The strings of a JSON line, read straight from its bytes, and the words of its syntax errors.
extension JSONByteParser {
  // MARK: Strings

  /// Parses the string whose opening quote is at the cursor.
  ///
  /// A string without escapes, the common case, becomes a `String` straight from the input bytes.
  mutating func parseString() throws(JSONSyntaxError) -> String {
    let quote = i
    i += 1
    let start = i
    while i < end {
      let b = p[i]
      if b == UInt8(ascii: "\"") {
        let string = String(decoding: UnsafeBufferPointer(start: p + start, count: i - start), as: UTF8.self)
        i += 1
        return string
      }
      if b == UInt8(ascii: "\\") || b < 0x20 { break }
      i += 1
    }
    return try parseEscapedString(quote: quote, runStart: start)
  }

  /// Finishes a string that has escapes or a problem, from the cursor, unescaping into `scratch`.
  mutating func parseEscapedString(quote: Int, runStart: Int) throws(JSONSyntaxError) -> String {
    scratch.removeAll(keepingCapacity: true)
    var runStart = runStart
    while i < end {
      let b = p[i]
      if b == UInt8(ascii: "\"") {
        scratch.append(contentsOf: UnsafeBufferPointer(start: p + runStart, count: i - runStart))
        i += 1
        return String(decoding: scratch, as: UTF8.self)
      }
      if b == UInt8(ascii: "\\") {
        scratch.append(contentsOf: UnsafeBufferPointer(start: p + runStart, count: i - runStart))
        try parseEscape(quote: quote)
        runStart = i
        continue
      }
      if b < 0x20 {
        throw .invalidJSON("unescaped control character U+\(Self.hex4(UInt32(b))) in string", offset: i)
      }
      i += 1
    }
    throw .invalidJSON("unterminated string starting", offset: quote)
  }

  /// Parses the escape whose backslash is at the cursor, appending its UTF-8 to `scratch`.
  mutating func parseEscape(quote: Int) throws(JSONSyntaxError) {
    let escape = i
    guard i + 1 < end else {
      throw .invalidJSON("unterminated string starting", offset: quote)
    }
    let simple: UInt8
    switch p[i + 1] {
    case UInt8(ascii: "\""): simple = 0x22
    case UInt8(ascii: "\\"): simple = 0x5C
    case UInt8(ascii: "/"): simple = 0x2F
    case UInt8(ascii: "b"): simple = 0x08
    case UInt8(ascii: "f"): simple = 0x0C
    case UInt8(ascii: "n"): simple = 0x0A
    case UInt8(ascii: "r"): simple = 0x0D
    case UInt8(ascii: "t"): simple = 0x09
    case UInt8(ascii: "u"):
      try parseUnicodeEscape()
      return
    default:
      let next = p[i + 1]
      if next >= 0x21 && next < 0x7F {
        throw .invalidJSON("invalid escape '\\\(Character(Unicode.Scalar(next)))'", offset: escape)
      }
      throw .invalidJSON("invalid escape: '\\' followed by \(describe(at: i + 1))", offset: escape)
    }
    scratch.append(simple)
    i += 2
  }

  /// Parses a `\uXXXX` escape at the cursor, joining a surrogate pair and refusing a lone surrogate or NUL.
  mutating func parseUnicodeEscape() throws(JSONSyntaxError) {
    let escape = i
    guard let unit = hexUnit(at: i + 2) else {
      throw .invalidJSON("invalid unicode escape '\(escapeText(at: i))'", offset: i)
    }
    i += 6
    let scalar: UInt32
    switch unit {
    case 0:
      throw JSONSyntaxError(
        code: "nul_byte",
        message: "escaped NUL character '\\u0000' at column \(escape + 1)",
        column: escape + 1
      )
    case 0xD800...0xDBFF:
      guard i + 1 < end && p[i] == UInt8(ascii: "\\") && p[i + 1] == UInt8(ascii: "u") else {
        throw .invalidJSON("lone surrogate '\(escapeText(at: escape))'", offset: escape)
      }
      guard let low = hexUnit(at: i + 2) else {
        throw .invalidJSON("invalid unicode escape '\(escapeText(at: i))'", offset: i)
      }
      guard (0xDC00...0xDFFF).contains(low) else {
        throw .invalidJSON("lone surrogate '\(escapeText(at: escape))'", offset: escape)
      }
      i += 6
      scalar = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
    case 0xDC00...0xDFFF:
      throw .invalidJSON("lone surrogate '\(escapeText(at: escape))'", offset: escape)
    default:
      scalar = unit
    }
    appendUTF8(scalar)
  }

  /// Reads four hexadecimal digits at `offset`.
  func hexUnit(at offset: Int) -> UInt32? {
    guard offset + 4 <= end else { return nil }
    var unit: UInt32 = 0
    for k in offset..<offset + 4 {
      let b = p[k]
      let digit: UInt8
      switch b {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = b - UInt8(ascii: "0")
      case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = b - UInt8(ascii: "a") + 10
      case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = b - UInt8(ascii: "A") + 10
      default: return nil
      }
      unit = unit << 4 | UInt32(digit)
    }
    return unit
  }

  /// Appends the UTF-8 encoding of a scalar value to `scratch`.
  mutating func appendUTF8(_ scalar: UInt32) {
    switch scalar {
    case ..<0x80:
      scratch.append(UInt8(scalar))
    case ..<0x800:
      scratch.append(UInt8(0xC0 | scalar >> 6))
      scratch.append(UInt8(0x80 | scalar & 0x3F))
    case ..<0x10000:
      scratch.append(UInt8(0xE0 | scalar >> 12))
      scratch.append(UInt8(0x80 | scalar >> 6 & 0x3F))
      scratch.append(UInt8(0x80 | scalar & 0x3F))
    default:
      scratch.append(UInt8(0xF0 | scalar >> 18))
      scratch.append(UInt8(0x80 | scalar >> 12 & 0x3F))
      scratch.append(UInt8(0x80 | scalar >> 6 & 0x3F))
      scratch.append(UInt8(0x80 | scalar & 0x3F))
    }
  }

  // MARK: Messages

  /// The text of the escape at `offset`, at most six printable ASCII characters, for quoting in a message.
  func escapeText(at offset: Int) -> String {
    var k = offset
    while k < end && k < offset + 6 && p[k] >= 0x21 && p[k] < 0x7F { k += 1 }
    return String(decoding: UnsafeBufferPointer(start: p + offset, count: k - offset), as: UTF8.self)
  }

  /// An error saying what was expected at the cursor and what was found instead.
  func unexpected(expecting expected: String) -> JSONSyntaxError {
    if let hint = hint(at: i) { return .invalidJSON(hint, offset: i) }
    return .invalidJSON("expected \(expected), found \(describe(at: i))", offset: i)
  }

  /// A targeted message for the common non-JSON habits (comments, single quotes) at `offset`.
  func hint(at offset: Int) -> String? {
    guard offset < end else { return nil }
    switch p[offset] {
    case UInt8(ascii: "/") where offset + 1 < end && (p[offset + 1] == UInt8(ascii: "/") || p[offset + 1] == UInt8(ascii: "*")):
      return "comments are not allowed"
    case UInt8(ascii: "'"):
      return "single-quoted strings are not allowed"
    default:
      return nil
    }
  }

  /// Describes the character at `offset` for a message: quoted if printable, by code point if not.
  func describe(at offset: Int) -> String {
    guard offset < end else { return "end of input" }
    let b = p[offset]
    if b >= 0x20 && b < 0x7F {
      return "'\(Character(Unicode.Scalar(b)))'"
    }
    if b < 0x80 {
      return "control character U+\(Self.hex4(UInt32(b)))"
    }
    // The input is known to be valid UTF-8 here, so the sequence is complete.
    let length = Self.validSequenceLength(p, at: offset, end: end)
    return "'" + String(decoding: UnsafeBufferPointer(start: p + offset, count: max(length, 1)), as: UTF8.self) + "'"
  }

  /// Four upper-case hexadecimal digits.
  static func hex4(_ value: UInt32) -> String {
    let digits = String(value, radix: 16, uppercase: true)
    return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
  }
}
