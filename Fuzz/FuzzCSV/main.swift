import Foundation
import FuzzDriver
import HRCLI
import HRCore
import HRLines

#if canImport(Glibc)
import Glibc
#endif

/// libFuzzer's entry: the bytes as a spreadsheet saved as CSV, read through the CSV input every
/// line-reading tool takes (`--input csv`): the header, then every row. Each input must give rows
/// or a clear error; none may trap or hang.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSV(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  // A pipe, so that the reader gets a descriptor as it does from standard input; the fuzzer's
  // inputs (-max_len 4096 in scripts/fuzz) fit in its buffer.
  var ends: [Int32] = [0, 0]
  guard size <= 1 << 16, pipe(&ends) == 0 else { return 0 }
  defer { close(ends[0]) }
  var written = 0
  while written < size {
    let count = write(ends[1], data + written, size - written)
    guard count > 0 else { break }
    written += count
  }
  close(ends[1])
  guard let rows = try? CSVRows(fd: ends[0], name: "fuzz.csv") else { return 0 }
  // A row consumes at least one byte, so this many calls reach the end of any input.
  for _ in 0...size + 1 {
    guard let line = try? rows.next() else { break }
    _ = line.bytes.count
  }
  return 0
}

runFuzzer(fuzzCSV)
