import HRCore

/// How a stored text is written where people open a listing: a spreadsheet (`--format csv`), a
/// terminal (`--format table`) and a browser (`hr-metrics --format html`) must show it, never run it
/// or let it disguise what stands beside it (hr(7) OUTPUT FORMATS).
///
/// Names, addresses, work units, histories and organisation names come from residents, staff and the
/// configuration, and the store may be edited by hand with `sqlite3`: what one of them holds must not
/// reach another person's program as a command (第二十三条: health records are kept secure in every
/// processing of them). JSON Lines are for programs and carry every text exactly.
package enum CellText {
  /// Returns `text` as a spreadsheet cell that is shown as text: with an apostrophe before it when
  /// its first character would start a formula (CWE-1236, spreadsheet formula injection).
  ///
  /// The characters are `=`, `+`, `-`, `@`, a tab and a carriage return, and the full-width `＝`,
  /// `＋`, `－` and `＠` a Chinese input method types for them, which a spreadsheet may read alike.
  /// Excel and WPS read such a cell as a formula, so a name stored as
  /// `=HYPERLINK("http://…","点击")` would become a link, and a text such as `+86 138 0000 0000`
  /// or `-5` would become a number or an error. Every such text gets the apostrophe, however
  /// harmless it looks, because a district administrator expects the cell to show what the record
  /// holds, character for character: the spreadsheet shows `'+86 138 0000 0000` or `'-5`, and no
  /// digit is lost or changed. Only a listing's JSON strings are guarded, and a date among them
  /// (`2026-11-26`) begins with a digit: numbers (a negative one too), booleans and nested values
  /// are written as they are, so that counts and rates stay numbers a spreadsheet can add up.
  package static func spreadsheet(_ text: String) -> String {
    guard let first = text.unicodeScalars.first, formulaStarts.contains(first) else { return text }
    return "'" + text
  }

  /// The first characters that make a spreadsheet read a cell as a formula.
  static let formulaStarts: Set<Unicode.Scalar> = ["=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠"]

  /// Returns `text` with every character that would act on a terminal or a page instead of being
  /// shown written as a visible escape, `\u{1B}` (the character's code point in hexadecimal).
  ///
  /// These are the control characters (C0, DEL and C1: an ESC starts a sequence that can move the
  /// cursor, clear the screen or retitle the window), the invisible format characters (among them
  /// the bidirectional overrides, isolates and marks U+202A–U+202E, U+2066–U+2069, U+200E, U+200F
  /// and U+061C, which can reverse the order in which the rest of a line is shown, and the
  /// zero-width spaces and joiners, which hide a difference between two names), and the line and
  /// paragraph separators, which break a line. hr refuses all of these in every free text it is
  /// given (`FreeText.refuses`), so a cell shows one only when the store was edited by other means
  /// or the configuration holds one. The escape is plain ASCII, so a table keeps its columns
  /// aligned by display width. A text that holds `\u{…}` as written looks the same: a listing for
  /// people is not read back, and JSON Lines give every text exactly.
  package static func visible(_ text: String) -> String {
    guard text.unicodeScalars.contains(where: isHidden) else { return text }
    var shown = ""
    shown.reserveCapacity(text.utf8.count + 8)
    for scalar in text.unicodeScalars {
      if isHidden(scalar) {
        shown += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
      } else {
        shown.unicodeScalars.append(scalar)
      }
    }
    return shown
  }

  /// Whether a character acts on what shows it rather than being shown.
  static func isHidden(_ scalar: Unicode.Scalar) -> Bool {
    let value = scalar.value
    if value < 0x7F { return value < 0x20 }
    if value <= 0x9F { return true }
    // The characters no free text holds (`FreeText`) are the ones shown escaped.
    return FreeText.refuses(scalar.properties.generalCategory)
  }
}
