import HRCore
import HRLines

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reports rejected lines: GNU-style messages on standard error and, with `--rejects`, JSON
/// objects that keep the original line so a fixed file can be fed back.
///
/// The objects are buffered and written once a batch is done, before it commits; every write and
/// the final close are checked, since a lost reject is a lost line.
struct RejectReport {
  let tool: String
  private var fd: Int32?
  private var bytes: [UInt8] = []
  private(set) var count = 0
  /// Whether the run's one hint about the input's shape has been given.
  private var hinted = false

  init(tool: String, path: String?) throws {
    self.tool = tool
    if let path {
      // 0640 less the umask the configuration set: 0600, or 0640 when the store is group-readable.
      let fd = Installation.openAsCaller(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o640)
      guard fd >= 0 else {
        throw RunError(.cannotCreate, "cannot create '\(path)': \(String(cString: strerror(errno)))")
      }
      // A file that was already there keeps its mode through O_TRUNC; it holds residents' lines now.
      var info = stat()
      if fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, info.st_uid == geteuid() {
        _ = fchmod(fd, FilePermissions.currentFileMode)
      }
      self.fd = fd
    }
  }

  /// Reports a rejected line: on standard error unless `announce` is false (the line was
  /// announced by a pass of its batch that was undone), and in the file. The message quotes the
  /// line's values with their control characters escaped (`CellText.visible`): a line from a
  /// resident's file must not act on the terminal that shows it.
  mutating func add(_ rejection: LineRejection, file name: String, line: InputLine, announce: Bool = true) {
    count += 1
    if announce {
      StandardError.write("\(tool):\(name):\(line.number): \(rejection.code): \(CellText.visible(rejection.message))\n")
    }
    if announce, !hinted, let hint = InputHint.hint(for: line, code: rejection.code.rawValue) {
      hinted = true
      StandardError.write("\(tool): hint: \(hint)\n")
    }
    guard fd != nil else { return }
    var object: JSONObject = [
      "line": .int(line.number), "file": .string(name), "code": .string(rejection.code.rawValue),
      "error": .string(rejection.message),
    ]
    for (key, value) in rejection.details where object[key] == nil { object[key] = value }
    object["input"] = .string(String(decoding: line.bytes, as: UTF8.self))
    JSONValue.object(object).write(compactTo: &bytes)
    bytes.append(UInt8(ascii: "\n"))
  }

  /// The count and the bytes buffered, a mark to `truncate(to:)`.
  var mark: (count: Int, bytes: Int) { (count, bytes.count) }

  /// Forgets the lines reported after `mark` and not yet written: a batch that is run again
  /// reports them again.
  mutating func truncate(to mark: (count: Int, bytes: Int)) {
    count = mark.count
    bytes.removeSubrange(mark.bytes..<bytes.count)
  }

  /// Writes what is buffered; false on an I/O error, with `errno` set.
  mutating func flush() -> Bool {
    guard let fd, !bytes.isEmpty else { return true }
    defer { bytes.removeAll(keepingCapacity: true) }
    return bytes.withUnsafeBytes { writeAll(fd, $0) }
  }

  /// Flushes and closes the file; false on an I/O error, with `errno` set (a full disk may only
  /// show at close on a network file system).
  mutating func finish() -> Bool {
    guard let fd else { return true }
    let flushed = flush()
    self.fd = nil
    return close(fd) == 0 && flushed
  }

  /// Closes the file without checking, on the way out of a run that has already failed.
  mutating func discard() {
    if let fd { _ = close(fd) }
    fd = nil
  }
}
