import Foundation
import GRDB
import HRCore
import HRFixtures
import HRLines
import HRTestSupport

/// The shared test store under a configuration with operators of every role, and the steps the
/// archive tests need: create residents, stand in for later services, run one line.
final class ArchiveFixture: TestStore {
  static let yaml = """
    districts:
      "500103": {name: 渝中区}
      "500106": {name: 沙坪坝区}
    orgs:
      "500103001": {name: 解放碑社区卫生服务中心, district: "500103"}
      "500103002": {name: 七星岗社区卫生服务中心, district: "500103"}
      "500106001": {name: 小龙坎社区卫生服务中心, district: "500106"}
    operators:
      doc-li:     {name: 李医生, org: "500103001", role: clinician}
      admin-jfb:  {name: 解放碑中心管理员, org: "500103001", role: org_admin}
      admin-qxg:  {name: 七星岗中心管理员, org: "500103002", role: org_admin}
      admin-xlk:  {name: 小龙坎中心管理员, org: "500106001", role: org_admin}
      admin-yz:   {name: 渝中区管理员, district: "500103", role: district_admin}
      admin-city: {name: 市卫生健康委管理员, role: city_admin}
      auditor-1:  {name: 审计员, role: auditor}
    """

  private var seed: UInt64 = 1

  override init(yaml: String = ArchiveFixture.yaml) throws {
    try super.init(yaml: yaml)
  }

  /// Creates one resident with an ID number, born before 1990, managed by `org`, created on `createdOn`; returns the
  /// record number.
  @discardableResult
  func createRecord(org: String = "500103001", createdOn: String = "2020-01-01", division: String? = nil) throws -> String {
    seed += 1
    let district = configuration.orgs[org]!.district
    var people = Population(
      count: 1, seed: seed, places: [.init(org: org, district: district)], today: LocalDate("1990-01-01")!,
      birthCertificateShare: 0)
    var person = people.next()!
    person["created_on"] = .string(createdOn)
    if let division { person["division"] = .string(division) }
    let session = try session(today: createdOn)
    let created = try store.write { db in try Registry.create(person, session: session, in: db) }
    return created["record_no"]!.stringValue!
  }

  /// Records a later service through the `hr-update` rule, by the city administrator on the
  /// service's day, in the name of the managing organisation: it raises `last_contact` to that day.
  func serve(_ recordNo: String, on date: String) throws {
    guard let org = try record(recordNo)?.managingOrg else { throw TestStoreError("no record '\(recordNo)'") }
    let line: JSONObject = [
      "record_no": .string(recordNo), "service": ["type": "consultation", "date": .string(date), "org": .string(org)],
    ]
    let session = try session(today: date)
    _ = try store.write { db in try RecordUpdate.apply(line, session: session, in: db) }
  }

  func record(_ recordNo: String) throws -> ResidentRecord? {
    try store.read { db in try ResidentRecord.find(recordNo, in: db) }
  }

  /// Runs one line the way the line loop does: committed when accepted, rolled back when rejected.
  func line(
    _ handle: (JSONObject, ArchiveParticulars, Session, Database) throws -> JSONObject, _ object: JSONObject,
    defaults: ArchiveParticulars = ArchiveParticulars(), operator operatorID: String = "admin-city", today: String
  ) throws -> Result<JSONObject, LineRejection> {
    let session = try session(operatorID, today: today)
    do {
      return .success(try store.write { db in try handle(object, defaults, session, db) })
    } catch let rejection as LineRejection {
      return .failure(rejection)
    }
  }

  func auditActions(for recordNo: String) throws -> [String] {
    try store.read { db in
      try String.fetchAll(
        db, sql: "SELECT action || ':' || outcome FROM audit_event WHERE record_no = ? ORDER BY seq", arguments: [recordNo])
    }
  }
}

extension Result where Success == JSONObject, Failure == LineRejection {
  /// The rejection code, or nil when the line was accepted.
  var code: String? {
    if case .failure(let rejection) = self { return rejection.code.rawValue }
    return nil
  }

  /// The output line, or nil when the line was rejected.
  var output: JSONObject? {
    if case .success(let object) = self { return object }
    return nil
  }
}
