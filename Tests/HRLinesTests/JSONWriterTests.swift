import Testing

@testable import HRLines

@Suite struct JSONWriterTests {
  static let compactInputs: [String] = [
    "{\"name\":\"张三\",\"n\":1.50}",
    "{\"record_no\":\"50010300100100001\",\"address\":\"重庆市渝中区解放碑街道\",\"tags\":[\"高血压\",\"糖尿病\"]}",
    "{\"a\":[],\"b\":{},\"c\":[[],{}],\"d\":null,\"e\":true,\"f\":false}",
    "{\"path\":\"a/b\",\"q\":\"say \\\"hi\\\"\",\"back\":\"c:\\\\x\",\"nl\":\"1\\n2\\r\\t\\b\\f\"}",
    "{\"ctl\":\"\\u0001\\u001f\",\"del\":\"\u{7F}\",\"emoji\":\"😀\",\"big\":1e400,\"neg\":-0.0}",
    "[1,\"2\",[3,[4,[5]]]]",
  ]

  @Test(arguments: compactInputs)
  func compactInputRoundTripsByteForByte(input: String) throws {
    let value = try JSONParser.parse(input)
    #expect(value.compact == input)
    var buffer: [UInt8] = []
    value.write(compactTo: &buffer)
    #expect(buffer == Array(input.utf8))
  }

  static let strings: [(String, String)] = [
    ("plain", "\"plain\""),
    ("张三", "\"张三\""),
    ("a\"b", "\"a\\\"b\""),
    ("a\\b", "\"a\\\\b\""),
    ("a/b", "\"a/b\""),
    ("\n\r\t\u{8}\u{C}", "\"\\n\\r\\t\\b\\f\""),
    ("\u{0}\u{1}\u{1F}", "\"\\u0000\\u0001\\u001f\""),
    ("\u{7F}\u{80}\u{2028}", "\"\u{7F}\u{80}\u{2028}\""),
    ("😀", "\"😀\""),
    ("", "\"\""),
  ]

  @Test(arguments: strings)
  func stringsEscapeOnlyQuotesBackslashesAndControlCharacters(string: String, written: String) throws {
    let value = JSONValue.string(string)
    #expect(value.compact == written)
    if !string.contains("\u{0}") {
      #expect(try JSONParser.parse(written) == value)
    }
  }

  @Test func writeAppendsToTheBuffer() {
    var buffer = Array("prefix ".utf8)
    JSONValue.array([1, "x"]).write(compactTo: &buffer)
    #expect(String(decoding: buffer, as: UTF8.self) == "prefix [1,\"x\"]")
  }

  @Test func canonicalSortsKeysAtEveryDepth() throws {
    let value = try JSONParser.parse("{\"b\":{\"z\":1,\"a\":[{\"y\":2,\"x\":3}]},\"a\":0}")
    #expect(value.canonical == "{\"a\":0,\"b\":{\"a\":[{\"x\":3,\"y\":2}],\"z\":1}}")
    #expect(value.compact == "{\"b\":{\"z\":1,\"a\":[{\"y\":2,\"x\":3}]},\"a\":0}")
    #expect(value.objectValue?.canonical == value.canonical)
    #expect(value.objectValue?.compact == value.compact)
  }

  /// An object whose keys are in order already is written as it is; what it holds is still sorted.
  @Test func canonicalSortsInsideAnObjectWhoseKeysAreInOrder() throws {
    let value = try JSONParser.parse("{\"a\":{\"y\":1,\"x\":2},\"b\":[{\"d\":0,\"c\":1}],\"c\":{\"e\":0}}")
    #expect(value.canonical == "{\"a\":{\"x\":2,\"y\":1},\"b\":[{\"c\":1,\"d\":0}],\"c\":{\"e\":0}}")
    let ordered: JSONObject = ["a": 1, "b": 2, "é": 3]
    #expect(ordered.canonical == ordered.compact)
    let oneOutOfOrder: JSONObject = ["a": 1, "c": 2, "b": 3]
    #expect(oneOutOfOrder.canonical == "{\"a\":1,\"b\":3,\"c\":2}")
  }

  @Test func canonicalKeyOrderIsUTF8ByteOrder() {
    // UTF-16 order would put the emoji (D83D…) before U+FF71; UTF-8 byte order puts it last.
    let object: JSONObject = ["😀": 5, "ｱ": 4, "é": 3, "a": 2, "Z": 1, "": 0, "ab": 6]
    #expect(object.canonical == "{\"\":0,\"Z\":1,\"a\":2,\"ab\":6,\"é\":3,\"ｱ\":4,\"😀\":5}")
  }

  /// Objects out of order of every size up to well past the one where sorting changes method, their
  /// keys in several orders, are written in the order of their keys' UTF-8 bytes, each key once.
  @Test(arguments: [1, 2, 3, 15, 16, 17, 40])
  func canonicalSortsObjectsOfAnySize(count: Int) {
    let keys = (0..<count).map { n in ["k\(n)", "é\(n)", "长\(n)", "\(n)"][n % 4] }
    let expected =
      "{"
      + keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.map { "\"\($0)\":\(keys.firstIndex(of: $0)!)" }
      .joined(separator: ",") + "}"
    for order in [Array(keys.indices), Array(keys.indices.reversed()), keys.indices.shuffled()] {
      var object = JSONObject()
      for position in order { object[keys[position]] = .int(position) }
      #expect(object.canonical == expected, "keys in the order \(order)")
    }
  }

  /// The in-place comparison agrees with comparing the UTF-8 views byte by byte, for every pair:
  /// empty strings, prefixes, small and heap strings, and one text precomposed and decomposed,
  /// which `String`'s own order holds equal.
  @Test func bytewiseOrderIsTheOrderOfTheUTF8Bytes() {
    let texts = [
      "", "a", "ab", "abc", "b", "Z", "é", "e\u{301}", "ｱ", "😀", "李四", "李", "record_no", "record_no_x",
      String(repeating: "长", count: 20), String(repeating: "长", count: 20) + "a",
    ]
    #expect("é" == "e\u{301}")
    for a in texts {
      for b in texts {
        #expect(a.bytewisePrecedes(b) == a.utf8.lexicographicallyPrecedes(b.utf8), "\(a) before \(b)")
      }
    }
  }

  @Test func canonicalIsTheSameForEitherKeyOrder() throws {
    let first = try JSONParser.parse("{\"id\":1,\"name\":\"李四\",\"meta\":{\"k\":1,\"j\":[2,1]}}")
    let second = try JSONParser.parse("{\"meta\":{\"j\":[2,1],\"k\":1},\"name\":\"李四\",\"id\":1}")
    #expect(first != second)
    #expect(first.canonical == second.canonical)
    var buffer: [UInt8] = []
    first.write(canonicalTo: &buffer)
    #expect(String(decoding: buffer, as: UTF8.self) == "{\"id\":1,\"meta\":{\"j\":[2,1],\"k\":1},\"name\":\"李四\"}")
  }

  @Test func canonicalKeepsArrayOrderAndNumberText() throws {
    let value = try JSONParser.parse("[3,1,2,1.50,{\"b\":1,\"a\":2}]")
    #expect(value.canonical == "[3,1,2,1.50,{\"a\":2,\"b\":1}]")
  }
}
