import Foundation

/// The one place where identifiers and phone numbers typed the ways people type them are brought to
/// the form they are checked and kept in, so that a number typed with a Chinese input method or
/// spaced for reading finds the same record (annex 1 二(四): one record per resident).
package enum Normalisation {
  /// An ID or birth-certificate number: full-width digits and letters (a Chinese input method's
  /// `５００１０３…`) made ASCII, white space around it dropped and a lower-case `x` made upper-case.
  package static func identifier(_ text: String) -> String {
    // Most numbers arrive as printable ASCII without spaces or a lower-case x: already in form.
    if text.utf8.allSatisfy({ (0x21...0x7E).contains($0) && $0 != UInt8(ascii: "x") }) { return text }
    var scalars = String.UnicodeScalarView()
    for scalar in ascii(text.trimmingWhitespace()).unicodeScalars {
      scalars.append(scalar == "x" ? "X" : scalar)
    }
    return String(scalars)
  }

  /// A phone number: full-width digits made ASCII, spaces dropped; a mobile number written
  /// `138-0000-0000`, `+86 138 0000 0000` or `86138…` becomes its 11 digits. A landline keeps the
  /// dash after its area code.
  package static func phone(_ text: String) -> String {
    // Most numbers arrive as plain ASCII digits, which this leaves as they are unless they are the
    // 13 digits of 86 and a mobile number.
    if text.utf8.count != 13, text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) { return text }
    let spaced = ascii(text.trimmingWhitespace())
    let compact = String(spaced.unicodeScalars.filter { !$0.properties.isWhitespace })
    var digits = compact.replacingOccurrences(of: "-", with: "")
    if digits.hasPrefix("+86") {
      digits.removeFirst(3)
    } else if digits.hasPrefix("86"), digits.utf8.count == 13 {
      digits.removeFirst(2)
    }
    if digits.utf8.count == 11, digits.hasPrefix("1"), digits.utf8.allSatisfy({ (48...57).contains($0) }) { return digits }
    return compact.hasPrefix("+86") ? String(compact.dropFirst(3)) : compact
  }

  /// Tells whether `text` is a number a spreadsheet wrote in exponent form (`5.00107E+17`), which
  /// has lost the digits of an ID number for good.
  package static func isExponentForm(_ text: String) -> Bool {
    guard text.utf8.contains(where: { $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }) else { return false }
    let upper = text.uppercased()
    guard let e = upper.firstIndex(of: "E") else { return false }
    let mantissa = upper[..<e]
    let exponent = upper[upper.index(after: e)...].drop { $0 == "+" }
    return !mantissa.isEmpty && !exponent.isEmpty && mantissa.allSatisfy { $0.isASCII && ($0.isNumber || $0 == ".") }
      && exponent.allSatisfy { $0.isASCII && $0.isNumber }
  }

  /// The advice for an identifier a spreadsheet has turned into a number.
  package static let spreadsheetAdvice =
    "a spreadsheet turned it into a number: format the column as text (or prefix each number with ') and export again"

  /// Full-width ASCII (U+FF01–U+FF5E) and the ideographic space made ASCII.
  private static func ascii(_ text: String) -> String {
    var scalars = String.UnicodeScalarView()
    for scalar in text.unicodeScalars {
      switch scalar.value {
      case 0xFF01...0xFF5E: scalars.append(Unicode.Scalar(scalar.value - 0xFEE0)!)
      case 0x3000: scalars.append(" ")
      default: scalars.append(scalar)
      }
    }
    return String(scalars)
  }
}
