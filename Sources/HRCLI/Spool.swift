import HRCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An unlinked temporary file that holds an all-or-nothing run's results until the final commit.
struct Spool {
  let fd: Int32

  init() throws {
    guard let fd = FilePermissions.unlinkedTemporaryFile(prefix: "hr-output") else {
      throw RunError(
        .cannotCreate,
        "cannot create a temporary file in '\(FilePermissions.temporaryDirectory)': \(String(cString: strerror(errno)))")
    }
    self.fd = fd
  }

  /// Copies everything spooled to `target`; false on an I/O error.
  func copy(to target: Int32) -> Bool {
    guard lseek(fd, 0, SEEK_SET) == 0 else { return false }
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
      let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
      if count < 0 && errno == EINTR { continue }
      if count < 0 { return false }
      if count == 0 { return true }
      guard chunk.withUnsafeBytes({ writeAll(target, UnsafeRawBufferPointer(rebasing: $0[0..<count])) }) else { return false }
    }
  }

  func discard() {
    close(fd)
  }
}
