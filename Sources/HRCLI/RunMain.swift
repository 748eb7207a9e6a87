import ArgumentParser

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs a tool's root command, so that every error a tool prints, a usage error included, reads
/// `tool: message` like every other whole-run error (hr(7) COMMON BEHAVIOUR), where the argument
/// parser alone would print `Error: message`. `--help` and `--version` print on standard output and
/// exit 0, as they always did; a usage error exits 64 with the usage after the message.
///
/// `TOOL --version` alone is answered before the argument parser is built: it prints the same line
/// the parser would, without the reflection over every option that a parse costs (most of the
/// run's time), so that a script can ask for the version as often as it likes.
package func runMain<C: ParsableCommand>(_ command: C.Type, tool: String) -> Never {
  let arguments = CommandLine.arguments
  if arguments.count == 2, arguments[1] == "--version", !C.configuration.version.isEmpty {
    print(C.configuration.version)
    exit(0)
  }
  do {
    var parsed = try C.parseAsRoot()
    try parsed.run()
  } catch {
    let status = C.exitCode(for: error)
    let text = C.fullMessage(for: error)
    if status == .success {
      if !text.isEmpty { print(text) }
      exit(0)
    }
    if !text.isEmpty {
      let prefix = "Error: "
      let message = text.hasPrefix(prefix) ? "\(tool): " + text.dropFirst(prefix.count) : "\(tool): \(text)"
      StandardError.write(message.hasSuffix("\n") ? message : message + "\n")
    }
    exit(status.rawValue)
  }
  exit(0)
}
