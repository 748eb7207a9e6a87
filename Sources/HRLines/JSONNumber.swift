/// A JSON number kept as its source text, so writing it back changes nothing.
///
/// Keeping the text means `1.50` stays `1.50` and an 18-digit record number written as a number loses
/// no digits; two numbers are equal when their texts are.
package struct JSONNumber: Sendable, Equatable, Hashable {
  /// The number as written, always valid RFC 8259 number text.
  package let text: String

  /// Makes a number from its text, or fails unless the whole text is an RFC 8259 number.
  package init?(text: String) {
    var text = text
    let valid = text.withUTF8 { utf8 -> Bool in
      guard let base = utf8.baseAddress, !utf8.isEmpty else { return false }
      if case .success(let end) = JSONNumber.scan(base, from: 0, to: utf8.count) {
        return end == utf8.count
      }
      return false
    }
    guard valid else { return nil }
    self.text = text
  }

  /// Makes a number from an integer.
  package init(_ i: Int) {
    text = String(i)
  }

  /// Makes a number from a finite double, written as its shortest round-trip text.
  ///
  /// JSON has no NaN or infinity, so passing one is a programming error and traps. The digits are
  /// Swift's shortest round-trip ones, with an integral value's `.0` dropped (`1`, not `1.0`) and the
  /// exponent's leading zeros dropped (`1e-7`, not `1e-07`).
  package init(_ d: Double) {
    precondition(d.isFinite, "JSON has no representation for '\(d)'")
    let description = d.description
    if description.hasSuffix(".0") {
      text = String(description.dropLast(2))
      return
    }
    guard let e = description.firstIndex(of: "e") else {
      text = description
      return
    }
    var exponent = description[description.index(after: e)...]
    var sign = ""
    if let first = exponent.first, first == "+" || first == "-" {
      sign = String(first)
      exponent = exponent.dropFirst()
    }
    let digits = exponent.drop { $0 == "0" }
    text = String(description[..<e]) + "e" + sign + (digits.isEmpty ? "0" : String(digits))
  }

  /// Makes a number from text the parser has already checked.
  init(validatedText: String) {
    text = validatedText
  }

  /// The integer, if the text is a plain integer (no fraction, no exponent) that fits in `Int`.
  package var intValue: Int? {
    Int(text)
  }

  /// The nearest double, or nil when the number overflows to infinity.
  package var doubleValue: Double? {
    guard let d = Double(text), d.isFinite else { return nil }
    return d
  }
}

extension JSONNumber {
  /// A reason number text is malformed, with the byte offset where it was found.
  struct ScanError: Error {
    /// The message without its column.
    let message: String
    /// The 0-based byte offset of the problem.
    let offset: Int
  }

  /// Scans RFC 8259 number text starting at `start`, returning the offset just past it.
  ///
  /// It stops at the first byte that cannot continue the number; what may follow is the caller's
  /// business, so `1x` scans as `1` and the caller reports the `x`.
  static func scan(_ p: UnsafePointer<UInt8>, from start: Int, to end: Int) -> Result<Int, ScanError> {
    var i = start
    if i < end && p[i] == UInt8(ascii: "-") { i += 1 }
    guard i < end, isDigit(p[i]) else {
      return .failure(ScanError(message: "expected a digit after '-'", offset: i))
    }
    if p[i] == UInt8(ascii: "0") {
      i += 1
      if i < end && isDigit(p[i]) {
        let text = numberLikeText(p, from: start, to: end)
        return .failure(ScanError(message: "leading zero in number '\(text)'", offset: start))
      }
    } else {
      while i < end && isDigit(p[i]) { i += 1 }
    }
    if i < end && p[i] == UInt8(ascii: ".") {
      i += 1
      guard i < end, isDigit(p[i]) else {
        return .failure(ScanError(message: "expected a digit after the decimal point", offset: i))
      }
      while i < end && isDigit(p[i]) { i += 1 }
    }
    if i < end && (p[i] == UInt8(ascii: "e") || p[i] == UInt8(ascii: "E")) {
      i += 1
      if i < end && (p[i] == UInt8(ascii: "+") || p[i] == UInt8(ascii: "-")) { i += 1 }
      guard i < end, isDigit(p[i]) else {
        return .failure(ScanError(message: "expected a digit in the exponent", offset: i))
      }
      while i < end && isDigit(p[i]) { i += 1 }
    }
    return .success(i)
  }

  /// Tells whether a byte is an ASCII digit.
  @inline(__always)
  static func isDigit(_ b: UInt8) -> Bool {
    b &- UInt8(ascii: "0") < 10
  }

  /// The run of number-like characters at `start`, for quoting a malformed number in a message.
  static func numberLikeText(_ p: UnsafePointer<UInt8>, from start: Int, to end: Int) -> String {
    var i = start
    while i < end && i - start < 32 {
      let b = p[i]
      guard
        isDigit(b) || b == UInt8(ascii: "-") || b == UInt8(ascii: "+") || b == UInt8(ascii: ".")
          || b == UInt8(ascii: "e") || b == UInt8(ascii: "E")
      else { break }
      i += 1
    }
    return String(decoding: UnsafeBufferPointer(start: p + start, count: i - start), as: UTF8.self)
  }
}
