import Yams

/// The type YAML 1.1 gives an unquoted, untagged scalar by its text: exactly the rules of Yams'
/// default resolver (`Resolver.default`), in its order: bool, int, float, merge, null, timestamp,
/// value, else a string.
///
/// Yams matches those rules with seven `NSRegularExpression`s, and the first regular expression a
/// process compiles sets up ICU's character sets: 8.8 million instructions, a sixth of a tool's
/// whole run on empty input. The configuration is therefore composed with Yams' resolver that has
/// no rules, and its plain scalars are typed here; tests check that both agree on every short
/// string of the characters the rules name and on random longer ones. (The expressions' `$` also
/// matches before a final line break, which a plain scalar never ends with.)
enum PlainScalar {
  /// The tag Yams' default resolver gives the plain scalar `text`.
  static func tag(of text: String) -> Tag.Name {
    var text = text
    return text.withUTF8 { bytes in
      if isBool(bytes) { return .bool }
      if isInt(bytes) { return .int }
      if isFloat(bytes) { return .float }
      if bytes.elementsEqual("<<".utf8) { return .merge }
      if isNull(bytes) { return .null }
      if isTimestamp(bytes) { return .timestamp }
      if bytes.elementsEqual("=".utf8) { return .value }
      return .str
    }
  }

  private static let bools: Set<String> = [
    "yes", "Yes", "YES", "no", "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE",
    "on", "On", "ON", "off", "Off", "OFF",
  ]

  private static func isBool(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    bytes.count <= 5 && bools.contains(String(decoding: bytes, as: UTF8.self))
  }

  private static func isNull(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    bytes.isEmpty || ["~", "null", "Null", "NULL"].contains { bytes.elementsEqual($0.utf8) }
  }

  /// `0b[0-1_]+`, `0o?[0-7_]+`, `0|[1-9][0-9_]*`, `0x[0-9a-fA-F_]+` or `[1-9][0-9_]*(:[0-5]?[0-9])+`,
  /// each after an optional sign.
  private static func isInt(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    var text = Cursor(bytes)
    text.skipSign()
    let start = text
    if text.take("0") {
      if text.atEnd { return true }
      var rest = text
      if rest.take("b") { return rest.takeAll(binaryDigitOrUnderscore) > 0 && rest.atEnd }
      if rest.take("x") { return rest.takeAll(hexDigitOrUnderscore) > 0 && rest.atEnd }
      _ = text.take("o")
      return text.takeAll(octalDigitOrUnderscore) > 0 && text.atEnd
    }
    text = start
    guard text.take(where: { (UInt8(ascii: "1")...UInt8(ascii: "9")).contains($0) }) else { return false }
    text.takeAll(digitOrUnderscore)
    return text.atEnd || text.takeSexagesimal() && text.atEnd
  }

  /// `[0-9][0-9_]*(\.[0-9_]*)?([eE][-+]?[0-9]+)?`, `[0-9][0-9_]*(:[0-5]?[0-9])+\.[0-9_]*` or
  /// `\.(inf|Inf|INF)`, each after an optional sign; `\.[0-9_]+([eE][-+][0-9]+)?`;
  /// `\.(nan|NaN|NAN)`.
  private static func isFloat(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    var text = Cursor(bytes)
    if text.take(".") {
      let names = ["nan", "NaN", "NAN", "inf", "Inf", "INF"]
      if names.contains(where: { text.rest.elementsEqual($0.utf8) }) { return true }
      guard text.takeAll(digitOrUnderscore) > 0 else { return false }
      return text.atEnd || text.takeExponent(signRequired: true) && text.atEnd
    }
    text.skipSign()
    if text.take(".") { return ["inf", "Inf", "INF"].contains { text.rest.elementsEqual($0.utf8) } }
    guard text.take(where: isDigit) else { return false }
    text.takeAll(digitOrUnderscore)
    if text.takeSexagesimal() {
      guard text.take(".") else { return false }
      text.takeAll(digitOrUnderscore)
      return text.atEnd
    }
    if text.take(".") { text.takeAll(digitOrUnderscore) }
    return text.atEnd || text.takeExponent(signRequired: false) && text.atEnd
  }

  /// `YYYY-MM-DD`, or `YYYY-M-D` followed by `T`, `t` or blanks, `h:mm:ss`, an optional fraction
  /// and an optional zone (`Z` or `±h[:mm]`, after optional blanks).
  private static func isTimestamp(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    var text = Cursor(bytes)
    guard text.takeDigits(4...4), text.take("-") else { return false }
    var date = text
    if date.takeDigits(2...2), date.take("-"), date.takeDigits(2...2), date.atEnd { return true }
    // Otherwise a date and a time, whose month and day may have one digit.
    guard text.takeDigits(1...2), text.take("-"), text.takeDigits(1...2) else { return false }
    guard text.take("T") || text.take("t") || text.takeAll(isBlank) > 0 else { return false }
    guard text.takeDigits(1...2), text.take(":"), text.takeDigits(2...2), text.take(":"), text.takeDigits(2...2)
    else { return false }
    if text.take(".") { text.takeAll(isDigit) }
    if text.atEnd { return true }
    text.takeAll(isBlank)
    if text.take("Z") { return text.atEnd }
    guard text.take("-") || text.take("+"), text.takeDigits(1...2) else { return false }
    if text.atEnd { return true }
    return text.take(":") && text.takeDigits(2...2) && text.atEnd
  }

  private static func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
  private static func isBlank(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
  private static func digitOrUnderscore(_ byte: UInt8) -> Bool { isDigit(byte) || byte == UInt8(ascii: "_") }
  private static func binaryDigitOrUnderscore(_ byte: UInt8) -> Bool {
    byte == UInt8(ascii: "0") || byte == UInt8(ascii: "1") || byte == UInt8(ascii: "_")
  }
  private static func octalDigitOrUnderscore(_ byte: UInt8) -> Bool {
    (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(byte) || byte == UInt8(ascii: "_")
  }
  private static func hexDigitOrUnderscore(_ byte: UInt8) -> Bool {
    digitOrUnderscore(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte | 0x20)
  }

  /// A position in the text; each `take` moves past what it matched and leaves the position
  /// unchanged when it does not match.
  private struct Cursor {
    let bytes: UnsafeBufferPointer<UInt8>
    var at = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    var atEnd: Bool { at == bytes.count }
    var rest: UnsafeBufferPointer<UInt8>.SubSequence { bytes[at...] }

    mutating func take(where matches: (UInt8) -> Bool) -> Bool {
      guard at < bytes.count, matches(bytes[at]) else { return false }
      at += 1
      return true
    }

    mutating func take(_ character: Unicode.Scalar) -> Bool { take { $0 == UInt8(ascii: character) } }

    @discardableResult
    mutating func takeAll(_ matches: (UInt8) -> Bool) -> Int {
      let start = at
      while take(where: matches) {}
      return at - start
    }

    mutating func skipSign() { _ = take("-") || take("+") }

    /// Takes `count` digits, as many as there are up to its upper bound.
    mutating func takeDigits(_ count: ClosedRange<Int>) -> Bool {
      let start = at
      while at - start < count.upperBound, take(where: PlainScalar.isDigit) {}
      guard count.contains(at - start) else {
        at = start
        return false
      }
      return true
    }

    /// `(:[0-5]?[0-9])+`: one or more groups of a colon and one or two digits, the first of two
    /// at most 5.
    mutating func takeSexagesimal() -> Bool {
      var groups = 0
      while at + 1 < bytes.count, bytes[at] == UInt8(ascii: ":"), PlainScalar.isDigit(bytes[at + 1]) {
        if at + 2 < bytes.count, PlainScalar.isDigit(bytes[at + 2]), bytes[at + 1] <= UInt8(ascii: "5") {
          at += 3
        } else {
          at += 2
        }
        groups += 1
      }
      return groups > 0
    }

    /// `[eE][-+]?[0-9]+`, with the sign required or not.
    mutating func takeExponent(signRequired: Bool) -> Bool {
      let start = at
      guard take("e") || take("E") else { return false }
      let signed = take("-") || take("+")
      guard signed || !signRequired, takeAll(PlainScalar.isDigit) > 0 else {
        at = start
        return false
      }
      return true
    }
  }
}
