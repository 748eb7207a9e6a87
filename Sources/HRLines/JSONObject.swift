/// A JSON object that keeps its keys in insertion order; keys are unique.
///
/// Keys compare as Swift strings, so two keys that are canonically equivalent Unicode (a precomposed
/// `é` and `e` + combining acute) are the same key. An object of up to `indexThreshold` keys is
/// searched linearly: a short key compares in a few instructions where hashing it takes a hundred or
/// more. Past it a dictionary from key to position keeps lookups constant-time, so that a line of
/// thousands of keys is not checked for duplicates in quadratic time. Two objects are equal when they
/// hold the same entries in the same order.
package struct JSONObject: Sendable {
  /// One key and its value.
  struct Entry: Sendable, Hashable {
    /// The key.
    var key: String
    /// The value.
    var value: JSONValue
  }

  /// The entries in insertion order.
  private(set) var entries: [Entry]

  /// The position of each key, kept only once the object has more than `indexThreshold` keys.
  private var index: [String: Int]?

  /// The number of keys above which lookups go through a dictionary instead of a linear scan:
  /// above a transfer's 13, which `hr-transfer` writes for each line and `confirm` reads back
  /// (building their dictionaries at 12 cost `confirm` 3% of its instructions), and low enough that
  /// a line with many keys is still looked up by hashing.
  static let indexThreshold = 16

  /// Makes an empty object.
  package init() {
    entries = []
    index = nil
  }

  /// Makes room for `count` keys.
  mutating func reserveCapacity(_ count: Int) {
    entries.reserveCapacity(count)
  }

  /// The keys in order.
  package var keys: [String] {
    entries.map(\.key)
  }

  /// The number of keys.
  package var count: Int {
    entries.count
  }

  /// Tells whether the object has no keys.
  package var isEmpty: Bool {
    entries.isEmpty
  }

  /// The value for a key; setting nil removes the key, setting an existing key replaces its value in place,
  /// and setting a new key appends it.
  package subscript(key: String) -> JSONValue? {
    get {
      guard let position = position(of: key) else { return nil }
      return entries[position].value
    }
    set {
      if let newValue {
        append(key, newValue)
      } else {
        remove(key)
      }
    }
  }

  /// Appends a key with its value, or replaces the value in place when the key is already present.
  package mutating func append(_ key: String, _ value: JSONValue) {
    if let position = position(of: key) {
      entries[position].value = value
    } else {
      appendNew(key, value)
    }
  }

  /// Removes a key, returning its value if it was present.
  @discardableResult
  package mutating func remove(_ key: String) -> JSONValue? {
    guard let position = position(of: key) else { return nil }
    let removed = entries.remove(at: position).value
    rebuildIndex()
    return removed
  }

  /// Appends a key unless it is already present, telling whether it was appended.
  mutating func appendIfAbsent(_ key: String, _ value: JSONValue) -> Bool {
    if position(of: key) != nil { return false }
    appendNew(key, value)
    return true
  }

  /// The position of a key in `entries`.
  @inline(__always)
  private func position(of key: String) -> Int? {
    if let index { return index[key] }
    return entries.firstIndex { $0.key == key }
  }

  /// Appends a key known to be absent, keeping the index in step.
  private mutating func appendNew(_ key: String, _ value: JSONValue) {
    entries.append(Entry(key: key, value: value))
    if index != nil {
      index![key] = entries.count - 1
    } else if entries.count > Self.indexThreshold {
      rebuildIndex()
    }
  }

  /// Rebuilds the index from `entries`, or drops it when the object is small again.
  private mutating func rebuildIndex() {
    guard entries.count > Self.indexThreshold else {
      index = nil
      return
    }
    var rebuilt = [String: Int](minimumCapacity: entries.count)
    for (position, entry) in entries.enumerated() {
      rebuilt[entry.key] = position
    }
    index = rebuilt
  }
}

extension JSONObject: Equatable, Hashable {
  /// Tells whether two objects hold the same keys with the same values in the same order.
  package static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
    lhs.entries == rhs.entries
  }

  /// Hashes the entries in order, leaving out the lookup index.
  package func hash(into hasher: inout Hasher) {
    hasher.combine(entries)
  }
}

extension JSONObject: ExpressibleByDictionaryLiteral {
  /// Makes an object from a dictionary literal, keeping the literal's key order.
  package init(dictionaryLiteral elements: (String, JSONValue)...) {
    self.init(literal: elements)
  }

  /// Makes an object from the entries of a literal, in order. A literal's keys are written in the
  /// code: a duplicate is a slip the debug builds (the tests) stop at, and every built object
  /// need not search its keys for one.
  init(literal elements: [(String, JSONValue)]) {
    self.init()
    entries.reserveCapacity(elements.count)
    for (key, value) in elements {
      assert(position(of: key) == nil, "duplicate key '\(key)' in a JSON object literal")
      appendNew(key, value)
    }
  }
}

extension JSONObject: Sequence {
  /// An iterator over an object's keys and values in order.
  package struct Iterator: IteratorProtocol {
    /// The underlying iterator over the entries.
    var base: IndexingIterator<[Entry]>

    /// Returns the next key and value, or nil after the last.
    package mutating func next() -> (key: String, value: JSONValue)? {
      guard let entry = base.next() else { return nil }
      return (entry.key, entry.value)
    }
  }

  /// Returns an iterator over the keys and values in order.
  package func makeIterator() -> Iterator {
    Iterator(base: entries.makeIterator())
  }

  /// The number of keys, so that `Array(object)` allocates once.
  package var underestimatedCount: Int {
    entries.count
  }
}
