extension JSONValue {
  /// The compact serialization, like `jq -c`: keys in stored order, no whitespace, text as UTF-8.
  ///
  /// Only `"`, `\` and control characters below U+0020 are escaped (`\n`, `\r`, `\t`, `\b`, `\f`,
  /// otherwise `\u00XX`), so Chinese text stays readable and `/` stays as it is; numbers keep their text.
  package var compact: String { text(sortingKeys: false) }

  /// Appends the compact serialization's UTF-8 bytes to a buffer.
  package func write(compactTo buffer: inout [UInt8]) {
    JSONWriter.write(self, to: &buffer, sortingKeys: false)
  }

  /// The canonical serialization used for hashing: compact, object keys sorted by their UTF-8 bytes at every depth.
  ///
  /// Sorting by bytes rather than by `String` comparison keeps the order independent of Unicode
  /// normalization and identical to what any other language's byte sort would produce.
  package var canonical: String { text(sortingKeys: true) }

  /// Appends the canonical serialization's UTF-8 bytes to a buffer.
  package func write(canonicalTo buffer: inout [UInt8]) {
    JSONWriter.write(self, to: &buffer, sortingKeys: true)
  }

  /// The serialization as a string, keys sorted or in stored order.
  private func text(sortingKeys: Bool) -> String {
    // Room for an audit detail or a summary at once, rather than growing through five sizes.
    var buffer: [UInt8] = []
    buffer.reserveCapacity(256)
    JSONWriter.write(self, to: &buffer, sortingKeys: sortingKeys)
    return String(decoding: buffer, as: UTF8.self)
  }
}

extension JSONObject {
  /// The compact serialization, like `jq -c`, keys in stored order.
  package var compact: String {
    JSONValue.object(self).compact
  }

  /// The canonical serialization used for hashing: compact, keys sorted by their UTF-8 bytes at every depth.
  package var canonical: String {
    JSONValue.object(self).canonical
  }
}

/// The serializer behind `compact` and `canonical`; its string escaping is shared with writers
/// that stream from the store without building values.
package enum JSONWriter {
  /// Appends a value's serialization, sorting object keys by UTF-8 bytes when asked.
  static func write(_ value: JSONValue, to buffer: inout [UInt8], sortingKeys: Bool) {
    switch value {
    case .null:
      buffer.append(contentsOf: "null".utf8)
    case .bool(let b):
      buffer.append(contentsOf: b ? "true".utf8 : "false".utf8)
    case .number(let n):
      buffer.append(contentsOf: n.text.utf8)
    case .string(let s):
      writeString(s, to: &buffer)
    case .array(let elements):
      buffer.append(UInt8(ascii: "["))
      for (position, element) in elements.enumerated() {
        if position > 0 { buffer.append(UInt8(ascii: ",")) }
        write(element, to: &buffer, sortingKeys: sortingKeys)
      }
      buffer.append(UInt8(ascii: "]"))
    case .object(let object):
      let entries = object.entries
      // Most objects hashed are built with their keys in order already: they are written as they are.
      if !sortingKeys || entries.isSortedByKey {
        write(entries, in: entries.indices, to: &buffer, sortingKeys: sortingKeys)
      } else if entries.count <= smallObject {
        // The positions sorted by key, by insertion, on the stack: neither the entries nor their
        // keys are copied.
        withUnsafeTemporaryAllocation(of: Int.self, capacity: entries.count) { order in
          for position in entries.indices {
            var slot = position
            while slot > 0, entries[position].key.bytewisePrecedes(entries[order[slot - 1]].key) {
              order[slot] = order[slot - 1]
              slot -= 1
            }
            order[slot] = position
          }
          write(entries, in: order, to: &buffer, sortingKeys: true)
        }
      } else {
        let order = entries.indices.sorted { entries[$0].key.bytewisePrecedes(entries[$1].key) }
        write(entries, in: order, to: &buffer, sortingKeys: true)
      }
    }
  }

  /// The most keys an object out of order may have to be sorted by insertion, whose steps grow
  /// with the square of the keys; a larger one (a line's nested object) is sorted in n log n.
  private static let smallObject = 16

  /// Appends an object's entries in the order of `order`, their positions, between braces.
  private static func write(
    _ entries: [JSONObject.Entry], in order: some Sequence<Int>, to buffer: inout [UInt8], sortingKeys: Bool
  ) {
    buffer.append(UInt8(ascii: "{"))
    var first = true
    for position in order {
      if !first { buffer.append(UInt8(ascii: ",")) }
      first = false
      writeString(entries[position].key, to: &buffer)
      buffer.append(UInt8(ascii: ":"))
      write(entries[position].value, to: &buffer, sortingKeys: sortingKeys)
    }
    buffer.append(UInt8(ascii: "}"))
  }

  /// Appends a quoted, escaped string, copying runs that need no escaping in one go.
  package static func writeString(_ string: String, to buffer: inout [UInt8]) {
    var string = string
    string.withUTF8 { writeString(utf8: $0, to: &buffer) }
  }

  /// Appends UTF-8 text as a quoted, escaped string: the same bytes `writeString(_:to:)` writes,
  /// for text read straight from the store without making a `String` of it.
  package static func writeString(utf8: UnsafeBufferPointer<UInt8>, to buffer: inout [UInt8]) {
    buffer.append(UInt8(ascii: "\""))
    var runStart = 0
    for k in 0..<utf8.count {
      let b = utf8[k]
      if b >= 0x20 && b != UInt8(ascii: "\"") && b != UInt8(ascii: "\\") { continue }
      buffer.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<k]))
      runStart = k + 1
      buffer.append(UInt8(ascii: "\\"))
      switch b {
      case UInt8(ascii: "\""): buffer.append(UInt8(ascii: "\""))
      case UInt8(ascii: "\\"): buffer.append(UInt8(ascii: "\\"))
      case 0x0A: buffer.append(UInt8(ascii: "n"))
      case 0x0D: buffer.append(UInt8(ascii: "r"))
      case 0x09: buffer.append(UInt8(ascii: "t"))
      case 0x08: buffer.append(UInt8(ascii: "b"))
      case 0x0C: buffer.append(UInt8(ascii: "f"))
      default:
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        buffer.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(b >> 4)], hex[Int(b & 0xF)]])
      }
    }
    buffer.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
    buffer.append(UInt8(ascii: "\""))
  }
}

extension [JSONObject.Entry] {
  /// Whether the keys are in the order of their UTF-8 bytes, as canonical JSON writes them.
  fileprivate var isSortedByKey: Bool {
    indices.dropFirst().allSatisfy { self[$0 - 1].key.bytewisePrecedes(self[$0].key) }
  }
}

extension String {
  /// Whether this string comes before `other` in the order of their UTF-8 bytes: the order of
  /// their code points, without Unicode normalization, and SQLite's `BINARY` order. Canonical
  /// JSON sorts its keys so. Compared in place, without iterating the strings' views.
  package func bytewisePrecedes(_ other: String) -> Bool {
    var (a, b) = (self, other)
    return a.withUTF8 { x in
      b.withUTF8 { y in
        for position in 0..<Swift.min(x.count, y.count) where x[position] != y[position] {
          return x[position] < y[position]
        }
        return x.count < y.count
      }
    }
  }
}
