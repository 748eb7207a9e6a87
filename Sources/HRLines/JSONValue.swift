/// A JSON value whose objects keep their keys in insertion order.
///
/// Equality is structural and order-sensitive for objects, so two values are equal exactly when
/// their compact serializations are; numbers compare by their text (`1.50` is not `1.5`).
package enum JSONValue: Sendable, Equatable, Hashable {
  case null
  case bool(Bool)
  case number(JSONNumber)
  case string(String)
  case array([JSONValue])
  case object(JSONObject)
}

extension JSONValue {
  /// Makes a number value from an integer.
  package static func int(_ i: Int) -> JSONValue {
    .number(JSONNumber(i))
  }

  /// Makes a number value from a finite double, written as its shortest round-trip text.
  ///
  /// An integral double is written without a fraction (`1`, not `1.0`).
  package static func double(_ d: Double) -> JSONValue {
    .number(JSONNumber(d))
  }

  /// The string, if this value is a string.
  package var stringValue: String? {
    if case .string(let s) = self { return s }
    return nil
  }

  /// The boolean, if this value is `true` or `false`.
  package var boolValue: Bool? {
    if case .bool(let b) = self { return b }
    return nil
  }

  /// The integer, if this value is a number written as a plain integer that fits in `Int`.
  ///
  /// `3.0` and `3e0` are not integers here: a field that wants an integer wants it written as one.
  package var intValue: Int? {
    if case .number(let n) = self { return n.intValue }
    return nil
  }

  /// The double nearest to this number, or nil when it is not a number or overflows to infinity.
  package var doubleValue: Double? {
    if case .number(let n) = self { return n.doubleValue }
    return nil
  }

  /// The object, if this value is an object.
  package var objectValue: JSONObject? {
    if case .object(let o) = self { return o }
    return nil
  }

  /// The elements, if this value is an array.
  package var arrayValue: [JSONValue]? {
    if case .array(let a) = self { return a }
    return nil
  }

  /// Tells whether this value is `null`.
  package var isNull: Bool {
    if case .null = self { return true }
    return false
  }

  /// The name of this value's JSON type, for error messages: `null`, `boolean`, `number`, `string`, `array` or `object`.
  package var typeName: String {
    switch self {
    case .null: "null"
    case .bool: "boolean"
    case .number: "number"
    case .string: "string"
    case .array: "array"
    case .object: "object"
    }
  }

  /// The type name with its article, as in "found an array".
  var typeNameWithArticle: String {
    switch self {
    case .null: "null"
    case .bool: "a boolean"
    case .number: "a number"
    case .string: "a string"
    case .array: "an array"
    case .object: "an object"
    }
  }
}

extension JSONValue: ExpressibleByStringLiteral {
  /// Makes a string value from a string literal.
  package init(stringLiteral value: String) {
    self = .string(value)
  }
}

extension JSONValue: ExpressibleByIntegerLiteral {
  /// Makes a number value from an integer literal.
  package init(integerLiteral value: Int) {
    self = .number(JSONNumber(value))
  }
}

extension JSONValue: ExpressibleByBooleanLiteral {
  /// Makes a boolean value from a boolean literal.
  package init(booleanLiteral value: Bool) {
    self = .bool(value)
  }
}

extension JSONValue: ExpressibleByNilLiteral {
  /// Makes `null` from the `nil` literal.
  package init(nilLiteral: ()) {
    self = .null
  }
}

extension JSONValue: ExpressibleByArrayLiteral {
  /// Makes an array value from an array literal.
  package init(arrayLiteral elements: JSONValue...) {
    self = .array(elements)
  }
}

extension JSONValue: ExpressibleByDictionaryLiteral {
  /// Makes an object value from a dictionary literal, keeping the literal's key order.
  package init(dictionaryLiteral elements: (String, JSONValue)...) {
    self = .object(JSONObject(literal: elements))
  }
}
