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

  /// Every file under man/: the tools' pages, hr(7) and hr.yaml(5).
  static let files: [String] = {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: manDirectory.path)) ?? []
    return names.filter { $0.hasPrefix("hr") }.sorted()
  }()

  /// Runs a program with arguments and returns its exit status and its standard output, with its
  /// standard error unless `errors` is false.
  static func output(_ program: String, _ arguments: [String], errors: Bool = true) throws -> (status: Int32, text: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: program)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = errors ? pipe : FileHandle.nullDevice
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
  }

  /// The display width of a line in a terminal: East Asian wide and full-width characters take two columns.
  static func displayWidth(_ line: String) -> Int {
    line.unicodeScalars.reduce(0) { width, scalar in
      let value = scalar.value
      let wide =
        (0x1100...0x115F).contains(value) || (0x2E80...0xA4CF).contains(value) || (0xAC00...0xD7A3).contains(value)
        || (0xF900...0xFAFF).contains(value) || (0xFE30...0xFE4F).contains(value) || (0xFF00...0xFF60).contains(value)
        || (0xFFE0...0xFFE6).contains(value)
      return width + (wide ? 2 : 1)
    }
  }

  @Test("Each page formats under groff with no warning and fits 80 columns", arguments: files)
  func groff(file: String) throws {
    let groff = "/usr/bin/groff"
    try #require(FileManager.default.isExecutableFile(atPath: groff), "groff is not installed: apt-get install -y groff-base")
    let path = ManPageTests.manDirectory.appendingPathComponent(file).path
    // As man(1) formats it: -k runs preconv for the UTF-8 text, -ww turns every warning on.
    let warnings = try ManPageTests.output(groff, ["-mandoc", "-k", "-ww", "-z", "-Tutf8", path])
    #expect(warnings.text.isEmpty, "\(warnings.text)")
    // As man(1) shows it in an 80-column terminal (MANWIDTH=80), in plain text.
    let page = try ManPageTests.output(groff, ["-mandoc", "-k", "-Tutf8", "-rLL=80n", "-P-cbou", path], errors: false)
    #expect(page.status == 0)
    let wide = page.text.split(separator: "\n").map(String.init).filter { ManPageTests.displayWidth($0) > 80 }
    #expect(wide.isEmpty, "\(file) has lines wider than 80 columns:\n\(wide.joined(separator: "\n"))")
  }

  @Test("Each page's footer carries hr and the version the tools print", arguments: files)
  func footer(file: String) throws {
    let version = try Sandbox().run("hr-create", ["--version"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    #expect(version.hasPrefix("hr-create (hr) "))
    let number = version.dropFirst("hr-create (hr) ".count)
    let manual = try String(contentsOf: ManPageTests.manDirectory.appendingPathComponent(file), encoding: .utf8)
    #expect(manual.split(separator: "\n").contains { $0 == ".Os hr \(number)" }, "\(file) has no '.Os hr \(number)'")
  }

  @Test("SEE ALSO names only pages that exist: hr's own under man/, others installed", arguments: files)
  func seeAlso(file: String) throws {
    let manual = try String(contentsOf: ManPageTests.manDirectory.appendingPathComponent(file), encoding: .utf8)
    let lines = manual.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    let start = try #require(lines.firstIndex(of: ".Sh SEE ALSO"), "\(file) has no SEE ALSO")
    let section = lines[(start + 1)...].prefix { !$0.hasPrefix(".Sh ") }
    let references = section.filter { $0.hasPrefix(".Xr ") }.map { $0.split(separator: " ").map(String.init) }
    #expect(!references.isEmpty)
    for reference in references {
      try #require(reference.count >= 3, "\(file): \(reference.joined(separator: " "))")
      let (name, number) = (reference[1], reference[2])
      if name.hasPrefix("hr") {
        let page = ManPageTests.manDirectory.appendingPathComponent("\(name).\(number)").path
        #expect(FileManager.default.fileExists(atPath: page), "\(file) names \(name)(\(number)), which is not under man/")
      } else {
        // Another program's page: installed with the program (jq, sqlite3), which the tests run too.
        let found = try ManPageTests.output("/usr/bin/man", ["-w", number, name])
        let onPath = try ManPageTests.output("/usr/bin/which", [name])
        #expect(found.status == 0 || onPath.status == 0, "\(file) names \(name)(\(number)), which is not installed")
      }
    }
  }

  @Test("Every executable has a page")
  func everyExecutableHasAPage() throws {
    let executables = try FileManager.default.contentsOfDirectory(atPath: Sandbox.binDirectory.path)
      .filter { $0.hasPrefix("hr-") && $0 != "hr-bench" && !$0.contains(".") }
    #expect(!executables.isEmpty)
    // The parameterised checks below run one case a page: without pages they would check nothing.
    #expect(!ManPageTests.pages.isEmpty, "no page under \(ManPageTests.manDirectory.path)")
    #expect(ManPageTests.files.contains("hr.7") && ManPageTests.files.contains("hr.yaml.5"), "\(ManPageTests.files)")
    for executable in executables {
      #expect(ManPageTests.pages.contains(executable), "man/\(executable).1 is missing")
    }
  }

  @Test("Each page passes mandoc -Tlint with no warning", arguments: files)
  func lint(page: String) throws {
    let mandoc = "/usr/bin/mandoc"
    try #require(FileManager.default.isExecutableFile(atPath: mandoc), "mandoc is not installed: apt-get install -y mandoc")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: mandoc)
    process.arguments = ["-Tlint", "-W", "warning", ManPageTests.manDirectory.appendingPathComponent(page).path]
    let output = Pipe()
    process.standardOutput = output
    process.standardError = output
    try process.run()
    let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    #expect(process.terminationStatus == 0)
    #expect(text.isEmpty, "\(text)")
  }

  /// The `--help` of an executable and of each subcommand its help lists under SUBCOMMANDS.
  static func helpTexts(of page: String, in sandbox: Sandbox) throws -> [String] {
    var helpTexts = [try sandbox.run(page, ["--help"]).stdout]
    if let range = helpTexts[0].range(of: "SUBCOMMANDS:") {
      let names = helpTexts[0][range.upperBound...].split(separator: "\n").compactMap {
        $0.split(separator: " ").first.map(String.init)
      }.filter { $0.allSatisfy { $0.isLetter || $0 == "-" } }
      for name in names { helpTexts.append(try sandbox.run(page, [name, "--help"]).stdout) }
      // Were no subcommand found, only the executable's own options would be checked.
      #expect(helpTexts.dropFirst().contains { $0.contains("--store") }, "no subcommand of \(page) found in its --help")
    }
    return helpTexts
  }

  @Test("Each page documents every option its executable's --help lists", arguments: pages)
  func optionsAreDocumented(page: String) throws {
    let manual = try String(contentsOf: ManPageTests.manDirectory.appendingPathComponent("\(page).1"), encoding: .utf8)
    let helpTexts = try ManPageTests.helpTexts(of: page, in: Sandbox())
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

  @Test("Each page gives the numeric defaults its executable's --help gives", arguments: pages)
  func defaultsAgree(page: String) throws {
    let manual = try String(contentsOf: ManPageTests.manDirectory.appendingPathComponent("\(page).1"), encoding: .utf8)
    // The page's text for each option: from its `.It Fl -name` to the next item or the list's end.
    var items: [String: String] = [:]
    var current: String?
    for line in manual.split(separator: "\n", omittingEmptySubsequences: false) {
      if line.hasPrefix(".It Fl -") || line.hasPrefix(".It Fl \\-") {
        let name = line.drop { $0 != "-" }.dropFirst().prefix { $0 == "-" || $0.isLetter || $0.isNumber }
        current = String(name)
        items[String(name), default: ""] += "\n"
      } else if line.hasPrefix(".It") || line.hasPrefix(".El") {
        current = nil
      } else if let current {
        items[current, default: ""] += line + "\n"
      }
    }
    var checked = 0
    for help in try ManPageTests.helpTexts(of: page, in: Sandbox()) {
      // An option's help, wrapped over lines, runs to the next line that starts another option.
      let blocks = help.split(separator: "\n").reduce(into: [String]()) { blocks, line in
        if line.drop(while: { $0 == " " }).hasPrefix("-") { blocks.append("") }
        if !blocks.isEmpty { blocks[blocks.count - 1] += " " + line }
      }
      for block in blocks {
        let option = block.split(separator: " ").first { $0.hasPrefix("--") }?.prefix { $0 != "," }
        guard let option, let at = block.range(of: "(default: ") else { continue }
        // A whole number of seconds is printed as a decimal (`30.0`), and written on the page as `30`.
        var value = block[at.upperBound...].drop { $0 == " " }.prefix { $0 != ")" }
        if value.hasSuffix(".0") { value = value.dropLast(2) }
        guard !value.isEmpty, value.allSatisfy(\.isNumber) else { continue }
        let name = String(option.dropFirst(2))
        // A page may name the common options without an item of their own, as hr(7) describes them.
        guard let item = items[name] else { continue }
        #expect(item.contains("default \(value)"), "\(page).1 does not give --\(name)'s default \(value)")
        checked += 1
      }
    }
    // Each page has an item with a numeric default: --busy-timeout, or --batch-size.
    #expect(checked > 0, "no numeric default found in \(page)'s --help")
  }
}
