import HRCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A progress line on standard error once a second, only when a person is watching.
struct Progress {
  let tool: String
  let verb: String
  private let enabled = StandardError.isTerminal
  private var lastSecond = Progress.seconds()
  private var shown = false

  init(tool: String, verb: String) {
    self.tool = tool
    self.verb = verb
  }

  mutating func tick(accepted: Int, rejected: Int) {
    guard enabled else { return }
    let now = Progress.seconds()
    guard now > lastSecond else { return }
    lastSecond = now
    shown = true
    StandardError.write("\r\(tool): \(accepted) \(verb), \(rejected) rejected…")
  }

  func finish() {
    if shown { StandardError.write("\n") }
  }

  private static func seconds() -> Int { Int(time(nil)) }
}
