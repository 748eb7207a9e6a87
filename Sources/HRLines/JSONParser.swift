/// A strict RFC 8259 parser that reads straight from UTF-8 bytes.
///
/// Foundation's `JSONSerialization` and `JSONDecoder` quietly accept duplicate keys and a few
/// non-standard forms, and a record line that means two things must be rejected rather than
/// guessed at. Beyond the grammar it refuses invalid UTF-8, NUL (raw or escaped, since person data
/// must never carry one), duplicate keys at any depth and nesting deeper than `maximumDepth`. Nesting
/// is limited before recursing, so no input can exhaust the stack.
package enum JSONParser {
  /// The deepest nesting of arrays and objects accepted; the top-level container is level 1.
  static let maximumDepth = 64

  /// Parses one complete JSON text strictly (RFC 8259).
  package static func parse(_ bytes: UnsafeRawBufferPointer) throws(JSONSyntaxError) -> JSONValue {
    try bytes.withMemoryRebound(to: UInt8.self) { parseBuffer($0) }.get()
  }

  /// Parses one complete JSON text strictly (RFC 8259) from its UTF-8 bytes.
  package static func parse(_ bytes: [UInt8]) throws(JSONSyntaxError) -> JSONValue {
    try bytes.withUnsafeBufferPointer { parseBuffer($0) }.get()
  }

  /// Parses one complete JSON text strictly (RFC 8259) from a string.
  package static func parse(_ text: String) throws(JSONSyntaxError) -> JSONValue {
    var text = text
    return try text.withUTF8 { parseBuffer($0) }.get()
  }

  /// Parses a JSON Lines line, which must be an object.
  package static func parseObject(_ bytes: [UInt8]) throws(JSONSyntaxError) -> JSONObject {
    let value = try parse(bytes)
    if case .object(let object) = value { return object }
    var start = 0
    while start < bytes.count && JSONByteParser.isWhitespace(bytes[start]) { start += 1 }
    throw JSONSyntaxError(
      code: "not_an_object",
      message: "expected a JSON object, found \(value.typeNameWithArticle)",
      column: start + 1
    )
  }

  /// Parses a buffer, returning the error as a value so it can cross closures that only rethrow.
  static func parseBuffer(_ buffer: UnsafeBufferPointer<UInt8>) -> Result<JSONValue, JSONSyntaxError> {
    guard let base = buffer.baseAddress, !buffer.isEmpty else {
      return .failure(.invalidJSON("expected a JSON value, found end of input", offset: 0))
    }
    var parser = JSONByteParser(p: base, end: buffer.count)
    do {
      return .success(try parser.parseDocument())
    } catch {
      return .failure(error)
    }
  }
}

/// The parsing state over one buffer: a cursor and a scratch buffer for strings with escapes.
struct JSONByteParser {
  /// The first byte of the input.
  let p: UnsafePointer<UInt8>
  /// The number of bytes in the input.
  let end: Int
  /// The offset of the next byte to read.
  var i = 0
  /// Bytes of the string being unescaped, reused across strings.
  var scratch: [UInt8] = []
  /// The keys a non-empty object is given room for when its parsing starts.
  static let objectCapacity = 8

  /// Makes a parser over `end` bytes at `p`.
  init(p: UnsafePointer<UInt8>, end: Int) {
    self.p = p
    self.end = end
  }

  /// Tells whether a byte is JSON whitespace: space, tab, line feed or carriage return.
  @inline(__always)
  static func isWhitespace(_ b: UInt8) -> Bool {
    b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09
  }

  /// Parses the whole input as one value surrounded by optional whitespace.
  mutating func parseDocument() throws(JSONSyntaxError) -> JSONValue {
    try validateEncoding()
    skipWhitespace()
    let value = try parseValue(depth: 0)
    skipWhitespace()
    if i < end {
      if let hint = hint(at: i) { throw .invalidJSON(hint, offset: i) }
      throw .invalidJSON("unexpected \(describe(at: i)) after the JSON value", offset: i)
    }
    return value
  }

  // MARK: Encoding

  /// Checks the whole input for invalid UTF-8 and raw NUL bytes before any grammar is looked at.
  ///
  /// Checking first makes the code independent of where the bad byte sits (inside a string or not),
  /// and lets string parsing copy bytes without validating them again.
  func validateEncoding() throws(JSONSyntaxError) {
    let highBits: UInt64 = 0x8080_8080_8080_8080
    let ones: UInt64 = 0x0101_0101_0101_0101
    var j = 0
    while j < end {
      // Lines are mostly ASCII, so eight bytes at a time skip the common case cheaply.
      while j + 8 <= end {
        let word = UnsafeRawPointer(p + j).loadUnaligned(as: UInt64.self)
        if word & highBits != 0 || (word &- ones) & ~word & highBits != 0 { break }
        j += 8
      }
      guard j < end else { return }
      let b = p[j]
      if b == 0 {
        throw JSONSyntaxError(code: "nul_byte", message: "NUL byte at column \(j + 1)", column: j + 1)
      }
      if b < 0x80 {
        j += 1
        continue
      }
      let length = Self.validSequenceLength(p, at: j, end: end)
      if length == 0 {
        throw JSONSyntaxError(code: "invalid_utf8", message: "invalid UTF-8 at byte \(j + 1)", column: j + 1)
      }
      j += length
    }
  }

  /// The length of the well-formed UTF-8 sequence starting with a non-ASCII byte at `j`, or 0 if it is not one.
  ///
  /// Follows table 3-7 of the Unicode standard, which rules out overlong forms, encoded surrogates and
  /// code points above U+10FFFF.
  static func validSequenceLength(_ p: UnsafePointer<UInt8>, at j: Int, end: Int) -> Int {
    let b = p[j]
    @inline(__always) func continuation(_ k: Int, _ low: UInt8 = 0x80, _ high: UInt8 = 0xBF) -> Bool {
      k < end && p[k] >= low && p[k] <= high
    }
    switch b {
    case 0xC2...0xDF:
      return continuation(j + 1) ? 2 : 0
    case 0xE0:
      return continuation(j + 1, 0xA0) && continuation(j + 2) ? 3 : 0
    case 0xED:
      return continuation(j + 1, 0x80, 0x9F) && continuation(j + 2) ? 3 : 0
    case 0xE1...0xEC, 0xEE...0xEF:
      return continuation(j + 1) && continuation(j + 2) ? 3 : 0
    case 0xF0:
      return continuation(j + 1, 0x90) && continuation(j + 2) && continuation(j + 3) ? 4 : 0
    case 0xF1...0xF3:
      return continuation(j + 1) && continuation(j + 2) && continuation(j + 3) ? 4 : 0
    case 0xF4:
      return continuation(j + 1, 0x80, 0x8F) && continuation(j + 2) && continuation(j + 3) ? 4 : 0
    default:
      return 0
    }
  }

  // MARK: Values

  /// Skips JSON whitespace.
  @inline(__always)
  mutating func skipWhitespace() {
    while i < end && Self.isWhitespace(p[i]) { i += 1 }
  }

  /// Parses the value at the cursor, which sits inside `depth` containers.
  mutating func parseValue(depth: Int) throws(JSONSyntaxError) -> JSONValue {
    guard i < end else {
      throw .invalidJSON("expected a JSON value, found end of input", offset: i)
    }
    switch p[i] {
    case UInt8(ascii: "{"):
      return .object(try parseObject(depth: depth))
    case UInt8(ascii: "["):
      return .array(try parseArray(depth: depth))
    case UInt8(ascii: "\""):
      return .string(try parseString())
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
      return .number(try parseNumber())
    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"):
      return try parseLiteral()
    default:
      throw unexpected(expecting: "a JSON value")
    }
  }

  /// Parses an object whose `{` is at the cursor.
  mutating func parseObject(depth: Int) throws(JSONSyntaxError) -> JSONObject {
    try checkDepth(depth)
    i += 1
    skipWhitespace()
    var object = JSONObject()
    if i < end && p[i] == UInt8(ascii: "}") {
      i += 1
      return object
    }
    // Room for the keys of a typical input line, grown to once rather than doubling to it.
    object.reserveCapacity(JSONByteParser.objectCapacity)
    while true {
      guard i < end && p[i] == UInt8(ascii: "\"") else {
        throw unexpected(expecting: "a string key")
      }
      let keyStart = i
      let key = try parseString()
      skipWhitespace()
      guard i < end && p[i] == UInt8(ascii: ":") else {
        throw unexpected(expecting: "':' after the key")
      }
      i += 1
      skipWhitespace()
      let value = try parseValue(depth: depth + 1)
      guard object.appendIfAbsent(key, value) else {
        throw JSONSyntaxError(
          code: "duplicate_key",
          message: "duplicate key '\(key)' at column \(keyStart + 1)",
          column: keyStart + 1
        )
      }
      if try atContainerEnd(closing: UInt8(ascii: "}")) {
        return object
      }
    }
  }

  /// Parses an array whose `[` is at the cursor.
  mutating func parseArray(depth: Int) throws(JSONSyntaxError) -> [JSONValue] {
    try checkDepth(depth)
    i += 1
    skipWhitespace()
    var elements: [JSONValue] = []
    if i < end && p[i] == UInt8(ascii: "]") {
      i += 1
      return elements
    }
    while true {
      elements.append(try parseValue(depth: depth + 1))
      if try atContainerEnd(closing: UInt8(ascii: "]")) {
        return elements
      }
    }
  }

  /// Reads what follows a member or an element: a `,` and another, or the container's `close`,
  /// which it consumes, answering true. A comma right before the close is a trailing comma.
  @inline(__always)
  mutating func atContainerEnd(closing close: UInt8) throws(JSONSyntaxError) -> Bool {
    skipWhitespace()
    guard i < end else {
      throw unexpected(expecting: close == UInt8(ascii: "}") ? "',' or '}'" : "',' or ']'")
    }
    switch p[i] {
    case UInt8(ascii: ","):
      let comma = i
      i += 1
      skipWhitespace()
      if i < end && p[i] == close {
        throw .invalidJSON("trailing comma", offset: comma)
      }
      return false
    case close:
      i += 1
      return true
    default:
      throw unexpected(expecting: close == UInt8(ascii: "}") ? "',' or '}'" : "',' or ']'")
    }
  }

  /// Refuses to open a container inside `depth` others when that would pass `maximumDepth`.
  @inline(__always)
  func checkDepth(_ depth: Int) throws(JSONSyntaxError) {
    guard depth < JSONParser.maximumDepth else {
      throw JSONSyntaxError(
        code: "too_deep",
        message: "nesting deeper than \(JSONParser.maximumDepth) levels at column \(i + 1)",
        column: i + 1
      )
    }
  }

  /// Parses the number at the cursor, keeping its text.
  mutating func parseNumber() throws(JSONSyntaxError) -> JSONNumber {
    let start = i
    switch JSONNumber.scan(p, from: start, to: end) {
    case .success(let numberEnd):
      i = numberEnd
      let text = String(decoding: UnsafeBufferPointer(start: p + start, count: numberEnd - start), as: UTF8.self)
      return JSONNumber(validatedText: text)
    case .failure(let error):
      throw .invalidJSON(error.message, offset: error.offset)
    }
  }

  /// Parses `true`, `false` or `null`, rejecting any other word (`NaN`, `Infinity`, `True`) by name.
  mutating func parseLiteral() throws(JSONSyntaxError) -> JSONValue {
    let start = i
    var wordEnd = i
    while wordEnd < end && Self.isWordByte(p[wordEnd]) { wordEnd += 1 }
    let word = UnsafeBufferPointer(start: p + start, count: wordEnd - start)
    let value: JSONValue
    if word.elementsEqual("true".utf8) {
      value = .bool(true)
    } else if word.elementsEqual("false".utf8) {
      value = .bool(false)
    } else if word.elementsEqual("null".utf8) {
      value = .null
    } else {
      let shown = String(decoding: word.prefix(32), as: UTF8.self)
      throw .invalidJSON("invalid literal '\(shown)'", offset: start)
    }
    i = wordEnd
    return value
  }

  /// Tells whether a byte can be part of a bare word such as a literal.
  @inline(__always)
  static func isWordByte(_ b: UInt8) -> Bool {
    (b | 0x20) &- UInt8(ascii: "a") < 26 || JSONNumber.isDigit(b) || b == UInt8(ascii: "_")
  }
}
