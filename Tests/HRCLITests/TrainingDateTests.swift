import Foundation
import HRCore
import HRFixtures
import HRLines
import Testing

extension Sandbox {
  /// The example configuration as a production installation has it: without `training: true`.
  static let productionConfiguration = exampleConfiguration.replacingOccurrences(of: "training: true\n", with: "")

  /// Makes the sandbox a production installation from now on, as a district turns its training
  /// store into the real one.
  func becomeProduction() throws {
    try Sandbox.productionConfiguration.write(toFile: config, atomically: true, encoding: .utf8)
  }
}

/// One resident with an ID number as an `hr-create` line, created on `createdOn`.
private func resident(createdOn: String, seed: UInt64 = 23) -> String {
  Population(
    count: 1, seed: seed, places: [.init(org: "500103001", district: "500103")], today: LocalDate("1990-01-01")!,
    birthCertificateShare: 0
  ).map { person in
    var person = person
    person["created_on"] = .string(createdOn)
    return JSONValue.object(person).compact + "\n"
  }.joined()
}

@Suite("Claimed dates: --today writes only in a training installation")
struct TrainingDateTests {
  /// A production store with one record archived as lost on the real day before: the state in
  /// which `--today` once purged a record kept four days instead of fifteen years.
  func productionStoreWithAnArchivedRecord() throws -> (Sandbox, String) {
    let sandbox = try Sandbox()
    let created = try sandbox.run("hr-create", stdin: resident(createdOn: "2020-01-10"), today: "2020-01-10")
    #expect(created.status == 0, "\(created.stderr)")
    let recordNo = try #require(created.objects.first?["record_no"] as? String)
    let lost = try sandbox.run(
      "hr-archive", ["lost", "--evidence", "3 calls unanswered"], stdin: #"{"record_no":"\#(recordNo)"}"# + "\n",
      today: nil)
    #expect(lost.status == 0, "\(lost.stderr)")
    try sandbox.becomeProduction()
    return (sandbox, recordNo)
  }

  @Test func purgeWithAClaimedDateIsRefusedInProduction() throws {
    let (sandbox, recordNo) = try productionStoreWithAnArchivedRecord()
    let purge = try sandbox.run("hr-archive", ["purge", "--before", "2030-01-01", "--today", "2045-01-01"], today: nil)
    #expect(purge.status == 64)
    #expect(purge.stdout.isEmpty)
    #expect(
      purge.errorLines
        == [
          "hr-archive: --today is allowed for a command that writes only in a training installation (training: true in '\(sandbox.config)'); use it with --dry-run, or run on today's date"
        ])
    #expect(try sandbox.sqlite("SELECT status FROM record WHERE record_no = '\(recordNo)'") == "archived")
    #expect(try sandbox.sqlite("SELECT count(*) FROM audit_event WHERE action = 'record.purge'") == "0")
  }

  @Test func hrTodayIsRefusedForAWriteInProductionAndNamedAsSuch() throws {
    let (sandbox, recordNo) = try productionStoreWithAnArchivedRecord()
    let reactivate = try sandbox.run(
      "hr-archive", ["reactivate"], stdin: #"{"record_no":"\#(recordNo)","contact_date":"2030-01-01"}"# + "\n",
      operator: "admin-jfb", today: "2030-01-02")
    #expect(reactivate.status == 64)
    #expect(reactivate.errorLines.first?.hasPrefix("hr-archive: HR_TODAY is allowed for a command that writes only") == true)
    let update = try sandbox.run(
      "hr-update", stdin: #"{"record_no":"\#(recordNo)","set":{"phone":"13800000000"}}"# + "\n", today: "2026-11-20")
    #expect(update.status == 64)
    #expect(update.errorLines.first?.contains("training: true in '\(sandbox.config)'") == true)
    #expect(try sandbox.sqlite("SELECT status FROM record WHERE record_no = '\(recordNo)'") == "archived")
  }

  @Test func archivingAsLostWithAClaimedDateIsRefusedInProduction() throws {
    let sandbox = try Sandbox()
    try sandbox.becomeProduction()
    // Created on the real day: a year without contact cannot have passed.
    let created = try sandbox.run(
      "hr-create", stdin: resident(createdOn: LocalDate.todayInChina().description), today: nil)
    #expect(created.status == 0, "\(created.stderr)")
    let recordNo = try #require(created.objects.first?["record_no"] as? String)
    let lost = try sandbox.run(
      "hr-archive", ["lost", "--evidence", "no answer", "--today", "2045-01-01"],
      stdin: #"{"record_no":"\#(recordNo)"}"# + "\n", operator: "admin-jfb", today: nil)
    #expect(lost.status == 64)
    #expect(try sandbox.sqlite("SELECT status FROM record WHERE record_no = '\(recordNo)'") == "active")
    // Without the claimed date the period runs on the real date, and refuses.
    let real = try sandbox.run(
      "hr-archive", ["lost", "--evidence", "no answer"], stdin: #"{"record_no":"\#(recordNo)"}"# + "\n",
      operator: "admin-jfb", today: nil)
    #expect(real.status == 65)
    #expect(real.errorLines.first?.contains(": too_early: ") == true)
  }

  @Test func readsAndDryRunsMayClaimADateInProduction() throws {
    let (sandbox, recordNo) = try productionStoreWithAnArchivedRecord()
    let dryRun = try sandbox.run(
      "hr-archive", ["purge", "--before", "2030-01-01", "--dry-run", "--today", "2045-01-01"], today: nil)
    #expect(dryRun.status == 0, "\(dryRun.stderr)")
    #expect(dryRun.objects.first?["record_no"] as? String == recordNo)
    #expect(try sandbox.sqlite("SELECT status FROM record WHERE record_no = '\(recordNo)'") == "archived")

    let candidates = try sandbox.run("hr-archive", ["candidates"], operator: "admin-city", today: "2045-01-01")
    #expect(candidates.status == 0, "\(candidates.stderr)")
    let check = try sandbox.run(
      "hr-create", ["--check"], stdin: resident(createdOn: "2020-01-10"), operator: "doc-li", today: "2045-01-01")
    #expect(check.status == 0, "\(check.stderr)")
    #expect(check.objects.first?["record_no"] as? String == recordNo)
  }

  @Test func exportsUnderDateBoundPermissionsMayNotClaimADateInProduction() throws {
    let (sandbox, recordNo) = try productionStoreWithAnArchivedRecord()
    let line = #"{"record_no":"\#(recordNo)","viewer":{"kind":"emergency","reason":"昏迷送医"}}"# + "\n"
    // A claimed date would make an adult a minor, or revive an expired research approval.
    let record = try sandbox.run("hr-export", ["record", "--today", "1990-01-01"], stdin: line, today: nil)
    #expect(record.status == 64)
    #expect(record.errorLines.first?.hasPrefix("hr-export: --today is allowed for a command that writes only") == true)
    let deid = try sandbox.run("hr-export", ["deid", "--approval", "R-1"], operator: "admin-city", today: "2020-01-01")
    #expect(deid.status == 64)
    #expect(try sandbox.sqlite("SELECT count(*) FROM audit_event WHERE action LIKE '%view%' OR action LIKE 'export.%'") == "0")
    let real = try sandbox.run("hr-export", ["record"], stdin: line, today: nil)
    #expect(real.status == 0, "\(real.stderr)")
  }

  @Test func anEventOfARunWithAClaimedDateKeepsTheClaimedAndTheRealDate() throws {
    let sandbox = try Sandbox()
    let before = LocalDate.todayInChina()
    let created = try sandbox.run("hr-create", stdin: resident(createdOn: "2026-11-20"), today: "2026-11-26")
    let after = LocalDate.todayInChina()
    #expect(created.status == 0, "\(created.stderr)")
    let detail = try sandbox.sqlite("SELECT detail FROM audit_event WHERE action = 'record.create'")
    let object = try #require(try JSONSerialization.jsonObject(with: Data(detail.utf8)) as? [String: Any])
    let today = try #require(object["today"] as? [String: String])
    #expect(today["claimed"] == "2026-11-26")
    #expect([before.description, after.description].contains(today["real"] ?? ""))

    // A run on the real date claims nothing, and its events say nothing of it.
    try sandbox.becomeProduction()
    let real = try sandbox.run("hr-create", stdin: resident(createdOn: before.description, seed: 29), today: nil)
    #expect(real.status == 0, "\(real.stderr)")
    #expect(
      try sandbox.sqlite("SELECT count(*) FROM audit_event WHERE action = 'record.create' AND detail LIKE '%\"today\"%'")
        == "1")
    let verify = try sandbox.run("hr-audit", ["verify"], operator: "auditor-1", today: nil)
    #expect(verify.status == 0, "\(verify.stderr)")
  }

  @Test func trainingMustBeABoolean() throws {
    let sandbox = try Sandbox(configuration: "training: yes please\n")
    let result = try sandbox.run("hr-audit", ["verify"], operator: "auditor-1", today: nil)
    #expect(result.status == 78)
    #expect(result.errorLines == ["hr-audit: \(sandbox.config):1: training: expected true or false, found 'yes please'"])
  }
}
