import Foundation
import Testing

@testable import HRLines

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Files and pipes for feeding a `LineReader`.
private enum LineReaderFixture {
  /// Opens an unlinked temporary file holding `bytes`, positioned at its start.
  static func openFile(containing bytes: [UInt8]) -> Int32 {
    var template = Array("/tmp/hr-lines-test-XXXXXX".utf8CString)
    let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
    precondition(fd >= 0, "mkstemp failed")
    template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
    writeAll(fd, bytes)
    precondition(lseek(fd, 0, SEEK_SET) == 0)
    return fd
  }

  /// Writes every byte, retrying short writes.
  static func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
    var offset = 0
    while offset < bytes.count {
      let written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
      precondition(written > 0, "write failed")
      offset += written
    }
  }

  /// Reads every line of `bytes` through a file, each as "number:text" or "number:<too long>".
  static func lines(
    _ bytes: [UInt8],
    maximumLineLength: Int = LineReader.maximumLineLength,
    chunkSize: Int = LineReader.defaultChunkSize
  ) -> [String] {
    let fd = openFile(containing: bytes)
    defer { close(fd) }
    var reader = LineReader(fileDescriptor: fd, maximumLineLength: maximumLineLength, chunkSize: chunkSize)
    var result: [String] = []
    while let line = reader.next() {
      result.append(describe(line))
    }
    precondition(reader.readError == nil)
    return result
  }

  /// The line as "number:text", or "number:<too long>".
  static func describe(_ line: InputLine) -> String {
    if line.isTooLong {
      return "\(line.number):<too long>\(line.bytes.isEmpty ? "" : " with bytes")"
    }
    return "\(line.number):\(String(decoding: line.bytes, as: UTF8.self))"
  }
}

@Suite struct LineReaderTests {
  static let chunkSizes = [1, 2, 3, 5, 64 << 10]

  @Test(arguments: chunkSizes)
  func mixedInputYieldsNumberedNonBlankLines(chunkSize: Int) {
    let input = Array("\u{FEFF}{\"a\":1}\r\n\n   \t\n{\"b\":\"张三\"}\n\r\n{\"c\":3}".utf8)
    #expect(LineReaderFixture.lines(input, chunkSize: chunkSize) == ["1:{\"a\":1}", "4:{\"b\":\"张三\"}", "6:{\"c\":3}"])
  }

  static let cases: [(String, [UInt8], [String])] = [
    ("empty input", [], []),
    ("only newlines", Array("\n\n\n".utf8), []),
    ("only a byte order mark", [0xEF, 0xBB, 0xBF], []),
    ("byte order mark then a blank line", [0xEF, 0xBB, 0xBF, 0x0D, 0x0A, 0x61], ["2:a"]),
    ("byte order mark kept after the start", Array("x\n\u{FEFF}y".utf8), ["1:x", "2:\u{FEFF}y"]),
    ("final line without newline", Array("a\nb".utf8), ["1:a", "2:b"]),
    ("final line without newline ending in CR", Array("a\nb\r".utf8), ["1:a", "2:b"]),
    ("blank final line without newline", Array("a\n \t ".utf8), ["1:a"]),
    ("CRLF throughout", Array("a\r\nb\r\n".utf8), ["1:a", "2:b"]),
    ("only one CR is stripped", Array("a\r\r\nb".utf8), ["1:a\r", "2:b"]),
    ("CR inside a line is kept", Array("a\rb\n".utf8), ["1:a\rb"]),
    ("lone CR line is blank", Array("\r\nx\n".utf8), ["2:x"]),
    ("leading spaces are kept", Array("  {}\n".utf8), ["1:  {}"]),
    ("form feed is not blank", Array("\u{C}\n".utf8), ["1:\u{C}"]),
    ("invalid UTF-8 passes through", [0x80, 0x0A, 0x61], ["1:\u{FFFD}", "2:a"]),
  ]

  @Test(arguments: cases, chunkSizes)
  func linesAreSplitStrippedAndNumbered(input: (String, [UInt8], [String]), chunkSize: Int) {
    #expect(LineReaderFixture.lines(input.1, chunkSize: chunkSize) == input.2, "\(input.0)")
  }

  @Test(arguments: chunkSizes)
  func lineLengthLimitExcludesTheTerminator(chunkSize: Int) {
    let ten = String(repeating: "x", count: 10)
    let input = Array("\(ten)\n\(ten)y\n\(ten)\r\n\(ten)yz\r\n\(ten)\n".utf8)
    #expect(
      LineReaderFixture.lines(input, maximumLineLength: 10, chunkSize: chunkSize) == [
        "1:\(ten)", "2:<too long>", "3:\(ten)", "4:<too long>", "5:\(ten)",
      ])
    let withMark = [0xEF, 0xBB, 0xBF] + Array("\(ten)\r\nok".utf8)
    #expect(LineReaderFixture.lines(withMark, maximumLineLength: 10, chunkSize: chunkSize) == ["1:\(ten)", "2:ok"])
  }

  @Test(arguments: chunkSizes)
  func tooLongFinalLineWithoutNewlineIsReportedOnce(chunkSize: Int) {
    let input = Array(("ok\n" + String(repeating: "x", count: 25)).utf8)
    #expect(LineReaderFixture.lines(input, maximumLineLength: 10, chunkSize: chunkSize) == ["1:ok", "2:<too long>"])
  }

  @Test func fiveMebibyteLineIsSkippedAndTheNextLineKeepsItsNumber() {
    let good = "{\"name\":\"王五\"}"
    var input = [UInt8](repeating: UInt8(ascii: "a"), count: 5 << 20)
    input += Array("\n\(good)\n".utf8)
    let fd = LineReaderFixture.openFile(containing: input)
    defer { close(fd) }
    var reader = LineReader(fileDescriptor: fd)
    let first = reader.next()
    #expect(first?.number == 1)
    #expect(first?.isTooLong == true)
    #expect(first?.bytes.isEmpty == true)
    #expect(reader.gatheringCapacity <= 2 * (LineReader.maximumLineLength + 4))
    let second = reader.next()
    #expect(second?.number == 2)
    #expect(second?.isTooLong == false)
    #expect(second.map { String(decoding: $0.bytes, as: UTF8.self) } == good)
    #expect(reader.next() == nil)
    #expect(reader.readError == nil)
  }

  @Test func skippingALongLineDoesNotGrowMemory() {
    var input = [UInt8](repeating: UInt8(ascii: "b"), count: 5 << 20)
    input += Array("\n{}\n".utf8)
    let fd = LineReaderFixture.openFile(containing: input)
    defer { close(fd) }
    var reader = LineReader(fileDescriptor: fd, maximumLineLength: 1_000, chunkSize: 100)
    #expect(reader.next().map(LineReaderFixture.describe) == "1:<too long>")
    #expect(reader.gatheringCapacity < 4_096)
    #expect(reader.next().map(LineReaderFixture.describe) == "2:{}")
    #expect(reader.next() == nil)
  }

  @Test(arguments: [7, 64 << 10])
  func manyLinesAcrossChunkBoundariesKeepTheirNumbers(chunkSize: Int) {
    var input: [UInt8] = []
    var expected: [String] = []
    for n in 1...5_000 {
      if n % 7 == 0 {
        input += Array("\n".utf8)
        continue
      }
      let text = "{\"n\":\(n),\"name\":\"赵\(n)\"}"
      input += Array((text + (n % 3 == 0 ? "\r\n" : "\n")).utf8)
      expected.append("\(n):\(text)")
    }
    #expect(LineReaderFixture.lines(input, chunkSize: chunkSize) == expected)
  }

  @Test func pipeWithWritesSplitMidLineAndMidCharacterYieldsWholeLines() throws {
    var fds: [Int32] = [0, 0]
    #expect(pipe(&fds) == 0)
    let (readEnd, writeEnd) = (fds[0], fds[1])
    defer { close(readEnd) }
    let zhang = Array("张".utf8)
    let pieces: [[UInt8]] = [
      [0xEF],
      [0xBB],
      [0xBF] + Array("{\"a\":".utf8),
      Array("1}\r".utf8),
      Array("\n{\"name\":\"".utf8) + [zhang[0]],
      [zhang[1]],
      [zhang[2]] + Array("三\"}".utf8),
      Array("\n\n{\"c\"".utf8),
      Array(":3}".utf8),
    ]
    let writer = Thread {
      for piece in pieces {
        LineReaderFixture.writeAll(writeEnd, piece)
        usleep(3_000)
      }
      close(writeEnd)
    }
    writer.start()
    var reader = LineReader(fileDescriptor: readEnd)
    var lines: [InputLine] = []
    while let line = reader.next() {
      lines.append(line)
    }
    #expect(reader.readError == nil)
    #expect(lines.map(LineReaderFixture.describe) == ["1:{\"a\":1}", "2:{\"name\":\"张三\"}", "4:{\"c\":3}"])
    let object = try JSONParser.parseObject(lines[1].bytes)
    #expect(object["name"] == "张三")
  }

  @Test func readErrorEndsIterationAndIsReported() {
    var reader = LineReader(fileDescriptor: -1)
    #expect(reader.next() == nil)
    #expect(reader.readError == EBADF)
    #expect(reader.next() == nil)
  }

  @Test func readerIsASequence() {
    let fd = LineReaderFixture.openFile(containing: Array("a\n\nb\n".utf8))
    defer { close(fd) }
    let numbers = LineReader(fileDescriptor: fd).map(\.number)
    #expect(numbers == [1, 3])
  }
}
