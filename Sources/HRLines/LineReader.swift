#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One line of a JSON Lines input.
package struct InputLine: Sendable {
  /// The 1-based physical line number in its file; blank lines count but are not yielded.
  package let number: Int
  /// The line without its terminator (`\n`, and a `\r` before it); empty when the line is too long.
  package let bytes: [UInt8]
  /// Tells whether the line exceeded the limit, in which case its bytes were discarded unread.
  package let isTooLong: Bool
  /// Why the line cannot be read as what it stands for, found before it was parsed (a CSV row with
  /// more cells than its header): the line is rejected with this message.
  package let problem: String?

  /// Makes a line from its parts.
  package init(number: Int, bytes: [UInt8], isTooLong: Bool = false, problem: String? = nil) {
    self.number = number
    self.bytes = bytes
    self.isTooLong = isTooLong
    self.problem = problem
  }
}

/// Reads JSON Lines from a file descriptor in fixed-size chunks, holding at most one line (bounded) in memory.
///
/// Lines are split on `\n` and lose one trailing `\r`, so files saved on Windows read the same. Lines
/// that are empty or hold only spaces and tabs are skipped but still counted, so every yielded number
/// is the line a person sees in an editor. A UTF-8 byte order mark at the very start of the input is
/// dropped, since spreadsheet programs write one. A line longer than the limit is yielded once, flagged
/// and empty, and the rest of it is skipped as it arrives, so one runaway line neither exhausts memory
/// nor loses the lines after it. Iterate with `while let line = reader.next()` on a `var` to be able to
/// read `readError` afterwards; `for … in` iterates a copy.
package struct LineReader: Sequence, IteratorProtocol {
  /// The default limit on a line's length in bytes, excluding the terminator: 1 MiB.
  package static let maximumLineLength = 1 << 20

  /// The number of bytes asked of each `read(2)`.
  static let defaultChunkSize = 64 << 10

  /// The bytes a line may carry beyond the limit before it is known to be too long: a byte order mark and a `\r`.
  private static let slack = 4

  /// The UTF-8 byte order mark.
  private static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

  /// The descriptor read from; the reader neither opens nor closes it.
  private let fileDescriptor: Int32
  /// The limit on a line's length in bytes, excluding the terminator.
  private let maximumLineLength: Int
  /// The number of bytes asked of each `read(2)`.
  private let chunkSize: Int
  /// The last chunk read; `chunk[chunkStart..<chunkEnd]` is not yet consumed.
  private var chunk: [UInt8] = []
  /// The offset of the first unconsumed byte of `chunk`.
  private var chunkStart = 0
  /// The offset just past the last byte read into `chunk`.
  private var chunkEnd = 0
  /// The start of the current line, gathered from earlier chunks.
  private var pending: [UInt8] = []
  /// Tells whether bytes of a line not yet ended by `\n` have been seen.
  private var hasPartialLine = false
  /// Tells whether the current line has passed the limit and is being skipped.
  private var isSkippingLongLine = false
  /// The number of the last line ended.
  private var lineNumber = 0
  /// Tells whether `read(2)` has reported end of file or failed.
  private var isAtEnd = false

  /// The `errno` of a failed `read(2)` (`EINTR` is retried); iteration ends when it is set.
  package private(set) var readError: Int32?

  /// Makes a reader of an open file descriptor, refusing lines longer than `maximumLineLength` bytes.
  package init(fileDescriptor: Int32, maximumLineLength: Int = LineReader.maximumLineLength) {
    self.init(fileDescriptor: fileDescriptor, maximumLineLength: maximumLineLength, chunkSize: Self.defaultChunkSize)
  }

  /// Makes a reader with a given chunk size, so tests can put chunk boundaries anywhere.
  init(fileDescriptor: Int32, maximumLineLength: Int, chunkSize: Int) {
    precondition(maximumLineLength >= 0 && chunkSize > 0)
    self.fileDescriptor = fileDescriptor
    self.maximumLineLength = maximumLineLength
    self.chunkSize = chunkSize
  }

  /// Returns the next non-blank line, or nil at end of input or after a read error.
  package mutating func next() -> InputLine? {
    while true {
      if chunkStart == chunkEnd {
        if isAtEnd {
          guard hasPartialLine else { return nil }
          if let line = endLine(with: 0..<0) { return line }
          continue
        }
        fill()
        continue
      }
      let start = chunkStart
      let available = chunkEnd - chunkStart
      let newline: Int? = chunk.withUnsafeBufferPointer { buffer in
        let base = buffer.baseAddress! + start
        guard let found = memchr(base, 0x0A, available) else { return nil }
        return start + (UnsafeRawPointer(found) - UnsafeRawPointer(base))
      }
      guard let newline else {
        gather(start..<chunkEnd)
        chunkStart = chunkEnd
        continue
      }
      chunkStart = newline + 1
      if let line = endLine(with: start..<newline) { return line }
    }
  }

  /// The capacity held for gathering a line across chunks, so tests can check that memory stays bounded.
  var gatheringCapacity: Int {
    pending.capacity
  }

  /// Adds bytes of a line whose end has not been read yet, or drops them once the line is too long.
  private mutating func gather(_ range: Range<Int>) {
    hasPartialLine = true
    guard !isSkippingLongLine else { return }
    if pending.count + range.count > maximumLineLength + Self.slack {
      isSkippingLongLine = true
      pending.removeAll(keepingCapacity: true)
      return
    }
    pending.append(contentsOf: chunk[range])
  }

  /// Ends the current line with its last bytes, `chunk[tail]`, returning it unless it is blank.
  private mutating func endLine(with tail: Range<Int>) -> InputLine? {
    lineNumber += 1
    hasPartialLine = false
    if isSkippingLongLine || pending.count + tail.count > maximumLineLength + Self.slack {
      isSkippingLongLine = false
      pending.removeAll(keepingCapacity: true)
      return InputLine(number: lineNumber, bytes: [], isTooLong: true)
    }
    var bytes: [UInt8]
    if pending.isEmpty {
      bytes = Array(chunk[tail])
    } else {
      pending.append(contentsOf: chunk[tail])
      bytes = pending
      pending.removeAll(keepingCapacity: true)
    }
    if lineNumber == 1 && bytes.starts(with: Self.byteOrderMark) {
      bytes.removeFirst(Self.byteOrderMark.count)
    }
    if bytes.last == 0x0D {
      bytes.removeLast()
    }
    if bytes.count > maximumLineLength {
      return InputLine(number: lineNumber, bytes: [], isTooLong: true)
    }
    if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) {
      return nil
    }
    return InputLine(number: lineNumber, bytes: bytes)
  }

  /// Reads the next chunk, retrying on `EINTR`; at end of file or on failure it marks the input ended.
  private mutating func fill() {
    if chunk.isEmpty {
      chunk = [UInt8](repeating: 0, count: chunkSize)
    }
    chunkStart = 0
    chunkEnd = 0
    while true {
      let count = chunk.withUnsafeMutableBytes { read(fileDescriptor, $0.baseAddress, $0.count) }
      if count > 0 {
        chunkEnd = count
        return
      }
      if count == 0 {
        isAtEnd = true
        return
      }
      let error = errno
      if error == EINTR { continue }
      // A line cut short by a failed read is not the line that was written: drop it.
      readError = error
      isAtEnd = true
      hasPartialLine = false
      isSkippingLongLine = false
      pending = []
      return
    }
  }
}
