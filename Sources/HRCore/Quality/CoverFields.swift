import GRDB

/// 封面 and 个人基本信息 (annex 1, 一(三)): the fields every record must carry, which 第十二条 requires
/// the managing organisation to keep without gaps. A record with one of them empty is a
/// `missing_field` finding and does not count as complete for the completeness rate (规范率, hr-metrics(1)).
package enum CoverField: String, CaseIterable, Sendable {
  case name
  /// Empty when unset or `0` (未知的性别: nothing was recorded); `9` (未说明的性别) is an answer.
  case sex
  case birthDate = "birth_date"
  /// 身份证号（出生医学证明编号）: empty when the record holds no ID number, birth certificate
  /// number or mother's ID number.
  case identifier
  /// 乡镇（街道）and 村（居）委会, both named by the division code.
  case division
  case currentAddress = "current_address"
  case registeredAddress = "registered_address"
  case phone
  case responsibleDoctor = "responsible_doctor"
  case createdOn = "created_on"

  /// An SQL condition, on the `record` table named `alias`, that holds when the field is empty.
  ///
  /// Text counts as empty when it is NULL or holds only spaces, tabs, line breaks or the
  /// full-width space a Chinese input method types.
  package func emptySQL(alias: String) -> String {
    // Blank means no character outside the blanks. A text that starts at or after '!' and not
    // with U+3000 is not blank, which two comparisons tell without a function call; only the rest
    // is scanned. The completeness rate reads ten fields of every record of a city, and trim()
    // with a set of characters on each was most of its cost. The characters are written into the
    // SQL as they are, not made by char(), which would be called for each field of each record
    // written (the index `record_incomplete` tests this condition on every insert).
    func blank(_ column: String) -> String {
      let value = "\(alias).\(column)"
      return """
        (CASE WHEN \(value) IS NULL THEN 1 WHEN \(value) >= '!' AND (\(value) < '\(Self.fullWidthSpace)' OR \(value) >= '\(Self.afterFullWidthSpace)') THEN 0 \
        ELSE NOT (\(value) GLOB '*[^\(Self.blanks)]*') END)
        """
    }
    switch self {
    case .sex: return "(\(alias).sex IS NULL OR trim(\(alias).sex) = '' OR \(alias).sex = 0)"
    case .identifier: return "(\(blank("id_number")) AND \(blank("birth_cert_no")) AND \(blank("mother_id_number")))"
    default: return blank(rawValue)
    }
  }

  /// The full-width space (U+3000) a Chinese input method types, and the character after it.
  static let fullWidthSpace = "\u{3000}"
  static let afterFullWidthSpace = "\u{3001}"
  /// The characters a blank field may hold: space, tab, line feed, carriage return, full-width space.
  static let blanks = " \t\n\r\u{3000}"

  /// An SQL condition, on the `record` table named `alias`, that holds when any cover field is
  /// empty: the records `hr-metrics` leaves out of the numerator of its completeness rate.
  package static func anyEmptySQL(alias: String) -> String {
    "(" + allCases.map { $0.emptySQL(alias: alias) }.joined(separator: " OR ") + ")"
  }
}
