import Foundation
import Testing

@Suite("Man pages")
struct ManPageTests {
  static let manDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("man")

  /// Every page under man/, by executable name.
  static let pages: [String] = {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: manDirectory.path)) ?? []
    return names.filter { $0.hasSuffix(".1") }.map { String($0.dropLast(2)) }.sorted()
  }()

  @Test("Every executable has a page")
  func everyExecutableHasAPage() throws {
    let executables = try FileManager.default.contentsOfDirectory(atPath: Sandbox.binDirectory.path)
      .filter { $0.hasPrefix("hr-") && $0 != "hr-bench" && !$0.contains(".") }
    #expect(!executables.isEmpty)
    // The parameterised checks below run one case a page: without pages they would check nothing.
    #expect(!ManPageTests.pages.isEmpty, "no page under \(ManPageTests.manDirectory.path)")
    for executable in executables {
      #expect(ManPageTests.pages.contains(executable), "man/\(executable).1 is missing")
    }
  }

  @Test("Each page passes mandoc -Tlint with no warning", arguments: pages)
  func lint(page: String) throws {
    let mandoc = "/usr/bin/mandoc"
    try #require(FileManager.default.isExecutableFile(atPath: mandoc), "mandoc is not installed: apt-get install -y mandoc")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: mandoc)
    process.arguments = ["-Tlint", "-W", "warning", ManPageTests.manDirectory.appendingPathComponent("\(page).1").path]
    let output = Pipe()
    process.standardOutput = output
    process.standardError = output
    try process.run()
    let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    #expect(process.terminationStatus == 0)
    #expect(text.isEmpty, "\(text)")
  }

  @Test("Each page documents every option its executable's --help lists", arguments: pages)
  func optionsAreDocumented(page: String) throws {
    let manual = try String(contentsOf: ManPageTests.manDirectory.appendingPathComponent("\(page).1"), encoding: .utf8)
    let sandbox = try Sandbox()
    var helpTexts = [try sandbox.run(page, ["--help"]).stdout]
    // Subcommands are listed under SUBCOMMANDS in the help; each has options of its own.
    if let range = helpTexts[0].range(of: "SUBCOMMANDS:") {
      let names = helpTexts[0][range.upperBound...].split(separator: "\n").compactMap {
        $0.split(separator: " ").first.map(String.init)
      }.filter { $0.allSatisfy { $0.isLetter || $0 == "-" } }
      for name in names { helpTexts.append(try sandbox.run(page, [name, "--help"]).stdout) }
      // Were no subcommand found, only the executable's own options would be checked.
      #expect(helpTexts.dropFirst().contains { $0.contains("--store") }, "no subcommand of \(page) found in its --help")
    }
    let options = Set(
      helpTexts.flatMap { text in
        text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "," || $0 == "[" || $0 == "]" || $0 == "(" || $0 == ")" })
          .filter { $0.hasPrefix("--") && $0.count > 2 }
          .map { String($0.prefix { $0 == "-" || $0.isLetter || $0.isNumber }) }
      })
    #expect(!options.isEmpty)
    for option in options.sorted() {
      // mdoc writes --store as "Fl -store" or, escaped, "Fl \-store".
      let name = option.dropFirst(2)
      #expect(
        manual.contains("Fl -\(name)") || manual.contains("Fl \\-\(name)"), "\(page).1 does not document \(option)")
    }
  }
}
