import Foundation

/// Why an identifier, code or date was refused.
package enum IdentityError: Error, Equatable, Sendable, CustomStringConvertible {
  case malformedResidentID(String)
  case checkDigit(String, expected: Character)
  case impossibleBirthDate(String)
  /// The number's birth year is before `ResidentID.earliestBirthYear`.
  case birthYearTooEarly(String, year: Int)
  case futureBirthDate(String)
  case unknownProvince(String)
  case malformedBirthCertificate(String)
  case malformedDivision(String, reason: String)
  case malformedRecordNumber(String)
  case malformedSex(String)

  package var description: String {
    switch self {
    case .malformedResidentID(let text):
      Self.residentIDProblem(text)
    case .checkDigit(let text, let expected):
      "id number '\(text)' has a wrong check digit (expected '\(expected)')"
    case .impossibleBirthDate(let text):
      "id number '\(text)' carries a birth date that does not exist"
    case .birthYearTooEarly(let text, let year):
      "id number '\(text)' carries birth year \(year), before \(ResidentID.earliestBirthYear)"
    case .futureBirthDate(let text):
      "id number '\(text)' carries a birth date in the future"
    case .unknownProvince(let text):
      "id number '\(text)' does not start with a province code of GB/T 2260"
    case .malformedBirthCertificate(let text):
      "birth certificate number '\(text)' is not one upper-case letter and 9 digits"
    case .malformedDivision(let text, let reason):
      "division code '\(text)' \(reason)"
    case .malformedRecordNumber(let text):
      "record number '\(text)' is not 17 digits"
    case .malformedSex(let text):
      "sex '\(text)' is not a GB/T 2261.1 code (0, 1, 2 or 9)"
    }
  }
}

extension IdentityError {
  /// What is wrong with the form of an ID number, after its normalisation: blank, a character that
  /// is no digit where a digit belongs (named by its code point when it cannot be seen, such as a
  /// zero-width space or a byte order mark pasted with the number; a space typed inside it), or
  /// the wrong count of characters. "Not 18 characters" said of an 18-character number with a
  /// letter O in it would send the operator counting digits.
  fileprivate static func residentIDProblem(_ text: String) -> String {
    let form = "17 digits and a check digit, or 15 digits"
    guard !text.isEmpty else { return "id number is blank: it must be \(form)" }
    if Normalisation.isExponentForm(text) { return "id number '\(text)' is not \(form): \(Normalisation.spreadsheetAdvice)" }
    let scalars = Array(text.unicodeScalars)
    let digits: ClosedRange<Unicode.Scalar> = "0"..."9"
    for (index, scalar) in scalars.enumerated() where !digits.contains(scalar) {
      // A check character X ends the number, whatever its length.
      if index == scalars.count - 1, index > 0, scalar == "X" { continue }
      let shown: String
      if scalar.properties.isWhitespace {
        shown = "a space"
      } else if [.control, .format].contains(scalar.properties.generalCategory) || scalar.properties.isDefaultIgnorableCodePoint {
        let code = String(scalar.value, radix: 16, uppercase: true)
        shown = "an invisible character U+\(String(repeating: "0", count: max(0, 4 - code.count)) + code)"
      } else {
        shown = "'\(scalar)'"
      }
      let place = index == 17 && scalars.count == 18 ? "where the check digit (a digit or X) belongs" : "where a digit belongs"
      return "id number '\(text)' has \(shown) at character \(index + 1), \(place): it must be \(form)"
    }
    let count = scalars.last == "X" ? "\(scalars.count - 1) digits and a check character X" : "\(scalars.count) digits"
    return "id number '\(text)' has \(count): it must be \(form)"
  }
}

extension IdentityError: LocalizedError {
  package var errorDescription: String? { description }
}
