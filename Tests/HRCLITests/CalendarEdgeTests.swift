import Foundation
import Testing

/// Every date given or derived stays within years 1000–9999, and a store that holds one outside
/// them (written by an earlier version, or edited by hand) is an error naming the record, never a
/// crash.
@Suite("Dates at the edge of the calendar")
struct CalendarEdgeTests {
  private static let request = "request --to 500106001 --reason residence_change --consent-method signed_form --consent-ref ZQ-1"

  /// A sandbox with two records created in 2026; their record numbers.
  private static func twoRecords() throws -> (Sandbox, [String]) {
    let sandbox = try Sandbox()
    let created = try sandbox.run(
      "hr-create", stdin: Sandbox.people(2, seed: 51, places: [.init(org: "500103001", district: "500103")]))
    try #require(created.status == 0, "\(created.stderr)")
    return (sandbox, created.objects.compactMap { $0["record_no"] as? String })
  }

  @Test("A transfer requested on 9999-12-31 is rejected, not stored with a due date in year 10000; every listing still works")
  func aDueDatePastTheCalendarIsRejected() throws {
    let (sandbox, records) = try Self.twoRecords()
    let requested = try sandbox.run(
      "hr-transfer", Self.request.split(separator: " ").map(String.init),
      stdin: records.map { #"{"record_no":"\#($0)"}"# + "\n" }.joined(), today: "9999-12-31")
    #expect(requested.status == 65, "\(requested.stderr)")
    #expect(requested.stdout.isEmpty)
    #expect(
      requested.errorLines.first == """
        hr-transfer:-:1: date_out_of_range: the due date of the transfer of record '\(records[0])' would be 7 days after \
        9999-12-31, past 9999-12-31: dates are limited to years 1000–9999
        """)
    #expect(requested.errorLines.last == "hr-transfer: 0 requested, 2 rejected")
    #expect(try sandbox.sqlite("SELECT count(*) FROM transfer") == "0")
    for listing in ["list", "overdue"] {
      let result = try sandbox.run("hr-transfer", [listing], today: "9999-12-31")
      #expect(result.status == 0, "\(listing): \(result.stderr)")
    }
    let updated = try sandbox.run(
      "hr-update", stdin: #"{"record_no":"\#(records[0])","set":{"phone":"13800000000"}}"# + "\n", today: "9999-12-31")
    #expect(updated.status == 0, "\(updated.stderr)")
  }

  @Test("A confirmation whose protection period would end past 9999-12-31 is rejected; the record stays where it was")
  func aProtectionEndPastTheCalendarIsRejected() throws {
    let (sandbox, records) = try Self.twoRecords()
    let requested = try sandbox.run(
      "hr-transfer", Self.request.split(separator: " ").map(String.init),
      stdin: #"{"record_no":"\#(records[0])"}"# + "\n", today: "9999-12-20")
    #expect(requested.status == 0, "\(requested.stderr)")
    let confirmed = try sandbox.run("hr-transfer", ["confirm"], stdin: requested.stdout, today: "9999-12-31")
    #expect(confirmed.status == 65, "\(confirmed.stderr)")
    #expect(
      confirmed.errorLines.first?.hasPrefix(
        "hr-transfer:-:1: date_out_of_range: the end of the protection period of record '\(records[0])' would be 180 days after 9999-12-31"
      ) == true,
      "\(confirmed.stderr)")
    #expect(try sandbox.sqlite("SELECT status FROM transfer") == "pending")
    #expect(
      try sandbox.sqlite("SELECT managing_org, protected_until IS NULL FROM record WHERE record_no = '\(records[0])'")
        == "500103001|1")
  }

  @Test(
    "A store that already holds a date in year 10000 gives errors naming the record, and the good lines of the batch go through")
  func aPoisonedStoreNeverCrashes() throws {
    let (sandbox, records) = try Self.twoRecords()
    let requested = try sandbox.run(
      "hr-transfer", Self.request.split(separator: " ").map(String.init),
      stdin: records.map { #"{"record_no":"\#($0)"}"# + "\n" }.joined(), today: "2026-11-26")
    #expect(requested.status == 0, "\(requested.stderr)")
    // What an earlier version stored for a request on 9999-12-31.
    _ = try sandbox.sqlite("UPDATE transfer SET due = '10000-01-07' WHERE record_no = '\(records[0])'")
    let message0 = "record '\(records[0])': stored transfer.due '10000-01-07' is not a date YYYY-MM-DD in years 1000–9999"

    for listing in ["list", "overdue"] {
      let result = try sandbox.run("hr-transfer", [listing])
      #expect(result.status == 74, "\(listing): \(result.stderr)")
      #expect(result.stderr.hasPrefix("hr-transfer: \(message0)"), "\(listing): \(result.stderr)")
    }

    // One batch: the poisoned transfer, then the good one.
    let confirmed = try sandbox.run("hr-transfer", ["confirm"], stdin: requested.stdout)
    #expect(confirmed.status == 65, "\(confirmed.stderr)")
    #expect(
      confirmed.errorLines.first?.hasPrefix("hr-transfer:-:1: unreadable_record: \(message0)") == true, "\(confirmed.stderr)")
    #expect(confirmed.objects.map { $0["record_no"] as? String } == [records[1]])
    #expect(try sandbox.sqlite("SELECT managing_org FROM record WHERE record_no = '\(records[1])'") == "500106001")

    // What an earlier version stored for a confirmation on 9999-12-31.
    _ = try sandbox.sqlite("UPDATE record SET protected_until = '10000-06-29' WHERE record_no = '\(records[1])'")
    let updates =
      [
        #"{"record_no":"\#(records[1])","set":{"phone":"13800000001"}}"#,
        #"{"record_no":"\#(records[0])","set":{"phone":"13800000000"}}"#,
      ].joined(separator: "\n") + "\n"
    let updated = try sandbox.run("hr-update", stdin: updates)
    #expect(updated.status == 65, "\(updated.stderr)")
    #expect(
      updated.errorLines.first == """
        hr-update:-:1: unreadable_record: record '\(records[1])': stored record.protected_until '10000-06-29' is not a date \
        YYYY-MM-DD in years 1000–9999; correct or restore the store
        """)
    #expect(updated.objects.map { $0["record_no"] as? String } == [records[0]])
    #expect(try sandbox.sqlite("SELECT phone FROM record WHERE record_no = '\(records[0])'") == "13800000000")
  }

  @Test("A today outside years 1000–9999 is a usage error", arguments: ["0999-12-31", "10000-01-01"])
  func todayOutsideTheCalendar(today: String) throws {
    let sandbox = try Sandbox()
    let fromEnvironment = try sandbox.run("hr-audit", ["head"], today: today)
    #expect(fromEnvironment.status == 64)
    #expect(
      fromEnvironment.stderr.contains("HR_TODAY '\(today)' is not a date YYYY-MM-DD in years 1000–9999"),
      "\(fromEnvironment.stderr)")
    #expect(try sandbox.run("hr-audit", ["head", "--today", today]).status == 64)
  }
}
