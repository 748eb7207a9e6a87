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
      "id number '\(text)' is not 18 characters (17 digits and a check digit) or 15 digits"
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

extension IdentityError: LocalizedError {
  package var errorDescription: String? { description }
}
