import HRCore
import Testing

@Suite("Who may open a record for which viewer")
struct OpenRecordPolicyTests {
  static let own = Scope(org: "500103001", district: "500103")
  static let otherDistrict = Scope(org: "500106001", district: "500106")

  static func staff(_ role: Role) -> OperatorEntry {
    switch role {
    case .clinician, .orgAdmin: OperatorEntry(id: "x", name: "x", role: role, org: "500103001", district: "500103")
    case .districtAdmin: OperatorEntry(id: "x", name: "x", role: role, district: "500103")
    default: OperatorEntry(id: "x", name: "x", role: role)
    }
  }

  /// Each row: role, viewer kind, and whether it may open a record of its own organisation and one
  /// of another district.
  @Test(arguments: [
    (Role.clinician, ViewerKind.resident, true, true), (.clinician, .clinician, true, true),
    (.clinician, .publicHealth, false, false),
    (.clinician, .emergency, true, true), (.orgAdmin, .guardian, true, true), (.orgAdmin, .clinician, false, false),
    (.districtAdmin, .publicHealth, true, false), (.districtAdmin, .voluntaryGuardian, true, true),
    (.cityAdmin, .publicHealth, true, true),
    (.cityAdmin, .clinician, false, false), (.auditor, .resident, false, false), (.auditor, .emergency, false, false),
    (.researcher, .emergency, false, false), (.researcher, .minor, false, false),
  ])
  func roleAndViewer(role: Role, kind: ViewerKind, own: Bool, other: Bool) {
    let entry = Self.staff(role)
    #expect(entry.mayOpenRecord(in: Self.own, for: kind) == own)
    #expect(entry.mayOpenRecord(in: Self.otherDistrict, for: kind) == other)
  }
}
