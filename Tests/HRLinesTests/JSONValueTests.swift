import HRTestSupport
import Testing

@testable import HRLines

@Suite struct JSONValueTests {
  @Test func literalsBuildTheMatchingCases() {
    let value: JSONValue = ["name": "张三", "age": 42, "ok": true, "none": nil, "tags": ["a", 1]]
    guard case .object(let object) = value else {
      Issue.record("not an object: \(value)")
      return
    }
    #expect(object.keys == ["name", "age", "ok", "none", "tags"])
    #expect(object["name"] == .string("张三"))
    #expect(object["age"] == .number(JSONNumber(42)))
    #expect(object["ok"] == .bool(true))
    #expect(object["none"] == .null)
    #expect(object["tags"] == .array([.string("a"), .number(JSONNumber(1))]))
    #expect(value.compact == "{\"name\":\"张三\",\"age\":42,\"ok\":true,\"none\":null,\"tags\":[\"a\",1]}")
  }

  static let typeNames: [(JSONValue, String)] = [
    (nil, "null"), (false, "boolean"), (1, "number"), ("s", "string"), ([], "array"), ([:], "object"),
  ]

  @Test(arguments: typeNames)
  func typeNameNamesTheJSONType(value: JSONValue, name: String) {
    #expect(value.typeName == name)
  }

  @Test func accessorsAnswerOnlyForTheirOwnCase() {
    let string: JSONValue = "x"
    #expect(string.stringValue == "x")
    #expect(string.boolValue == nil)
    #expect(string.intValue == nil)
    #expect(string.doubleValue == nil)
    #expect(string.objectValue == nil)
    #expect(string.arrayValue == nil)
    #expect(!string.isNull)
    let flag: JSONValue = false
    #expect(flag.boolValue == false)
    #expect(flag.stringValue == nil)
    let null: JSONValue = nil
    #expect(null.isNull)
    #expect(null.stringValue == nil)
    let array: JSONValue = [1, 2]
    #expect(array.arrayValue == [1, 2])
    let object: JSONValue = ["a": 1]
    #expect(object.objectValue?["a"] == 1)
  }

  static let integers: [(String, Int?)] = [
    ("3", 3), ("-3", -3), ("0", 0), ("-0", 0), ("3.0", nil), ("3e0", nil), ("30E-1", nil),
    ("9223372036854775807", Int.max), ("-9223372036854775808", Int.min),
    ("9223372036854775808", nil), ("123456789012345678901234567890", nil),
  ]

  @Test(arguments: integers)
  func intValueAcceptsOnlyPlainIntegerText(text: String, expected: Int?) throws {
    let value = try JSONParser.parse(text)
    #expect(value.intValue == expected)
  }

  static let doubles: [(String, Double?)] = [
    ("1.50", 1.5), ("-0.25", -0.25), ("1e3", 1000), ("3", 3), ("1e400", nil), ("-1e400", nil), ("1e-400", 0),
  ]

  @Test(arguments: doubles)
  func doubleValueIsNilOnlyWhenTheNumberOverflows(text: String, expected: Double?) throws {
    let value = try JSONParser.parse(text)
    #expect(value.doubleValue == expected)
  }

  static let doubleTexts: [(Double, String)] = [
    (0.62, "0.62"), (1.0, "1"), (-1.0, "-1"), (0, "0"), (-0.0, "-0"), (1.5, "1.5"),
    (0.1 + 0.2, "0.30000000000000004"), (123456789.125, "123456789.125"),
    (9_007_199_254_740_991, "9007199254740991"), (9_007_199_254_740_992, "9007199254740992"), (1e16, "1e+16"),
    (1e20, "1e+20"), (1e-7, "1e-7"), (-2.5e-300, "-2.5e-300"), (1.7976931348623157e308, "1.7976931348623157e+308"),
    (Double.leastNonzeroMagnitude, "5e-324"), (0.0001, "0.0001"),
  ]

  @Test(arguments: doubleTexts)
  func doubleIsWrittenAsShortestRoundTripText(value: Double, text: String) throws {
    let json = JSONValue.double(value)
    #expect(json.compact == text)
    #expect(JSONNumber(text: text) != nil)
    #expect(Double(text) == value)
    #expect(try JSONParser.parse(text) == json)
  }

  @Test func doublesRoundTripThroughTheirText() throws {
    let seed = TestSeed()
    var generator = seed.generator
    for _ in 0..<2_000 {
      let value = Double(bitPattern: generator.next())
      guard value.isFinite else { continue }
      let text = JSONNumber(value).text
      #expect(JSONNumber(text: text)?.text == text, "\(seed)")
      #expect(Double(text) == value, "'\(text)' does not read back as \(value); \(seed)")
    }
  }

  @Test func intIsWrittenInDecimal() {
    #expect(JSONValue.int(0).compact == "0")
    #expect(JSONValue.int(-42).compact == "-42")
    #expect(JSONValue.int(Int.max).compact == "9223372036854775807")
    #expect(JSONValue.int(7).intValue == 7)
  }

  static let numberTexts: [(String, Bool)] = [
    ("0", true), ("-0", true), ("1.50", true), ("1E+2", true), ("1e-07", true), ("12345678901234567890", true),
    ("", false), ("01", false), ("+1", false), (".5", false), ("1.", false), ("1e", false), ("-", false),
    ("NaN", false), ("Infinity", false), (" 1", false), ("1 ", false), ("1,0", false), ("0x1", false),
  ]

  @Test(arguments: numberTexts)
  func numberTextIsValidatedAgainstTheGrammar(text: String, valid: Bool) {
    #expect((JSONNumber(text: text) != nil) == valid)
    #expect(JSONNumber(text: text)?.text == (valid ? text : nil))
  }

  @Test func numbersCompareByTheirText() throws {
    #expect(try JSONParser.parse("1.50") != JSONParser.parse("1.5"))
    #expect(try JSONParser.parse("1.50") == .number(JSONNumber(text: "1.50")!))
    #expect(JSONValue.int(1) == JSONValue.double(1.0))
  }

  @Test func equalValuesHashAlike() throws {
    let a = try JSONParser.parse("{\"a\":[1,{\"b\":null}],\"c\":\"张\"}")
    let b: JSONValue = ["a": [1, ["b": nil]], "c": "张"]
    #expect(a == b)
    #expect(Set([a, b]).count == 1)
    let reordered: JSONValue = ["c": "张", "a": [1, ["b": nil]]]
    #expect(a != reordered)
  }
}

@Suite struct JSONObjectTests {
  @Test func keysKeepInsertionOrder() {
    var object = JSONObject()
    object["z"] = 1
    object["a"] = 2
    object.append("m", 3)
    #expect(object.keys == ["z", "a", "m"])
    #expect(object.count == 3)
    #expect(object.compact == "{\"z\":1,\"a\":2,\"m\":3}")
  }

  @Test func settingAnExistingKeyReplacesInPlace() {
    var object: JSONObject = ["a": 1, "b": 2, "c": 3]
    object["b"] = "two"
    object.append("a", "one")
    #expect(object.keys == ["a", "b", "c"])
    #expect(object.compact == "{\"a\":\"one\",\"b\":\"two\",\"c\":3}")
  }

  @Test func settingNilRemovesTheKey() {
    var object: JSONObject = ["a": 1, "b": 2, "c": 3]
    object["b"] = nil
    #expect(object.keys == ["a", "c"])
    #expect(object["b"] == nil)
    object["missing"] = nil
    #expect(object.count == 2)
    object["n"] = .null
    #expect(object["n"] == .null)
    #expect(object.keys == ["a", "c", "n"])
  }

  @Test func iterationYieldsKeysAndValuesInOrder() {
    let object: JSONObject = ["x": 1, "y": "2", "z": [3]]
    let pairs = object.map { "\($0.key)=\($0.value.compact)" }
    #expect(pairs == ["x=1", "y=\"2\"", "z=[3]"])
    #expect(Array(object).count == 3)
  }

  @Test(arguments: [5, 12, 13, 40, 100, 1_000])
  func largeObjectsLookUpRemoveAndReplaceConsistently(count: Int) {
    var object = JSONObject()
    for k in 0..<count { object["k\(k)"] = .int(k) }
    #expect(object.count == count)
    #expect((0..<count).allSatisfy { object["k\($0)"] == .int($0) })
    #expect(object["k\(count)"] == nil)

    object["k0"] = nil
    object["k\(count / 2)"] = "middle"
    #expect(object.count == count - 1)
    #expect(object.keys.first == (count > 1 ? "k1" : nil))
    #expect(object["k\(count / 2)"] == "middle")
    #expect((1..<count).allSatisfy { $0 == count / 2 || object["k\($0)"] == .int($0) })

    object["k0"] = 0
    #expect(object.keys.last == "k0")
    #expect(object["k0"] == 0)
    var expected = (1..<count).map { "k\($0)" }
    expected.append("k0")
    #expect(object.keys == expected)
  }

  @Test func equalityIgnoresTheLookupIndexButNotOrder() {
    var grown = JSONObject()
    for k in 0..<20 { grown["k\(k)"] = .int(k) }
    for k in 0..<10 { grown["k\(k + 10)"] = nil }
    var small = JSONObject()
    for k in 0..<10 { small["k\(k)"] = .int(k) }
    #expect(grown == small)
    #expect(grown.hashValue == small.hashValue)
    var swapped = JSONObject()
    swapped["k1"] = 1
    swapped["k0"] = 0
    #expect(swapped != ["k0": 0, "k1": 1])
  }

  @Test func canonicallyEquivalentKeysAreOneKey() {
    var object = JSONObject()
    object["\u{E9}"] = 1
    object["e\u{301}"] = 2
    #expect(object.count == 1)
    #expect(object["\u{E9}"] == 2)
  }
}
