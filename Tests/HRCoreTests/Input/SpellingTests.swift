import Testing

@testable import HRCore

@Suite("Did you mean: the nearest name")
struct SpellingTests {
  @Test(
    "A slip of one or two edits finds the name meant; a name too far, or a short one two edits away, finds none",
    arguments: [
      ("phnoe", ["phone", "name", "sex"], "phone"),
      ("operator", ["rules", "operators", "orgs"], "operators"),
      ("lost_after_dayz", ["lost_after_days", "moved_out_after_days"], "lost_after_days"),
      ("doc-lee", ["doc-li", "doc-wang", "admin-city"], "doc-li"),
      ("Admin-City", ["doc-li", "admin-city"], "admin-city"),
      ("nmae", ["name", "sex"], "name"),
      ("xyz", ["name", "sex"], nil),
      ("ab", ["cd", "name"], nil),
      ("nobody-at-all", ["doc-li", "admin-city"], nil),
    ] as [(String, [String], String?)])
  func nearest(typed: String, candidates: [String], expected: String?) {
    #expect(Spelling.nearest(to: typed, in: candidates) == expected)
  }

  @Test("The suggestion reads '; did you mean …?' with the prefix, or nothing")
  func suggestion() {
    #expect(Spelling.suggestion(for: "summry", in: ["summary"], prefix: "service.") == "; did you mean 'service.summary'?")
    #expect(Spelling.suggestion(for: "zzz", in: ["summary"]).isEmpty)
  }

  @Test("An unknown operator's refusal names the configuration read, or says none was found")
  func unknownOperator() throws {
    let configuration = try Configuration.parse(
      yaml: "operators:\n  doc-li: {name: 李医生, role: auditor}\n", file: "hr.yaml")
    let today = try #require(LocalDate("2026-11-26"))
    #expect(
      throws: SessionError.unknownOperator(
        "doc-lee", source: .file(path: "hr.yaml", chosenBy: "./hr.yaml"), suggestion: "doc-li")
    ) {
      try Session(
        configuration: configuration, operatorID: "doc-lee", today: today,
        source: .file(path: "hr.yaml", chosenBy: "./hr.yaml"))
    }
    let refusal = SessionError.unknownOperator("doc-li", source: .builtInDefaults, suggestion: nil)
    #expect(
      refusal.description
        == "unknown operator 'doc-li': no configuration file was found (no --config, no $HR_CONFIG, no ./hr.yaml), "
        + "so the built-in defaults are in use, and they declare no operators")
  }
}
