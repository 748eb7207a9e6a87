#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The permissions of the store and of every file a tool creates beside it (`-wal`, `-shm`, a
/// rejects file, a spool): owner-only, or group-readable when `store.group_readable` is set,
/// whatever the umask the tool was started with, since each holds residents' identifiable data
/// (第二十八条 protects residents' privacy, 第二十九条 requires the
/// systems to meet the information-security protection rules).
///
/// Two layers make it so. Each tool sets its process umask to 077 (027 when group-readable) as
/// soon as the configuration is read, before it creates any file: that covers every file, those
/// SQLite makes for sorting included. And the store itself is created with an explicit `fchmod`
/// before SQLite opens it, because SQLite gives `-wal` and `-shm` the mode of the main file
/// whatever the umask; so the companions follow the store even in a process that never set a
/// umask (a test, the benchmark).
package enum FilePermissions {
  /// The mode of a new store or companion file: 0600, or 0640 when group-readable.
  package static func fileMode(groupReadable: Bool) -> mode_t { groupReadable ? 0o640 : 0o600 }

  /// The umask under which every file a tool creates gets at most `fileMode(groupReadable:)`.
  package static func creationMask(groupReadable: Bool) -> mode_t { groupReadable ? 0o027 : 0o077 }

  /// The mode of the store and its companions in a group installation: read and written through
  /// the tools' own group, which no person belongs to (hr(7) INSTALLATIONS).
  package static let groupInstallationFileMode: mode_t = 0o660

  /// The umask of a tool of a group installation.
  package static let groupInstallationMask: mode_t = 0o007

  /// The permission bits that let someone other than the owner change a file: group- or
  /// world-writable. A store or configuration with either is refused, since whoever else can
  /// write it can rewrite the records or grant themselves a role.
  package static let writableByOthers: mode_t = 0o022

  /// Sets the process umask for the configuration's choice; returns the mode new files get.
  @discardableResult
  package static func applyUmask(groupReadable: Bool) -> mode_t {
    _ = umask(creationMask(groupReadable: groupReadable))
    return fileMode(groupReadable: groupReadable)
  }

  /// The mode the current umask leaves of 0640: what a file created now should have.
  package static var currentFileMode: mode_t {
    let mask = umask(0o077)
    _ = umask(mask)
    return 0o640 & ~mask
  }

  /// The permission bits of the file at `path`, or nil when it does not exist or cannot be
  /// examined.
  package static func mode(ofFileAt path: String) -> mode_t? {
    var info = stat()
    guard stat(path, &info) == 0 else { return nil }
    return info.st_mode & 0o7777
  }

  /// The mode written the way `ls` and `chmod` take it, e.g. "0664".
  package static func octal(_ mode: mode_t) -> String {
    let digits = String(mode, radix: 8)
    return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
  }

  /// Opens a file the caller names (an input, a rejects file, a report, a key) with the caller's
  /// own group rather than the tools' group of a group installation, so that a staff account
  /// cannot have a tool read or write the store's directory for it.
  package static func openAsCaller(_ path: String, _ flags: Int32, _ mode: mode_t = 0) -> Int32 {
    guard getegid() != getgid() else { return open(path, flags, mode) }
    let tools = getegid()
    guard setegid(getgid()) == 0 else { return -1 }
    let descriptor = open(path, flags, mode)
    let saved = errno
    _ = setegid(tools)
    errno = saved
    return descriptor
  }

  /// The whole of a small file the caller names, read with the caller's own group
  /// (`openAsCaller`); nil with `errno` set when it cannot be read.
  package static func readAsCaller(_ path: String, limit: Int = 1 << 20) -> [UInt8]? {
    let fd = openAsCaller(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while bytes.count <= limit {
      let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
      if count < 0 && errno == EINTR { continue }
      guard count >= 0 else { return nil }
      if count == 0 { return bytes }
      bytes.append(contentsOf: chunk[0..<count])
    }
    errno = EFBIG
    return nil
  }

  /// The directory temporary files go in: `$TMPDIR`, or /tmp.
  package static var temporaryDirectory: String { getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp" }

  /// A new temporary file in `temporaryDirectory`, owner-only and already unlinked, so that nothing
  /// is left behind even by a crash; nil with `errno` set when it cannot be made.
  package static func unlinkedTemporaryFile(prefix: String) -> Int32? {
    var template = Array("\(temporaryDirectory)/\(prefix)-XXXXXX".utf8CString)
    let fd = template.withUnsafeMutableBufferPointer { $0.baseAddress.map { mkstemp($0) } ?? -1 }
    guard fd >= 0 else { return nil }
    template.withUnsafeBufferPointer { _ = $0.baseAddress.map { unlink($0) } }
    return fd
  }
}
