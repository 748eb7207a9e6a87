import Foundation
import Testing

/// What a new user meets when the configuration is not the one they think: each message says which
/// configuration was read and what was meant, through the real executables.
@Suite("Configuration diagnosis, end to end")
struct ConfigurationDiagnosisTests {
  @Test("A forgotten HR_CONFIG: the unknown operator's message says no ./hr.yaml was found and the defaults declare none")
  func forgottenConfiguration() throws {
    let sandbox = try Sandbox()
    let result = try sandbox.shell("unset HR_CONFIG; mkdir -p elsewhere && cd elsewhere && hr-create --dry-run < /dev/null")
    #expect(result.status == 77)
    #expect(
      result.stderr
        == "hr-create: unknown operator 'admin-city': no configuration file was found (no --config, no $HR_CONFIG, "
        + "no ./hr.yaml), so the built-in defaults are in use, and they declare no operators\n")
  }

  @Test("A misspelt operator: the message names the configuration read, how it was chosen, and the id meant")
  func misspeltOperator() throws {
    let sandbox = try Sandbox()
    let viaEnvironment = try sandbox.run("hr-create", ["--dry-run"], operator: "doc-lee")
    #expect(viaEnvironment.status == 77)
    #expect(
      viaEnvironment.stderr
        == "hr-create: unknown operator 'doc-lee': not declared in the configuration '\(sandbox.config)' (from $HR_CONFIG); did you mean 'doc-li'?\n"
    )
    let found = try sandbox.shell("unset HR_CONFIG; hr-archive candidates --operator admin-ctiy")
    #expect(found.status == 77)
    #expect(
      found.stderr
        == "hr-archive: unknown operator 'admin-ctiy': not declared in the configuration 'hr.yaml' (from ./hr.yaml); did you mean 'admin-city'?\n"
    )
    let given = try sandbox.run("hr-metrics", ["--config", sandbox.config, "--operator", "nobody-at-all"])
    #expect(given.status == 77)
    #expect(
      given.stderr
        == "hr-metrics: unknown operator 'nobody-at-all': not declared in the configuration '\(sandbox.config)' (from --config)\n"
    )
  }
}

/// Every problem of a configuration file in one run, through the real executables.
@Suite("Configuration errors, all in one run")
struct ConfigurationErrorsTests {
  static let badFile = """
    rules:
      lost_after_dayz: 3
      transfer_confirm_days: 0
    orgs:
      "500199001": {name: 某中心, district: "500199"}
      "500103009": {name: 某站, distrct: "500103"}
    operators:
      doc-x: {name: 某医生, org: "500199001", role: clinician}
      doc-y: {name: 某医生, role: clincian}
    operator:
      z: {name: 某人}

    """

  @Test("Each error of the file on a line of its own, with file, line and key, then exit 78")
  func allErrors() throws {
    let sandbox = try Sandbox(configuration: Self.badFile)
    let file = sandbox.config
    let roles = "clinician, org_admin, district_admin, city_admin, auditor, researcher"
    let result = try sandbox.run("hr-create", ["--dry-run"])
    #expect(result.status == 78)
    #expect(
      result.errorLines == [
        "hr-create: \(file):2: rules.lost_after_dayz: unknown key 'lost_after_dayz'; did you mean 'lost_after_days'?",
        "hr-create: \(file):3: rules.transfer_confirm_days: expected a positive integer, found '0'",
        "hr-create: \(file):5: orgs.500199001.district: unknown district '500199'",
        "hr-create: \(file):6: orgs.500103009.distrct: unknown key 'distrct'; did you mean 'district'?",
        "hr-create: \(file):6: orgs.500103009.district: missing required key 'district'",
        "hr-create: \(file):9: operators.doc-y.role: unknown role 'clincian'; expected one of \(roles)",
        "hr-create: \(file):10: operator: unknown key 'operator'; did you mean 'operators'?",
      ])
    // Every tool reads the configuration the same way.
    let listing = try sandbox.run("hr-archive", ["candidates"])
    #expect(listing.status == 78)
    #expect(listing.errorLines.count == 7)
  }

  @Test("An organisation in a district neither the defaults nor the file declare: exit 78, naming the line")
  func undeclaredDistrict() throws {
    let yaml = Sandbox.exampleConfiguration.replacingOccurrences(
      of: "orgs:\n", with: "orgs:\n  \"510104001\": {name: 锦江某中心, district: \"510104\"}\n")
    let declared = try Sandbox(configuration: yaml)
    let line = yaml.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("510104001") }! + 1
    let result = try declared.run("hr-create", ["--dry-run"])
    #expect(result.status == 78)
    #expect(result.stderr == "hr-create: \(declared.config):\(line): orgs.510104001.district: unknown district '510104'\n")
  }
}

/// `--show-config`: what a run resolves and how, on every tool, without opening the store.
@Suite("--show-config, end to end")
struct ShowConfigTests {
  @Test("Each tool prints the configuration, store, operator and today with how each was chosen, and exits 0")
  func resolved() throws {
    let sandbox = try Sandbox()
    let before = try sandbox.sqlite("SELECT count(*) FROM audit_event")
    for command in [["hr-create"], ["hr-update"], ["hr-archive", "candidates"], ["hr-audit", "log"], ["hr-metrics"]] {
      let result = try sandbox.run(command[0], Array(command.dropFirst()) + ["--show-config"], operator: "doc-li")
      #expect(result.status == 0, "\(command): \(result.stderr)")
      #expect(result.stderr == "")
      #expect(
        result.lines == [
          "configuration: \(sandbox.config) (from $HR_CONFIG)",
          "store: \(sandbox.store) (from $HR_STORE; exists)",
          "operator: doc-li 李医生 (clinician, org 500103001 解放碑社区卫生服务中心, district 500103 渝中区) (from $HR_OPERATOR)",
          "today: 2026-11-26 (from $HR_TODAY)",
        ], "\(command)")
    }
    // Nothing was read from the store, so nothing was audited.
    #expect(try sandbox.sqlite("SELECT count(*) FROM audit_event") == before)
    let given = try sandbox.shell(
      "unset HR_TODAY HR_STORE; hr-transfer list --show-config --config hr.yaml --store new.sqlite --operator admin-city --today 2026-01-02"
    )
    #expect(given.status == 0, "\(given.stderr)")
    #expect(
      given.lines == [
        "configuration: \(sandbox.directory.path)/hr.yaml (from --config)",
        "store: \(sandbox.directory.path)/new.sqlite (from --store; does not exist yet)",
        "operator: admin-city 市卫生健康委管理员 (city_admin, the whole city) (from --operator)",
        "today: 2026-01-02 (from --today)",
      ])
    // The store it names is never created.
    #expect(!FileManager.default.fileExists(atPath: sandbox.directory.appendingPathComponent("new.sqlite").path))
  }

  @Test("A forgotten HR_CONFIG shows as the built-in defaults, and the operator as not declared: exit 77")
  func forgotten() throws {
    let sandbox = try Sandbox()
    let result = try sandbox.shell(
      "unset HR_CONFIG HR_STORE HR_TODAY; mkdir -p elsewhere && cd elsewhere && hr-create --show-config")
    #expect(result.status == 77)
    let lines = result.lines
    #expect(lines.count == 4)
    #expect(lines.first == "configuration: built-in defaults (no --config, no $HR_CONFIG, no ./hr.yaml)")
    #expect(
      lines.dropFirst().first
        == "store: \(sandbox.directory.path)/elsewhere/hr.sqlite (the default ./hr.sqlite: no --store, no $HR_STORE; does not exist yet)"
    )
    #expect(lines.dropFirst(2).first == "operator: admin-city (from $HR_OPERATOR; not declared)")
    #expect(lines.last?.hasSuffix(" (the clock, in China Standard Time)") == true)
    #expect(result.stderr.hasPrefix("hr-create: unknown operator 'admin-city': no configuration file was found"))
  }

  @Test("A configuration with errors: every error on standard error, exit 78; no operator: exit 77")
  func refusals() throws {
    let sandbox = try Sandbox(configuration: ConfigurationErrorsTests.badFile)
    let bad = try sandbox.run("hr-export", ["roster", "--show-config"])
    #expect(bad.status == 78)
    #expect(bad.lines[2] == "operator: admin-city (from $HR_OPERATOR; not looked up, as the configuration has errors)")
    #expect(bad.errorLines.count == 7)
    let good = try Sandbox()
    let none = try good.run("hr-create", ["--show-config"], operator: nil)
    #expect(none.status == 77)
    #expect(none.lines[2] == "operator: none (no --operator, no $HR_OPERATOR)")
    #expect(none.stderr == "hr-create: no operator: name one with --operator or HR_OPERATOR\n")
  }
}
