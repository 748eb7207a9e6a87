import HRCore
import HRLines

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The input files of a run, read as batches of lines: each batch at most `--batch-size` lines or
/// `maximumBatchBytes` of input, and never spanning two files. A CSV input (`--input csv`, or a file
/// ending `.csv`) yields one line a row, the row as its JSON object numbered by its spreadsheet row
/// (`CSVRows`), so everything after reading is the same for both formats.
struct InputBatches {
  /// A batch closes at `--batch-size` lines or at this many bytes of input, whichever comes first.
  static let maximumBatchBytes = 16 << 20

  private var inputs: [(name: String, fd: Int32)]
  private var position = 0
  private var reader: LineReader?
  private var rows: CSVRows?
  private let batchSize: Int
  private let input: InputFormat?

  /// Opens every input before anything is read, so a missing file stops the run at once (exit 66);
  /// standard input when `files` is empty or for `-`.
  init(files: [String], batchSize: Int, input: InputFormat? = nil) throws {
    self.batchSize = batchSize
    self.input = input
    inputs = []
    for name in files.isEmpty ? ["-"] : files {
      if name == "-" {
        inputs.append((name, 0))
        continue
      }
      let fd = Installation.openAsCaller(name, O_RDONLY)
      guard fd >= 0 else {
        let reason = String(cString: strerror(errno))
        closeFiles()
        throw InputError(path: name, reason: reason)
      }
      inputs.append((name, fd))
    }
  }

  /// The next batch and the name of its file, or nil once every input is read; a read error ends
  /// the run (exit 74) after the batches before it.
  mutating func next() throws -> (file: String, lines: [InputLine])? {
    while position < inputs.count {
      let input = inputs[position]
      if InputFormat.of(input.name, given: self.input) == .csv {
        let rows = try self.rows ?? CSVRows(fd: input.fd, name: input.name)
        self.rows = rows
        var lines: [InputLine] = []
        var bytes = 0
        while lines.count < batchSize, bytes < Self.maximumBatchBytes, let line = try rows.next() {
          bytes += line.bytes.count
          lines.append(line)
        }
        if !lines.isEmpty { return (input.name, lines) }
        self.rows = nil
        position += 1
        continue
      }
      var reader = self.reader ?? LineReader(fileDescriptor: input.fd)
      var lines: [InputLine] = []
      var bytes = 0
      while lines.count < batchSize, bytes < Self.maximumBatchBytes, let line = reader.next() {
        bytes += line.bytes.count
        lines.append(line)
      }
      self.reader = reader
      if !lines.isEmpty { return (input.name, lines) }
      if let error = reader.readError {
        throw RunError(.io, "cannot read '\(input.name)': \(String(cString: strerror(error)))")
      }
      self.reader = nil
      position += 1
    }
    return nil
  }

  /// Closes every input file but standard input.
  func closeFiles() {
    for input in inputs where input.fd != 0 { close(input.fd) }
  }
}
