import Foundation
import Testing

extension Sandbox {
  /// The name of the Unix account the tests run as, from `id -un` rather than the tools' code.
  static let account: String = {
    let process = Process()
    let pipe = Pipe()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/id")
    process.arguments = ["-un"]
    process.standardOutput = pipe
    try? process.run()
    process.waitUntilExit()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
  }()

  /// The example configuration with `users:` added to the operator `id`.
  static func configuration(users: String, for id: String) -> String {
    exampleConfiguration.split(separator: "\n", omittingEmptySubsequences: false).map { line in
      guard line.hasPrefix("  \(id):"), line.hasSuffix("}") else { return String(line) }
      return String(line.dropLast()) + ", users: \(users)}"
    }.joined(separator: "\n")
  }
}

@Suite("Operators tied to Unix accounts")
struct OperatorAccountTests {
  @Test func aCityAdministratorDeclaredForAnotherAccountIsRefusedAndTheRefusalAudited() throws {
    let sandbox = try Sandbox(configuration: Sandbox.configuration(users: "[li-admin, wang]", for: "admin-city"))
    let result = try sandbox.run("hr-archive", ["candidates"], operator: "admin-city")
    #expect(result.status == 77)
    #expect(result.stdout.isEmpty)
    #expect(
      result.errorLines
        == [
          "hr-archive: operator 'admin-city' may be used only by the Unix accounts 'li-admin', 'wang', and this tool runs as '\(Sandbox.account)'"
        ])
    #expect(
      try sandbox.sqlite(
        "SELECT operator || '|' || action || '|' || outcome || '|' || json_extract(detail, '$.account') FROM audit_event")
        == "admin-city|command.run|denied|\(Sandbox.account)")
    // Writes are refused the same way, before any line is read.
    let write = try sandbox.run("hr-create", stdin: Sandbox.people(1), operator: "admin-city")
    #expect(write.status == 77)
    #expect(try sandbox.sqlite("SELECT count(*) FROM record") == "0")
  }

  @Test func theDeclaredAccountActsAsItsOperator() throws {
    let sandbox = try Sandbox(configuration: Sandbox.configuration(users: "[\(Sandbox.account)]", for: "doc-li"))
    let created = try sandbox.run(
      "hr-create", stdin: Sandbox.people(1, places: [.init(org: "500103001", district: "500103")]), operator: "doc-li")
    #expect(created.status == 0, "\(created.stderr)")
    #expect(try sandbox.sqlite("SELECT created_by FROM record") == "doc-li")
    // An operator that declares no accounts is as before: outside a group installation the name is enough.
    let other = try sandbox.run("hr-audit", ["verify"], operator: "auditor-1")
    #expect(other.status == 0, "\(other.stderr)")
  }

  @Test(
    "users must be a non-empty list of account names",
    arguments: [
      ("li", "expected a non-empty list of Unix account names, found 'li'"),
      ("[]", "expected a non-empty list of Unix account names, found a list"),
      ("[-rf]", "account name '-rf' must be 1 to 32 letters, digits, '.', '_' or '-', not starting with '-'"),
      ("[li wang]", "account name 'li wang' must be 1 to 32 letters, digits, '.', '_' or '-', not starting with '-'"),
    ])
  func usersMustBeAListOfAccountNames(users: String, message: String) throws {
    let configuration = Sandbox.configuration(users: users, for: "doc-li")
    let sandbox = try Sandbox(configuration: configuration)
    let line =
      configuration.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.hasPrefix("  doc-li:") }! + 1
    let result = try sandbox.run("hr-audit", ["verify"], operator: "auditor-1")
    #expect(result.status == 78)
    let key = users.hasPrefix("[") && users != "[]" ? "operators.doc-li.users.0" : "operators.doc-li.users"
    #expect(result.errorLines == ["hr-audit: \(sandbox.config):\(line): \(key): \(message)"])
  }
}
