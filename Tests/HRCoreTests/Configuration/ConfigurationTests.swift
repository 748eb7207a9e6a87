import Foundation
import Testing

@testable import HRCore

/// The example configuration from the design notes, used by several tests.
private let configurationExample = """
  rules:
    transfer_confirm_days: 7
    cross_district_protection_days: 180
    intra_district_protection_days: 0   # for districts that set none
    lost_after_days: 365
    moved_out_after_days: 365
    service_entry_days: 5
    death_entry_days: 30
    signed_contact_days: 182
    newborn_id_update_days: 90
    retention_years: 15
  districts:
    "500103": {name: 渝中区, intra_district_protection_days: 90, population: 589000}
  orgs:
    "500103001": {name: 解放碑社区卫生服务中心, district: "500103"}
  operators:
    doc-li:   {name: 李医生, org: "500103001", role: clinician}
    admin-yz: {name: 渝中区管理员, district: "500103", role: district_admin}
  services:
    elderly_exam: {free_per_year: 1, min_age: 65}
  export:
    k: 5
    age_band_years: 5
    pseudonym_key_file: /etc/hr/pseudonym.key

  """

/// Parses YAML text under the file name "hr.yaml".
private func parseConfiguration(_ yaml: String) throws(ConfigurationError) -> Configuration {
  try Configuration.parse(yaml: yaml, file: "hr.yaml")
}

/// Returns the error parsing the text produces, or nil when it parses.
private func configurationParseError(_ yaml: String) -> ConfigurationError? {
  do {
    _ = try parseConfiguration(yaml)
    return nil
  } catch {
    return error
  }
}

@Suite("Configuration defaults")
struct ConfigurationDefaultsTests {
  @Test(
    "Files with no settings give the defaults",
    arguments: [
      "", "# only\n# comments\n", "~\n", "null\n", "---\n", "\n\n", "rules:\n", "orgs: ~\noperators:\n",
    ])
  func emptyFilesGiveDefaults(yaml: String) throws {
    let configuration = try parseConfiguration(yaml)
    #expect(configuration == Configuration.defaults)
  }

  @Test("The defaults hold the city rules, 38 districts and the default service types")
  func defaultsContent() {
    let defaults = Configuration.defaults
    #expect(defaults.rules == Rules())
    #expect(defaults.rules.transferConfirmDays == 7)
    #expect(defaults.rules.crossDistrictProtectionDays == 180)
    #expect(defaults.rules.retentionYears == 15)
    #expect(defaults.districts.count == 38)
    #expect(defaults.districts["500103"] == District(code: "500103", name: "渝中区"))
    #expect(defaults.districts["500243"]?.name == "彭水苗族土家族自治县")
    #expect(defaults.districts.values.allSatisfy { $0.population == nil && $0.intraDistrictProtectionDays == nil })
    #expect(defaults.orgs.isEmpty)
    #expect(defaults.operators.isEmpty)
    #expect(Set(defaults.services.keys) == Set(Configuration.defaultServiceTypes))
    #expect(Configuration.defaultServiceTypes.count == 12)
    #expect(defaults.services["elderly_exam"] == ServicePolicy(freePerYear: 1, minAge: 65))
    #expect(defaults.services["consultation"] == ServicePolicy())
    #expect(defaults.export == ExportSettings())
    #expect(defaults.export.k == 5 && defaults.export.ageBandYears == 5 && defaults.export.pseudonymKeyFile == nil)
  }

  @Test("Every default district code is 6 digits in Chongqing (50)")
  func defaultCodes() {
    for (code, district) in Configuration.defaults.districts {
      #expect(code.count == 6 && code.hasPrefix("50") && district.code == code)
    }
  }
}

@Suite("Configuration parsing")
struct ConfigurationParsingTests {
  @Test("The full example parses")
  func fullExampleParses() throws {
    let configuration = try parseConfiguration(configurationExample)
    let yuzhong = try #require(configuration.districts["500103"])
    #expect(yuzhong == District(code: "500103", name: "渝中区", intraDistrictProtectionDays: 90, population: 589000))
    #expect(configuration.districts.count == 38)
    #expect(configuration.intraDistrictProtectionDays(for: "500103") == 90)
    #expect(configuration.intraDistrictProtectionDays(for: "500104") == 0)
    #expect(configuration.orgs["500103001"] == Organisation(code: "500103001", name: "解放碑社区卫生服务中心", district: "500103"))
    #expect(configuration.district(ofOrg: "500103001") == "500103")
    #expect(configuration.district(ofOrg: "nope") == nil)
    #expect(
      configuration.operators["doc-li"]
        == OperatorEntry(id: "doc-li", name: "李医生", role: .clinician, org: "500103001", district: "500103")
    )
    #expect(
      configuration.operators["admin-yz"]
        == OperatorEntry(id: "admin-yz", name: "渝中区管理员", role: .districtAdmin, org: nil, district: "500103")
    )
    #expect(configuration.services == Configuration.defaults.services)
    #expect(configuration.export == ExportSettings(k: 5, ageBandYears: 5, pseudonymKeyFile: "/etc/hr/pseudonym.key"))
    #expect(configuration.rules == Rules())
  }

  @Test("The rules' intra-district default applies to districts that set none")
  func intraDistrictDefault() throws {
    let yaml = configurationExample.replacingOccurrences(
      of: "intra_district_protection_days: 0   #", with: "intra_district_protection_days: 30   #"
    )
    let configuration = try parseConfiguration(yaml)
    #expect(configuration.rules.intraDistrictProtectionDays == 30)
    #expect(configuration.intraDistrictProtectionDays(for: "500104") == 30)
    #expect(configuration.intraDistrictProtectionDays(for: "500103") == 90)
    #expect(configuration.intraDistrictProtectionDays(for: "999999") == 30)
  }

  @Test(
    "Each rule can be set",
    arguments: [
      ("transfer_confirm_days", \Rules.transferConfirmDays),
      ("cross_district_protection_days", \Rules.crossDistrictProtectionDays),
      ("intra_district_protection_days", \Rules.intraDistrictProtectionDays),
      ("lost_after_days", \Rules.lostAfterDays),
      ("moved_out_after_days", \Rules.movedOutAfterDays),
      ("service_entry_days", \Rules.serviceEntryDays),
      ("death_entry_days", \Rules.deathEntryDays),
      ("signed_contact_days", \Rules.signedContactDays),
      ("newborn_id_update_days", \Rules.newbornIdUpdateDays),
      ("retention_years", \Rules.retentionYears),
    ] as [(String, KeyPath<Rules, Int> & Sendable)])
  func eachRule(key: String, property: KeyPath<Rules, Int> & Sendable) throws {
    let configuration = try parseConfiguration("rules:\n  \(key): 1_234\n")
    #expect(configuration.rules[keyPath: property] == 1234)
  }

  @Test("Unquoted integer codes are accepted as their digits")
  func integerCodes() throws {
    let configuration = try parseConfiguration(
      """
      districts:
        500103: {population: 589_000}
      orgs:
        500103001: {name: 解放碑, district: 500103}
      operators:
        12345: {name: 王医生, role: clinician, org: 500103001}

      """)
    #expect(configuration.districts["500103"]?.population == 589000)
    #expect(configuration.districts["500103"]?.name == "渝中区")
    #expect(configuration.orgs["500103001"]?.district == "500103")
    #expect(configuration.operators["12345"]?.org == "500103001")
    #expect(configuration.operators["12345"]?.district == "500103")
  }

  @Test("A file may add a district, which orgs may then use")
  func addedDistrict() throws {
    let configuration = try parseConfiguration(
      """
      districts:
        "510104": {name: 锦江区, intra_district_protection_days: 60}
      orgs:
        jj-01: {name: 锦江社区, district: "510104"}

      """)
    #expect(configuration.districts.count == 39)
    #expect(configuration.districts["510104"] == District(code: "510104", name: "锦江区", intraDistrictProtectionDays: 60))
    #expect(configuration.intraDistrictProtectionDays(for: "510104") == 60)
    #expect(configuration.district(ofOrg: "jj-01") == "510104")
  }

  @Test("A district entry may rename a default district")
  func renamedDistrict() throws {
    let configuration = try parseConfiguration("districts:\n  \"500156\": {name: 武隆区（新）}\n")
    #expect(configuration.districts["500156"]?.name == "武隆区（新）")
  }

  @Test("Service entries merge over existing policies and add new types")
  func services() throws {
    let configuration = try parseConfiguration(
      """
      services:
        elderly_exam: {min_age: 60}
        consultation: {free_per_year: 3}
        dental_check:
        eye_exam: {free_per_year: 1, min_age: 6}
        maternal: {free_per_year: ~}

      """)
    #expect(configuration.services.count == 14)
    #expect(configuration.services["elderly_exam"] == ServicePolicy(freePerYear: 1, minAge: 60))
    #expect(configuration.services["consultation"] == ServicePolicy(freePerYear: 3, minAge: nil))
    #expect(configuration.services["dental_check"] == ServicePolicy())
    #expect(configuration.services["eye_exam"] == ServicePolicy(freePerYear: 1, minAge: 6))
    #expect(configuration.services["maternal"] == ServicePolicy())
  }

  @Test("Operators get their district from their org; roles without scope need none")
  func operatorScopes() throws {
    let configuration = try parseConfiguration(
      """
      orgs:
        org-a: {name: A, district: "500104"}
      operators:
        oa: {name: 甲, role: org_admin, org: org-a}
        da: {name: 乙, role: district_admin, org: org-a, district: "500104"}
        ca: {name: 丙, role: city_admin}
        au: {name: 丁, role: auditor, district: "500105"}
        re.search@cq: {name: 戊, role: researcher, org: org-a}

      """)
    #expect(
      configuration.operators["oa"] == OperatorEntry(id: "oa", name: "甲", role: .orgAdmin, org: "org-a", district: "500104"))
    #expect(configuration.operators["da"]?.district == "500104")
    #expect(configuration.operators["ca"] == OperatorEntry(id: "ca", name: "丙", role: .cityAdmin))
    #expect(configuration.operators["au"]?.district == "500105")
    #expect(configuration.operators["re.search@cq"]?.district == "500104")
  }

  @Test(
    "store.group_readable is a boolean, false unless set",
    arguments: [
      ("", false), ("store:\n", false), ("store: {group_readable: false}\n", false), ("store:\n  group_readable: true\n", true),
    ])
  func storeGroupReadable(yaml: String, expected: Bool) throws {
    #expect(try parseConfiguration(yaml).store.groupReadable == expected)
  }

  @Test("The pseudonym key file may be unset with null")
  func exportNullKeyFile() throws {
    let configuration = try parseConfiguration("export:\n  k: 10\n  age_band_years: 10\n  pseudonym_key_file: ~\n")
    #expect(configuration.export == ExportSettings(k: 10, ageBandYears: 10, pseudonymKeyFile: nil))
  }

  @Test("ℓ-diversity is off unless export.l is given, and null turns it off")
  func exportDiversity() throws {
    #expect(try parseConfiguration("export:\n  k: 5\n").export.l == nil)
    #expect(try parseConfiguration("export:\n  k: 5\n  l: 3\n").export == ExportSettings(k: 5, l: 3))
    #expect(try parseConfiguration("export:\n  l: ~\n").export.l == nil)
  }
}

@Suite("Configuration errors")
struct ConfigurationErrorTests {
  /// A bad file and the exact description of the error it must produce.
  struct BadFile: Sendable, CustomTestStringConvertible {
    let label: String
    let yaml: String
    let expected: String
    var testDescription: String { label }
  }

  static let badFiles: [BadFile] = [
    BadFile(
      label: "unknown top-level key", yaml: "rules:\n  transfer_confirm_days: 7\ncolour: blue\n",
      expected: "hr.yaml:3: colour: unknown key 'colour'"),
    BadFile(
      label: "unknown rules key", yaml: "rules:\n  transfer_confirm_days: 7\n  lost_days: 10\n",
      expected: "hr.yaml:3: rules.lost_days: unknown key 'lost_days'"),
    BadFile(
      label: "string for an integer", yaml: "rules:\n  service_entry_days: abc\n",
      expected: "hr.yaml:2: rules.service_entry_days: expected a non-negative integer, found 'abc'"),
    BadFile(
      label: "quoted integer", yaml: "# note\nrules:\n  death_entry_days: \"7\"\n",
      expected: "hr.yaml:3: rules.death_entry_days: expected a non-negative integer, found '7' (a quoted string)"),
    BadFile(
      label: "boolean for an integer", yaml: "export:\n  k: true\n",
      expected: "hr.yaml:2: export.k: expected an integer of at least 2, found 'true'"),
    BadFile(
      label: "float for an integer", yaml: "rules:\n  lost_after_days: 7.5\n",
      expected: "hr.yaml:2: rules.lost_after_days: expected a non-negative integer, found '7.5'"),
    BadFile(
      label: "octal-looking integer", yaml: "rules:\n  lost_after_days: 010\n",
      expected: "hr.yaml:2: rules.lost_after_days: expected a non-negative integer, found '010'"),
    BadFile(
      label: "null for a rule", yaml: "rules:\n  lost_after_days:\n",
      expected: "hr.yaml:2: rules.lost_after_days: expected a non-negative integer, found nothing"),
    BadFile(
      label: "a period past the calendar", yaml: "rules:\n  transfer_confirm_days: 9223372036854775807\n",
      expected: "hr.yaml:2: rules.transfer_confirm_days: expected at most 36500, found '9223372036854775807'"),
    BadFile(
      label: "a retention past the calendar", yaml: "rules:\n  retention_years: 10000\n",
      expected: "hr.yaml:2: rules.retention_years: expected at most 9999, found '10000'"),
    BadFile(
      label: "a district's period past the calendar", yaml: "districts:\n  \"500103\": {intra_district_protection_days: 36501}\n",
      expected: "hr.yaml:2: districts.500103.intra_district_protection_days: expected at most 36500, found '36501'"),
    BadFile(
      label: "negative integer", yaml: "rules:\n\n  lost_after_days: -1\n",
      expected: "hr.yaml:3: rules.lost_after_days: expected a non-negative integer, found '-1'"),
    BadFile(
      label: "a period longer than a hundred years", yaml: "rules:\n  transfer_confirm_days: 9223372036854775807\n",
      expected: "hr.yaml:2: rules.transfer_confirm_days: expected at most 36500, found '9223372036854775807'"),
    BadFile(
      label: "a district's protection longer than a hundred years",
      yaml: "districts:\n  \"500103\": {intra_district_protection_days: 36501}\n",
      expected: "hr.yaml:2: districts.500103.intra_district_protection_days: expected at most 36500, found '36501'"),
    BadFile(
      label: "zero retention years", yaml: "rules: {retention_years: 0}\n",
      expected: "hr.yaml:1: rules.retention_years: expected a positive integer, found '0'"),
    BadFile(
      label: "zero transfer confirm days", yaml: "rules:\n  transfer_confirm_days: 0\n",
      expected: "hr.yaml:2: rules.transfer_confirm_days: expected a positive integer, found '0'"),
    BadFile(
      label: "k of 1", yaml: "export:\n  age_band_years: 5\n  k: 1\n",
      expected: "hr.yaml:3: export.k: expected an integer of at least 2, found '1'"),
    BadFile(
      label: "zero age band", yaml: "export:\n  age_band_years: 0\n",
      expected: "hr.yaml:2: export.age_band_years: expected a positive integer, found '0'"),
    BadFile(
      label: "l of 1", yaml: "export:\n  k: 5\n  l: 1\n",
      expected: "hr.yaml:3: export.l: expected an integer of at least 2, found '1'"),
    BadFile(
      label: "l as text", yaml: "export:\n  l: two\n",
      expected: "hr.yaml:2: export.l: expected an integer of at least 2, found 'two'"),
    BadFile(
      label: "age band past a century", yaml: "export:\n  age_band_years: 101\n",
      expected: "hr.yaml:2: export.age_band_years: expected at most 100, found '101'"),
    BadFile(
      label: "rules not a mapping", yaml: "rules:\n  - 7\n",
      expected: "hr.yaml:2: rules: expected a mapping, found a list"),
    BadFile(
      label: "bad district code", yaml: "districts:\n  \"5001\": {name: 某区}\n",
      expected: "hr.yaml:2: districts.5001: district code '5001' is not 6 digits"),
    BadFile(
      label: "district code with a leading zero", yaml: "districts:\n  0500103: {population: 1}\n",
      expected: "hr.yaml:2: districts.0500103: district code '0500103' is not 6 digits"),
    BadFile(
      label: "district code with a bad province", yaml: "districts:\n  \"990101\": {name: 某区}\n",
      expected: "hr.yaml:2: districts.990101: district code '990101' does not start with a valid province code"),
    BadFile(
      label: "new district without a name", yaml: "districts:\n  \"500199\": {population: 1000}\n",
      expected: "hr.yaml:2: districts.500199.name: missing required key 'name'"),
    BadFile(
      label: "zero population", yaml: "districts:\n  \"500103\":\n    population: 0\n",
      expected: "hr.yaml:3: districts.500103.population: expected a positive integer, found '0'"),
    BadFile(
      label: "empty district name", yaml: "districts:\n  \"500103\": {name: \"  \"}\n",
      expected: "hr.yaml:2: districts.500103.name: expected a non-empty string, found '  '"),
    BadFile(
      label: "unknown district key", yaml: "districts:\n  \"500103\":\n    name: 渝中区\n    mayor: 某人\n",
      expected: "hr.yaml:4: districts.500103.mayor: unknown key 'mayor'"),
    BadFile(
      label: "org in an unknown district",
      yaml: "orgs:\n  \"500103001\":\n    name: 解放碑社区卫生服务中心\n    district: \"500199\"\n",
      expected: "hr.yaml:4: orgs.500103001.district: unknown district '500199'"),
    BadFile(
      label: "org without a district", yaml: "orgs:\n  \"500103001\":\n    name: 解放碑社区卫生服务中心\n",
      expected: "hr.yaml:2: orgs.500103001.district: missing required key 'district'"),
    BadFile(
      label: "org with a bad code", yaml: "orgs:\n  \"org 1\": {name: A, district: \"500103\"}\n",
      expected: "hr.yaml:2: orgs.org 1: org code 'org 1' must be 1 to 32 letters, digits, '_' or '-'"),
    BadFile(
      label: "unknown org key", yaml: "orgs:\n  o1: {name: A, district: \"500103\", phone: 123}\n",
      expected: "hr.yaml:2: orgs.o1.phone: unknown key 'phone'"),
    BadFile(
      label: "operator with an unknown role",
      yaml: """
        orgs:
          "500103001": {name: 解放碑, district: "500103"}
        operators:
          doc-li:
            name: 李医生
            org: "500103001"
            role: nurse

        """,
      expected: "hr.yaml:7: operators.doc-li.role: unknown role 'nurse'; expected one of clinician, org_admin, "
        + "district_admin, city_admin, auditor, researcher"),
    BadFile(
      label: "operator with an unknown org",
      yaml: "operators:\n  doc-li: {name: 李医生, org: \"500103999\", role: clinician}\n",
      expected: "hr.yaml:2: operators.doc-li.org: unknown org '500103999'"),
    BadFile(
      label: "operator in an unknown district",
      yaml: "operators:\n  aud:\n    name: 审计\n    role: auditor\n    district: \"500188\"\n",
      expected: "hr.yaml:5: operators.aud.district: unknown district '500188'"),
    BadFile(
      label: "clinician without an org", yaml: "operators:\n  doc-li:\n    name: 李医生\n    role: clinician\n",
      expected: "hr.yaml:2: operators.doc-li.org: role 'clinician' requires an org"),
    BadFile(
      label: "org admin without an org", yaml: "operators:\n  oa: {name: 甲, role: org_admin, district: \"500103\"}\n",
      expected: "hr.yaml:2: operators.oa.org: role 'org_admin' requires an org"),
    BadFile(
      label: "district admin without a district", yaml: "operators:\n\n  da: {name: 乙, role: district_admin}\n",
      expected: "hr.yaml:3: operators.da.district: role 'district_admin' requires a district or an org"),
    BadFile(
      label: "operator whose district disagrees with its org",
      yaml: """
        orgs:
          o1: {name: A, district: "500103"}
        operators:
          x:
            name: 甲
            role: clinician
            org: o1
            district: "500104"

        """,
      expected: "hr.yaml:8: operators.x.district: district '500104' does not match district '500103' of org 'o1'"),
    BadFile(
      label: "operator without a role", yaml: "operators:\n  x: {name: 甲}\n",
      expected: "hr.yaml:2: operators.x.role: missing required key 'role'"),
    BadFile(
      label: "operator without a name", yaml: "operators:\n  x:\n    role: auditor\n",
      expected: "hr.yaml:2: operators.x.name: missing required key 'name'"),
    BadFile(
      label: "operator with a bad id", yaml: "operators:\n  \"李\": {name: 李, role: auditor}\n",
      expected: "hr.yaml:2: operators.李: operator id '李' must be 1 to 64 letters, digits, '_', '.', '@' or '-'"),
    BadFile(
      label: "unknown operator key", yaml: "operators:\n  x:\n    name: 甲\n    role: auditor\n    email: a@b\n",
      expected: "hr.yaml:5: operators.x.email: unknown key 'email'"),
    BadFile(
      label: "bad service type", yaml: "services:\n  Dental: {free_per_year: 1}\n",
      expected: "hr.yaml:2: services.Dental: service type 'Dental' must be a lower-case letter followed by up to "
        + "39 lower-case letters, digits or '_'"),
    BadFile(
      label: "unknown service key", yaml: "services:\n  elderly_exam: {max_age: 90}\n",
      expected: "hr.yaml:2: services.elderly_exam.max_age: unknown key 'max_age'; did you mean 'min_age'?"),
    BadFile(
      label: "unknown export key", yaml: "export:\n  k: 5\n  salt: abc\n",
      expected: "hr.yaml:3: export.salt: unknown key 'salt'"),
    BadFile(
      label: "non-string key file", yaml: "export:\n  pseudonym_key_file: [a, b]\n",
      expected: "hr.yaml:2: export.pseudonym_key_file: expected a non-empty string, found a list"),
    BadFile(
      label: "duplicate key", yaml: "rules:\n  lost_after_days: 10\n  death_entry_days: 30\n  lost_after_days: 20\n",
      expected: "hr.yaml:4: rules.lost_after_days: duplicate key 'lost_after_days'"),
    BadFile(
      label: "duplicate top-level key", yaml: "export:\n  k: 5\nexport:\n  k: 6\n",
      expected: "hr.yaml:3: export: duplicate key 'export'"),
    BadFile(
      label: "duplicate key in a flow mapping", yaml: "services: {elderly_exam: {min_age: 60, min_age: 65}}\n",
      expected: "hr.yaml:1: services.elderly_exam.min_age: duplicate key 'min_age'"),
    BadFile(
      label: "duplicate quoted keys", yaml: "operators:\n  \"a\": {name: A, role: auditor}\n  'a': {name: B, role: auditor}\n",
      expected: "hr.yaml:3: operators.a: duplicate key 'a'"),
    BadFile(
      label: "duplicate key after wide characters", yaml: "districts: {\"500103\": {name: 渝中区, name: 渝中}}\n",
      expected: "hr.yaml:1: districts.500103.name: duplicate key 'name'"),
    BadFile(
      label: "duplicate keys with a tag and an anchor", yaml: "rules:\n  !!str lost_after_days: 1\n  &a lost_after_days: 2\n",
      expected: "hr.yaml:3: rules.lost_after_days: duplicate key 'lost_after_days'"),
    BadFile(
      label: "role that is not a string", yaml: "operators:\n  x: {name: a, role: [auditor]}\n",
      expected: "hr.yaml:2: operators.x.role: expected one of clinician, org_admin, district_admin, city_admin, "
        + "auditor, researcher, found a list"),
    BadFile(
      label: "duplicate key three times", yaml: "rules:\n  lost_after_days: 1\n  lost_after_days: 2\n  lost_after_days: 3\n",
      expected: "hr.yaml:3: rules.lost_after_days: duplicate key 'lost_after_days'\n"
        + "hr.yaml:4: rules.lost_after_days: duplicate key 'lost_after_days'"),
    BadFile(
      label: "duplicate district as integer and string",
      yaml: "districts:\n  500103: {population: 1}\n  \"500103\": {population: 2}\n",
      expected: "hr.yaml:3: districts.500103: duplicate key '500103'"),
    BadFile(
      label: "invalid YAML syntax", yaml: "rules:\n  lost_after_days: 10\n   death_entry_days: 30\n",
      expected: "hr.yaml:3: invalid YAML: mapping values are not allowed in this context"),
    BadFile(
      label: "unclosed flow sequence", yaml: "rules:\n  lost_after_days: [1,\n",
      expected: "hr.yaml:3: invalid YAML: while parsing a flow node, did not find expected node content"),
    BadFile(
      label: "two documents", yaml: "rules: {}\n---\nexport: {}\n",
      expected: "hr.yaml:2: invalid YAML: expected a single document in the stream, but found another document"),
    BadFile(
      label: "top-level list", yaml: "- rules\n- orgs\n",
      expected: "hr.yaml:1: expected a mapping at the top level, found a list"),
    BadFile(
      label: "top-level scalar", yaml: "# config\nhello\n",
      expected: "hr.yaml:2: expected a mapping at the top level, found 'hello'"),
  ]

  static let badStoreSections: [BadFile] = [
    BadFile(
      label: "store: unknown key", yaml: "store:\n  group_writable: true\n",
      expected: "hr.yaml:2: store.group_writable: unknown key 'group_writable'"),
    BadFile(
      label: "store: a YAML 1.1 yes", yaml: "store:\n  group_readable: yes\n",
      expected: "hr.yaml:2: store.group_readable: expected true or false, found 'yes'"),
    BadFile(
      label: "store: a quoted true", yaml: "store:\n  group_readable: \"true\"\n",
      expected: "hr.yaml:2: store.group_readable: expected true or false, found 'true'"),
    BadFile(
      label: "store: a number", yaml: "store: {group_readable: 1}\n",
      expected: "hr.yaml:1: store.group_readable: expected true or false, found '1'"),
    BadFile(
      label: "store: a list", yaml: "store: [group_readable]\n",
      expected: "hr.yaml:1: store: expected a mapping, found a list"),
  ]

  @Test("A bad store section is refused with its line and key", arguments: badStoreSections)
  func badStoreSection(_ badFile: BadFile) throws {
    let error = try #require(configurationParseError(badFile.yaml))
    #expect(error.description == badFile.expected)
  }

  @Test("Bad files are refused with file, line, key and message", arguments: badFiles)
  func badFile(_ badFile: BadFile) throws {
    let error = try #require(configurationParseError(badFile.yaml))
    #expect(error.description == badFile.expected)
    #expect(error.file == "hr.yaml")
    #expect(error.line != nil)
  }

  @Test("The description omits the parts that are nil")
  func descriptionOmitsNilParts() {
    #expect(ConfigurationError(file: "a.yaml", line: nil, key: nil, message: "m").description == "a.yaml: m")
    #expect(ConfigurationError(file: "a.yaml", line: 3, key: nil, message: "m").description == "a.yaml:3: m")
    #expect(ConfigurationError(file: "a.yaml", line: nil, key: "k.j", message: "m").description == "a.yaml: k.j: m")
  }

  @Test("An error's parts are available separately")
  func errorParts() throws {
    let error = try #require(configurationParseError("orgs:\n  \"500103001\": {name: A, district: \"500199\"}\n"))
    #expect(
      error
        == ConfigurationError(
          file: "hr.yaml", line: 2, key: "orgs.500103001.district", message: "unknown district '500199'"))
  }

  @Test("An alias bomb is refused")
  func aliasBomb() throws {
    var yaml = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
    for level in 1...8 {
      let previous = Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ")
      yaml += "a\(level): &a\(level) [\(previous)]\n"
    }
    let error = try #require(configurationParseError(yaml))
    #expect(error.message.hasPrefix("document has more than"))
  }
}

@Suite("Configuration loading")
struct ConfigurationLoadingTests {
  @Test("A missing file is refused with its name and no line")
  func missingFile() {
    let path = "/nonexistent-\(UUID().uuidString)/hr.yaml"
    #expect(throws: ConfigurationError(file: path, line: nil, key: nil, message: "cannot read: No such file or directory")) {
      try Configuration.load(path: path)
    }
  }

  @Test("A directory is refused")
  func directory() throws {
    let error = #expect(throws: ConfigurationError.self) { try Configuration.load(path: NSTemporaryDirectory()) }
    #expect(error?.message.hasPrefix("cannot read: ") == true)
    #expect(error?.line == nil)
  }

  @Test("An endless file is refused rather than read into memory")
  func endlessFile() {
    #expect(throws: ConfigurationError(file: "/dev/zero", line: nil, key: nil, message: "cannot read: larger than 16 MiB")) {
      try Configuration.load(path: "/dev/zero")
    }
  }

  @Test("A file the group or others can write is refused, naming the fix", arguments: [0o664, 0o646, 0o666, 0o620])
  func writableByOthers(mode: Int) throws {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("hr-config-\(UUID().uuidString).yaml").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    try configurationExample.write(toFile: path, atomically: true, encoding: .utf8)
    #expect(chmod(path, mode_t(mode)) == 0)
    let expected = "the group or others can write this file (mode 0\(String(mode, radix: 8))); run 'chmod go-w \(path)'"
    #expect(throws: ConfigurationError(file: path, line: nil, key: nil, message: expected)) {
      try Configuration.load(path: path)
    }
    #expect(chmod(path, 0o644) == 0)
    #expect(try Configuration.load(path: path).districts["500103"]?.population == 589000)
  }

  @Test("A file is read and its errors name the path")
  func fileIsRead() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hr-config-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let good = directory.appendingPathComponent("good.yaml")
    try configurationExample.write(to: good, atomically: true, encoding: .utf8)
    let configuration = try Configuration.load(path: good.path)
    #expect(configuration.districts["500103"]?.population == 589000)

    let bad = directory.appendingPathComponent("bad.yaml")
    try "rules:\n  nope: 1\n".write(to: bad, atomically: true, encoding: .utf8)
    #expect(throws: ConfigurationError(file: bad.path, line: 2, key: "rules.nope", message: "unknown key 'nope'")) {
      try Configuration.load(path: bad.path)
    }

    let binary = directory.appendingPathComponent("binary.yaml")
    try Data([0xFF, 0xFE, 0x00, 0x41]).write(to: binary)
    #expect(throws: ConfigurationError(file: binary.path, line: nil, key: nil, message: "cannot read: not valid UTF-8 text")) {
      try Configuration.load(path: binary.path)
    }
  }
}

@Suite("Configuration errors, all of a file")
struct ConfigurationAllErrorsTests {
  @Test("Every problem is found, in file order, without a second error for what the first refused")
  func everyProblem() throws {
    let yaml = """
      rules: {lost_after_days: -1, retention_years: 0}
      districts:
        "500199": {population: 3}
      orgs:
        "500103001": {name: 甲, district: "500103"}
        bad code: {name: 乙, district: "500103"}
      operators:
        a: {name: 甲, org: "bad code", role: clinician}
        b: {name: 乙, org: "500103001", district: "500106", role: clinician}
        c: {role: auditor}
      services:
        Bad: {}
      export: {k: 1, age_band_yeras: 5}
      store: {group_readable: yes please}
      """
    let error = try #require(configurationParseError(yaml))
    #expect(
      error.all.map(\.description) == [
        "hr.yaml:1: rules.lost_after_days: expected a non-negative integer, found '-1'",
        "hr.yaml:1: rules.retention_years: expected a positive integer, found '0'",
        "hr.yaml:3: districts.500199.name: missing required key 'name'",
        "hr.yaml:6: orgs.bad code: org code 'bad code' must be 1 to 32 letters, digits, '_' or '-'",
        "hr.yaml:9: operators.b.district: district '500106' does not match district '500103' of org '500103001'",
        "hr.yaml:10: operators.c.name: missing required key 'name'",
        "hr.yaml:12: services.Bad: service type 'Bad' must be a lower-case letter followed by up to 39 lower-case letters, digits or '_'",
        "hr.yaml:13: export.k: expected an integer of at least 2, found '1'",
        "hr.yaml:13: export.age_band_yeras: unknown key 'age_band_yeras'; did you mean 'age_band_years'?",
        "hr.yaml:14: store.group_readable: expected true or false, found 'yes please'",
      ])
    #expect(error.description == error.all.map(\.description).joined(separator: "\n"))
    #expect(error.further.count == 9)
  }

  @Test("A file with one problem is refused with that one alone")
  func oneProblem() throws {
    #expect(throws: ConfigurationError(file: "hr.yaml", line: 2, key: "rules.nope", message: "unknown key 'nope'")) {
      try Configuration.parse(yaml: "rules:\n  nope: 1\n", file: "hr.yaml")
    }
  }
}
