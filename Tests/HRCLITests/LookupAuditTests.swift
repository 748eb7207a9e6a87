import Foundation
import HRCore
import HRFixtures
import HRLines
import Testing

/// One resident with an ID number, born before 1990, as an `hr-create` line for `org`.
private func resident(org: String = "500103001", seed: UInt64 = 31) -> String {
  Population(
    count: 1, seed: seed, places: [.init(org: org, district: String(org.prefix(6)))], today: LocalDate("1990-01-01")!,
    birthCertificateShare: 0
  ).map { person in
    var person = person
    person["created_on"] = "2026-01-05"
    return JSONValue.object(person).compact + "\n"
  }.joined()
}

@Suite("Lookups that show another record are audited")
struct LookupAuditTests {
  /// A sandbox with one record of 解放碑 (500103001), and its number.
  func storeWithOneRecord() throws -> (Sandbox, String) {
    let sandbox = try Sandbox()
    let created = try sandbox.run("hr-create", stdin: resident(), operator: "doc-li")
    #expect(created.status == 0, "\(created.stderr)")
    return (sandbox, try #require(created.objects.first?["record_no"] as? String))
  }

  /// The lookups of the store: `operator|record_no|outcome|code`, in order.
  func lookups(_ sandbox: Sandbox) throws -> [String] {
    try sandbox.sqlite(
      "SELECT operator || '|' || record_no || '|' || outcome || '|' || coalesce(json_extract(detail, '$.code'), '') FROM audit_event WHERE action = 'record.check' ORDER BY seq"
    ).split(separator: "\n").map(String.init)
  }

  @Test func aDuplicateNamingAnotherOrganisationsRecordIsAnAuditedLookup() throws {
    let (sandbox, recordNo) = try storeWithOneRecord()
    // 小龙坎's clinician enters the same person: the rejection names 解放碑's record.
    let duplicate = try sandbox.run("hr-create", stdin: resident(org: "500106001"), operator: "doc-zhao")
    #expect(duplicate.status == 65)
    #expect(duplicate.errorLines.first?.contains("duplicate_record: the resident already has record '\(recordNo)'") == true)
    #expect(try lookups(sandbox) == ["doc-zhao|\(recordNo)|rejected|duplicate_record"])
    let access = try sandbox.run("hr-audit", ["access", "--record", recordNo], operator: "admin-city")
    #expect(access.objects.contains { $0["use"] as? String == "looked_up" && $0["operator"] as? String == "doc-zhao" })
  }

  @Test func anIdentifierUpgradeThatHitsAnotherRecordIsAnAuditedLookup() throws {
    let sandbox = try Sandbox()
    let holder = try sandbox.run(
      "hr-create",
      stdin: #"{"id_number":"500103198001010016","name":"张三","division":"500103001001","org":"500103001"}"# + "\n",
      operator: "doc-li")
    let holderNo = try #require(holder.objects.first?["record_no"] as? String)
    let child = try sandbox.run(
      "hr-create",
      stdin:
        #"{"birth_cert_no":"A123456789","name":"张三","sex":1,"birth_date":"1980-01-01","division":"500106001001","org":"500106001"}"#
        + "\n", operator: "doc-zhao")
    let childNo = try #require(child.objects.first?["record_no"] as? String)
    let upgrade = try sandbox.run(
      "hr-update", ["--dry-run"],
      stdin: #"{"record_no":"\#(childNo)","set":{"id_number":"500103198001010016"}}"# + "\n", operator: "doc-zhao")
    #expect(upgrade.status == 65)
    #expect(upgrade.errorLines.first?.contains("duplicate_record: the resident already has record '\(holderNo)'") == true)
    #expect(try lookups(sandbox) == ["doc-zhao|\(holderNo)|rejected|duplicate_record"])
  }

  @Test func aDryRunDuplicateKeepsItsLookupAndNothingElse() throws {
    let (sandbox, recordNo) = try storeWithOneRecord()
    let events = try sandbox.sqlite("SELECT count(*) FROM audit_event")
    let input = resident(org: "500106001") + resident(org: "500106001", seed: 77)
    let dryRun = try sandbox.run("hr-create", ["--dry-run"], stdin: input, operator: "doc-zhao")
    #expect(dryRun.status == 65)
    #expect(dryRun.objects.count == 1)
    #expect(try lookups(sandbox) == ["doc-zhao|\(recordNo)|rejected|duplicate_record"])
    #expect(try sandbox.sqlite("SELECT count(*) FROM audit_event") == String(Int(events)! + 1))
    #expect(try sandbox.sqlite("SELECT count(*) FROM record") == "1")
    #expect(try sandbox.auditChain().intact)
  }

  @Test func checkInADryRunOrARolledBackRunKeepsItsLookupOnce() throws {
    let (sandbox, recordNo) = try storeWithOneRecord()
    let check = try sandbox.run("hr-create", ["--check", "--dry-run"], stdin: resident(), operator: "doc-zhao")
    #expect(check.status == 0, "\(check.stderr)")
    #expect(check.objects.first?["record_no"] as? String == recordNo)
    #expect(try lookups(sandbox) == ["doc-zhao|\(recordNo)|ok|"])

    // All or nothing: a duplicate rolls the run back; its lookup is kept once, the new person is not created.
    let input = resident(org: "500106001", seed: 77) + resident(org: "500106001")
    let rolledBack = try sandbox.run("hr-create", ["--all-or-nothing"], stdin: input, operator: "doc-zhao")
    #expect(rolledBack.status == 65)
    #expect(try lookups(sandbox) == ["doc-zhao|\(recordNo)|ok|", "doc-zhao|\(recordNo)|rejected|duplicate_record"])
    #expect(try sandbox.sqlite("SELECT count(*) FROM record") == "1")
    #expect(try sandbox.auditChain().intact)
  }

  @Test func anOffSiteRefusalNamesNoStoredValueAndIsAudited() throws {
    let (sandbox, recordNo) = try storeWithOneRecord()
    let birth = try sandbox.sqlite("SELECT birth_date FROM record WHERE record_no = '\(recordNo)'")
    let year = String(birth.prefix(4))
    let before = "\(Int(year)! - 1)-06-01"
    let early = try sandbox.run(
      "hr-update", stdin: #"{"record_no":"\#(recordNo)","service":{"type":"consultation","date":"\#(before)"}}"# + "\n",
      operator: "doc-zhao")
    #expect(early.status == 65)
    #expect(early.errorLines.first?.contains(": invalid_value: record '\(recordNo)' cannot take this off-site service") == true)
    #expect(early.stderr.contains(birth) == false)

    let died = try sandbox.run(
      "hr-archive", ["deceased", "--death-date", "2026-09-01", "--death-cause", "肺癌"],
      stdin: #"{"record_no":"\#(recordNo)"}"# + "\n", operator: "admin-jfb")
    #expect(died.status == 0, "\(died.stderr)")
    let afterDeath = try sandbox.run(
      "hr-update", stdin: #"{"record_no":"\#(recordNo)","service":{"type":"consultation","date":"2026-11-20"}}"# + "\n",
      operator: "doc-zhao")
    #expect(afterDeath.status == 65)
    #expect(afterDeath.errorLines.first?.contains(": record_archived: record '\(recordNo)' cannot take this off-site") == true)
    #expect(afterDeath.stderr.contains("deceased") == false)
    #expect(afterDeath.stderr.contains("2026-09-01") == false)
    #expect(
      try lookups(sandbox) == [
        "doc-zhao|\(recordNo)|rejected|invalid_value", "doc-zhao|\(recordNo)|rejected|record_archived",
      ])

    // The managing organisation's own staff still read the reason.
    let own = try sandbox.run(
      "hr-update", stdin: #"{"record_no":"\#(recordNo)","service":{"type":"consultation","date":"2026-11-20"}}"# + "\n",
      operator: "doc-li")
    #expect(own.errorLines.first?.contains("is archived as deceased") == true)
  }

  @Test func anOffSiteLineForANumberNobodyHoldsLeavesNoLookup() throws {
    let (sandbox, recordNo) = try storeWithOneRecord()
    let other = String(recordNo.dropLast()) + (recordNo.hasSuffix("9") ? "8" : "9")
    let missing = try sandbox.run(
      "hr-update", stdin: #"{"record_no":"\#(other)","service":{"type":"consultation","date":"2026-11-20"}}"# + "\n",
      operator: "doc-zhao")
    #expect(missing.status == 65)
    #expect(missing.errorLines.first?.contains(": not_found: ") == true)
    #expect(try lookups(sandbox).isEmpty)
  }
}
