import GRDB
import HRLines
import Testing

@testable import HRCore

@Suite("Probable duplicates")
struct ProbableDuplicatesTests {
  typealias Fixture = QualityFixture
  static let mother = Fixture.residentID("1992-04-05", female: true, sequence: 31)
  static let otherMother = Fixture.residentID("1993-06-07", female: true, sequence: 32)

  static func child(_ recordNo: String, name: String, sex: Int = 1, birth: String = "2026-03-01") -> Fixture.Record {
    var record = Fixture.Record(recordNo)
    (record.name, record.sex, record.birthDate, record.idNumber) = (name, sex, birth, nil)
    return record
  }

  static func pairs(_ records: [Fixture.Record], coverage: Coverage = .city) throws -> [DuplicatePair] {
    let sandbox = try AuditTestStore()
    try sandbox.store.write { db in for record in records { try record.insert(db) } }
    return try sandbox.store.read { db in try ProbableDuplicates.pairs(coverage: coverage, in: db) }
  }

  @Test func aChildRegisteredByBirthCertificateAndAgainByIDNumberIsAPair() throws {
    var byCertificate = Self.child("50010300100100001", name: "王小明")
    byCertificate.birthCertNo = "A000000001"
    var byID = Self.child("50010600100100001", name: "王小明")
    (byID.idNumber, byID.division, byID.org, byID.district) =
      (Fixture.residentID("2026-03-01"), "500106001001", "500106001", "500106")
    let pairs = try Self.pairs([byID, byCertificate])
    #expect(
      pairs.map(\.json.compact) == [
        #"{"record_no_a":"50010300100100001","record_no_b":"50010600100100001","score":0.7,"reasons":["same_name","same_birth_date","same_sex"],"managing_org_a":"500103001","status_a":"active","managing_org_b":"500106001","status_b":"active"}"#
      ])
  }

  @Test func twinsOfOneMotherAreNeverAPair() throws {
    var first = Self.child("50010300100100001", name: "李一", sex: 2)
    var second = Self.child("50010300100100002", name: "李二", sex: 2)
    first.motherIdNumber = Self.mother
    second.motherIdNumber = Self.mother
    var secondByCertificate = Self.child("50010300100100003", name: "李二", sex: 2)
    secondByCertificate.birthCertNo = "A000000003"
    let pairs = try Self.pairs([first, second, secondByCertificate])
    // The second twin registered twice is a pair; the twins themselves are not.
    #expect(pairs.map { [$0.recordNoA, $0.recordNoB] } == [["50010300100100002", "50010300100100003"]])
    #expect(pairs.first?.reasons == ["same_name", "same_birth_date", "same_sex", "same_division"])
    #expect(pairs.first?.score == 0.8)
  }

  @Test func theSameMotherNameAndBirthDateIsTheSurestPairEvenWithTheSexMistyped() throws {
    var a = Self.child("50010300100100001", name: "陈果")
    var b = Self.child("50010300200100001", name: "陈果")
    var c = Self.child("50010300200100002", name: "陈果", sex: 2)
    (a.motherIdNumber, b.motherIdNumber, c.motherIdNumber) = (Self.mother, Self.mother, Self.mother)
    (b.division, c.division) = ("500103002001", "500103002001")
    let pairs = try Self.pairs([a, b, c])
    #expect(
      pairs.map { "\($0.recordNoA)-\($0.recordNoB):\($0.score)" } == [
        "50010300100100001-50010300200100001:1.0",
        "50010300100100001-50010300200100002:0.9",
        "50010300200100001-50010300200100002:0.9",
      ])
    #expect(pairs[0].reasons == ["same_name", "same_birth_date", "same_sex", "same_mother"])
    #expect(pairs[2].reasons == ["same_name", "same_birth_date", "same_mother", "same_division"])
  }

  @Test func recordsThatBothHoldAnIDNumberOrNameDifferentMothersAreTwoPeople() throws {
    var adult1 = Fixture.Record("50010300100100001")
    var adult2 = Fixture.Record("50010300100100002")
    (adult1.name, adult2.name) = ("张伟", "张伟")
    adult2.idNumber = Fixture.residentID("1980-05-06", region: "510104")
    var child1 = Self.child("50010300100100003", name: "刘洋")
    var child2 = Self.child("50010300100100004", name: "刘洋")
    (child1.motherIdNumber, child2.motherIdNumber) = (Self.mother, Self.otherMother)
    var otherSex = Self.child("50010300100100005", name: "刘洋", sex: 2)
    otherSex.birthCertNo = "A000000005"
    var otherDay = Self.child("50010300100100006", name: "刘洋", birth: "2026-03-02")
    otherDay.birthCertNo = "A000000006"
    #expect(try Self.pairs([adult1, adult2, child1, child2, otherSex, otherDay]).isEmpty)
  }

  @Test func aPairIsListedWhenEitherRecordIsInTheCoverage() throws {
    var here = Self.child("50010300100100001", name: "周杰")
    here.birthCertNo = "A000000001"
    var there = Self.child("50010600100100001", name: "周杰")
    (there.org, there.district, there.division) = ("500106001", "500106", "500106001001")
    let records = [here, there]
    #expect(try Self.pairs(records, coverage: .org("500103001")).count == 1)
    #expect(try Self.pairs(records, coverage: .district("500106")).count == 1)
    #expect(try Self.pairs(records, coverage: .org("500112001")).isEmpty)
    #expect(try Self.pairs(records, coverage: .nothing).isEmpty)
  }

  @Test func theSearchJoinsThroughThePersonIndexRatherThanPairingEveryRecord() throws {
    let sandbox = try AuditTestStore()
    let query = ProbableDuplicates.query(coverage: .city)
    let plan = try sandbox.store.read { db in
      try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + query.sql, arguments: query.arguments).map { $0["detail"] as String }
    }
    #expect(plan.contains { $0.contains("SEARCH b USING INDEX record_by_person") }, "\(plan)")
    #expect(plan.filter { $0.hasPrefix("SCAN") }.count == 1, "\(plan)")
  }
}
