import Foundation
import HRLines

/// Typed, strict access to the fields of one input object, naming the field in every refusal.
///
/// Creating it refuses any key outside `allowed`, so a misspelt field is an `unknown_field`
/// rejection rather than a silently dropped value (hr(7) COMMON BEHAVIOUR).
package struct Fields: Sendable {
  package let object: JSONObject
  /// Prefix for field names in messages, e.g. `set.` for the fields of a `set` object.
  package let path: String

  /// Reads `object`, refusing keys outside `allowed`.
  package init(_ object: JSONObject, allowed: Set<String>, path: String = "") throws(LineRejection) {
    for key in object.keys where !allowed.contains(key) {
      let guess = Spelling.suggestion(for: key, in: allowed, prefix: path)
      throw LineRejection(.unknownField, "unknown field '\(path)\(key)'\(guess)", details: ["field": .string(path + key)])
    }
    self.object = object
    self.path = path
  }

  /// Reads `object` without refusing any key: for tools that only select records (hr(7) COMMON BEHAVIOUR).
  package init(selecting object: JSONObject) {
    self.object = object
    self.path = ""
  }

  /// Whether the key is present, even as null.
  package func has(_ key: String) -> Bool { object[key] != nil }

  /// The value of a present, non-null key.
  package func value(_ key: String) -> JSONValue? {
    guard let value = object[key], !value.isNull else { return nil }
    return value
  }

  package func missing(_ key: String) -> LineRejection {
    LineRejection(.missingField, "missing field '\(path)\(key)'", details: ["field": .string(path + key)])
  }

  /// A required field that `option` may also give for every line: the message says so.
  package func missing(_ key: String, option: String) -> LineRejection {
    LineRejection(
      .missingField, "missing field '\(path)\(key)' (or give \(option) for every line)", details: ["field": .string(path + key)])
  }

  package func invalid(_ key: String, _ reason: String) -> LineRejection {
    LineRejection(.invalidValue, "field '\(path)\(key)' \(reason)", details: ["field": .string(path + key)])
  }

  /// A text under the free-text rule (`FreeText`): trimmed, NFC, not empty, no invisible
  /// character, at most `maxLength` characters.
  package func text(_ key: String, maxLength: Int = 200) throws(LineRejection) -> String? {
    guard let value = value(key) else { return nil }
    guard let raw = value.stringValue else { throw invalid(key, "must be a string, found \(value.typeName)") }
    switch FreeText.checked(raw, maxLength: maxLength) {
    case .success(let text): return text
    case .failure(let problem): throw invalid(key, problem.reason)
    }
  }

  /// A code of the configuration (an organisation's), read like an ID number
  /// (`Normalisation.identifier`: full-width digits typed with a Chinese input method made ASCII),
  /// so that it finds the organisation it names.
  package func code(_ key: String, maxLength: Int = 32) throws(LineRejection) -> String? {
    try text(key, maxLength: maxLength).map(Normalisation.identifier)
  }

  /// A required text field.
  package func requiredText(_ key: String, maxLength: Int = 200) throws(LineRejection) -> String {
    guard let text = try text(key, maxLength: maxLength) else { throw missing(key) }
    return text
  }

  /// A `YYYY-MM-DD` date.
  package func date(_ key: String) throws(LineRejection) -> LocalDate? {
    guard let value = value(key) else { return nil }
    let text = value.stringValue
    if let date = text.flatMap(LocalDate.init) { return date }
    if let text, let parts = Self.dateParts(text), LocalDate.years.contains(parts.year) {
      let why = (1...12).contains(parts.month) ? "that month has no day \(parts.day)" : "there is no month \(parts.month)"
      throw invalid(key, "is '\(text)', a date that does not exist (\(why))")
    }
    let meant = text.flatMap(Self.spreadsheetDate).map {
      ": if that is \($0), a spreadsheet wrote it in its own date format: format the column as yyyy-mm-dd (or as text) and export again"
    }
    throw invalid(
      key,
      "must be a date 'YYYY-MM-DD' in years \(LocalDate.years.lowerBound)–\(LocalDate.years.upperBound), found \(value.compact)"
        + (meant ?? ""))
  }

  /// The date a spreadsheet probably meant by `text`, written in its own format rather than
  /// `YYYY-MM-DD`: `2026/11/3`, `2026-11-3`, `2026.11.03`, `2026年11月3日` (full-width digits too), or a
  /// five-digit day count (`46329`), which is what a date column becomes when it is formatted as a number.
  private static func spreadsheetDate(_ typed: String) -> LocalDate? {
    let text = Normalisation.identifier(typed)
    if text.utf8.count == 5, text.utf8.allSatisfy({ (48...57).contains($0) }), let days = Int(text) {
      // Day 1 is 1900-01-01 and the count holds a 29 February 1900 that never was: from March 1900
      // on, the day count is the days since 1899-12-30.
      return LocalDate(year: 1899, month: 12, day: 30)?.adding(days: days)
    }
    var numbers: [Int] = []
    var digits = ""
    for character in text + "/" {
      if character.isASCII, character.isNumber {
        digits.append(character)
        continue
      }
      guard "/-.年月日".contains(character), !digits.isEmpty, let number = Int(digits), digits.count <= 4 else { return nil }
      if numbers.isEmpty, digits.count != 4 { return nil }
      numbers.append(number)
      digits = ""
      if character == "日" { break }
    }
    guard numbers.count == 3 else { return nil }
    return LocalDate(year: numbers[0], month: numbers[1], day: numbers[2])
  }

  /// The numbers of a text written `YYYY-MM-DD`, whether or not that date exists.
  private static func dateParts(_ text: String) -> (year: Int, month: Int, day: Int)? {
    let parts = text.split(separator: "-", omittingEmptySubsequences: false)
    guard parts.count == 3, parts.map(\.utf8.count) == [4, 2, 2],
      parts.allSatisfy({ $0.utf8.allSatisfy { (48...57).contains($0) } }),
      let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
    else { return nil }
    return (year, month, day)
  }

  /// A required date field.
  package func requiredDate(_ key: String) throws(LineRejection) -> LocalDate {
    guard let date = try date(key) else { throw missing(key) }
    return date
  }

  /// A date that must not lie after `today`.
  package func pastDate(_ key: String, today: LocalDate) throws(LineRejection) -> LocalDate? {
    guard let date = try date(key) else { return nil }
    guard date <= today else { throw invalid(key, "is in the future (\(date) is after \(today))") }
    return date
  }

  package func bool(_ key: String) throws(LineRejection) -> Bool? {
    guard let value = value(key) else { return nil }
    guard let bool = value.boolValue else { throw invalid(key, "must be true or false, found \(value.compact)") }
    return bool
  }

  package func integer(_ key: String) throws(LineRejection) -> Int? {
    guard let value = value(key) else { return nil }
    guard let int = value.intValue else { throw invalid(key, "must be an integer, found \(value.compact)") }
    return int
  }

  package func object(_ key: String) throws(LineRejection) -> JSONObject? {
    guard let value = value(key) else { return nil }
    guard let object = value.objectValue else { throw invalid(key, "must be an object, found \(value.typeName)") }
    return object
  }

  package func array(_ key: String) throws(LineRejection) -> [JSONValue]? {
    guard let value = value(key) else { return nil }
    guard let array = value.arrayValue else { throw invalid(key, "must be an array, found \(value.typeName)") }
    return array
  }

  /// A record number, refused with `invalid_value` when it is not 17 digits once normalised like an
  /// ID number (`Normalisation.identifier`: full-width digits typed with a Chinese input method made
  /// ASCII, white space around it dropped), so a number copied from a form selects its record.
  package func recordNumber(_ key: String = "record_no") throws(LineRejection) -> RecordNumber? {
    guard let value = value(key) else { return nil }
    guard let text = value.stringValue else {
      guard case .number = value else { throw invalid(key, "must be a string, found \(value.typeName)") }
      throw invalid(key, "must be a string, found the number \(value.compact): \(Normalisation.spreadsheetAdvice)")
    }
    guard !Normalisation.isExponentForm(text) else { throw invalid(key, "is '\(text)': \(Normalisation.spreadsheetAdvice)") }
    do {
      return try RecordNumber(Normalisation.identifier(text))
    } catch {
      throw invalid(key, "is not a record number: \(error)")
    }
  }
}

extension String {
  /// The text without leading and trailing white space (including the ideographic space U+3000).
  package func trimmingWhitespace() -> String {
    let scalars = unicodeScalars
    guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
    let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
    return String(scalars[first...last])
  }
}
