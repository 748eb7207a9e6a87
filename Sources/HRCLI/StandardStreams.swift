import HRCore
import HRLines

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes all of `bytes` to a file descriptor, retrying short writes and interruptions.
func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
  var offset = 0
  while offset < bytes.count {
    let written = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
    if written < 0 {
      if errno == EINTR { continue }
      return false
    }
    offset += written
  }
  return true
}

/// Standard error, unbuffered: reject messages and the summary.
package enum StandardError {
  package static func write(_ text: String) {
    var text = text
    text.withUTF8 { _ = writeAll(2, UnsafeRawBufferPointer($0)) }
  }

  /// Whether standard error is a terminal, where a progress line helps a person.
  package static var isTerminal: Bool { isatty(2) == 1 }
}

/// Standard output (or the spool of an all-or-nothing run), buffered: the line loop flushes once
/// a batch has committed, so that every printed result is durable; a listing flushes every
/// `flushEvery` lines, so that a long one streams without a write per line.
package struct OutputBuffer {
  private var bytes: [UInt8] = []
  private let fd: Int32
  private let flushEvery: Int?
  private var pending = 0

  package init(fd: Int32 = 1, flushEvery: Int? = nil) {
    self.fd = fd
    self.flushEvery = flushEvery
  }

  /// The bytes buffered, a mark to `truncate(to:)`.
  package var count: Int { bytes.count }

  /// Drops what was appended after `mark`: the results of lines that were undone.
  package mutating func truncate(to mark: Int) {
    bytes.removeSubrange(mark..<bytes.count)
  }

  /// Appends an object as one compact JSON line.
  package mutating func append(_ object: JSONObject) throws {
    JSONValue.object(object).write(compactTo: &bytes)
    bytes.append(UInt8(ascii: "\n"))
    try countLine()
  }

  /// Appends a line of text (a table or CSV row).
  package mutating func append(line: String) throws {
    bytes.append(contentsOf: line.utf8)
    bytes.append(UInt8(ascii: "\n"))
    try countLine()
  }

  private mutating func countLine() throws {
    guard let flushEvery else { return }
    pending += 1
    if pending == flushEvery { try flush() }
  }

  /// Writes what is buffered; an I/O error ends the run (exit 74).
  package mutating func flush() throws {
    guard write() else { throw RunError(.io, "cannot write standard output: \(String(cString: strerror(errno)))") }
  }

  /// Writes what is buffered; false on an I/O error, with `errno` set, for a caller that says more
  /// about what the error leaves behind.
  package mutating func write() -> Bool {
    pending = 0
    defer { bytes.removeAll(keepingCapacity: true) }
    return bytes.withUnsafeBytes { writeAll(fd, $0) }
  }
}
