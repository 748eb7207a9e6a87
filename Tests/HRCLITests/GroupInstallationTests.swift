import Foundation
import HRCore
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A group installation made with the Makefile's `group-setup` on copies of the built tools, and
/// two Unix accounts made for the test: a member of staff declared as `doc-li`, and another
/// account declared as the auditor `auditor-1`. Needs root (the tests run as root in CI); elsewhere it is skipped.
final class GroupInstallation {
  let sandbox: Sandbox
  let suffix = String(UUID().uuidString.prefix(6)).lowercased()
  var group: String { "hrg\(suffix)" }
  var staff: String { "hrs\(suffix)" }
  var other: String { "hro\(suffix)" }
  var prefix: String { sandbox.directory.appendingPathComponent("prefix").path }
  var storeDirectory: String { sandbox.directory.appendingPathComponent("var-hr").path }
  var store: String { storeDirectory + "/hr.sqlite" }
  var config: String { sandbox.directory.appendingPathComponent("etc-hr/hr.yaml").path }
  private var made: [String] = []

  /// The repository, whose Makefile is run.
  static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

  /// Whether the group installation can be made here: as root, with the account tools.
  static var possible: Bool {
    getuid() == 0
      && ["/usr/sbin/useradd", "/usr/sbin/groupadd", "/usr/bin/setpriv", "/usr/bin/make"].allSatisfy {
        FileManager.default.isExecutableFile(atPath: $0)
      }
  }

  init() throws {
    sandbox = try Sandbox(newStore: false)
    // Other accounts must reach the installed tools through the sandbox directory.
    chmod(sandbox.directory.path, 0o755)
    try root("mkdir -p '\(prefix)/bin' '\(sandbox.directory.path)/etc-hr'")
    for tool in ["hr-create", "hr-update", "hr-audit"] {
      try root("cp '\(Sandbox.binDirectory.path)/\(tool)' '\(prefix)/bin/'")
    }
    try root("groupadd '\(group)'")
    made.append("groupdel '\(group)'")
    for account in [staff, other] {
      try root("useradd --no-create-home --shell /usr/sbin/nologin '\(account)'")
      made.insert("userdel '\(account)'", at: 0)
    }
    let configuration = Sandbox.configuration(users: "[\(staff)]", for: "doc-li").replacingOccurrences(
      of: "role: auditor}", with: "role: auditor, users: [\(other)]}")
    try configuration.write(toFile: config, atomically: true, encoding: .utf8)
    try root(
      "make --no-print-directory -C '\(GroupInstallation.repository)' group-setup PREFIX='\(prefix)' GROUP='\(group)' STORE='\(store)' CONFIG='\(config)'"
    )
  }

  deinit {
    for command in made { _ = try? sandbox.shell(command) }
  }

  /// Runs a command as root, expecting it to succeed.
  func root(_ command: String) throws {
    let result = try sandbox.shell(command)
    #expect(result.status == 0, "\(command): \(result.stderr)")
  }

  /// Runs a command line as `account`, with nothing of the test's environment but a PATH that
  /// leads to the installed tools.
  func run(_ command: String, as account: String, environment: String = "") throws -> ToolResult {
    try sandbox.shell(
      "cd / && setpriv --reuid='\(account)' --regid='\(account)' --init-groups env -i PATH='\(prefix)/bin:/usr/bin:/bin' \(environment) bash -o pipefail -c \(quoted(command))"
    )
  }

  private func quoted(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}

@Suite("Group installation, with two Unix accounts", .enabled(if: GroupInstallation.possible))
struct GroupInstallationTests {
  @Test func staffActOnlyThroughTheToolsAsTheirDeclaredOperator() throws {
    let installation = try GroupInstallation()
    let staff = installation.staff
    let person = Sandbox.people(1, places: [.init(org: "500103001", district: "500103")])

    // The member of staff names no operator: the account is doc-li's.
    let created = try installation.run("printf '%s' '\(person)' | hr-create", as: staff)
    #expect(created.status == 0, "\(created.stderr)")
    let recordNo = try #require(created.objects.first?["record_no"] as? String)
    let served = try installation.run(
      #"echo '{"record_no":"\#(recordNo)","service":{"type":"consultation","date":"\#(LocalDate.todayInChina())"}}' | hr-update"#,
      as: staff)
    #expect(served.status == 0, "\(served.stderr)")

    // The store is the tools' group's, in a directory only that group reaches.
    let modes = try installation.sandbox.shell(
      "stat -c '%a %G' '\(installation.storeDirectory)' '\(installation.store)' '\(installation.prefix)/bin/hr-create'")
    #expect(
      modes.lines == [
        "2770 \(installation.group)", "660 \(installation.group)", "2755 \(installation.group)",
      ])
    #expect(
      try installation.sandbox.shell(
        "sqlite3 '\(installation.store)' \"SELECT group_concat(DISTINCT operator) FROM audit_event\""
      ).stdout == "doc-li\n")

    // Not directly: neither the file nor a copy of sqlite3 nor a tool reading it as input.
    let cat = try installation.run("cat '\(installation.store)' > /dev/null", as: staff)
    #expect(cat.status != 0)
    #expect(cat.stderr.contains("Permission denied"))
    let sqlite = try installation.run("sqlite3 '\(installation.store)' 'SELECT count(*) FROM record'", as: staff)
    #expect(sqlite.status != 0)
    // The store named as input is refused before anything is opened; another file of its
    // directory is opened with the staff account's own group, which may not enter it.
    let asInput = try installation.run("hr-create --check '\(installation.store)'", as: staff)
    #expect(asInput.status == 64)
    #expect(asInput.stderr.contains("is the store"))
    let besideIt = URL(fileURLWithPath: installation.store).deletingLastPathComponent().appendingPathComponent("lines.jsonl")
    let inItsDirectory = try installation.run("hr-create --check '\(besideIt.path)'", as: staff)
    #expect(inItsDirectory.status == 66)
    #expect(inItsDirectory.stderr.contains("Permission denied"))

    // Not another store, configuration or date, by option or environment.
    let ownStore = try installation.run("hr-audit verify --store /tmp/\(staff).sqlite", as: staff)
    #expect(ownStore.status == 64)
    #expect(ownStore.stderr.contains("--store cannot be given to the tools of a group installation"))
    let ownConfig = try installation.run("hr-audit verify", as: staff, environment: "HR_CONFIG=/tmp/\(staff).yaml")
    #expect(ownConfig.status == 64)
    #expect(ownConfig.stderr.contains("HR_CONFIG is set"))

    // Not another operator: admin-city declares no accounts, doc-li is another account's.
    let city = try installation.run("hr-audit log --operator admin-city", as: staff)
    #expect(city.status == 77)
    #expect(city.stderr.contains("operator 'admin-city' declares no users"))
    let other = try installation.run("hr-audit log", as: installation.other, environment: "HR_OPERATOR=doc-li")
    #expect(other.status == 77)
    #expect(
      other.stderr.contains(
        "operator 'doc-li' may be used only by the Unix account '\(staff)', and this tool runs as '\(installation.other)'"))
    // The other account is the auditor's: it reads the trail through the tools, as the auditor.
    let audited = try installation.run("hr-audit verify && hr-audit log --action record.create", as: installation.other)
    #expect(audited.status == 0, "\(audited.stderr)")
    #expect(audited.lines.first?.hasPrefix(#"{"ok":true,"#) == true)
    #expect(audited.objects.last?["record_no"] as? String == recordNo)
    let otherCat = try installation.run("cat '\(installation.store)'", as: installation.other)
    #expect(otherCat.status != 0)

    // Each refusal is in the trail, and the trail holds.
    #expect(
      try installation.sandbox.shell(
        "sqlite3 '\(installation.store)' \"SELECT operator || '|' || json_extract(detail, '$.account') FROM audit_event WHERE outcome = 'denied' ORDER BY seq\""
      ).lines == ["admin-city|\(staff)", "doc-li|\(installation.other)"])
    let verify = try installation.run("hr-audit verify --operator doc-li", as: staff)
    #expect(verify.status == 77, "doc-li is a clinician, who may not audit: \(verify.stderr)")
  }
}
