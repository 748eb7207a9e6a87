/// 居民身份证号 (GB 11643): 17 digits and a check digit, the record's main identifier (annex 1, 二(四)).
///
/// A 15-digit legacy number is converted on the way in (century 19, check digit computed) and
/// remembers that it was, so the output can say `"id_converted":true`.
package struct ResidentID: Hashable, Sendable, CustomStringConvertible {
  /// The 18-character number, with an upper-case `X` check character.
  package let value: String
  /// Whether the number was given in the 15-digit legacy form.
  package let wasConverted: Bool
  /// The birth date embedded in digits 7 to 14.
  package let birthDate: LocalDate

  private static let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
  private static let checkCharacters: [Character] = ["1", "0", "X", "9", "8", "7", "6", "5", "4", "3", "2"]
  /// The earliest birth year a number is accepted with: no resident alive was born before it.
  package static let earliestBirthYear = 1880

  /// Validates a number against GB 11643, refusing birth dates after `today`; the number is first
  /// normalised (`Normalisation.identifier`: full-width digits, a lower-case `x`).
  package init(_ typed: String, today: LocalDate) throws(IdentityError) {
    let text = Normalisation.identifier(typed)
    var digits = Array(text.utf8)
    let converted = digits.count == 15
    let isDigit = { (byte: UInt8) in (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
    if converted {
      guard digits.allSatisfy(isDigit) else { throw .malformedResidentID(text) }
      digits.insert(contentsOf: Array("19".utf8), at: 6)
    } else {
      guard digits.count == 18, digits[0..<17].allSatisfy(isDigit) else { throw .malformedResidentID(text) }
      if digits[17] == UInt8(ascii: "x") { digits[17] = UInt8(ascii: "X") }
      guard isDigit(digits[17]) || digits[17] == UInt8(ascii: "X") else { throw .malformedResidentID(text) }
    }
    let numbers = digits[0..<17].map { Int($0 - UInt8(ascii: "0")) }
    guard DivisionCode.provinces.contains(numbers[0] * 10 + numbers[1]) else { throw .unknownProvince(text) }
    let expected = Self.checkCharacter(numbers)
    if converted {
      digits.append(expected.asciiValue!)
    } else if Character(UnicodeScalar(digits[17])) != expected {
      throw .checkDigit(text, expected: expected)
    }
    let year = numbers[6] * 1000 + numbers[7] * 100 + numbers[8] * 10 + numbers[9]
    let month = numbers[10] * 10 + numbers[11]
    let day = numbers[12] * 10 + numbers[13]
    guard year >= Self.earliestBirthYear else { throw .birthYearTooEarly(text, year: year) }
    guard let birth = LocalDate(year: year, month: month, day: day) else { throw .impossibleBirthDate(text) }
    guard birth <= today else { throw .futureBirthDate(text) }
    self.value = String(decoding: digits, as: UTF8.self)
    self.wasConverted = converted
    self.birthDate = birth
  }

  /// The sex the number encodes: an odd 17th digit for men, even for women.
  package var sex: Sex {
    let digit = Array(value.utf8)[16] - UInt8(ascii: "0")
    return digit % 2 == 1 ? .male : .female
  }

  package var description: String { value }

  /// The GB 11643 check character of the first 17 digits.
  package static func checkCharacter(_ numbers: [Int]) -> Character {
    var sum = 0
    for (digit, weight) in zip(numbers, weights) { sum += digit * weight }
    return checkCharacters[sum % 11]
  }
}

/// 出生医学证明编号: one upper-case letter and 9 digits, for a child without an ID number yet.
package struct BirthCertificateNumber: Hashable, Sendable, CustomStringConvertible {
  package let value: String

  /// Validates the form of a birth medical certificate number, once normalised
  /// (`Normalisation.identifier`: full-width letters and digits made ASCII).
  package init(_ typed: String) throws(IdentityError) {
    let text = Normalisation.identifier(typed)
    let bytes = Array(text.utf8)
    guard bytes.count == 10, (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(bytes[0]),
      bytes[1...].allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) })
    else { throw .malformedBirthCertificate(text) }
    value = text
  }

  package var description: String { value }
}

/// 无证件儿童: a child known only through the mother's ID number, told apart from twins by name.
package struct MotherLink: Hashable, Sendable {
  package let mother: ResidentID
  package let name: String
  package let birthDate: LocalDate

  /// The key under which the link is kept among the identifiers.
  package var key: String { "\(mother.value)|\(name)|\(birthDate)" }
}

/// One way of recognising a person; a record keeps every identifier it ever had (annex 1, 二(四)).
package enum Identifier: Hashable, Sendable {
  case residentID(ResidentID)
  case birthCertificate(BirthCertificateNumber)
  case motherLink(MotherLink)

  /// The kind as stored and printed: the input field that carries it.
  package var kind: String {
    switch self {
    case .residentID: "id_number"
    case .birthCertificate: "birth_cert_no"
    case .motherLink: "mother_id_number"
    }
  }

  /// The value under which the identifier is looked up in the duplicate check.
  package var key: String {
    switch self {
    case .residentID(let id): id.value
    case .birthCertificate(let number): number.value
    case .motherLink(let link): link.key
    }
  }
}
