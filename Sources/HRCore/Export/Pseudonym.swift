import Crypto
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why the pseudonymisation key cannot be used; each ends the run as a configuration error (exit 78).
///
/// No message ever holds a byte of the key: only its path, its size and its mode.
package enum PseudonymKeyError: Error, Equatable, Sendable, CustomStringConvertible {
  case notConfigured
  case unreadable(path: String, reason: String)
  case tooShort(path: String, bytes: Int)
  case exposed(path: String, mode: Int)

  package var description: String {
    switch self {
    case .notConfigured:
      "export.pseudonym_key_file is not set in the configuration: a de-identified export needs a secret key"
    case .unreadable(let path, let reason): "cannot read the pseudonym key file '\(path)': \(reason)"
    case .tooShort(let path, let bytes):
      "the pseudonym key file '\(path)' holds \(bytes) bytes; it needs at least \(PseudonymKey.minimumBytes)"
    case .exposed(let path, let mode):
      "the pseudonym key file '\(path)' is readable or writable by others (mode \(String(mode, radix: 8))); "
        + "make it owner-only with chmod 600"
    }
  }
}

/// The secret key of keyed pseudonyms (附件2 六: 去标识化): HMAC-SHA256 of the record number under
/// it, so that the same person gets the same pseudonym in every export under the same key, while
/// anyone without the key can neither compute nor reverse one.
///
/// The record number is the record's master index and never changes, not through a transfer and
/// not through an identifier upgrade, so neither changes the pseudonym. The key is read from its file
/// at run time and never stored, printed or logged.
package struct PseudonymKey: Sendable {
  /// The fewest bytes a key may have: 256 bits, the output size of SHA-256.
  package static let minimumBytes = 32
  /// SHA-256 with the key's inner and outer pads already hashed (HMAC, RFC 2104): each pseudonym
  /// copies them and hashes only the record number, then the inner digest. They are `SHA256`
  /// itself rather than `HMAC<SHA256>`, whose generic code looked its type metadata up at run time
  /// for every record: a sixth of a million-record export.
  private let inner: SHA256
  private let outer: SHA256

  /// Uses `bytes` as they are as the key.
  package init(bytes: [UInt8]) throws(PseudonymKeyError) {
    guard bytes.count >= Self.minimumBytes else { throw .tooShort(path: "", bytes: bytes.count) }
    (inner, outer) = Self.pads(bytes)
  }

  /// The HMAC-SHA256 states after the key's inner and outer pads: a key longer than SHA-256's
  /// 64-byte block is hashed first, a shorter one filled with zeros.
  private static func pads(_ key: some Collection<UInt8>) -> (inner: SHA256, outer: SHA256) {
    var block = key.count > SHA256.blockByteCount ? Array(SHA256.hash(data: Array(key))) : Array(key)
    block += repeatElement(0, count: SHA256.blockByteCount - block.count)
    defer { for index in block.indices { block[index] = 0 } }
    var inner = SHA256()
    inner.update(data: block.map { $0 ^ 0x36 })
    var outer = SHA256()
    outer.update(data: block.map { $0 ^ 0x5c })
    return (inner, outer)
  }

  /// Reads the key file at `path`: every byte of it, as it is, is the key. Refused when it is
  /// missing, shorter than 32 bytes, or open to the group (other than the tools' own group of a
  /// group installation) or to others.
  package init(file path: String?) throws(PseudonymKeyError) {
    guard let path else { throw .notConfigured }
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw .unreadable(path: path, reason: String(cString: strerror(errno))) }
    defer { close(fd) }
    var status = stat()
    guard fstat(fd, &status) == 0 else { throw .unreadable(path: path, reason: String(cString: strerror(errno))) }
    guard status.st_mode & S_IFMT == S_IFREG else { throw .unreadable(path: path, reason: "not a regular file") }
    let mode = Int(status.st_mode & 0o7777)
    // A tool of a group installation runs as the caller, with the tools' group: the key is then
    // readable by that group (0640), which no person belongs to, and by no one else.
    let toolsGroup = getegid() != getgid() && status.st_gid == getegid()
    guard mode & (toolsGroup ? 0o037 : 0o077) == 0 else { throw .exposed(path: path, mode: mode) }
    // A key file is small; one larger than this is not a key file.
    let limit = 1 << 16
    var bytes = [UInt8](repeating: 0, count: limit + 1)
    var count = 0
    while count < bytes.count {
      let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + count, $0.count - count) }
      if n < 0, errno == EINTR { continue }
      guard n >= 0 else { throw .unreadable(path: path, reason: String(cString: strerror(errno))) }
      if n == 0 { break }
      count += n
    }
    guard count <= limit else { throw .unreadable(path: path, reason: "larger than \(limit) bytes") }
    guard count >= Self.minimumBytes else { throw .tooShort(path: path, bytes: count) }
    (inner, outer) = Self.pads(bytes[0..<count])
    for index in bytes.indices { bytes[index] = 0 }
  }

  /// The pseudonym of a record: lower-case hex HMAC-SHA256 of its record number.
  package func pseudonym(of recordNo: String) -> String {
    digest(of: recordNo).hexString
  }

  /// HMAC-SHA256 of a record number, whose hex is its pseudonym: its bytes sort as the hex does.
  func digest(of recordNo: String) -> SHA256Digest {
    var hash = inner
    var recordNo = recordNo
    recordNo.withUTF8 { hash.update(bufferPointer: UnsafeRawBufferPointer($0)) }
    let innerDigest = hash.finalize()
    var outerHash = outer
    innerDigest.withUnsafeBytes { outerHash.update(bufferPointer: $0) }
    return outerHash.finalize()
  }
}
