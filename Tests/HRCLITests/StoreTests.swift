import Foundation
import Testing

/// The store and the common options every tool shares (§2), run end to end.
@Suite("Store and common options")
struct StoreTests {
  /// Holds the store's write lock from another process for `seconds`, while `command` runs.
  static func whileLocked(_ sandbox: Sandbox, seconds: Int = 4, _ command: String) throws -> ToolResult {
    try sandbox.shell(
      """
      (echo 'BEGIN IMMEDIATE;'; sleep \(seconds); echo 'COMMIT;') | sqlite3 "$HR_STORE" &
      sleep 1
      \(command)
      status=$?
      wait
      exit $status
      """)
  }

  @Test func aWriteThatStaysLockedPastTheBusyTimeoutExits75() throws {
    let sandbox = try Sandbox()
    #expect(try sandbox.run("hr-create", stdin: "").status == 0)
    try sandbox.write("people.jsonl", Sandbox.people(2))
    let result = try Self.whileLocked(sandbox, "hr-create --busy-timeout 0.5 people.jsonl")
    #expect(result.status == 75, "\(result.stderr)")
    #expect(result.stderr.contains("stayed locked"), "\(result.stderr)")
    #expect(result.stdout.isEmpty)
    #expect(try sandbox.sqlite("SELECT count(*) FROM record") == "0")
  }

  /// The lock is taken after the tool has opened the store, while it waits for its input: the
  /// batch's own `BEGIN IMMEDIATE` is what times out.
  @Test func aBatchThatStaysLockedPastTheBusyTimeoutExits75() throws {
    let sandbox = try Sandbox()
    #expect(try sandbox.run("hr-create", stdin: "").status == 0)
    try sandbox.write("people.jsonl", Sandbox.people(2))
    let result = try sandbox.shell(
      """
      (sleep 1; echo 'BEGIN IMMEDIATE;'; sleep 4; echo 'COMMIT;') | sqlite3 "$HR_STORE" &
      (sleep 2; cat people.jsonl) | hr-create --busy-timeout 0.5
      status=$?
      wait
      exit $status
      """)
    #expect(result.status == 75, "\(result.stderr)")
    #expect(result.stderr.contains("stayed locked"), "\(result.stderr)")
    #expect(result.stdout.isEmpty)
    #expect(try sandbox.sqlite("SELECT count(*) FROM record") == "0")
  }

  @Test func anAuditedReadingThatStaysLockedPastTheBusyTimeoutExits75() throws {
    let sandbox = try Sandbox()
    #expect(try sandbox.run("hr-create", ["--quiet"], stdin: Sandbox.people(1)).status == 0)
    let result = try Self.whileLocked(sandbox, "hr-audit log --busy-timeout 0.5")
    #expect(result.status == 75, "\(result.stderr)")
    #expect(result.stdout.isEmpty)
  }

  @Test func aWriterWaitsForTheLockWithinTheBusyTimeout() throws {
    let sandbox = try Sandbox()
    #expect(try sandbox.run("hr-create", stdin: "").status == 0)
    try sandbox.write("people.jsonl", Sandbox.people(2))
    let result = try Self.whileLocked(sandbox, seconds: 2, "hr-create --quiet --busy-timeout 20 people.jsonl")
    #expect(result.status == 0, "\(result.stderr)")
    #expect(try sandbox.sqlite("SELECT count(*) FROM record") == "2")
  }

  @Test(arguments: ["-1", "nan", "inf", "3000000"])
  func aBusyTimeoutSQLiteCannotTakeIsAUsageError(seconds: String) throws {
    let result = try Sandbox().run("hr-audit", ["head", "--busy-timeout=\(seconds)"])
    #expect(result.status == 64, "\(result.stderr)")
    #expect(result.stderr.contains("--busy-timeout must be a number of seconds from 0 to 2147483"), "\(result.stderr)")
  }

  @Test func anInvalidHRTodayIsAUsageError() throws {
    let sandbox = try Sandbox()
    let result = try sandbox.run("hr-audit", ["head"], today: "2026-02-30")
    #expect(result.status == 64)
    #expect(result.stderr.contains("HR_TODAY '2026-02-30' is not a date YYYY-MM-DD"))
  }

  @Test func todayComesFromTheOptionBeforeHRToday() throws {
    let sandbox = try Sandbox()
    let person = Sandbox.people(1)
    // A record created "on" HR_TODAY unless --today says otherwise.
    let created = try sandbox.run("hr-create", ["--today", "2026-01-05"], stdin: person, today: "2026-11-26")
    #expect(created.status == 0, "\(created.stderr)")
    #expect(try sandbox.sqlite("SELECT created_on FROM record") == "2026-01-05")
  }
}

/// Every printed line is durable: each committed batch reaches the disk before its results are
/// printed, which `synchronous=FULL` gives and WAL's default `NORMAL` does not.
@Suite("Durable commits")
struct DurableCommitTests {
  @Test("Fifty batches of one line each sync the store at least fifty times")
  func everyBatchIsSynced() throws {
    let sandbox = try Sandbox()
    #expect(try sandbox.run("hr-create", stdin: "").status == 0)
    try sandbox.write("people.jsonl", Sandbox.people(50, seed: 41))
    let result = try sandbox.shell(
      "strace -f -c -e trace=fsync,fdatasync -o syncs.txt hr-create --quiet --batch-size 1 people.jsonl > /dev/null")
    #expect(result.status == 0, "\(result.stderr)")
    #expect(try sandbox.sqlite("SELECT count(*) FROM record") == "50")
    let table = try sandbox.read("syncs.txt")
    // The summary's last row: "100.00  0.001  20  57  total", the calls in the fourth column.
    let total = table.split(separator: "\n").last { $0.hasSuffix(" total") }
      .map { $0.split(separator: " ") }.flatMap { $0.count > 3 ? Int($0[3]) : nil }
    #expect((total ?? 0) >= 50, "\(table)")
  }
}
