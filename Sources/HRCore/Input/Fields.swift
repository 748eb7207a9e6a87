import Foundation

/// Typed, strict access to the fields of one input object, naming the field in every refusal.
///
/// Creating it refuses any key outside `allowed`, so a misspelt field is an `unknown_field`
/// rejection rather than a silently dropped value (§2).
package struct Fields: Sendable {
  package let object: JSONObject
  /// Prefix for field names in messages, e.g. `set.` for the fields of a `set` object.
  package let path: String

  /// Reads `object`, refusing keys outside `allowed`.
  package init(_ object: JSONObject, allowed: Set<String>, path: String = "") throws(LineRejection) {
    for key in object.keys where !allowed.contains(key) {
      throw LineRejection(.unknownField, "unknown field '\(path)\(key)'", details: ["field": .string(path + key)])
    }
    self.object = object
    self.path = path
  }

  /// Reads `object` without refusing any key: for tools that only select records (§2).
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

  package func invalid(_ key: String, _ reason: String) -> LineRejection {
    LineRejection(.invalidValue, "field '\(path)\(key)' \(reason)", details: ["field": .string(path + key)])
  }

  /// The UTF-8 bytes one character may take: a Chinese character takes 3, the longest emoji
  /// sequences about 25. Without a bound a single "character" of base letter and 100,000 combining
  /// marks would pass any length limit.
  static let maximumBytesPerCharacter = 32

  /// A trimmed, non-empty text without control characters, at most `maxLength` characters.
  package func text(_ key: String, maxLength: Int = 200) throws(LineRejection) -> String? {
    guard let value = value(key) else { return nil }
    guard let raw = value.stringValue else { throw invalid(key, "must be a string, found \(value.typeName)") }
    guard raw.utf8.count <= maxLength * Self.maximumBytesPerCharacter else {
      throw invalid(key, "is longer than \(maxLength) characters")
    }
    // Most text is already in its one form: trimmed, NFC and free of control characters. It is
    // taken as it is, with no copy and no normalisation.
    if Self.isPlainTrimmed(raw) {
      guard raw.utf8.count <= maxLength || raw.unicodeScalars.count <= maxLength else {
        throw invalid(key, "is longer than \(maxLength) characters")
      }
      return raw
    }
    // One written form per text: a name typed precomposed or decomposed is the same name to the
    // duplicate check, which compares stored bytes.
    let text = raw.trimmingWhitespace().precomposedStringWithCanonicalMapping
    guard !text.isEmpty else { throw invalid(key, "is empty") }
    if let scalar = text.unicodeScalars.first(where: {
      let category = $0.properties.generalCategory
      return category == .control || category == .format
    }) {
      let code = String(scalar.value, radix: 16, uppercase: true)
      throw invalid(key, "contains an invisible control or format character (U+\(String(repeating: "0", count: max(0, 4 - code.count)) + code))")
    }
    guard text.count <= maxLength else { throw invalid(key, "is longer than \(maxLength) characters") }
    return text
  }

  /// Whether `text` is non-empty, has no white space at either end, no control or format character,
  /// and only characters that are NFC whatever follows them and are one character each: ASCII
  /// letters, digits and punctuation, Latin-1 and Latin Extended letters (below U+0300, where no
  /// combining mark lies), CJK punctuation (U+3001–U+3029, U+3030–U+303F, without the ideographic
  /// space and the tone marks U+302A–U+302F), CJK unified ideographs (U+4E00–U+9FFF) and full-width
  /// forms (U+FF01–U+FF5E). Such text is its own normalisation and counts one character a scalar.
  static func isPlainTrimmed(_ text: String) -> Bool {
    var count = 0
    var last: Unicode.Scalar = " "
    for scalar in text.unicodeScalars {
      let value = scalar.value
      switch value {
      case 0x21...0x7E, 0xA1...0xAC, 0xAE...0x2FF, 0x3001...0x3029, 0x3030...0x303F, 0x4E00...0x9FFF, 0xFF01...0xFF5E: break
      case 0x20, 0xA0: if count == 0 { return false }
      default: return false
      }
      last = scalar
      count += 1
    }
    return count > 0 && last.value != 0x20 && last.value != 0xA0
  }

  /// A required text field.
  package func requiredText(_ key: String, maxLength: Int = 200) throws(LineRejection) -> String {
    guard let text = try text(key, maxLength: maxLength) else { throw missing(key) }
    return text
  }

  /// A `YYYY-MM-DD` date.
  package func date(_ key: String) throws(LineRejection) -> LocalDate? {
    guard let value = value(key) else { return nil }
    guard let text = value.stringValue, let date = LocalDate(text) else {
      throw invalid(key, "must be a date 'YYYY-MM-DD' in years \(LocalDate.years.lowerBound)–\(LocalDate.years.upperBound), found \(value.compact)")
    }
    return date
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

  /// A record number, refused with `invalid_value` when it is not 17 digits.
  package func recordNumber(_ key: String = "record_no") throws(LineRejection) -> RecordNumber? {
    guard let value = value(key) else { return nil }
    guard let text = value.stringValue else { throw invalid(key, "must be a string, found \(value.typeName)") }
    do {
      return try RecordNumber(text)
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
