import CSV
import Foundation
import HRLines

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A CSV input read row by row as the JSON object each row stands for, so that a spreadsheet goes
/// through the same line loop, messages and `--rejects` as JSON Lines (hr(7) COMMON BEHAVIOUR).
///
/// The header row names the fields, a dotted column (`emergency_contact.phone`) a nested one; every
/// cell is text, since an ID number or a phone must never become a number; an empty cell is an
/// absent field. Each row is numbered as the spreadsheet numbers it (the header is row 1), a cell
/// with line breaks inside quotes staying one row. UTF-8 with or without a byte order mark, CRLF or LF.
package final class CSVRows {
  private let name: String
  private let reader: CSVReader
  private let stream: DescriptorStream
  /// The path of each column's field: `["emergency_contact", "phone"]`; nil for a column whose
  /// header cell is empty, as spreadsheets write for a formatted but unused column.
  private let columns: [[String]?]
  private var row = 1

  /// Reads the header row of the CSV on `fd`; a header that names no field, names one twice or
  /// names both `a` and `a.b` ends the run (exit 65), as does text that is not UTF-8 (exit 66).
  package init(fd: Int32, name: String) throws {
    self.name = name
    if let line = Self.firstLineNotUTF8(fd: fd) { throw Self.notUTF8(name, line: line, head: Self.head(of: fd)) }
    stream = DescriptorStream(fd: fd)
    do {
      reader = try CSVReader(stream: stream, hasHeaderRow: true)
    } catch {
      try Self.checkStream(stream, name: name)
      throw RunError(.dataError, "'\(name)' has no header row naming the fields")
    }
    try Self.checkRead(reader, stream, name: name)
    var columns: [[String]?] = []
    for cell in reader.headerRow ?? [] {
      let trimmed = cell.trimmingCharacters(in: .whitespaces)
      if trimmed.isEmpty {
        columns.append(nil)
        continue
      }
      let path = trimmed.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
      guard !path.contains(where: \.isEmpty) else {
        throw RunError(.dataError, "'\(name)': column \(columns.count + 1) of the header names no field ('\(cell)')")
      }
      for case let other? in columns where other.starts(with: path) || path.starts(with: other) {
        let (this, that) = (path.joined(separator: "."), other.joined(separator: "."))
        throw RunError(
          .dataError,
          this == that
            ? "'\(name)': the header names '\(this)' twice"
            : "'\(name)': the header names both '\(that)' and '\(this)', a field and a field inside it")
      }
      columns.append(path)
    }
    guard columns.contains(where: { $0 != nil }) else {
      throw RunError(.dataError, "'\(name)' has no header row naming the fields")
    }
    // A title above the header ("渝中区 2026年11月 新建档案") would make every row a malformed one.
    let named = columns.compactMap { $0?.joined(separator: ".") }
    if named.count == 1, let title = named.first,
      !title.unicodeScalars.allSatisfy({
        $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" || $0 == ".")
      })
    {
      throw RunError(
        .dataError,
        "'\(name)': row 1, the header, names the one field '\(title)', which looks like a title above the header: "
          + "remove that row ('tail -n +2 \(name == "-" ? "FILE" : name)' prints the rest, to feed with --input csv)")
    }
    self.columns = columns
  }

  /// The next row that has a cell, as a line numbered by its spreadsheet row; a row with a value
  /// in a column the header names no field for is yielded with its problem, to be rejected.
  package func next() throws -> InputLine? {
    while true {
      stream.startRow()
      guard let cells = reader.next() else { break }
      row += 1
      // Before the reader's error: the stream ended under an open quote, which the reader reports.
      try checkRowLength()
      try Self.checkRead(reader, stream, name: name)
      if cells.allSatisfy(\.isEmpty) { continue }
      var object = JSONObject()
      var unnamed: Int?
      for (index, cell) in cells.enumerated() where !cell.isEmpty {
        guard index < columns.count, let path = columns[index] else {
          unnamed = unnamed ?? index + 1
          continue
        }
        Self.set(.string(cell), at: path[...], in: &object)
      }
      var bytes: [UInt8] = []
      JSONValue.object(object).write(compactTo: &bytes)
      if let (column, lines) = cells.enumerated().lazy.compactMap({ index, cell in
        Self.rowsInside(cell, columns: self.columns.count).map { (index + 1, $0) }
      }).first {
        return InputLine(
          number: row, bytes: bytes,
          problem:
            "the quoted cell in column \(column) runs over \(lines) more \(lines == 1 ? "line that looks like a row" : "lines that look like rows") of the file "
            + "(a '\"' without its closing '\"'?); those lines were not read as rows: fix the quote and feed them again")
      }
      // A row is held to the length of a line of JSON Lines, its JSON object measured.
      if bytes.count > LineReader.maximumLineLength { return InputLine(number: row, bytes: [], isTooLong: true) }
      if let unnamed {
        return InputLine(
          number: row, bytes: bytes,
          problem: "column \(unnamed) has a value but the header names no field for it (an unquoted comma?)")
      }
      return InputLine(number: row, bytes: bytes)
    }
    row += 1
    try checkRowLength()
    try Self.checkRead(reader, stream, name: name)
    return nil
  }

  /// Ends the run on a row that took more than `DescriptorStream.maximumRowBytes` of input: only a
  /// quote left open makes one, and it would hold the rest of the input in memory as one cell.
  private func checkRowLength() throws {
    guard stream.rowOverflowed else { return }
    throw RunError(
      .dataError,
      "'\(name)': row \(row) holds a quoted cell that runs past \(DescriptorStream.maximumRowBytes >> 20) MiB "
        + "(a '\"' without its closing '\"'?); the rest of the input was not read: fix the quote and feed it again")
  }

  /// How many of the lines inside a cell after its first look like whole rows of a file of
  /// `columns` columns (as many commas as the header has, less one): a quote left open swallows
  /// the rows after it into one cell, which would lose them without a word. Nil when none does.
  private static func rowsInside(_ cell: String, columns: Int) -> Int? {
    guard columns > 1, cell.utf8.contains(UInt8(ascii: "\n")) else { return nil }
    // By bytes: "\r\n" is one Character, which splitting on "\n" would not cut.
    let count = cell.utf8.split(separator: UInt8(ascii: "\n")).dropFirst().filter { line in
      line.reduce(0) { $0 + ($1 == UInt8(ascii: ",") ? 1 : 0) } >= columns - 1
    }.count
    return count > 0 ? count : nil
  }

  /// Ends the run on text that is not UTF-8 (exit 66) or on a read error (exit 74).
  private static func checkRead(_ reader: CSVReader, _ stream: DescriptorStream, name: String) throws {
    try checkStream(stream, name: name)
    guard let error = reader.error else { return }
    if case CSVError.unicodeDecoding = error { throw notUTF8(name, line: nil, head: stream.head) }
    throw RunError(.io, "cannot read '\(name)': \(error)")
  }

  /// Ends the run on what the stream met: bytes that are not UTF-8 (exit 66) or a read error (exit 74).
  private static func checkStream(_ stream: DescriptorStream, name: String) throws {
    if stream.isNotUTF8 { throw notUTF8(name, line: nil, head: stream.head) }
    if let failure = stream.streamError { throw RunError(.io, "cannot read '\(name)': \(failure.localizedDescription)") }
  }

  private static func set(_ value: JSONValue, at path: ArraySlice<String>, in object: inout JSONObject) {
    guard let key = path.first else { return }
    if path.count == 1 {
      object[key] = value
      return
    }
    var inner = object[key]?.objectValue ?? JSONObject()
    set(value, at: path.dropFirst(), in: &inner)
    object[key] = .object(inner)
  }

  /// The one whole-run error for a file that is not UTF-8, naming the conversion it needs: from
  /// UTF-16 for a file that starts like one (`head`, its first bytes: a spreadsheet's "Unicode
  /// text", for which GB18030 would be the wrong advice), else from GB18030 (or GBK, which it
  /// contains), as a spreadsheet saves on a Chinese system.
  private static func notUTF8(_ name: String, line: Int?, head: [UInt8]) -> RunError {
    let file = name == "-" ? "FILE" : name
    let target = (file.hasSuffix(".csv") ? String(file.dropLast(4)) : file) + ".utf8.csv"
    let whereInFile = line.map { " (line \($0))" } ?? ""
    let (source, why) =
      looksLikeUTF16(head)
      ? ("UTF-16", "it looks like UTF-16, as a spreadsheet saves 'Unicode text'")
      : ("GB18030", "a spreadsheet saved on a Chinese system is usually GB18030")
    return RunError(
      .noInput,
      "'\(name == "-" ? "standard input" : name)' is not UTF-8 text\(whereInFile); \(why): "
        + "convert it with 'iconv -f \(source) -t UTF-8 \(file) > \(target)' and give the converted file")
  }

  /// The first bytes of a regular file, read without moving its offset.
  private static func head(of fd: Int32) -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: 64)
    let count = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
    return Array(bytes.prefix(max(0, count)))
  }

  /// The first line of a regular file that is not UTF-8, read before any row so that such a file
  /// stops the run before anything is done; the file is then put back where it was, which for
  /// standard input need not be its start (`{ read -r first; hr-create --input csv; } < file`).
  /// Nil for a pipe, which is checked as it is read.
  private static func firstLineNotUTF8(fd: Int32) -> Int? {
    var status = stat()
    guard fstat(fd, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else { return nil }
    let start = lseek(fd, 0, SEEK_CUR)
    guard start >= 0 else { return nil }
    defer { _ = lseek(fd, start, SEEK_SET) }
    var lines = LineReader(fileDescriptor: fd)
    while let line = lines.next() {
      if String(bytes: line.bytes, encoding: .utf8) == nil { return line.number }
    }
    return nil
  }
}

/// An `InputStream` over an open descriptor (a file or a pipe), which it neither opens nor closes:
/// Foundation's own file streams may report no bytes available on a pipe that is merely slow. It
/// reads ahead so that it knows the end of the input before it is asked past it, and checks that
/// the bytes are UTF-8 as they pass, failing the read at the first that are not.
private final class DescriptorStream: InputStream {
  private let fd: Int32
  private var status: Stream.Status = .notOpen
  private var failure: (any Error)?
  /// Bytes read and checked, not yet handed out.
  private var buffer: [UInt8] = []
  private var offset = 0
  /// The last bytes of a chunk that began a character the next chunk ends.
  private var carry: [UInt8] = []
  private var atEnd = false
  /// Whether the input held bytes that are not UTF-8.
  private(set) var isNotUTF8 = false
  /// The first bytes of the input, to tell which encoding it is in when it is not UTF-8.
  private(set) var head: [UInt8] = []
  /// The most bytes one row may take before the stream reads as ended (`rowOverflowed`).
  static let maximumRowBytes = InputBatches.maximumBatchBytes
  /// Bytes handed out since `startRow()`.
  private var handedSinceRow = 0
  /// Whether a row took more than `maximumRowBytes`, and the stream was ended under it.
  private(set) var rowOverflowed = false

  /// Notes that the reader is about to read a row.
  func startRow() { handedSinceRow = 0 }

  init(fd: Int32) {
    self.fd = fd
    super.init(data: Data())
  }

  override var streamStatus: Stream.Status { status }
  override var streamError: (any Error)? { failure }
  override func open() { status = .open }
  override func close() { status = .closed }

  override var hasBytesAvailable: Bool {
    if offset == buffer.count { fill() }
    return offset < buffer.count
  }

  /// After a failure the stream reads as ended, and `streamError` tells why: CSV.swift's reader,
  /// given -1 by its first read, throws from its initialiser without freeing its 64 KiB buffer.
  override func read(_ out: UnsafeMutablePointer<UInt8>, maxLength: Int) -> Int {
    if offset == buffer.count { fill() }
    if failure != nil { return 0 }
    guard handedSinceRow < Self.maximumRowBytes else {
      rowOverflowed = true
      return 0
    }
    let count = min(maxLength, buffer.count - offset)
    handedSinceRow += count
    for index in 0..<count { out[index] = buffer[offset + index] }
    offset += count
    return count
  }

  /// Reads the next chunk into the buffer, checked, keeping back an unfinished last character.
  private func fill() {
    buffer.removeAll(keepingCapacity: true)
    offset = 0
    guard !atEnd, failure == nil else { return }
    var chunk = [UInt8](repeating: 0, count: 64 << 10)
    while buffer.isEmpty {
      let count = chunk.withUnsafeMutableBytes { readDescriptor(fd, $0.baseAddress!, $0.count) }
      if count < 0 {
        if errno == EINTR { continue }
        fail(POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO))
        return
      }
      if count == 0 {
        atEnd = true
        if !carry.isEmpty { notUTF8() }
        return
      }
      if head.isEmpty { head = Array(chunk[0..<min(count, 64)]) }
      var bytes = carry + chunk[0..<count]
      let cut = Self.unfinishedTail(of: bytes)
      carry = Array(bytes[cut...])
      bytes.removeSubrange(cut...)
      guard String(bytes: bytes, encoding: .utf8) != nil else {
        notUTF8()
        return
      }
      buffer = bytes
    }
  }

  private func notUTF8() {
    isNotUTF8 = true
    fail(CocoaError(.fileReadInapplicableStringEncoding))
  }

  private func fail(_ error: any Error) {
    failure = error
    status = .error
    buffer.removeAll()
    offset = 0
  }

  /// Where a character that the bytes begin but do not finish starts, or the end of the bytes.
  private static func unfinishedTail(of bytes: [UInt8]) -> Int {
    var index = bytes.count
    var seen = 0
    while index > 0, seen < 4 {
      index -= 1
      seen += 1
      let byte = bytes[index]
      if byte & 0xC0 == 0x80 { continue }
      let length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 1
      return length > seen ? index : bytes.count
    }
    return bytes.count
  }
}

/// `read(2)`, named apart from `InputStream.read` so the stream can call it.
private func readDescriptor(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
  read(fd, buffer, count)
}
