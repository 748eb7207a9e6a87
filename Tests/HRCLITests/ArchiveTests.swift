import Foundation
import HRCore
import HRFixtures
import HRLines
import Testing

/// `count` residents with ID numbers, born before 1990, as `hr-create` input for `org`, created on
/// `createdOn` (and in `division` when given).
private func residents(
  _ count: Int, org: String = "500103001", createdOn: String, division: String? = nil, seed: UInt64 = 11
) -> String {
  let district = String(org.prefix(6))
  return Population(
    count: count, seed: seed, places: [.init(org: org, district: district)], today: LocalDate("1990-01-01")!,
    birthCertificateShare: 0
  ).map { person in
    var person = person
    person["created_on"] = .string(createdOn)
    if let division { person["division"] = .string(division) }
    return JSONValue.object(person).compact + "\n"
  }.joined()
}

/// One `{"record_no":…}` line per record number.
private func lines(_ recordNumbers: [String]) -> String {
  recordNumbers.map { #"{"record_no":"\#($0)"}"# + "\n" }.joined()
}

@Suite("hr-archive end to end")
struct ArchiveTests {
  /// Creates residents with `hr-create` and returns their record numbers.
  func create(
    _ sandbox: Sandbox, _ count: Int, org: String = "500103001", createdOn: String, division: String? = nil, seed: UInt64 = 11
  ) throws -> [String] {
    let result = try sandbox.run(
      "hr-create", stdin: residents(count, org: org, createdOn: createdOn, division: division, seed: seed))
    #expect(result.status == 0, "hr-create: \(result.stderr)")
    return result.objects.compactMap { $0["record_no"] as? String }
  }

  @Test func lostIsRefusedAtDay364AndAcceptedAtDay365() throws {
    let sandbox = try Sandbox()
    let recordNo = try #require(try create(sandbox, 1, createdOn: "2024-01-10").first)
    let served = try sandbox.run(
      "hr-update", stdin: #"{"record_no":"\#(recordNo)","service":{"type":"consultation","date":"2025-03-01"}}"# + "\n",
      operator: "doc-li", today: "2025-03-01")
    #expect(served.status == 0, "\(served.stderr)")

    let early = try sandbox.run(
      "hr-archive", ["lost", "--evidence", "3 calls unanswered"], stdin: lines([recordNo]), operator: "admin-jfb",
      today: "2026-02-28")
    #expect(early.status == 65)
    #expect(early.stdout.isEmpty)
    #expect(
      early.errorLines.first?.hasPrefix(
        "hr-archive:-:1: too_early: record '\(recordNo)' was last served or contacted on 2025-03-01, 364 days ago") == true)
    #expect(early.errorLines.first?.contains("from 2026-03-01") == true)
    #expect(try sandbox.sqlite("SELECT status FROM record WHERE record_no = '\(recordNo)'") == "active")

    let due = try sandbox.run(
      "hr-archive", ["lost", "--evidence", "3 calls unanswered"], stdin: lines([recordNo]), operator: "admin-jfb",
      today: "2026-03-01")
    #expect(due.status == 0)
    #expect(
      due.stdout
        == #"{"record_no":"\#(recordNo)","status":"archived","archive_reason":"lost","archived_on":"2026-03-01","last_contact":"2025-03-01"}"#
        + "\n")
    #expect(due.errorLines == ["hr-archive: 1 archived, 0 rejected"])
    #expect(
      try sandbox.sqlite("SELECT status, archive_reason, archived_on FROM record WHERE record_no = '\(recordNo)'")
        == "archived|lost|2026-03-01")
    #expect(
      try sandbox.sqlite("SELECT action, evidence FROM archive_event WHERE record_no = '\(recordNo)'")
        == "lost|3 calls unanswered")
  }

  @Test func candidatesPipeStraightIntoLost() throws {
    let sandbox = try Sandbox()
    let due = try create(sandbox, 3, createdOn: "2024-01-01", seed: 1)
    let recent = try create(sandbox, 2, createdOn: "2026-01-01", seed: 2)
    let elsewhere = try create(sandbox, 1, org: "500103002", createdOn: "2024-01-01", seed: 3)

    let listed = try sandbox.run("hr-archive", ["candidates", "--org", "500103001"], operator: "admin-jfb")
    #expect(listed.status == 0)
    #expect(
      listed.stdout
        == due.sorted().map {
          #"{"record_no":"\#($0)","managing_org":"500103001","last_contact":"2024-01-01","days_since":1060}"# + "\n"
        }
        .joined())

    let piped = try sandbox.shell(
      #"hr-archive candidates --org 500103001 | hr-archive lost --evidence "3 calls unanswered""#, operator: "admin-jfb")
    #expect(piped.status == 0, "\(piped.stderr)")
    #expect(piped.objects.map { $0["record_no"] as? String } == due.sorted())
    #expect(piped.objects.allSatisfy { $0["status"] as? String == "archived" && $0["archive_reason"] as? String == "lost" })
    #expect(piped.errorLines == ["hr-archive: 3 archived, 0 rejected"])
    #expect(try sandbox.sqlite("SELECT count(*) FROM record WHERE status = 'archived'") == "3")
    for recordNo in recent + elsewhere {
      #expect(try sandbox.sqlite("SELECT status FROM record WHERE record_no = '\(recordNo)'") == "active")
    }
    #expect(try sandbox.run("hr-archive", ["candidates", "--org", "500103001"], operator: "admin-jfb").stdout.isEmpty)
    #expect(try sandbox.sqlite("SELECT count(*) FROM audit_event WHERE action = 'record.candidates' AND outcome = 'ok'") == "3")
  }

  @Test func reactivationBringsTheRecordBackIntoActive() throws {
    let sandbox = try Sandbox()
    let recordNo = try #require(try create(sandbox, 1, createdOn: "2020-01-01").first)
    let archived = try sandbox.shell(
      #"hr-archive candidates | hr-archive lost --evidence "home visit: moved, no forwarding address""#, operator: "admin-yz",
      today: "2026-06-01")
    #expect(archived.status == 0, "\(archived.stderr)")

    let back = try sandbox.run(
      "hr-archive", ["reactivate", "--contact-date", "2026-11-20"], stdin: lines([recordNo]), operator: "admin-jfb")
    #expect(back.status == 0, "\(back.stderr)")
    #expect(
      back.stdout
        == #"{"record_no":"\#(recordNo)","status":"active","archive_reason":null,"archived_on":null,"reactivated_from":"lost","contact_date":"2026-11-20"}"#
        + "\n")
    #expect(back.stderr == "hr-archive: 1 reactivated, 0 rejected\n")
    #expect(
      try sandbox.sqlite(
        "SELECT status, archive_reason IS NULL, archived_on IS NULL, last_contact FROM record WHERE record_no = '\(recordNo)'")
        == "active|1|1|2026-11-20")
    #expect(try sandbox.run("hr-archive", ["candidates"], operator: "admin-jfb").stdout.isEmpty)
    #expect(
      try sandbox.sqlite("SELECT group_concat(action, ',') FROM archive_event WHERE record_no = '\(recordNo)'")
        == "lost,reactivated")

    let again = try sandbox.run(
      "hr-archive", ["reactivate", "--contact-date", "2026-11-20"], stdin: lines([recordNo]), operator: "admin-jfb")
    #expect(again.status == 65)
    #expect(again.errorLines.first?.hasPrefix("hr-archive:-:1: not_archived:") == true)
  }

  @Test func aDeceasedRecordIsReactivatedOnlyByACityAdministratorsCorrection() throws {
    let sandbox = try Sandbox()
    let recordNo = try #require(try create(sandbox, 1, createdOn: "2020-01-01").first)
    let died = try sandbox.run(
      "hr-archive", ["deceased", "--death-date", "2026-09-01", "--death-cause", "肺癌", "--reported-on", "2026-10-01"],
      stdin: lines([recordNo]), operator: "admin-jfb")
    #expect(
      died.stdout
        == #"{"record_no":"\#(recordNo)","status":"archived","archive_reason":"deceased","archived_on":"2026-11-26","death_date":"2026-09-01","reported_on":"2026-10-01","late":true}"#
        + "\n")
    #expect(try sandbox.sqlite("SELECT death_date, late FROM archive_event WHERE record_no = '\(recordNo)'") == "2026-09-01|1")

    let contact = #"{"record_no":"\#(recordNo)","contact_date":"2026-11-26","correction":"entered for a namesake"}"# + "\n"
    for operatorID in ["admin-jfb", "admin-yz"] {
      let refused = try sandbox.run("hr-archive", ["reactivate"], stdin: contact, operator: operatorID)
      #expect(refused.status == 65)
      #expect(refused.errorLines.first?.hasPrefix("hr-archive:-:1: forbidden: operator '\(operatorID)'") == true)
      #expect(
        try sandbox.sqlite(
          "SELECT count(*) FROM audit_event WHERE action = 'record.correct_death' AND outcome = 'denied' AND operator = '\(operatorID)'"
        )
          == "1")
    }
    let withoutCorrection = try sandbox.run(
      "hr-archive", ["reactivate", "--contact-date", "2026-11-26"], stdin: lines([recordNo]))
    #expect(withoutCorrection.status == 65)
    #expect(withoutCorrection.errorLines.first?.hasPrefix("hr-archive:-:1: missing_field:") == true)
    #expect(try sandbox.sqlite("SELECT status, death_date FROM record WHERE record_no = '\(recordNo)'") == "archived|2026-09-01")

    let corrected = try sandbox.run("hr-archive", ["reactivate"], stdin: contact, operator: "admin-city")
    #expect(corrected.status == 0, "\(corrected.stderr)")
    #expect(corrected.objects.first?["reactivated_from"] as? String == "deceased")
    #expect(try sandbox.sqlite("SELECT status, death_date IS NULL FROM record WHERE record_no = '\(recordNo)'") == "active|1")
    #expect(
      try sandbox.sqlite(
        "SELECT action, correction FROM archive_event WHERE record_no = '\(recordNo)' ORDER BY event_id DESC LIMIT 1")
        == "death_corrected|entered for a namesake")
  }

  @Test func movedOutNeedsTheResidentAwayForAYear() throws {
    let sandbox = try Sandbox()
    let recordNo = try #require(try create(sandbox, 1, createdOn: "2020-01-01").first)
    let early = try sandbox.run(
      "hr-archive", ["moved-out", "--left-on", "2025-11-27"], stdin: lines([recordNo]), operator: "admin-jfb")
    #expect(early.status == 65)
    #expect(early.errorLines.first?.hasPrefix("hr-archive:-:1: too_early:") == true)
    let due = try sandbox.run(
      "hr-archive", ["moved-out", "--left-on", "2025-11-26"], stdin: lines([recordNo]), operator: "admin-jfb")
    #expect(
      due.stdout
        == #"{"record_no":"\#(recordNo)","status":"archived","archive_reason":"moved_out","archived_on":"2026-11-26","left_on":"2025-11-26"}"#
        + "\n")
  }

  @Test func purgeRefusesA14YearOldArchiveAndRemovesA15YearOldOne() throws {
    let sandbox = try Sandbox()
    let division = "500103001003"
    let records = try create(sandbox, 2, createdOn: "2005-01-01", division: division)
    #expect(records == ["\(division)00001", "\(division)00002"])
    let (fifteen, fourteen) = (records[0], records[1])
    for (recordNo, day) in [(fifteen, "2011-11-25"), (fourteen, "2012-11-26")] {
      let lost = try sandbox.run(
        "hr-archive", ["lost", "--evidence", "3 calls unanswered"], stdin: lines([recordNo]), today: day)
      #expect(lost.status == 0, "\(lost.stderr)")
    }

    let tooYoung = try sandbox.run("hr-archive", ["purge", "--before", "2012-11-27"])
    #expect(tooYoung.status == 65)
    #expect(tooYoung.stdout.isEmpty)
    #expect(
      tooYoung.errorLines
        == [
          "hr-archive: purge before '2012-11-27' would delete records kept less than 15 years: the latest date allowed today is 2011-11-26; nothing was deleted"
        ])
    #expect(try sandbox.sqlite("SELECT count(*) FROM record") == "2")

    let purged = try sandbox.run("hr-archive", ["purge", "--before", "2011-11-26"])
    #expect(purged.status == 0, "\(purged.stderr)")
    #expect(
      purged.stdout == #"{"record_no":"\#(fifteen)","status":"purged","archive_reason":"lost","archived_on":"2011-11-25"}"# + "\n"
    )
    #expect(purged.errorLines == ["hr-archive: 1 purged"])
    #expect(try sandbox.sqlite("SELECT group_concat(record_no) FROM record") == fourteen)
    #expect(try sandbox.sqlite("SELECT count(*) FROM identifier WHERE record_no = '\(fifteen)'") == "0")
    #expect(
      try sandbox.sqlite("SELECT count(*) FROM audit_event WHERE action = 'record.purge' AND record_no = '\(fifteen)'") == "1")
    #expect(try sandbox.sqlite("SELECT count(*) FROM audit_event WHERE record_no = '\(fifteen)'") == "3")

    let fresh = try create(sandbox, 1, createdOn: "2026-11-26", division: division, seed: 99)
    #expect(fresh == ["\(division)00003"])
  }

  @Test(
    "only the roles of §9 may run the subcommands",
    arguments: [
      (["lost", "--evidence", "x"], "doc-li"), (["candidates"], "auditor-1"), (["reactivate"], "researcher-1"),
      (["purge", "--before", "2000-01-01"], "admin-jfb"), (["purge", "--before", "2000-01-01"], "admin-yz"),
      (["lost", "--evidence", "x"], "nobody"),
    ])
  func operatorsOutsideTheRoleTableAreRefusedTheWholeCommand(arguments: [String], operatorID: String) throws {
    let sandbox = try Sandbox()
    let result = try sandbox.run(
      "hr-archive", arguments, stdin: #"{"record_no":"50010300100100001"}"# + "\n", operator: operatorID)
    #expect(result.status == 77)
    #expect(result.stdout.isEmpty)
    #expect(result.stderr.hasPrefix("hr-archive: "))
  }

  @Test func candidatesOutsideTheOperatorsReachAreRefused() throws {
    let sandbox = try Sandbox()
    let foreign = try sandbox.run("hr-archive", ["candidates", "--org", "500106001"], operator: "admin-jfb")
    #expect(foreign.status == 77)
    #expect(foreign.stderr == "hr-archive: operator 'admin-jfb' (org_admin) may not run hr-archive candidates --org 500106001\n")
    #expect(try sandbox.sqlite("SELECT outcome FROM audit_event WHERE action = 'record.candidates'") == "denied")
    let unknown = try sandbox.run("hr-archive", ["candidates", "--org", "999"], operator: "admin-city")
    #expect(unknown.status == 64)
    #expect(unknown.stderr == "hr-archive: --org: unknown organisation '999'\n")
  }

  @Test func aDryRunArchivesNothing() throws {
    let sandbox = try Sandbox()
    let records = try create(sandbox, 2, createdOn: "2020-01-01")
    let result = try sandbox.run("hr-archive", ["lost", "--dry-run", "--evidence", "3 calls unanswered"], stdin: lines(records))
    #expect(result.status == 0)
    #expect(result.objects.count == 2)
    #expect(result.errorLines == ["hr-archive: 2 would be archived, 0 rejected (dry run: nothing committed)"])
    #expect(try sandbox.sqlite("SELECT count(*) FROM record WHERE status = 'active'") == "2")
  }

  @Test func emptyOptionTextIsAUsageError() throws {
    let sandbox = try Sandbox()
    let result = try sandbox.run("hr-archive", ["lost", "--evidence", "  "])
    #expect(result.status == 64)
    #expect(result.stderr == "hr-archive: --evidence is empty\n")
  }

  @Test func anOptionIsCheckedByTheRuleOfTheFieldItFills() throws {
    let sandbox = try Sandbox()
    let future = try sandbox.run("hr-archive", ["deceased", "--death-date", "2026-11-27", "--death-cause", "x"])
    #expect(future.status == 64)
    #expect(future.stderr == "hr-archive: --death-date is in the future (2026-11-27 is after 2026-11-26)\n")
    let invisible = try sandbox.run("hr-archive", ["lost", "--evidence", "calls\u{200B}"])
    #expect(invisible.status == 64)
    #expect(invisible.stderr == "hr-archive: --evidence contains an invisible control or format character (U+200B)\n")
  }

  @Test func aMissingFieldNamesTheOptionThatFillsIt() throws {
    let sandbox = try Sandbox()
    let created = try sandbox.run("hr-create", ["--quiet"], stdin: Sandbox.people(1, today: "2024-01-01"), today: "2024-01-01")
    #expect(created.status == 0, "\(created.stderr)")
    let record = created.objects.first?["record_no"] as? String ?? ""
    let result = try sandbox.run("hr-archive", ["lost"], stdin: #"{"record_no":"\#(record)"}"# + "\n")
    #expect(result.status == 65)
    #expect(
      result.errorLines.first == "hr-archive:-:1: missing_field: missing field 'evidence' (or give --evidence for every line)")
    let filled = try sandbox.run(
      "hr-archive", ["lost", "--evidence", "  three calls  "], stdin: #"{"record_no":"\#(record)"}"# + "\n")
    #expect(filled.status == 0, "\(filled.stderr)")
    #expect(try sandbox.sqlite("SELECT evidence FROM archive_event WHERE record_no = '\(record)'") == "three calls")
  }

  @Test func aMissingSubcommandIsAUsageError() throws {
    let sandbox = try Sandbox()
    let result = try sandbox.run("hr-archive")
    #expect(result.status == 64)
    #expect(result.stdout.isEmpty)
    #expect(result.stderr.contains("name a subcommand"))
  }

  /// Services are refused on archived records by `hr-update` (record_archived).
  @Test func serviceAfterArchivingIsRefused() throws {
    let sandbox = try Sandbox()
    let recordNo = try #require(try create(sandbox, 1, createdOn: "2020-01-01").first)
    let lost = try sandbox.run(
      "hr-archive", ["lost", "--evidence", "3 calls unanswered"], stdin: lines([recordNo]), today: "2026-11-20")
    #expect(lost.status == 0)
    let service = #"{"record_no":"\#(recordNo)","service":{"type":"consultation","date":"2026-11-26","summary":{}}}"# + "\n"
    let refused = try sandbox.run("hr-update", stdin: service, operator: "doc-li")
    #expect(refused.status == 65)
    #expect(refused.errorLines.first?.contains(": record_archived: ") == true)
    #expect(try sandbox.sqlite("SELECT count(*) FROM service WHERE record_no = '\(recordNo)'") == "0")
  }

}
