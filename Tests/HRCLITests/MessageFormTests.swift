import Foundation
import Testing

@Suite("One message form for every tool")
struct MessageFormTests {
  static let tools = ["hr-create", "hr-update", "hr-transfer", "hr-archive", "hr-audit", "hr-export", "hr-metrics"]

  @Test("A usage error starts with the tool's name, exits 64 and still shows the usage", arguments: tools)
  func usageErrorNamesTheTool(tool: String) throws {
    let result = try Sandbox().run(tool, ["--no-such-option"])
    #expect(result.status == 64)
    #expect(result.stdout.isEmpty)
    #expect(result.errorLines.first == "\(tool): Unknown option '--no-such-option'")
    #expect(result.stderr.contains("Usage: \(tool)"))
    #expect(!result.stderr.contains("Error:"))
  }

  @Test("A subcommand's usage error and a validation error read the same way")
  func subcommandAndValidation() throws {
    let sandbox = try Sandbox()
    let sub = try sandbox.run("hr-transfer", ["confirm", "--batch-size", "0"])
    #expect(sub.status == 64)
    #expect(sub.errorLines.first == "hr-transfer: --batch-size must be between 1 and 1000000")
    let missing = try sandbox.run("hr-transfer")
    #expect(missing.status == 64)
    #expect(missing.errorLines.first?.hasPrefix("hr-transfer: name a subcommand: ") == true)
    let both = try sandbox.run("hr-create", ["--check", "--skip-existing"])
    #expect(both.errorLines.first == "hr-create: --skip-existing and --check cannot be given together")
  }

  @Test("--help and --version still print on standard output and exit 0", arguments: tools)
  func helpAndVersion(tool: String) throws {
    let sandbox = try Sandbox()
    let help = try sandbox.run(tool, ["--help"])
    #expect(help.status == 0)
    #expect(help.stderr.isEmpty)
    #expect(help.stdout.contains("USAGE: \(tool)"))
    let version = try sandbox.run(tool, ["--version"])
    #expect(version.status == 0)
    #expect(version.stdout == "\(tool) (hr) 0.2.0\n")
  }
}
