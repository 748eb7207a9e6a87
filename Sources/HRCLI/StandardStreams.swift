#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import HRCore

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

/// Standard output, buffered and flushed once a batch has committed, so that every printed
/// result is durable (§2).
package struct OutputBuffer {
  private var bytes: [UInt8] = []
  private let fd: Int32

  package init(fd: Int32 = 1) { self.fd = fd }

  package mutating func append(_ object: JSONObject) {
    JSONValue.object(object).write(compactTo: &bytes)
    bytes.append(UInt8(ascii: "\n"))
  }

  /// Writes what is buffered; false on an I/O error.
  package mutating func flush() -> Bool {
    defer { bytes.removeAll(keepingCapacity: true) }
    return bytes.withUnsafeBytes { writeAll(fd, $0) }
  }
}
