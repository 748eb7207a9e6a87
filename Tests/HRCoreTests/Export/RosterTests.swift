import GRDB
import HRCore
import HRLines
import Testing

/// Residents spread over three organisations of two districts, one of them archived as lost.
final class RosterFixture {
  let base: ServiceFixture
  /// Record numbers by organisation.
  var records: [String: [String]] = [:]

  init() throws {
    base = try ServiceFixture()
    let people: [(String, String, String, String)] = [
      ("50010319560101101", "张一", "500103001001", "500103001"),
      ("50010319900303202", "张二", "500103001001", "500103001"),
      ("50010320220505303", "张三", "500103001001", "500103001"),
      ("50010319700707404", "王四", "500103002001", "500103002"),
      ("50010619500909505", "赵五", "500106001001", "500106001"),
    ]
    for (body, name, division, org) in people {
      let recordNo = try base.create([
        "id_number": .string(ServiceFixture.id(body)), "name": .string(name), "division": .string(division), "org": .string(org),
        "phone": "13800138000", "current_address": "重庆市渝中区解放碑街道1号", "created_on": "2026-01-05",
      ])
      records[org, default: []].append(recordNo)
    }
    try base.update(["record_no": .string(records["500103001"]![1]), "tag": ["code": "hypertension", "since": "2026-02-01"]])
    try base.archive(records["500103001"]![1])
    try base.update(["record_no": .string(records["500103001"]![0]), "tag": ["code": "hypertension", "since": "2026-02-01"]])
  }

  /// The roster `operatorID` gets with `--org`, `--district`, `--status` and `--tag`.
  func roster(
    org: String? = nil, district: String? = nil, status: RosterStatus = .active, tag: String? = nil, by operatorID: String
  ) throws -> [JSONObject] {
    var rows: [JSONObject] = []
    let session = try base.session(operatorID)
    let coverage = try session.coverage(for: .exportRecord, org: org, district: district)
    try base.store.roster(RosterFilter(coverage: coverage, status: status, tag: tag), session: session) { rows.append($0) }
    return rows
  }
}

@Suite("hr-export roster")
struct RosterTests {
  @Test(
    "Each role sees exactly its reach",
    arguments: [
      ("doc-li", ["500103001"]), ("admin-jfb", ["500103001"]), ("doc-wang", ["500103002"]),
      ("admin-yz", ["500103001", "500103002"]), ("admin-spb", ["500106001"]),
      ("admin-city", ["500103001", "500103002", "500106001"]),
    ])
  func eachRoleSeesItsReach(operatorID: String, orgs: [String]) throws {
    let fixture = try RosterFixture()
    let rows = try fixture.roster(by: operatorID)
    let expected = orgs.flatMap { org in fixture.records[org]! }.filter { $0 != fixture.records["500103001"]![1] }.sorted()
    #expect(rows.map { $0["record_no"]!.stringValue! } == expected)
    #expect(Set(rows.map { $0["managing_org"]!.stringValue! }) == Set(orgs))
    let detail: String? = try fixture.base.scalar(
      "SELECT detail FROM audit_event WHERE action = 'record.list' AND outcome = 'ok'")
    let scope =
      switch orgs.count {
      case 1 where operatorID == "admin-spb": #""district":"500106""#
      case 1: #""org":"\#(orgs[0])""#
      case 2: #""district":"500103""#
      default: #""scope":"city""#
      }
    #expect(detail == #"{"count":\#(expected.count),\#(scope),"status":"active"}"#)
  }

  @Test(
    "A roster outside the reach is refused; the command audits the refusal",
    arguments: [
      ("doc-li", "500103002", nil), ("admin-jfb", nil, "500106"), ("admin-yz", "500106001", nil),
      ("admin-spb", nil, "500103"),
    ] as [(String, String?, String?)])
  func outsideTheReachIsRefused(operatorID: String, org: String?, district: String?) throws {
    let fixture = try RosterFixture()
    let named: JSONObject = org.map { ["org": .string($0)] } ?? ["district": .string(district ?? "")]
    #expect(throws: ScopeError.beyondReach(detail: named)) { try fixture.roster(org: org, district: district, by: operatorID) }
    #expect(try fixture.base.auditCount("record.list") == 0)
  }

  @Test func anOrganisationAdministratorAskingForTheirDistrictSeesTheirOrganisation() throws {
    let fixture = try RosterFixture()
    let rows = try fixture.roster(district: "500103", by: "admin-jfb")
    #expect(Set(rows.map { $0["managing_org"]!.stringValue! }) == ["500103001"])
  }

  @Test func aLineCarriesTheDocumentedKeysInOrder() throws {
    let fixture = try RosterFixture()
    let rows = try fixture.roster(org: "500103001", by: "doc-li")
    let first = try #require(rows.first)
    #expect(first.keys == Store.rosterKeys)
    #expect(
      JSONValue.object(first).compact
        == #"{"record_no":"\#(fixture.records["500103001"]![0])","name":"张一","sex":1,"birth_date":"1956-01-01","phone":"13800138000","current_address":"重庆市渝中区解放碑街道1号","managing_org":"500103001","status":"active","tags":["elderly","hypertension"],"last_contact":"2026-01-05"}"#
    )
  }

  @Test func statusAndTagNarrowTheList() throws {
    let fixture = try RosterFixture()
    let jfb = fixture.records["500103001"]!
    #expect(try fixture.roster(status: .lost, by: "doc-li").map { $0["record_no"]!.stringValue! } == [jfb[1]])
    #expect(try fixture.roster(status: .deceased, by: "doc-li").isEmpty)
    #expect(try fixture.roster(status: .all, by: "doc-li").count == 3)
    #expect(
      try fixture.roster(status: .all, tag: "hypertension", by: "doc-li").map { $0["record_no"]!.stringValue! } == [
        jfb[0], jfb[1],
      ])
    #expect(try fixture.roster(tag: "elderly", by: "admin-city").map { $0["name"]!.stringValue! } == ["张一", "赵五"])
    #expect(try fixture.roster(tag: "child_0_6", by: "admin-city").map { $0["name"]!.stringValue! } == ["张三"])
    let detail: String? = try fixture.base.scalar(
      "SELECT detail FROM audit_event WHERE action = 'record.list' ORDER BY seq DESC LIMIT 1")
    #expect(detail == #"{"count":1,"scope":"city","status":"active","tag":"child_0_6"}"#)
  }

  @Test func anUnknownTagOrOrganisationIsAnError() throws {
    let fixture = try RosterFixture()
    #expect(throws: RosterError.unknownTag("hypertensive")) { try fixture.roster(tag: "hypertensive", by: "doc-li") }
    #expect(throws: ScopeError.unknownOrganisation("500103999")) { try fixture.roster(org: "500103999", by: "admin-city") }
    #expect(try fixture.base.auditCount("record.list") == 0)
  }

  /// A roster is read in record-number order without a sort: a city-wide one used to take the
  /// state's index and sort every record of the city in memory before printing the first line.
  @Test(
    arguments: [Coverage.city, .district("500103"), .org("500103001")],
    [RosterStatus.active, .archived, .lost, .all])
  func aRosterIsReadInNumberOrderWithoutSortingTheRecords(coverage: Coverage, status: RosterStatus) throws {
    let fixture = try RosterFixture()
    for tag: String? in [nil, "hypertension"] {
      let query = Store.rosterQuery(RosterFilter(coverage: coverage, status: status, tag: tag))
      let plan = try fixture.base.store.read { db in
        try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + query.sql, arguments: query.arguments)
          .map { $0["detail"] as String? ?? "" }.joined(separator: "; ")
      }
      #expect(!plan.contains("TEMP B-TREE"), "\(coverage) \(status) \(tag ?? "-"): \(plan)")
    }
  }
}
