import Testing

@testable import HRLines

/// One text the parser must refuse, with the code and column it must report.
struct JSONRejectCase: Sendable, CustomTestStringConvertible {
  let name: String
  let bytes: [UInt8]
  let code: String
  let column: Int

  init(_ name: String, _ text: String, _ code: String, column: Int) {
    self.init(name, Array(text.utf8), code, column: column)
  }

  init(_ name: String, _ bytes: [UInt8], _ code: String, column: Int) {
    self.name = name
    self.bytes = bytes
    self.code = code
    self.column = column
  }

  var testDescription: String { name }
}

@Suite struct JSONParserTests {
  static let accepted: [(String, String)] = [
    ("{}", "{}"),
    ("[]", "[]"),
    (" { \"a\" : 1 , \"b\" : [ true , false , null ] } ", "{\"a\":1,\"b\":[true,false,null]}"),
    ("\t\r\n{\"a\":\"x\"}\r\n", "{\"a\":\"x\"}"),
    ("{\"name\":\"张三\",\"n\":1.50}", "{\"name\":\"张三\",\"n\":1.50}"),
    (
      "[0,-0,1.50,-12.5e+10,1E-7,1e400,123456789012345678901234567890]",
      "[0,-0,1.50,-12.5e+10,1E-7,1e400,123456789012345678901234567890]"
    ),
    ("\"plain\"", "\"plain\""),
    ("42", "42"),
    ("true", "true"),
    ("null", "null"),
    ("{\"s\":\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\"}", "{\"s\":\"a\\\"b\\\\c/d\\b\\f\\n\\r\\t\"}"),
    ("\"\\u00e9\\u4E2D\\u6587\"", "\"é中文\""),
    ("\"\\ud83d\\ude00\"", "\"😀\""),
    ("\"\\uDBFF\\uDFFF\"", "\"\u{10FFFF}\""),
    ("\"\\u001f\\u0001\"", "\"\\u001f\\u0001\""),
    ("\"\\u007f\"", "\"\u{7F}\""),
    ("\"a/b\"", "\"a/b\""),
    ("{\"a\":{\"b\":{\"a\":1}},\"b\":[{\"a\":1},{\"a\":2}]}", "{\"a\":{\"b\":{\"a\":1}},\"b\":[{\"a\":1},{\"a\":2}]}"),
    ("{\"a\":1,\"A\":2}", "{\"a\":1,\"A\":2}"),
    ("{\"\":0}", "{\"\":0}"),
    ("{\"z\":1,\"a\":2,\"m\":3}", "{\"z\":1,\"a\":2,\"m\":3}"),
    ("[\"\u{7F}\",\"ü\",\"€\",\"𝄞\"]", "[\"\u{7F}\",\"ü\",\"€\",\"𝄞\"]"),
  ]

  @Test(arguments: accepted)
  func acceptedTextWritesItsCompactForm(input: String, compact: String) throws {
    let value = try JSONParser.parse(input)
    #expect(value.compact == compact)
    #expect(try JSONParser.parse(Array(input.utf8)) == value)
  }

  static let rejected: [JSONRejectCase] = [
    JSONRejectCase("trailing comma in object", "{\"a\":1,}", "invalid_json", column: 7),
    JSONRejectCase("trailing comma in array", "[1,2,]", "invalid_json", column: 5),
    JSONRejectCase("trailing comma before whitespace", "{\"a\":[1, ] }", "invalid_json", column: 8),
    JSONRejectCase("duplicate key", "{\"a\":1,\"a\":2}", "duplicate_key", column: 8),
    JSONRejectCase("duplicate key nested", "{\"p\":{\"name\":\"x\",\"name\":\"y\"}}", "duplicate_key", column: 18),
    JSONRejectCase("duplicate key in array element", "[{\"k\":1},{\"k\":1,\"k\":1}]", "duplicate_key", column: 17),
    JSONRejectCase("duplicate key spelt with an escape", "{\"ab\":1,\"a\\u0062\":2}", "duplicate_key", column: 9),
    JSONRejectCase("duplicate key canonically equivalent", "{\"\u{E9}\":1,\"e\u{301}\":2}", "duplicate_key", column: 9),
    JSONRejectCase("lone continuation byte", [0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0x80, 0x22, 0x7D], "invalid_utf8", column: 7),
    JSONRejectCase("overlong two-byte slash", [0x22, 0xC0, 0xAF, 0x22], "invalid_utf8", column: 2),
    JSONRejectCase("overlong C1 lead", [0x22, 0xC1, 0xBF, 0x22], "invalid_utf8", column: 2),
    JSONRejectCase("overlong three-byte", [0x22, 0xE0, 0x80, 0xAF, 0x22], "invalid_utf8", column: 2),
    JSONRejectCase("overlong four-byte", [0x22, 0xF0, 0x8F, 0xBF, 0xBF, 0x22], "invalid_utf8", column: 2),
    JSONRejectCase("encoded high surrogate", [0x22, 0xED, 0xA0, 0x80, 0x22], "invalid_utf8", column: 2),
    JSONRejectCase("encoded low surrogate", [0x22, 0xED, 0xBF, 0xBF, 0x22], "invalid_utf8", column: 2),
    JSONRejectCase("code point above U+10FFFF", [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], "invalid_utf8", column: 2),
    JSONRejectCase("F5 lead byte", [0x22, 0xF5, 0x80, 0x80, 0x80, 0x22], "invalid_utf8", column: 2),
    JSONRejectCase("FF byte", [0x22, 0x61, 0xFF, 0x22], "invalid_utf8", column: 3),
    JSONRejectCase("truncated sequence inside string", [0x22, 0xE4, 0xB8, 0x22], "invalid_utf8", column: 2),
    JSONRejectCase("truncated sequence at end", [0x22, 0x61, 0x22, 0x20, 0xE4, 0xB8], "invalid_utf8", column: 5),
    JSONRejectCase("invalid UTF-8 after a syntax error", [0x7B, 0x2C, 0x22, 0x80, 0x22], "invalid_utf8", column: 4),
    JSONRejectCase("raw NUL in string", [0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0x78, 0x00, 0x22, 0x7D], "nul_byte", column: 8),
    JSONRejectCase("raw NUL after value", [0x7B, 0x7D, 0x00], "nul_byte", column: 3),
    JSONRejectCase("raw NUL in the first eight bytes", [0x00, 0x7B, 0x7D], "nul_byte", column: 1),
    JSONRejectCase("escaped NUL", "{\"a\":\"x\\u0000\"}", "nul_byte", column: 8),
    JSONRejectCase("lone high surrogate escape", "\"\\ud800\"", "invalid_json", column: 2),
    JSONRejectCase("high surrogate followed by a letter", "\"\\ud800\\u0041\"", "invalid_json", column: 2),
    JSONRejectCase("high surrogate followed by a high surrogate", "\"\\ud800\\ud800\"", "invalid_json", column: 2),
    JSONRejectCase("lone low surrogate escape", "\"a\\uDC00\"", "invalid_json", column: 3),
    JSONRejectCase("short unicode escape", "\"\\u12\"", "invalid_json", column: 2),
    JSONRejectCase("non-hex unicode escape", "\"\\u12G4\"", "invalid_json", column: 2),
    JSONRejectCase("invalid escape", "\"\\x\"", "invalid_json", column: 2),
    JSONRejectCase("escaped single quote", "\"\\'\"", "invalid_json", column: 2),
    JSONRejectCase("leading zero", "{\"n\":01}", "invalid_json", column: 6),
    JSONRejectCase("negative leading zero", "-012", "invalid_json", column: 1),
    JSONRejectCase("plus sign", "+1", "invalid_json", column: 1),
    JSONRejectCase("bare fraction", "[.5]", "invalid_json", column: 2),
    JSONRejectCase("trailing decimal point", "1.", "invalid_json", column: 3),
    JSONRejectCase("empty exponent", "1e", "invalid_json", column: 3),
    JSONRejectCase("signed empty exponent", "1e+", "invalid_json", column: 4),
    JSONRejectCase("lone minus", "-", "invalid_json", column: 2),
    JSONRejectCase("hexadecimal number", "0x10", "invalid_json", column: 2),
    JSONRejectCase("bare NaN", "{\"n\":NaN}", "invalid_json", column: 6),
    JSONRejectCase("bare Infinity", "[Infinity]", "invalid_json", column: 2),
    JSONRejectCase("negative Infinity", "-Infinity", "invalid_json", column: 2),
    JSONRejectCase("capitalised literal", "True", "invalid_json", column: 1),
    JSONRejectCase("truncated literal", "[nul]", "invalid_json", column: 2),
    JSONRejectCase("literal run on", "trueish", "invalid_json", column: 1),
    JSONRejectCase("raw tab in string", "{\"a\":\"x\ty\"}", "invalid_json", column: 8),
    JSONRejectCase("raw line feed in string", "\"a\nb\"", "invalid_json", column: 3),
    JSONRejectCase("raw unit separator in string", "\"\u{1F}\"", "invalid_json", column: 2),
    JSONRejectCase("unterminated string", "{\"a\":\"abc", "invalid_json", column: 6),
    JSONRejectCase("unterminated string ending in a backslash", "\"abc\\", "invalid_json", column: 1),
    JSONRejectCase("unterminated object", "{\"a\":1", "invalid_json", column: 7),
    JSONRejectCase("unterminated array", "[1,2", "invalid_json", column: 5),
    JSONRejectCase("missing colon", "{\"a\" 1}", "invalid_json", column: 6),
    JSONRejectCase("missing comma", "[1 2]", "invalid_json", column: 4),
    JSONRejectCase("missing value", "{\"a\":}", "invalid_json", column: 6),
    JSONRejectCase("leading comma", "[,1]", "invalid_json", column: 2),
    JSONRejectCase("unquoted key", "{a:1}", "invalid_json", column: 2),
    JSONRejectCase("single-quoted key", "{'a':1}", "invalid_json", column: 2),
    JSONRejectCase("line comment", "{\"a\":1 // note\n}", "invalid_json", column: 8),
    JSONRejectCase("block comment", "/* c */ {}", "invalid_json", column: 1),
    JSONRejectCase("empty line content", "", "invalid_json", column: 1),
    JSONRejectCase("whitespace only", " \t ", "invalid_json", column: 4),
    JSONRejectCase("garbage after value", "{\"a\":1}x", "invalid_json", column: 8),
    JSONRejectCase("second value after value", "{\"a\":1} {\"b\":2}", "invalid_json", column: 9),
    JSONRejectCase("comma after value", "{\"a\":1},", "invalid_json", column: 8),
    JSONRejectCase("number followed by a dot", "1.5.3", "invalid_json", column: 4),
    JSONRejectCase("form feed as whitespace", "\u{0C}{}", "invalid_json", column: 1),
    JSONRejectCase("vertical tab as whitespace", "{}\u{0B}", "invalid_json", column: 3),
    JSONRejectCase("no-break space as whitespace", "{\u{A0}}", "invalid_json", column: 2),
    JSONRejectCase("ideographic space as whitespace", "\u{3000}{}", "invalid_json", column: 1),
    JSONRejectCase("Chinese text outside a string", "{\"a\":张}", "invalid_json", column: 6),
    JSONRejectCase(
      "65 nested arrays", String(repeating: "[", count: 65) + String(repeating: "]", count: 65), "too_deep", column: 65),
    JSONRejectCase(
      "65 nested objects", String(repeating: "{\"a\":", count: 65) + "1" + String(repeating: "}", count: 65), "too_deep",
      column: 321),
    JSONRejectCase("100,000 open brackets", String(repeating: "[", count: 100_000), "too_deep", column: 65),
    JSONRejectCase("100,000 open objects", String(repeating: "{\"a\":", count: 100_000), "too_deep", column: 321),
  ]

  @Test(arguments: rejected)
  func rejectedTextReportsItsCodeAndColumn(_ reject: JSONRejectCase) {
    #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(reject.bytes) }
    do {
      let value = try JSONParser.parse(reject.bytes)
      Issue.record("accepted as \(value.compact)")
    } catch {
      #expect(error.code == reject.code)
      #expect(error.column == reject.column)
      #expect(error.message.hasSuffix("at column \(reject.column)") || error.message.hasSuffix("at byte \(reject.column)"))
      #expect(error.description == error.message)
    }
  }

  static let messages: [(String, String)] = [
    ("{\"p\":{\"name\":\"x\",\"name\":\"y\"}}", "duplicate key 'name' at column 18"),
    ("{\"a\":1,}", "trailing comma at column 7"),
    ("{\"a\":\"x\\u0000\"}", "escaped NUL character '\\u0000' at column 8"),
    ("\"\\ud800\"", "lone surrogate '\\ud800' at column 2"),
    ("\"\\u12G4\"", "invalid unicode escape '\\u12G4' at column 2"),
    ("\"\\x\"", "invalid escape '\\x' at column 2"),
    ("{\"n\":01}", "leading zero in number '01' at column 6"),
    ("1.", "expected a digit after the decimal point at column 3"),
    ("{\"n\":NaN}", "invalid literal 'NaN' at column 6"),
    ("{\"a\":\"x\ty\"}", "unescaped control character U+0009 in string at column 8"),
    ("{\"a\":\"abc", "unterminated string starting at column 6"),
    ("{\"a\" 1}", "expected ':' after the key, found '1' at column 6"),
    ("[1,2", "expected ',' or ']', found end of input at column 5"),
    ("{'a':1}", "single-quoted strings are not allowed at column 2"),
    ("{\"a\":1 // note\n}", "comments are not allowed at column 8"),
    ("", "expected a JSON value, found end of input at column 1"),
    ("{\"a\":1}x", "unexpected 'x' after the JSON value at column 8"),
    ("{\"a\":张}", "expected a JSON value, found '张' at column 6"),
    ("\u{0C}{}", "expected a JSON value, found control character U+000C at column 1"),
    (String(repeating: "[", count: 100_000), "nesting deeper than 64 levels at column 65"),
  ]

  @Test(arguments: messages)
  func rejectionMessageNamesTheProblemAndColumn(input: String, message: String) {
    #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(input) }
    do {
      _ = try JSONParser.parse(input)
    } catch {
      #expect(error.message == message)
    }
  }

  @Test func invalidUTF8MessageNamesTheByte() {
    let bytes: [UInt8] = [0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xC3, 0x28, 0x22, 0x7D]
    #expect(throws: JSONSyntaxError(code: "invalid_utf8", message: "invalid UTF-8 at byte 7", column: 7)) {
      try JSONParser.parse(bytes)
    }
  }

  @Test func rawNULMessageNamesTheColumn() {
    #expect(throws: JSONSyntaxError(code: "nul_byte", message: "NUL byte at column 3", column: 3)) {
      try JSONParser.parse([0x5B, 0x31, 0x00, 0x5D])
    }
  }

  @Test func sixtyFourNestedContainersAreAccepted() throws {
    let text = String(repeating: "[", count: 64) + "7" + String(repeating: "]", count: 64)
    var value = try JSONParser.parse(text)
    var depth = 0
    while case .array(let elements) = value {
      depth += 1
      value = elements[0]
    }
    #expect(depth == 64)
    #expect(value == 7)
  }

  @Test func parseObjectReturnsTheObjectInOrder() throws {
    let object = try JSONParser.parseObject(Array("{\"name\":\"张三\",\"sex\":\"1\",\"n\":2}".utf8))
    #expect(object.keys == ["name", "sex", "n"])
    #expect(object["name"] == "张三")
    #expect(object["n"]?.intValue == 2)
  }

  static let notObjects: [(String, String, Int)] = [
    ("[1,2]", "expected a JSON object, found an array", 1),
    ("  \"x\"", "expected a JSON object, found a string", 3),
    ("3", "expected a JSON object, found a number", 1),
    ("\ttrue", "expected a JSON object, found a boolean", 2),
    ("null", "expected a JSON object, found null", 1),
  ]

  @Test(arguments: notObjects)
  func parseObjectRefusesAnotherTopLevelValue(input: String, message: String, column: Int) {
    #expect(throws: JSONSyntaxError(code: "not_an_object", message: message, column: column)) {
      try JSONParser.parseObject(Array(input.utf8))
    }
  }

  @Test func parseObjectReportsSyntaxBeforeType() {
    #expect(throws: JSONSyntaxError(code: "invalid_json", message: "trailing comma at column 3", column: 3)) {
      try JSONParser.parseObject(Array("[1,]".utf8))
    }
  }

  @Test func rawBufferAndStringInputsParseAlike() throws {
    let text = "{\"a\":[1,\"b\",{\"c\":null}]}"
    let bytes = Array(text.utf8)
    let fromRaw = try bytes.withUnsafeBytes { raw in
      Result { () throws(JSONSyntaxError) -> JSONValue in try JSONParser.parse(raw) }
    }.get()
    #expect(fromRaw == (try JSONParser.parse(text)))
    #expect(fromRaw.compact == text)
  }

  @Test func emptyRawBufferIsRejected() {
    #expect(throws: JSONSyntaxError.self) {
      try JSONParser.parse(UnsafeRawBufferPointer(start: nil, count: 0))
    }
  }

  @Test func stringsWithEscapesAndPlainRunsDecodeExactly() throws {
    let value = try JSONParser.parse("\"前\\n中\\\"后\\u0041\\ud83d\\ude00end\"")
    #expect(value == .string("前\n中\"后A😀end"))
  }

  @Test func largeInputsParseInLinearTime() throws {
    let count = 100_000
    let array = "[" + (0..<count).map(String.init).joined(separator: ",") + "]"
    #expect(try JSONParser.parse(array).arrayValue?.count == count)

    let keys = 10_000
    let object = "{" + (0..<keys).map { "\"k\($0)\":\($0)" }.joined(separator: ",") + "}"
    let parsed = try JSONParser.parse(object).objectValue
    #expect(parsed?.count == keys)
    #expect(parsed?["k9999"] == .int(9999))

    let duplicated = "{" + (0..<keys).map { "\"k\($0)\":\($0)" }.joined(separator: ",") + ",\"k5000\":0}"
    #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(duplicated) }

    let long = "\"" + String(repeating: "长", count: 300_000) + "\\n\""
    #expect(try JSONParser.parse(long).stringValue?.count == 300_001)
  }
}
