import GRDB
import HRCore
import HRLines
import Testing

@Suite("Candidates for archiving as lost (annex 1, 六(一)1)")
struct CandidatesTests {
  /// `--org` or `--district`.
  struct Filter: Sendable, CustomTestStringConvertible {
    var org: String?
    var district: String?
    var testDescription: String { org.map { "--org \($0)" } ?? district.map { "--district \($0)" } ?? "all" }
  }

  func list(
    _ fixture: ArchiveFixture, _ filter: Filter = Filter(), operator operatorID: String = "admin-city",
    today: String = "2026-11-26"
  ) throws -> [String] {
    var lines: [String] = []
    let session = try fixture.session(operatorID, today: today)
    let coverage = try session.coverage(for: .archive, org: filter.org, district: filter.district)
    try fixture.store.archiveCandidates(coverage, session: session) { lines.append($0.compact) }
    return lines
  }

  @Test func candidatesAreActiveRecordsWithoutContactFor365Days() throws {
    let fixture = try ArchiveFixture()
    let due = try fixture.createRecord(createdOn: "2025-11-26")
    let notYet = try fixture.createRecord(createdOn: "2025-11-27")
    let long = try fixture.createRecord(createdOn: "2019-05-05")
    let served = try fixture.createRecord(createdOn: "2019-05-05")
    try fixture.serve(served, on: "2026-01-01")
    let archived = try fixture.createRecord(createdOn: "2019-05-05")
    _ = try fixture.line(Archive.lost, ["record_no": .string(archived), "evidence": "3 calls unanswered"], today: "2026-11-26")

    let lines = try list(fixture)
    #expect(
      lines
        == [
          #"{"record_no":"\#(due)","managing_org":"500103001","last_contact":"2025-11-26","days_since":365}"#,
          #"{"record_no":"\#(long)","managing_org":"500103001","last_contact":"2019-05-05","days_since":2762}"#,
        ].sorted())
    #expect(!lines.contains { $0.contains(notYet) || $0.contains(served) || $0.contains(archived) })
  }

  @Test(
    "the listing is limited to the operator's reach",
    arguments: [
      ("admin-jfb", ["500103001"]), ("admin-qxg", ["500103002"]), ("admin-yz", ["500103001", "500103002"]),
      ("admin-city", ["500103001", "500103002", "500106001"]),
    ])
  func candidatesAreLimitedToTheOperatorsReach(operatorID: String, orgs: [String]) throws {
    let fixture = try ArchiveFixture()
    for org in ["500103001", "500103002", "500106001"] { try fixture.createRecord(org: org, createdOn: "2020-01-01") }
    let lines = try list(fixture, operator: operatorID)
    let listed = Set(lines.compactMap { line in orgs.first { line.contains(#""managing_org":"\#($0)""#) } })
    #expect(lines.count == orgs.count)
    #expect(listed == Set(orgs))
  }

  @Test func orgAndDistrictNarrowTheListing() throws {
    let fixture = try ArchiveFixture()
    for org in ["500103001", "500103002", "500106001"] { try fixture.createRecord(org: org, createdOn: "2020-01-01") }
    #expect(try list(fixture, Filter(org: "500103002")).count == 1)
    #expect(try list(fixture, Filter(district: "500103")).count == 2)
    #expect(try list(fixture, Filter(district: "500103"), operator: "admin-jfb").count == 1)
  }

  @Test(
    "naming an organisation or district outside the reach is refused",
    arguments: [
      ("admin-jfb", Filter(org: "500103002")), ("admin-jfb", Filter(district: "500106")),
      ("admin-yz", Filter(org: "500106001")), ("admin-yz", Filter(district: "500106")),
    ])
  func candidatesOutsideTheReachAreRefused(operatorID: String, filter: Filter) throws {
    let fixture = try ArchiveFixture()
    try fixture.createRecord(org: "500106001", createdOn: "2020-01-01")
    let named: JSONObject = filter.org.map { ["org": .string($0)] } ?? ["district": .string(filter.district ?? "")]
    #expect(throws: ScopeError.beyondReach(detail: named)) { try list(fixture, filter, operator: operatorID) }
    #expect(try fixture.count("SELECT count(*) FROM audit_event WHERE action = 'record.candidates'") == 0)
  }

  @Test func unknownOrganisationsAndDistrictsAreNamed() throws {
    let fixture = try ArchiveFixture()
    #expect(throws: ScopeError.unknownOrganisation("500103999")) { try list(fixture, Filter(org: "500103999")) }
    #expect(throws: ScopeError.unknownDistrict("500199")) { try list(fixture, Filter(district: "500199")) }
  }

  @Test func eachListingIsAuditedOnceWithItsCount() throws {
    let fixture = try ArchiveFixture()
    for _ in 0..<3 { try fixture.createRecord(createdOn: "2020-01-01") }
    _ = try list(fixture, Filter(org: "500103001"), operator: "admin-jfb")
    let detail = try fixture.store.read { db in
      try String.fetchAll(db, sql: "SELECT detail FROM audit_event WHERE action = 'record.candidates'")
    }
    #expect(detail == [#"{"count":3,"last_contact_on_or_before":"2025-11-26","org":"500103001"}"#])
  }

  @Test func theListingUsesTheLastContactIndex() throws {
    let fixture = try ArchiveFixture()
    let plan = try fixture.store.read { db in
      try Row.fetchAll(
        db,
        sql:
          "EXPLAIN QUERY PLAN SELECT record_no, managing_org, last_contact FROM record WHERE status = 'active' AND last_contact <= ? ORDER BY record_no",
        arguments: ["2025-11-26"]
      ).map { $0["detail"] as String }.joined(separator: "\n")
    }
    #expect(plan.contains("record_by_last_contact"))
  }

  /// Many candidates are read along the table's order rather than sorted again for every chunk;
  /// the listing is the same either way, for the city, an organisation and a district.
  @Test(arguments: [Filter(), Filter(org: "500103002"), Filter(district: "500103")])
  func manyCandidatesAreListedTheSameWithoutSortingEachChunk(filter: Filter) throws {
    let fixture = try ArchiveFixture()
    for (index, org) in Array(repeating: ["500103001", "500103002", "500106001"], count: 5).joined().enumerated() {
      try fixture.createRecord(org: org, createdOn: index % 4 == 0 ? "2026-06-01" : "2019-0\(index % 9 + 1)-01")
    }
    let session = try fixture.session()
    let coverage = try session.coverage(for: .archive, org: filter.org, district: filter.district)
    var sorted: [String] = []
    var byNumber: [String] = []
    try fixture.store.archiveCandidates(coverage, session: session, chunk: 2) { sorted.append($0.compact) }
    try fixture.store.archiveCandidates(coverage, session: session, chunk: 2, sortedChunks: 0) { byNumber.append($0.compact) }
    #expect(sorted.count >= 3)
    #expect(byNumber == sorted)
    #expect(sorted == sorted.sorted())
  }

  /// The query of a chunk read along the table needs no sort; the one for few candidates does.
  @Test(arguments: ["1", "record.managing_org = ?", "record.managing_district = ?"])
  func aChunkReadByNumberIsNotSorted(scope: String) throws {
    let fixture = try ArchiveFixture()
    let detail = { (byNumber: Bool) in
      try fixture.store.read { db in
        try Row.fetchAll(
          db, sql: "EXPLAIN QUERY PLAN " + Store.candidateChunkSQL(scope: scope, byNumber: byNumber),
          arguments: scope == "1" ? ["2026-01-01", "", 2] : ["2026-01-01", "x", "", 2]
        ).map { $0["detail"] as String? ?? "" }.joined(separator: "; ")
      }
    }
    let alongTheTable = try detail(true)
    let sorted = try detail(false)
    #expect(!alongTheTable.contains("TEMP B-TREE"), "\(alongTheTable)")
    #expect(sorted.contains("TEMP B-TREE"), "\(sorted)")
  }
}

@Suite("Coverage: how far an operator reaches for an action (§9)")
struct CoverageTests {
  @Test(
    "coverage follows the role table",
    arguments: [
      ("doc-li", Action.archive, Coverage.nothing), ("admin-jfb", .archive, .org("500103001")),
      ("admin-yz", .archive, .district("500103")), ("admin-city", .archive, .city), ("auditor-1", .archive, .nothing),
      ("admin-yz", .purge, .nothing), ("admin-city", .purge, .city), ("doc-li", .write, .org("500103001")),
      ("auditor-1", .audit, .city),
    ])
  func coverageFollowsTheRoleTable(operatorID: String, action: Action, coverage: Coverage) throws {
    let configuration = try HRCore.Configuration.parse(yaml: ArchiveFixture.yaml, file: "test.yaml")
    #expect(configuration.operators[operatorID]!.coverage(for: action) == coverage)
  }
}
