import Testing

@testable import HRCore

/// A configuration with a clinician tied to two accounts, a city administrator tied to one, and an
/// auditor tied to none.
private let yaml = """
  training: true
  orgs:
    "500103001": {name: 解放碑社区卫生服务中心, district: "500103"}
  operators:
    doc-li:     {name: 李医生, org: "500103001", role: clinician, users: [li, li2, li]}
    admin-city: {name: 市管理员, role: city_admin, users: [wang]}
    auditor-1:  {name: 审计员, role: auditor}

  """

@Suite("Operators tied to Unix accounts, and training installations")
struct OperatorAccountsTests {
  let configuration: Configuration

  init() throws {
    configuration = try Configuration.parse(yaml: yaml, file: "hr.yaml")
  }

  @Test func usersAndTrainingAreRead() {
    #expect(configuration.training)
    #expect(configuration.operators["doc-li"]?.users == ["li", "li2"])
    #expect(configuration.operators["auditor-1"]?.users == nil)
    #expect(!Configuration.defaults.training)
  }

  @Test(
    "An operator with users is refused to every other account; one without is refused only in a group installation",
    arguments: [
      ("doc-li", "li", false, nil), ("doc-li", "li2", true, nil),
      ("doc-li", "wang", false, SessionError.wrongAccount(operatorID: "doc-li", account: "wang", users: ["li", "li2"])),
      ("doc-li", nil, false, SessionError.wrongAccount(operatorID: "doc-li", account: nil, users: ["li", "li2"])),
      ("auditor-1", "li", false, nil), ("auditor-1", "li", true, SessionError.noAccounts(operatorID: "auditor-1")),
    ] as [(String, String?, Bool, SessionError?)])
  func accountCheck(id: String, account: String?, group: Bool, expected: SessionError?) throws {
    let session = try Session(configuration: configuration, operatorID: id, today: LocalDate("2026-11-26")!)
    do throws(SessionError) {
      try session.requireAccount(account, requireAccounts: group)
      #expect(expected == nil)
    } catch {
      #expect(error == expected)
    }
  }

  @Test func theAccountsOwnOperatorIsFoundOnlyWhenThereIsExactlyOne() throws {
    #expect(try Session.operatorID(for: "wang", in: configuration) == "admin-city")
    #expect(throws: SessionError.accountOperators(account: "zhang", operators: [])) {
      try Session.operatorID(for: "zhang", in: configuration)
    }
    var shared = configuration
    shared.operators["auditor-1"]?.users = ["wang"]
    #expect(throws: SessionError.accountOperators(account: "wang", operators: ["admin-city", "auditor-1"])) {
      try Session.operatorID(for: "wang", in: shared)
    }
  }

  @Test func aClaimedDateRidesOnTheOperatorIntoEveryEvent() throws {
    let claimed = try Session(
      configuration: configuration, operatorID: "auditor-1", today: LocalDate("2045-01-01")!,
      realToday: LocalDate("2026-11-30")!)
    #expect(claimed.staff.dateClaim == DateClaim(claimed: LocalDate("2045-01-01")!, real: LocalDate("2026-11-30")!))
    let real = try Session(configuration: configuration, operatorID: "auditor-1", today: LocalDate("2026-11-30")!)
    #expect(real.staff.dateClaim == nil)
  }
}
