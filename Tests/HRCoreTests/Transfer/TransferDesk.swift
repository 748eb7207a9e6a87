import Foundation
import GRDB
import HRLines
import HRTestSupport
import Testing

@testable import HRCore

/// The shared test store under a small configuration, on which the transfer rules are run the way
/// `hr-transfer` runs them: one line, one transaction.
final class TransferDesk: TestStore {
  private var nextCertificate = 1

  /// Two organisations in 渝中区 (90 protection days), two in 沙坪坝区 (none set), one in 渝北区.
  static let yaml = """
    districts:
      "500103": {name: 渝中区, intra_district_protection_days: 90}
      "500112": {name: 渝北区, intra_district_protection_days: 30}
    orgs:
      "500103001": {name: 解放碑社区卫生服务中心, district: "500103"}
      "500103002": {name: 七星岗社区卫生服务中心, district: "500103"}
      "500106001": {name: 小龙坎社区卫生服务中心, district: "500106"}
      "500106002": {name: 渝碚路社区卫生服务中心, district: "500106"}
      "500112001": {name: 龙溪社区卫生服务中心, district: "500112"}
    operators:
      doc-li:     {name: 李医生, org: "500103001", role: clinician}
      admin-jfb:  {name: 解放碑中心管理员, org: "500103001", role: org_admin}
      doc-wang:   {name: 王医生, org: "500103002", role: clinician}
      admin-qxg:  {name: 七星岗中心管理员, org: "500103002", role: org_admin}
      doc-zhao:   {name: 赵医生, org: "500106001", role: clinician}
      admin-xlk:  {name: 小龙坎中心管理员, org: "500106001", role: org_admin}
      admin-lx:   {name: 龙溪中心管理员, org: "500112001", role: org_admin}
      admin-yz:   {name: 渝中区管理员, district: "500103", role: district_admin}
      admin-spb:  {name: 沙坪坝区管理员, district: "500106", role: district_admin}
      admin-city: {name: 市管理员, role: city_admin}
      auditor-1:  {name: 审计员, role: auditor}
    """

  override init(yaml: String = TransferDesk.yaml) throws {
    try super.init(yaml: yaml)
  }

  func session(_ operatorID: String, on day: String) throws -> Session {
    try session(operatorID, today: day)
  }

  /// Creates a child's record managed by `org` (by birth certificate, so no ID number is needed).
  func createRecord(managedBy org: String, on day: String = "2026-01-05") throws -> String {
    let district = configuration.orgs[org]!.district
    let number = String(nextCertificate)
    nextCertificate += 1
    let line: JSONObject = [
      "birth_cert_no": .string("B" + String(repeating: "0", count: 9 - number.count) + number),
      "name": "测试儿童", "sex": 1, "birth_date": "2025-06-01", "division": .string(district + "001001"),
      "org": .string(org), "created_on": .string(day),
    ]
    let created = try store.write { db in try Registry.create(line, session: try session("admin-city", on: day), in: db) }
    return created["record_no"]!.stringValue!
  }

  /// Runs one request line as `operatorID` on `day`.
  @discardableResult
  func request(
    _ recordNo: String, to org: String, as operatorID: String, on day: String,
    reason: TransferReason = .residenceChange
  ) throws -> JSONObject {
    let session = try session(operatorID, on: day)
    let line: JSONObject = [
      "record_no": .string(recordNo), "to_org": .string(org), "reason": .string(reason.rawValue),
      "consent": ["method": "signed_form", "ref": "ZQ-2026-001"],
    ]
    return try store.write { db in try Transfers.request(line, defaults: .init(), session: session, in: db) }
  }

  @discardableResult
  func confirm(_ line: JSONObject, as operatorID: String, on day: String) throws -> JSONObject {
    let session = try session(operatorID, on: day)
    return try store.write { db in try Transfers.confirm(line, session: session, in: db) }
  }

  @discardableResult
  func reject(_ line: JSONObject, because: String? = "居民已撤回申请", as operatorID: String, on day: String) throws -> JSONObject {
    let session = try session(operatorID, on: day)
    return try store.write { db in try Transfers.reject(line, defaultReason: because, session: session, in: db) }
  }

  @discardableResult
  func cancel(_ line: JSONObject, as operatorID: String, on day: String) throws -> JSONObject {
    let session = try session(operatorID, on: day)
    return try store.write { db in try Transfers.cancel(line, session: session, in: db) }
  }

  func list(
    _ filter: TransferFilter = TransferFilter(), as operatorID: String = "admin-city", on day: String = "2026-01-05"
  ) throws -> [Transfer] {
    let session = try session(operatorID, on: day)
    return try store.read { db in try Transfers.list(filter, session: session, in: db) }
  }

  func record(_ recordNo: String) throws -> ResidentRecord {
    try store.read { db in try ResidentRecord.find(recordNo, in: db)! }
  }

  /// The audit events of a record as (action, outcome), in order.
  func auditTrail(of recordNo: String) throws -> [String] {
    try store.read { db in
      try Row.fetchAll(db, sql: "SELECT action, outcome FROM audit_event WHERE record_no = ? ORDER BY seq", arguments: [recordNo])
        .map { "\($0[0] as String):\($0[1] as String)" }
    }
  }

  /// Archives a record through the archive rules, as `hr-archive` does: lost after a year without
  /// contact, moved out a year after leaving, deceased the day before `day`.
  func archive(_ recordNo: String, as reason: ArchiveReason, on day: String) throws {
    let session = try session("admin-city", on: day)
    let today = LocalDate(day)!
    let line: JSONObject = ["record_no": .string(recordNo)]
    try store.write { db in
      switch reason {
      case .lost:
        _ = try Archive.lost(line, defaults: ArchiveParticulars(evidence: "3 calls unanswered"), session: session, in: db)
      case .movedOut:
        _ = try Archive.movedOut(line, defaults: ArchiveParticulars(leftOn: today.adding(days: -366)), session: session, in: db)
      case .deceased:
        _ = try Archive.deceased(
          line, defaults: ArchiveParticulars(deathDate: today.adding(days: -1), deathCause: "肺炎"), session: session, in: db)
      }
    }
  }

  /// The rejection a throwing step ends with, or nil when it succeeded.
  func rejection(_ step: () throws -> Any) -> LineRejection? {
    do {
      _ = try step()
      return nil
    } catch let rejection as LineRejection {
      return rejection
    } catch {
      Issue.record("unexpected error \(error)")
      return nil
    }
  }
}

extension LocalDate {
  /// A test date given as text.
  static func on(_ text: String) -> LocalDate { LocalDate(text)! }
}
