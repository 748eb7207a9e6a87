import HRTestSupport
import Testing
import Yams

@testable import HRCore

/// The configuration types its plain scalars itself (``PlainScalar``); these tests hold it to Yams'
/// own default resolver, whose regular expressions it replaces.
@Suite struct PlainScalarTests {
  /// What Yams' default resolver makes of an untagged plain scalar.
  private static func yamsTag(of text: String) -> Yams.Tag.Name {
    Yams.Tag.Name(rawValue: Node(text).tag.rawValue)
  }

  /// The characters the rules name, and a few they do not.
  private static let alphabet = Array("0159_+-.:eExboafFTtZ \tnNiIyYs~<=lu中")

  @Test("Every string of up to three of the rules' characters is typed as Yams types it")
  func everyShortString() {
    var strings = [""]
    var previous = [""]
    for _ in 1...3 {
      previous = previous.flatMap { prefix in Self.alphabet.map { prefix + String($0) } }
      strings += previous
    }
    let differing = strings.filter { PlainScalar.tag(of: $0) != Self.yamsTag(of: $0) }
    #expect(differing.isEmpty, "\(differing.prefix(10).map { "\($0.debugDescription) → \(PlainScalar.tag(of: $0))" })")
  }

  @Test("Random longer strings of the rules' characters are typed as Yams types them")
  func randomStrings() {
    let seed = TestSeed()
    var generator = seed.generator
    // Digits weigh more, so that numbers, times and dates come up often.
    let weighted = Self.alphabet + Array("0123456789-:.0123456789")
    var differing: [String] = []
    for _ in 0..<40_000 {
      let count = Int.random(in: 4...14, using: &generator)
      let text = String((0..<count).map { _ in weighted.randomElement(using: &generator)! })
      if PlainScalar.tag(of: text) != Self.yamsTag(of: text) { differing.append(text) }
    }
    #expect(differing.isEmpty, "\(seed): \(differing.prefix(10).map(\.debugDescription))")
  }

  @Test(
    "Each kind of value is typed as YAML 1.1 types it",
    arguments: [
      ("true", Yams.Tag.Name.bool), ("Off", .bool), ("TRUE", .bool), ("tRUE", .str),
      ("0", .int), ("-17", .int), ("+1_000", .int), ("0b1010", .int), ("0o17", .int), ("017", .int), ("0x_1F", .int),
      ("190:20:30", .int), ("08", .float), ("0:30", .str),
      ("1.5", .float), ("1e3", .float), ("1.", .float), (".5", .float), (".5e-3", .float), (".5e3", .str),
      ("-.inf", .float), (".NaN", .float), ("-.nan", .str), ("190:20:30.15", .float), ("190:20:30", .int),
      ("<<", .merge), ("~", .null), ("null", .null), ("", .null), ("Nil", .str),
      ("2001-12-14", .timestamp), ("2001-12-14t21:59:43.10-05:00", .timestamp), ("2001-12-14 21:59:43.10 Z", .timestamp),
      ("2001-1-4 1:59:43", .timestamp), ("2001-1-4", .str), ("2001-12-14 21:59:43 +5:3", .str),
      ("=", .value), ("500103", .int), ("500103001", .int), ("渝中区", .str), ("lost_after_days", .str),
    ])
  func examples(text: String, tag: Yams.Tag.Name) {
    #expect(PlainScalar.tag(of: text) == tag)
    #expect(Self.yamsTag(of: text) == tag)
  }
}
