import Foundation
import HRCLI
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The CSV reader gives back its memory however its input ends, so that a long-lived caller (the
/// CSV fuzzer runs it hundreds of thousands of times in one process) stays flat.
@Suite struct CSVReaderMemoryTests {
  /// The resident memory of this process, in bytes.
  private static func residentBytes() throws -> Int {
    let fields = try String(contentsOfFile: "/proc/self/statm", encoding: .utf8).split(separator: " ")
    return try #require(Int(fields[1])) * Int(sysconf(Int32(_SC_PAGESIZE)))
  }

  /// A pipe that holds `bytes` and is closed for writing, as a script's standard input would be.
  private static func pipeHolding(_ bytes: [UInt8]) throws -> Int32 {
    var ends: [Int32] = [0, 0]
    try #require(pipe(&ends) == 0)
    defer { close(ends[1]) }
    try #require(bytes.withUnsafeBytes { write(ends[1], $0.baseAddress, $0.count) } == bytes.count)
    return ends[0]
  }

  /// A file that is not UTF-8 from its first bytes is refused each time, and the reader it began
  /// is freed: 4,000 refusals grew the process by 64 KiB each (250 MiB) before the stream
  /// reported its failure as the end of the input rather than as a failed read.
  @Test func aRefusedFileLeavesNothingBehind() throws {
    let gbk: [UInt8] = Array("id_number,name\n".utf8) + [0xD5, 0xC5, 0xC8, 0xFD, 0x0A]
    let before = try Self.residentBytes()
    for _ in 0..<4_000 {
      let fd = try Self.pipeHolding(gbk)
      defer { close(fd) }
      do {
        _ = try CSVRows(fd: fd, name: "people.csv")
        Issue.record("a file that is not UTF-8 was read")
        return
      } catch let error as RunError {
        #expect(error.status == .noInput)
        #expect(error.message.contains("is not UTF-8 text"))
      }
    }
    let grown = try Self.residentBytes() - before
    #expect(grown < 64 << 20, "resident memory grew by \(grown >> 20) MiB over 4,000 refused files")
  }
}
