import Foundation
import GRDB
import HRCore
import HRFixtures
import HRLines

/// A migrated store on a temporary file, a configuration with operators of every role, and the
/// steps the archive tests need: create residents, stand in for later services, run one line.
final class ArchiveFixture {
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

  let directory: URL
  let store: Store
  let configuration: HRCore.Configuration
  private var seed: UInt64 = 1

  init() throws {
    directory = FileManager.default.temporaryDirectory.appendingPathComponent("hr-archive-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    store = try Store(path: directory.appendingPathComponent("hr.sqlite").path)
    configuration = try HRCore.Configuration.parse(yaml: Self.yaml, file: "test.yaml")
  }

  deinit {
    try? FileManager.default.removeItem(at: directory)
  }

  func session(_ operatorID: String = "admin-city", today: String) throws -> Session {
    try Session(configuration: configuration, operatorID: operatorID, today: LocalDate(today)!)
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

  /// Records a later service the way `hr-update` will, by keeping `last_contact` at its date.
  func serve(_ recordNo: String, on date: String) throws {
    try store.write { db in
      try db.execute(
        sql: """
          INSERT INTO service (record_no, type, date, org, entered_on, entered_at, entered_by)
          SELECT record_no, 'consultation', ?, managing_org, ?, '2020-01-01T00:00:00.000Z', 'doc-li' FROM record WHERE record_no = ?;
          UPDATE record SET last_contact = ? WHERE record_no = ?;
          """,
        arguments: [date, date, recordNo, date, recordNo])
    }
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

  /// Scalar query helper.
  func count(_ sql: String, _ arguments: StatementArguments = []) throws -> Int {
    try store.read { db in try Int.fetchOne(db, sql: sql, arguments: arguments) ?? 0 }
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
