import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The records of a de-identified export put in pseudonym order, so that the order reveals
/// nothing of the record numbers, with memory bounded whatever the number of records.
///
/// Records gather, compactly encoded, in a batch of at most `batchBytes`; a full batch is sorted
/// by pseudonym and written as one run to an unlinked, owner-only temporary file; at the end the
/// runs are merged. An export that fits in one batch never touches a file. Strings are kept once,
/// in a table, and a record holds their indexes: an export has few classes, codes and months.
struct PseudonymOrder {
  /// The most bytes of encoded records held in memory at once.
  let batchBytes: Int
  private var batch: [UInt8] = []
  /// Where each record of the batch starts, beside the first 8 bytes of its pseudonym as a
  /// number: the batch sorts by that number, and by the whole pseudonym only when it ties.
  private var starts: [(prefix: UInt64, start: Int)] = []
  private var strings: [String] = []
  private var stringIndex: [String: UInt32] = [:]
  private var file: Int32 = -1
  /// Where the temporary file is made: `$TMPDIR`, or /tmp.
  private let directory = FilePermissions.temporaryDirectory
  /// Each written run's place in the file: offset and length in bytes.
  private var runs: [(offset: Int, length: Int)] = []
  private var fileLength = 0

  /// A batch of 8 MiB holds some 100,000 records of a typical export, so a city's million makes
  /// ten runs; the buffer is reserved whole, so it never grows past it by doubling.
  init(batchBytes: Int = 8 << 20) {
    self.batchBytes = batchBytes
  }

  /// Adds a record under its pseudonym, the 32 bytes of its HMAC; `classIndex` says which
  /// equivalence class it belongs to.
  mutating func add(pseudonym: some ContiguousBytes, classIndex: Int, _ record: ScannedRecord) throws(StoreError) {
    if batch.capacity == 0 { batch.reserveCapacity(batchBytes + (1 << 16)) }
    let lengthAt = batch.count
    batch.append(contentsOf: [0, 0, 0, 0])
    let prefix = pseudonym.withUnsafeBytes { bytes in
      batch.append(contentsOf: bytes)
      return bytes.prefix(8).reduce(0) { $0 << 8 | UInt64($1) }
    }
    starts.append((prefix, lengthAt))
    append(UInt32(classIndex))
    append(intern(record.status))
    append(UInt32(record.tags.count))
    for tag in record.tags { append(intern(tag)) }
    append(UInt32(record.services.count))
    for service in record.services {
      append(intern(service.month))
      append(intern(service.type))
      append(UInt32(truncatingIfNeeded: service.count))
    }
    let length = UInt32(batch.count - lengthAt)
    withUnsafeBytes(of: length.littleEndian) { batch.replaceSubrange(lengthAt..<lengthAt + 4, with: $0) }
    if batch.count >= batchBytes { try writeRun() }
  }

  /// Calls `body` with every record added, in pseudonym order: the pseudonym's bytes, the class
  /// index and the record's fields.
  mutating func forEach(_ body: (Entry) throws -> Void) throws {
    defer {
      if file >= 0 { close(file) }
      file = -1
    }
    guard !runs.isEmpty else {
      sortBatch()
      for (_, start) in starts { try body(decode(batch, at: start + 4)) }
      return
    }
    try writeRun()
    var readers = runs.map { RunReader(file: file, directory: directory, offset: $0.offset, length: $0.length) }
    // A binary heap of the readers by their current pseudonym.
    var heap: [Int] = []
    for index in readers.indices where try readers[index].advance() { heap.append(index) }
    heap.sort { readers[$0].precedes(readers[$1]) }
    while let top = heap.first {
      try body(readers[top].current { decode($0, at: $1) })
      if try readers[top].advance() {
        siftDown(&heap, from: 0, readers: readers)
      } else {
        heap[0] = heap[heap.count - 1]
        heap.removeLast()
        if !heap.isEmpty { siftDown(&heap, from: 0, readers: readers) }
      }
    }
  }

  /// One record as it comes out: its pseudonym's bytes, its class and its fields.
  struct Entry {
    var pseudonym: ArraySlice<UInt8>
    var classIndex: Int
    var status: String
    var tags: [String]
    var services: [(month: String, type: String, count: Int)]
  }

  // MARK: Encoding

  private mutating func append(_ value: UInt32) {
    withUnsafeBytes(of: value.littleEndian) { batch.append(contentsOf: $0) }
  }

  private mutating func intern(_ string: String) -> UInt32 {
    if let index = stringIndex[string] { return index }
    let index = UInt32(strings.count)
    strings.append(string)
    stringIndex[string] = index
    return index
  }

  /// The record encoded at `start` (just past its length) in `bytes`.
  private func decode(_ bytes: [UInt8], at start: Int) -> Entry {
    var at = start + 32
    func next() -> Int {
      defer { at += 4 }
      return Int(bytes[at]) | Int(bytes[at + 1]) << 8 | Int(bytes[at + 2]) << 16 | Int(bytes[at + 3]) << 24
    }
    let classIndex = next()
    let status = strings[next()]
    let tags = (0..<next()).map { _ in strings[next()] }
    let services = (0..<next()).map { _ in (month: strings[next()], type: strings[next()], count: next()) }
    return Entry(
      pseudonym: bytes[start..<start + 32], classIndex: classIndex, status: status, tags: tags, services: services)
  }

  // MARK: Runs

  private mutating func sortBatch() {
    batch.withUnsafeBufferPointer { bytes in
      guard let base = bytes.baseAddress else { return }
      starts.sort { $0.prefix != $1.prefix ? $0.prefix < $1.prefix : memcmp(base + $0.start + 4, base + $1.start + 4, 32) < 0 }
    }
  }

  /// Sorts the batch and appends it to the temporary file as one run.
  private mutating func writeRun() throws(StoreError) {
    guard !starts.isEmpty else { return }
    if file < 0 { file = try temporaryFile() }
    sortBatch()
    var out: [UInt8] = []
    out.reserveCapacity(1 << 20)
    let runStart = fileLength
    for (_, start) in starts {
      let length = Int(batch[start]) | Int(batch[start + 1]) << 8 | Int(batch[start + 2]) << 16 | Int(batch[start + 3]) << 24
      batch.withUnsafeBytes { out.append(contentsOf: UnsafeRawBufferPointer(rebasing: $0[start..<start + length])) }
      if out.count >= 1 << 20 { try flush(&out) }
    }
    try flush(&out)
    runs.append((runStart, fileLength - runStart))
    batch.removeAll(keepingCapacity: true)
    starts.removeAll(keepingCapacity: true)
  }

  private mutating func flush(_ out: inout [UInt8]) throws(StoreError) {
    var written = 0
    while written < out.count {
      let count = out.withUnsafeBytes { pwrite(file, $0.baseAddress! + written, $0.count - written, off_t(fileLength + written)) }
      if count < 0 && errno == EINTR { continue }
      guard count > 0 else { throw failure("cannot write a run of the export") }
      written += count
    }
    fileLength += out.count
    out.removeAll(keepingCapacity: true)
  }

  /// An unlinked, owner-only file in `$TMPDIR` (or /tmp): nothing is left behind, even by a crash.
  private func temporaryFile() throws(StoreError) -> Int32 {
    guard let fd = FilePermissions.unlinkedTemporaryFile(prefix: "hr-export") else {
      throw failure("cannot create one for the export's runs")
    }
    return fd
  }

  private func failure(_ what: String) -> StoreError {
    .temporaryFile(directory: directory, reason: "\(what): \(String(cString: strerror(errno)))")
  }

  private func siftDown(_ heap: inout [Int], from start: Int, readers: [RunReader]) {
    var parent = start
    while true {
      let left = 2 * parent + 1
      guard left < heap.count else { return }
      var child = left
      if left + 1 < heap.count, readers[heap[left + 1]].precedes(readers[heap[left]]) { child = left + 1 }
      guard readers[heap[child]].precedes(readers[heap[parent]]) else { return }
      heap.swapAt(parent, child)
      parent = child
    }
  }
}

/// Reads the records of one run back, in order, through a buffer of its own.
private struct RunReader {
  let file: Int32
  let directory: String
  var offset: Int
  var remaining: Int
  var buffer: [UInt8] = []
  /// Where the current record starts in the buffer.
  var start = 0
  var length = 0

  init(file: Int32, directory: String, offset: Int, length: Int) {
    self.file = file
    self.directory = directory
    self.offset = offset
    self.remaining = length
  }

  /// Moves to the next record of the run; false at its end.
  mutating func advance() throws(StoreError) -> Bool {
    start += length
    length = 0
    guard try fill(4) else { return false }
    let size = Int(buffer[start]) | Int(buffer[start + 1]) << 8 | Int(buffer[start + 2]) << 16 | Int(buffer[start + 3]) << 24
    guard try fill(size) else { throw .temporaryFile(directory: directory, reason: "a run of the export ends inside a record") }
    length = size
    return true
  }

  /// Makes sure `count` bytes from `start` are in the buffer; false when the run has fewer left.
  private mutating func fill(_ count: Int) throws(StoreError) -> Bool {
    if buffer.count - start >= count { return true }
    buffer.removeSubrange(0..<start)
    start = 0
    let wanted = min(remaining, max(count - buffer.count, 1 << 16))
    guard wanted > 0 else { return false }
    let old = buffer.count
    buffer.append(contentsOf: repeatElement(0, count: wanted))
    var read = 0
    while read < wanted {
      let got = buffer.withUnsafeMutableBytes { pread(file, $0.baseAddress! + old + read, wanted - read, off_t(offset + read)) }
      if got < 0 && errno == EINTR { continue }
      guard got > 0 else {
        throw .temporaryFile(
          directory: directory, reason: "cannot read a run of the export back: \(String(cString: strerror(errno)))")
      }
      read += got
    }
    offset += wanted
    remaining -= wanted
    return buffer.count - start >= count
  }

  /// The current record, handed to `decode` with the buffer and the record's start past its length.
  func current<T>(_ decode: ([UInt8], Int) -> T) -> T { decode(buffer, start + 4) }

  /// Whether this reader's current pseudonym comes before `other`'s.
  func precedes(_ other: RunReader) -> Bool {
    buffer.withUnsafeBufferPointer { mine in
      other.buffer.withUnsafeBufferPointer { theirs in
        memcmp(mine.baseAddress! + start + 4, theirs.baseAddress! + other.start + 4, 32) < 0
      }
    }
  }
}
