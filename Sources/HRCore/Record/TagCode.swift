/// 个人健康标识: a tag code (hr(7) SERVICES AND TAGS), either derived from age or set with a source and date.
package struct TagCode: Hashable, Sendable, CustomStringConvertible {
  package let value: String

  /// Codes computed from the birth date and never stored by hand.
  package static let derived: Set<String> = ["elderly", "child_0_6"]
  /// Codes an operator may set.
  package static let settable: Set<String> = [
    "maternal", "hypertension", "diabetes", "severe_mental_disorder", "tuberculosis",
    "notifiable_infectious", "special_disease", "classified",
  ]
  /// Codes that carry a value after a colon, e.g. `weight_status:overweight`.
  package static let valued: Set<String> = ["weight_status", "blood_type"]
  /// The values of each valued code that name a category: the weight categories of WS/T 428 and
  /// the ABO blood groups, with or without their Rh sign. Any other value is the operator's own
  /// words, which may describe the person; a de-identified export leaves it out (``deidentified``).
  package static let categories: [String: Set<String>] = [
    "weight_status": ["underweight", "normal", "overweight", "obese"],
    "blood_type": ["A", "B", "AB", "O", "A+", "A-", "B+", "B-", "AB+", "AB-", "O+", "O-"],
  ]
  /// Codes that make the record restricted (开放限制, hr(7) SERVICES AND TAGS).
  package static let restricting: Set<String> = ["severe_mental_disorder", "special_disease", "classified"]

  /// Validates a code that may be set; derived codes are refused with the reason.
  package init(settable text: String) throws(TagCodeError) {
    if Self.derived.contains(text) { throw .derived(text) }
    if Self.settable.contains(text) {
      value = text
      return
    }
    // A value is a free text of at most 30 characters, by the rule of every free text.
    let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
    guard parts.count == 2, Self.valued.contains(String(parts[0])),
      case .success(let valueText) = FreeText.checked(String(parts[1]), maxLength: 30)
    else { throw .unknown(text) }
    value = parts[0] + ":" + valueText
  }

  /// The kind of a valued tag (`weight_status` for `weight_status:overweight`), nil for the others.
  package var valuedKind: Substring? {
    guard let colon = value.firstIndex(of: ":") else { return nil }
    return value[..<colon]
  }

  /// Whether the tag makes its record restricted.
  package var isRestricting: Bool { Self.restricting.contains(value) }

  package var description: String { value }

  /// A stored code as a de-identified export prints it (附件2 六): a valued code whose value
  /// names none of its ``categories`` as its kind alone (`blood_type`), any other code as it is.
  package static func deidentified(_ code: String) -> String {
    guard let colon = code.firstIndex(of: ":") else { return code }
    let kind = String(code[..<colon])
    return categories[kind]?.contains(String(code[code.index(after: colon)...])) == true ? code : kind
  }

  /// Why `code` names no tag: the nearest code when one is near, as for a misspelt field
  /// (`Spelling`), else the codes there are; `derivedToo` counts the codes derived from age among
  /// them (a listing may select by those).
  package static func unknown(_ code: String, derivedToo: Bool = false) -> String {
    let known = (derivedToo ? derived.sorted() : []) + settable.sorted()
    let parts = code.split(separator: ":", maxSplits: 1)
    let valuedCodes = parts.count == 2 ? valued.sorted().map { "\($0):\(parts[1])" } : []
    if let near = Spelling.nearest(to: code, in: known + valuedCodes) { return "unknown tag '\(code)'; did you mean '\(near)'?" }
    return "unknown tag '\(code)'; expected one of \(known.joined(separator: ", ")), weight_status:<value>, blood_type:<value>"
  }

  /// The tags derived from age on `date` (老年人 65+, 0～6 岁儿童).
  package static func derivedTags(birthDate: LocalDate, on date: LocalDate) -> [String] {
    let age = birthDate.age(on: date)
    var tags: [String] = []
    if age >= 65 { tags.append("elderly") }
    if (0...6).contains(age) { tags.append("child_0_6") }
    return tags
  }
}

/// Why a tag code was refused.
package enum TagCodeError: Error, Equatable, Sendable, CustomStringConvertible {
  case derived(String)
  case unknown(String)

  package var description: String {
    switch self {
    case .derived(let code): "tag '\(code)' is derived from age and never set by hand"
    case .unknown(let code): TagCode.unknown(code)
    }
  }
}
