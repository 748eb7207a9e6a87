import Foundation
import Testing

/// The store named where the lines to read belong, by a slip of the operands or of a redirection:
/// refused before anything is opened, the store left as it was.
@Suite("The store named as an input")
struct StoreAsInputTests {
  @Test(
    "An input that is the store or one of its files, by any path or as standard input, is refused (exit 64)",
    arguments: [
      "hr-create hr.sqlite", "hr-create people.jsonl ./hr.sqlite", "hr-create --store store-link hr.sqlite",
      "hr-create store-link", "hr-create hr.sqlite-wal", "hr-create hr.sqlite-shm", "hr-create < hr.sqlite",
      "hr-create - < store-link", "hr-update hr.sqlite", "hr-update amend hr.sqlite", "hr-transfer request hr.sqlite",
      "hr-transfer confirm < hr.sqlite", "hr-archive lost hr.sqlite", "hr-export approve hr.sqlite",
    ])
  func refused(command: String) throws {
    let sandbox = try Sandbox()
    try sandbox.write("people.jsonl", Sandbox.people(2, seed: 33))
    #expect(try sandbox.run("hr-create", ["--quiet", "people.jsonl"]).status == 0)
    let before = try Self.contents(of: sandbox)
    let result = try sandbox.shell("ln -s hr.sqlite store-link && " + command)
    #expect(result.status == 64, "\(result.stderr)")
    #expect(result.stdout.isEmpty)
    #expect(result.errorLines.count == 1, "\(result.stderr)")
    #expect(result.stderr.contains(" is the store"), "\(result.stderr)")
    #expect(try Self.contents(of: sandbox) == before)
    #expect(try sandbox.sqlite("PRAGMA integrity_check") == "ok")
  }

  @Test("The message names the input and the store's file")
  func message() throws {
    let sandbox = try Sandbox()
    #expect(try sandbox.run("hr-create", ["--quiet"], stdin: Sandbox.people(1)).status == 0)
    let operand = try sandbox.run("hr-create", ["./hr.sqlite"])
    #expect(
      operand.stderr == "hr-create: the input './hr.sqlite' is the store '\(sandbox.store)': name the file of lines to read\n")
    let companion = try sandbox.run("hr-update", [sandbox.store + "-wal"])
    #expect(
      companion.stderr
        == "hr-update: the input '\(sandbox.store)-wal' is the store's companion file '\(sandbox.store)-wal': name the file of lines to read\n"
    )
    let redirected = try sandbox.shell("hr-create < hr.sqlite")
    #expect(redirected.stderr == "hr-create: standard input is the store '\(sandbox.store)': name the file of lines to read\n")
  }

  /// The records and the events of the store, to prove it untouched.
  private static func contents(of sandbox: Sandbox) throws -> String {
    try sandbox.sqlite("SELECT (SELECT group_concat(record_no) FROM record) || ' ' || (SELECT count(*) FROM audit_event)")
  }
}
