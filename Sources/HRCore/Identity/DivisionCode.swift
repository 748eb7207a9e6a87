/// 村（居）委会区划代码: 6-digit county code (GB/T 2260), 3-digit township, 3-digit committee.
///
/// Committee numbers 001–099 are residents' committees, 101–199 village committees and 901–999
/// other committees; nothing else exists.
package struct DivisionCode: Hashable, Sendable, CustomStringConvertible {
  package let value: String

  /// Validates the shape of a 12-digit division code.
  package init(_ text: String) throws(IdentityError) {
    let bytes = Array(text.utf8)
    guard bytes.count == 12, bytes.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else {
      throw .malformedDivision(text, reason: "is not 12 digits")
    }
    guard Int(String(decoding: bytes[6..<9], as: UTF8.self))! != 0 else {
      throw .malformedDivision(text, reason: "has township '000'")
    }
    let committee = Int(String(decoding: bytes[9..<12], as: UTF8.self))!
    guard (1...99).contains(committee) || (101...199).contains(committee) || (901...999).contains(committee) else {
      throw .malformedDivision(
        text, reason: "has committee '\(String(decoding: bytes[9..<12], as: UTF8.self))' outside 001–099, 101–199 and 901–999")
    }
    value = text
  }

  /// The 6-digit county (district) code.
  package var district: String { String(value.prefix(6)) }

  package var description: String { value }
}

/// 档案编号: the 12-digit division code and a 5-digit sequence, the record's master index (hr(7) THE RECORD).
package struct RecordNumber: Hashable, Sendable, CustomStringConvertible {
  package let value: String

  /// The largest sequence a division can give.
  package static let maximumSequence = 99_999

  /// Validates the shape of a 17-digit record number.
  package init(_ text: String) throws(IdentityError) {
    let bytes = Array(text.utf8)
    guard bytes.count == 17, bytes.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else {
      throw .malformedRecordNumber(text)
    }
    value = text
  }

  /// Builds the number of the `sequence`th record created in `division`.
  package init(division: DivisionCode, sequence: Int) {
    precondition((1...Self.maximumSequence).contains(sequence))
    let digits = String(sequence)
    value = division.value + String(repeating: "0", count: 5 - digits.count) + digits
  }

  package var description: String { value }
}

extension DivisionCode {
  /// The two-digit province-level codes GB/T 2260 assigns (11–15, 21–23, 31–37, 41–46, 50–54,
  /// 61–65, 71, 81, 82): the first two digits of every division code and every ID number.
  package static let provinces: Set<Int> = Set(
    Array(11...15) + Array(21...23) + Array(31...37) + Array(41...46) + Array(50...54) + Array(61...65) + [71, 81, 82]
  )
}
