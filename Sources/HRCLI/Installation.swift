import HRCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A group installation (hr(7) INSTALLATIONS): the tools installed set-group-ID to a group of their
/// own that owns the store, so that staff reach the records only through the tools, as the
/// operators their Unix accounts are declared for (第二十八条, 第二十九条).
///
/// The installation file, `etc/hr/installation` under the prefix the tools are installed in, fixes
/// the store and the configuration: a caller who could name another configuration would declare
/// themselves a city administrator in it. The file must belong to root (or to the tools' owner)
/// and be writable by no one else.
package struct Installation: Sendable {
  /// The installation file.
  package let file: String
  /// The store every tool of the installation uses.
  package let store: String
  /// The configuration every tool of the installation reads.
  package let config: String

  /// The installation of the running executable: nil for an ordinary one (no installation file
  /// beside it, not set-group-ID), or why the group installation cannot be used.
  package static let current: Result<Installation?, ConfigurationError> = locate()

  /// Whether the process runs set-group-ID: its effective group is not the caller's.
  package static var runsSetGroupID: Bool { getegid() != getgid() }

  /// Finds and reads the installation file of the running executable.
  private static func locate() -> Result<Installation?, ConfigurationError> {
    guard let executable = executablePath() else {
      return runsSetGroupID
        ? .failure(ConfigurationError(file: "/proc/self/exe", line: nil, key: nil, message: "cannot locate the tool"))
        : .success(nil)
    }
    // The prefix is the directory above the tool's own `bin`.
    var parts = executable.split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(min(2, parts.count))
    let file = parts.joined(separator: "/") + "/etc/hr/installation"
    let descriptor = open(file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
    guard descriptor >= 0 else {
      guard errno == ENOENT, !runsSetGroupID else {
        let reason = errno == ENOENT ? "missing, and the tool runs set-group-ID" : String(cString: strerror(errno))
        return .failure(ConfigurationError(file: file, line: nil, key: nil, message: "cannot read: \(reason)"))
      }
      return .success(nil)
    }
    defer { close(descriptor) }
    var info = stat()
    var tool = stat()
    guard fstat(descriptor, &info) == 0, stat(executable, &tool) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
      return .failure(ConfigurationError(file: file, line: nil, key: nil, message: "not a regular file"))
    }
    guard info.st_uid == 0 || info.st_uid == tool.st_uid, info.st_mode & FilePermissions.writableByOthers == 0 else {
      return .failure(
        ConfigurationError(
          file: file, line: nil, key: nil,
          message:
            "must belong to root and be writable by no one else (mode \(FilePermissions.octal(info.st_mode & 0o7777)), owner uid \(info.st_uid))"
        ))
    }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while bytes.count <= 65_536 {
      let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
      if count < 0, errno == EINTR { continue }
      guard count > 0 else { break }
      bytes.append(contentsOf: buffer[0..<count])
    }
    return Result { () throws(ConfigurationError) in try parse(String(decoding: bytes, as: UTF8.self), file: file) }
  }

  /// Reads `store: PATH` and `config: PATH` lines (absolute paths); `#` starts a comment line.
  static func parse(_ text: String, file: String) throws(ConfigurationError) -> Installation {
    var values: [String: String] = [:]
    for (offset, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let line = raw.trimmingCharacters(in: .whitespaces)
      if line.isEmpty || line.hasPrefix("#") { continue }
      guard let colon = line.firstIndex(of: ":") else {
        throw ConfigurationError(file: file, line: offset + 1, key: nil, message: "expected 'store: PATH' or 'config: PATH'")
      }
      let key = String(line[..<colon])
      let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
      guard key == "store" || key == "config" else {
        throw ConfigurationError(file: file, line: offset + 1, key: key, message: "unknown key '\(key)'")
      }
      guard value.hasPrefix("/"), values[key] == nil else {
        let reason = values[key] == nil ? "expected an absolute path, found '\(value)'" : "given twice"
        throw ConfigurationError(file: file, line: offset + 1, key: key, message: reason)
      }
      values[key] = value
    }
    guard let store = values["store"], let config = values["config"] else {
      let key = values["store"] == nil ? "store" : "config"
      throw ConfigurationError(file: file, line: nil, key: key, message: "missing required key '\(key)'")
    }
    return Installation(file: file, store: store, config: config)
  }

  /// The running executable, as the kernel names it.
  private static func executablePath() -> String? {
    var buffer = [CChar](repeating: 0, count: 4096)
    let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
    guard count > 0 else { return nil }
    return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  /// Opens a file the caller names (an input, a rejects file, a report) with the caller's own
  /// group rather than the tools' group (`FilePermissions.openAsCaller`).
  package static func openAsCaller(_ path: String, _ flags: Int32, _ mode: mode_t = 0) -> Int32 {
    FilePermissions.openAsCaller(path, flags, mode)
  }
}
