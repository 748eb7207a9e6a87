import Foundation
import Testing

@testable import HRCore

/// Text that `Fields.text` takes as it is must be exactly what trimming, NFC normalisation and the
/// control-character check would give; everything else must still go through them.
@Suite struct FieldsTextTests {
  /// What `text` gave before the fast path: trimmed, NFC, refused when empty or holding a control
  /// or format character, counted in characters.
  static func reference(_ raw: String, maxLength: Int) -> String? {
    let text = raw.trimmingWhitespace().precomposedStringWithCanonicalMapping
    guard !text.isEmpty, text.count <= maxLength else { return nil }
    if text.unicodeScalars.contains(where: { [.control, .format].contains($0.properties.generalCategory) }) { return nil }
    return text
  }

  static func given(_ raw: String, maxLength: Int) -> String? {
    try? Fields(["v": .string(raw)], allowed: ["v"]).text("v", maxLength: maxLength)
  }

  @Test(arguments: [
    "张三", "重庆市渝中区解放碑街道民族路 1 号", "Zoë", "Zoe\u{308}", "e\u{301}", " 李四 ", "\u{3000}王五\u{3000}", "a\u{00A0}b",
    "a\u{00A0}", "\u{00A0}a", "ab\u{00AD}c", "x\u{200B}y", "tab\there", "line\nbreak", "", " ", "（备注）", "〰〽", "中\u{302A}",
    "ｶﾞ", "\u{F900}", "한국", "\u{1100}\u{1161}", "©®", "A-1/2", "\u{7F}", "\u{85}x", "１２３", "ﬁ",
  ])
  func sameAsFullNormalisation(raw: String) {
    let given = Self.given(raw, maxLength: 200).map { Array($0.utf8) }
    let reference = Self.reference(raw, maxLength: 200).map { Array($0.utf8) }
    #expect(given == reference)
  }

  @Test(arguments: [
    (String(repeating: "张", count: 50), 50), (String(repeating: "张", count: 51), 50), (String(repeating: "a", count: 20), 20),
    (String(repeating: "é", count: 21), 20),
  ])
  func lengthInCharacters(raw: String, maxLength: Int) {
    #expect(Self.given(raw, maxLength: maxLength) == Self.reference(raw, maxLength: maxLength))
  }

  @Test func plainTextIsRecognised() {
    #expect(FreeText.isPlainTrimmed("重庆市渝中区 1 号"))
    #expect(!FreeText.isPlainTrimmed("Zoe\u{308}"))
    #expect(!FreeText.isPlainTrimmed(" a"))
    #expect(!FreeText.isPlainTrimmed("a "))
    #expect(!FreeText.isPlainTrimmed(""))
  }
}
