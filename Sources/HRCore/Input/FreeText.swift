/// The rule every free text of a record obeys, whether it comes from a line's field or from an
/// option that fills one: trimmed, one written form (NFC), not empty, no invisible control or format
/// character nor line break, at most a given number of characters.
package enum FreeText {
  /// The UTF-8 bytes one character may take: a Chinese character takes 3, the longest emoji
  /// sequences about 25. Without a bound a single "character" of base letter and 100,000 combining
  /// marks would pass any length limit.
  static let maximumBytesPerCharacter = 32

  /// The text as it is kept, or why it is refused: a lower-case reason that names no field, so that
  /// a line's field and an option can each say whose it is.
  package static func checked(_ raw: String, maxLength: Int) -> Result<String, FreeTextProblem> {
    // Most text is already in its one form: trimmed, NFC and free of control characters. It is
    // taken as it is, with no copy and no normalisation.
    if isPlainTrimmed(raw) {
      guard raw.utf8.count <= maxLength || raw.unicodeScalars.count <= maxLength else {
        return .failure(FreeTextProblem("is longer than \(maxLength) characters"))
      }
      return .success(raw)
    }
    guard raw.utf8.count <= maxLength * maximumBytesPerCharacter else {
      return .failure(FreeTextProblem("is longer than \(maxLength) characters"))
    }
    // One written form per text: a name typed precomposed or decomposed is the same name to the
    // duplicate check, which compares stored bytes.
    let text = raw.trimmingWhitespace().precomposedStringWithCanonicalMapping
    guard !text.isEmpty else { return .failure(FreeTextProblem("is empty")) }
    if let scalar = text.unicodeScalars.first(where: { refuses($0.properties.generalCategory) }) {
      let code = String(scalar.value, radix: 16, uppercase: true)
      let shown = "U+\(String(repeating: "0", count: max(0, 4 - code.count)) + code)"
      // A spreadsheet cell typed over two lines (Alt+Enter) keeps its line break inside the quotes;
      // a word processor's line and paragraph separators (U+2028, U+2029) end a line as well in
      // the viewers and scripts that read a record back.
      let category = scalar.properties.generalCategory
      if scalar == "\n" || scalar == "\r" || category == .lineSeparator || category == .paragraphSeparator {
        return .failure(
          FreeTextProblem(
            "contains a line break (\(shown)), as a spreadsheet cell typed over two lines keeps: put the text on one line"))
      }
      return .failure(FreeTextProblem("contains an invisible control or format character (\(shown))"))
    }
    guard text.count <= maxLength else { return .failure(FreeTextProblem("is longer than \(maxLength) characters")) }
    return .success(text)
  }

  /// Whether no free text holds a character of `category`: control and format characters, and the
  /// line and paragraph separators U+2028 and U+2029. A listing for people shows such a character
  /// as an escape (`CellText.visible`).
  package static func refuses(_ category: Unicode.GeneralCategory) -> Bool {
    switch category {
    case .control, .format, .lineSeparator, .paragraphSeparator: true
    default: false
    }
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
}

/// Why a free text is refused, without naming whose it is.
package struct FreeTextProblem: Error, Sendable {
  package let reason: String
  init(_ reason: String) { self.reason = reason }
}

/// An option that fills a line's field, refused by that field's rule (a usage error, exit 64):
/// `--evidence is empty`, `--death-date is in the future (2027-01-01 is after 2026-11-26)`.
package struct OptionError: Error, Equatable, Sendable, CustomStringConvertible {
  package let option: String
  package let reason: String
  package var description: String { "--\(option) \(reason)" }

  /// Refuses `option` for `reason`.
  package init(option: String, reason: String) {
    self.option = option
    self.reason = reason
  }

  /// The option's text as a line's field would keep it; nil when the option was not given.
  package static func text(_ raw: String?, option: String, maxLength: Int) throws(OptionError) -> String? {
    guard let raw else { return nil }
    switch FreeText.checked(raw, maxLength: maxLength) {
    case .success(let text): return text
    case .failure(let problem): throw OptionError(option: option, reason: problem.reason)
    }
  }

  /// The option's date, which like a line's must not lie after `today`.
  package static func pastDate(_ date: LocalDate?, option: String, today: LocalDate) throws(OptionError) -> LocalDate? {
    guard let date else { return nil }
    guard date <= today else { throw OptionError(option: option, reason: "is in the future (\(date) is after \(today))") }
    return date
  }
}
