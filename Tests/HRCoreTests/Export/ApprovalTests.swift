import Foundation
import GRDB
import HRCore
import HRLines
import Testing

/// An approval line and the rejection code it must meet.
struct RefusedApproval: Sendable, CustomTestStringConvertible {
  let label: String
  let approver: String
  let line: JSONObject
  let code: String
  var testDescription: String { label }
}

/// A valid approval line with one field replaced.
func approvalLine(
  ref: String = "YZ-2026-001", grantee: String = "researcher-1", scope: String = "500103", purpose: String = "高血压管理效果研究",
  expires: String = "2027-06-30"
) -> JSONObject {
  [
    "ref": .string(ref), "grantee": .string(grantee), "scope": .string(scope), "purpose": .string(purpose),
    "expires": .string(expires),
  ]
}

@Suite("Research-export approvals")
struct ApprovalTests {
  @discardableResult
  func approve(
    _ fixture: ServiceFixture, _ line: JSONObject, by approver: String = "admin-yz", today: String = "2026-11-26"
  ) throws -> JSONObject {
    let session = try fixture.session(approver, today: today)
    return try fixture.store.write { db in try ApprovalDesk.approve(line, session: session, in: db) }
  }

  func revoke(
    _ fixture: ServiceFixture, _ line: JSONObject, by approver: String = "admin-yz", today: String = "2026-11-26"
  ) throws -> JSONObject {
    let session = try fixture.session(approver, today: today)
    return try fixture.store.write { db in try ApprovalDesk.revoke(line, defaultReason: "研究结束", session: session, in: db) }
  }

  @Test("A district administrator grants an approval for its district, kept with its audit event")
  func districtAdministratorApproves() throws {
    let fixture = try ServiceFixture()
    let output = try approve(fixture, approvalLine())
    #expect(
      output.compact
        == #"{"ref":"YZ-2026-001","grantee":"researcher-1","scope":"500103","purpose":"高血压管理效果研究","expires":"2027-06-30","state":"active","approved_by":"admin-yz","approved_on":"2026-11-26","revoked_on":null,"revoked_by":null,"revoke_reason":null}"#
    )
    #expect(try fixture.auditCount("export.approve") == 1)
    let detail: String? = try fixture.scalar("SELECT detail FROM audit_event WHERE action = 'export.approve'")
    #expect(detail?.contains(#""purpose":"高血压管理效果研究""#) == true)
    // A city administrator may approve the whole city.
    let city = try approve(fixture, approvalLine(ref: "CQ-1", scope: "city"), by: "admin-city")
    #expect(city["scope"] == "city")
  }

  static let refusals: [RefusedApproval] = [
    RefusedApproval(
      label: "a reference used before", approver: "admin-yz", line: approvalLine(ref: "DUP-1"), code: "duplicate_ref"),
    RefusedApproval(
      label: "an expiry before today", approver: "admin-yz", line: approvalLine(expires: "2026-11-25"), code: "expired"),
    RefusedApproval(
      label: "a clinician as grantee", approver: "admin-yz", line: approvalLine(grantee: "doc-li"), code: "not_researcher"),
    RefusedApproval(
      label: "an undeclared grantee", approver: "admin-yz", line: approvalLine(grantee: "nobody"), code: "not_researcher"),
    RefusedApproval(label: "another district", approver: "admin-yz", line: approvalLine(scope: "500106"), code: "forbidden"),
    RefusedApproval(
      label: "the whole city by a district", approver: "admin-yz", line: approvalLine(scope: "city"), code: "forbidden"),
    RefusedApproval(
      label: "an unknown scope", approver: "admin-city", line: approvalLine(scope: "999999"), code: "invalid_value"),
    RefusedApproval(
      label: "an unknown field", approver: "admin-city", line: approvalLine().merging(["purpos": "x"]), code: "unknown_field"),
    RefusedApproval(label: "a blank purpose", approver: "admin-city", line: approvalLine(purpose: " "), code: "invalid_value"),
    RefusedApproval(
      label: "no purpose", approver: "admin-city",
      line: {
        var line = approvalLine()
        line["purpose"] = nil
        return line
      }(),
      code: "missing_field"),
  ]

  @Test("Approvals are refused with a stable code", arguments: refusals)
  func refusedApprovals(case refusal: RefusedApproval) throws {
    let fixture = try ServiceFixture()
    try approve(fixture, approvalLine(ref: "DUP-1"), by: "admin-city")
    do {
      try approve(fixture, refusal.line, by: refusal.approver)
      Issue.record("accepted: \(refusal.line.compact)")
    } catch let rejection as LineRejection {
      #expect(rejection.code.rawValue == refusal.code)
      #expect((rejection.audit?.outcome == .denied) == (refusal.code == "forbidden"))
    }
    let approvals: Int? = try fixture.scalar("SELECT count(*) FROM export_approval")
    #expect(approvals == 1)
  }

  @Test("An approval is active through its expiry day and expired the day after; revocation is final")
  func states() throws {
    let fixture = try ServiceFixture()
    try approve(fixture, approvalLine(expires: "2026-11-26"))
    let approval = try #require(try fixture.store.read { db in try ExportApproval.find("YZ-2026-001", in: db) })
    #expect(approval.state(on: LocalDate("2026-11-26")!) == .active)
    #expect(approval.state(on: LocalDate("2026-11-27")!) == .expired)

    let revoked = try revoke(fixture, ["ref": "YZ-2026-001", "state": "active"], today: "2026-11-26")
    #expect(revoked["state"] == "revoked")
    #expect(revoked["revoke_reason"] == "研究结束")
    #expect(revoked["revoked_by"] == "admin-yz")
    #expect(try fixture.auditCount("export.revoke") == 1)
    do {
      _ = try revoke(fixture, ["ref": "YZ-2026-001"], by: "admin-city")
      Issue.record("revoked twice")
    } catch let rejection as LineRejection {
      #expect(rejection.code == .alreadyRevoked)
    }
  }

  @Test("Only an administrator whose reach covers the scope revokes; an unknown reference is not_found")
  func revokeRefusals() throws {
    let fixture = try ServiceFixture()
    try approve(fixture, approvalLine())
    for (line, approver, code) in [
      (["ref": "YZ-2026-001"] as JSONObject, "admin-spb", "forbidden"), (["ref": "NONE"], "admin-city", "not_found"),
    ] {
      do {
        _ = try revoke(fixture, line, by: approver)
        Issue.record("revoked by \(approver)")
      } catch let rejection as LineRejection {
        #expect(rejection.code.rawValue == code)
      }
    }
    #expect(
      try fixture.auditCount("export.revoke", outcome: "denied") == 0, "a rejected line's audit is written by the line loop")
    let revocations: Int? = try fixture.scalar("SELECT count(*) FROM export_revocation")
    #expect(revocations == 0)
  }

  @Test("The store refuses to change, delete or replace an approval or a revocation")
  func approvalsAreAppendOnly() throws {
    let fixture = try ServiceFixture()
    try approve(fixture, approvalLine())
    _ = try revoke(fixture, ["ref": "YZ-2026-001"])
    for sql in [
      "UPDATE export_approval SET expires = '2099-12-31'", "DELETE FROM export_approval",
      "INSERT OR REPLACE INTO export_approval VALUES ('YZ-2026-001','researcher-1','city','x','2099-12-31','2026-11-26','t','admin-city')",
      "UPDATE export_revocation SET reason = 'x'", "DELETE FROM export_revocation",
    ] {
      #expect(throws: StoreError.self, "\(sql)") { try fixture.store.write { db in try db.execute(sql: sql) } }
    }
    let state = try fixture.store.read { db in try ExportApproval.find("YZ-2026-001", in: db) }
    #expect(state?.expires == LocalDate("2027-06-30") && state?.revokedOn == LocalDate("2026-11-26"))
  }

  @Test(
    "Who may export under an approval of 渝中区",
    arguments: [
      ("researcher-1", "2026-11-26", nil), ("researcher-2", "2026-11-26", "not_grantee"), ("admin-yz", "2026-11-26", nil),
      ("admin-spb", "2026-11-26", "out_of_scope"), ("admin-city", "2026-11-26", nil), ("researcher-1", "2027-07-01", "expired"),
    ] as [(String, String, String?)])
  func exportAuthorization(operatorID: String, today: String, refusal: String?) throws {
    let fixture = try ServiceFixture()
    try approve(fixture, approvalLine())
    var configuration = fixture.configuration
    configuration.operators["researcher-2"] = OperatorEntry(id: "researcher-2", name: "研究员乙", role: .researcher)
    let staff = try #require(configuration.operators[operatorID])
    let approval = try #require(try fixture.store.read { db in try ExportApproval.find("YZ-2026-001", in: db) })
    do {
      try approval.authorizeExport(by: staff, on: LocalDate(today)!)
      #expect(refusal == nil)
    } catch {
      #expect(error.code == refusal)
    }
    var revoked = approval
    revoked.revokedOn = LocalDate("2026-11-20")
    #expect(throws: DeidRefusal.revoked(ref: "YZ-2026-001", on: LocalDate("2026-11-20")!)) {
      try revoked.authorizeExport(by: configuration.operators["researcher-1"]!, on: LocalDate("2026-11-26")!)
    }
  }
}

extension JSONObject {
  /// The object with `other`'s keys added.
  func merging(_ other: JSONObject) -> JSONObject {
    var result = self
    for (key, value) in other { result[key] = value }
    return result
  }
}
