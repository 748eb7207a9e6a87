import Testing

@testable import HRCore

private let own = Scope(org: "500103001", district: "500103")
private let sameDistrict = Scope(org: "500103002", district: "500103")
private let otherDistrict = Scope(org: "500106001", district: "500106")

private func staff(_ role: Role) -> OperatorEntry {
  switch role {
  case .clinician, .orgAdmin: OperatorEntry(id: "x", name: "x", role: role, org: "500103001", district: "500103")
  case .districtAdmin: OperatorEntry(id: "x", name: "x", role: role, org: nil, district: "500103")
  default: OperatorEntry(id: "x", name: "x", role: role, org: nil, district: nil)
  }
}

@Suite("Roles (§9): who may do what to which record")
struct AccessPolicyTests {
  /// Each row: role, action, and whether it is allowed on the own org, another org of the same
  /// district, and an org of another district.
  static let table: [(Role, Action, Bool, Bool, Bool)] = [
    (Role.clinician, Action.write, true, false, false),
    (.orgAdmin, .write, true, false, false),
    (.districtAdmin, .write, true, true, false),
    (.cityAdmin, .write, true, true, true),
    (.auditor, .write, false, false, false),
    (.researcher, .write, false, false, false),
    (.clinician, .offSiteService, true, true, true),
    (.auditor, .offSiteService, false, false, false),
    (.clinician, .approveAmendment, false, false, false),
    (.orgAdmin, .approveAmendment, true, false, false),
    (.districtAdmin, .approveAmendment, true, true, false),
    (.clinician, .requestTransfer, true, false, false),
    (.orgAdmin, .requestTransfer, true, false, false),
    (.districtAdmin, .requestTransfer, true, true, false),
    (.cityAdmin, .requestTransfer, true, true, true),
    (.auditor, .requestTransfer, false, false, false),
    (.researcher, .requestTransfer, false, false, false),
    (.clinician, .decideTransfer, false, false, false),
    (.orgAdmin, .decideTransfer, true, false, false),
    (.districtAdmin, .decideTransfer, true, true, false),
    (.cityAdmin, .decideTransfer, true, true, true),
    (.auditor, .decideTransfer, false, false, false),
    (.clinician, .archive, false, false, false),
    (.orgAdmin, .archive, true, false, false),
    (.districtAdmin, .archive, true, true, false),
    (.cityAdmin, .archive, true, true, true),
    (.auditor, .archive, false, false, false),
    (.researcher, .archive, false, false, false),
    (.orgAdmin, .purge, false, false, false),
    (.orgAdmin, .correctDeath, false, false, false),
    (.districtAdmin, .correctDeath, false, false, false),
    (.cityAdmin, .correctDeath, true, true, true),
    (.districtAdmin, .purge, false, false, false),
    (.cityAdmin, .purge, true, true, true),
    (.clinician, .audit, false, false, false),
    (.orgAdmin, .audit, true, false, false),
    (.districtAdmin, .audit, true, true, false),
    (.auditor, .audit, true, true, true),
    (.researcher, .audit, false, false, false),
    (.clinician, .metrics, true, false, false),
    (.auditor, .metrics, true, true, true),
    (.orgAdmin, .approveExport, false, false, false),
    (.districtAdmin, .approveExport, true, true, false),
    (.clinician, .approveExport, false, false, false),
    (.cityAdmin, .audit, true, true, true),
    (.orgAdmin, .metrics, true, false, false),
    (.districtAdmin, .metrics, true, true, false),
    (.researcher, .metrics, false, false, false),
    (.clinician, .exportRecord, true, false, false),
    (.districtAdmin, .exportRecord, true, true, false),
    (.auditor, .exportRecord, false, false, false),
    (.researcher, .exportRecord, false, false, false),
    (.clinician, .exportDeidentified, false, false, false),
    (.orgAdmin, .exportDeidentified, false, false, false),
    (.districtAdmin, .exportDeidentified, true, true, false),
    (.auditor, .exportDeidentified, false, false, false),
    (.researcher, .exportDeidentified, true, true, true),
  ]

  @Test(arguments: table)
  func decision(role: Role, action: Action, ownOrg: Bool, sameDistrictOrg: Bool, otherDistrictOrg: Bool) {
    let entry = staff(role)
    #expect(entry.may(action, in: own) == ownOrg)
    #expect(entry.may(action, in: sameDistrict) == sameDistrictOrg)
    #expect(entry.may(action, in: otherDistrict) == otherDistrictOrg)
  }

  @Test("The table names each role and action once")
  func tableHasNoDuplicateRow() {
    let pairs = Self.table.map { "\($0.0) \($0.1)" }
    #expect(Set(pairs).count == pairs.count, "\(pairs.filter { pair in pairs.filter { $0 == pair }.count > 1 })")
  }

  @Test("A role with no reach for an action is refused the whole command")
  func commandLevelRefusal() {
    #expect(!Role.auditor.mayEver(.write))
    #expect(!Role.researcher.mayEver(.write))
    #expect(Role.researcher.mayEver(.exportDeidentified))
    #expect(!Role.clinician.mayEver(.archive))
    #expect(Role.clinician.mayEver(.write))
  }
}
