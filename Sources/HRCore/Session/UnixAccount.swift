#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The Unix account a tool runs for, which an operator's `users:` is checked against.
package enum UnixAccount {
  /// The name of the real user id in the password database, or nil when it has none. Never
  /// `$USER` or `$LOGNAME`: whoever starts a tool sets its environment, not its user id.
  package static var current: String? {
    var entry = passwd()
    var result: UnsafeMutablePointer<passwd>?
    var buffer = [CChar](repeating: 0, count: 16_384)
    guard getpwuid_r(getuid(), &entry, &buffer, buffer.count, &result) == 0, result != nil, let name = entry.pw_name
    else { return nil }
    return String(cString: name)
  }
}
