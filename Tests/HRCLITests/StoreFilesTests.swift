import Foundation
import Testing

/// Runs the rest of a shell line as an account that is not root when the tests run as root, so
/// that file permissions bind as they bind a district's operator; empty otherwise.
private let asOtherAccount = geteuid() == 0 ? "setpriv --reuid=65534 --regid=65534 --clear-groups " : ""

/// The permissions of the store and of the files beside it, run end to end under a loose umask.
@Suite("Store files: owner-only, whatever the umask")
struct StoreFilePermissionTests {
  /// Runs `hr-create` under umask 022 on a new store with slow input, and prints the modes of the
  /// store, its `-wal` and `-shm` and the rejects file while it runs, then after it has ended.
  private static func modes(in sandbox: Sandbox) throws -> ToolResult {
    try sandbox.write("people.jsonl", Sandbox.people(3) + "{\"id_number\":\"nope\"}\n")
    return try sandbox.shell(
      """
      umask 022
      (cat people.jsonl; sleep 3) | hr-create --quiet --batch-size 1 --rejects rejects.jsonl > /dev/null 2>&1 &
      for _ in $(seq 1 100); do [ -s rejects.jsonl ] && break; sleep 0.02; done
      stat -c '%n %a' hr.sqlite hr.sqlite-wal hr.sqlite-shm rejects.jsonl
      wait
      """)
  }

  @Test("Under umask 022 the store, its -wal and -shm and the rejects file are 0600")
  func ownerOnly() throws {
    let sandbox = try Sandbox(newStore: false)
    let result = try Self.modes(in: sandbox)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.lines == ["hr.sqlite 600", "hr.sqlite-wal 600", "hr.sqlite-shm 600", "rejects.jsonl 600"])
  }

  @Test("With store.group_readable they are 0640, under the same umask")
  func groupReadable() throws {
    let sandbox = try Sandbox(configuration: Sandbox.exampleConfiguration + "store: {group_readable: true}\n", newStore: false)
    let result = try Self.modes(in: sandbox)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.lines == ["hr.sqlite 640", "hr.sqlite-wal 640", "hr.sqlite-shm 640", "rejects.jsonl 640"])
  }

  @Test("A rejects file that was already there, world-readable, is made owner-only")
  func existingRejectsFile() throws {
    let sandbox = try Sandbox()
    let result = try sandbox.shell(
      """
      umask 022
      echo old > rejects.jsonl && chmod 0644 rejects.jsonl
      echo '{"id_number":"nope"}' | hr-create --quiet --rejects rejects.jsonl 2>/dev/null
      stat -c '%a' rejects.jsonl
      """)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.lines == ["600"])
  }

  @Test("A store the group or others can write is refused with exit 73, naming the fix", arguments: ["0664", "0606"])
  func storeWritableByOthers(mode: String) throws {
    let sandbox = try Sandbox()
    let result = try sandbox.shell("chmod \(mode) hr.sqlite && hr-audit head")
    #expect(result.status == 73, "\(result.stderr)")
    #expect(
      result.stderr
        == "hr-audit: store '\(sandbox.store)' can be written by the group or others (mode \(mode)); run 'chmod go-w \(sandbox.store)'\n"
    )
    #expect(try sandbox.shell("chmod 0640 hr.sqlite && hr-audit head").status == 0)
  }

  @Test("A configuration the group or others can write is refused with exit 78, naming the fix")
  func configurationWritableByOthers() throws {
    let sandbox = try Sandbox()
    let result = try sandbox.shell("chmod 0666 hr.yaml && hr-create < /dev/null")
    #expect(result.status == 78, "\(result.stderr)")
    #expect(
      result.stderr
        == "hr-create: \(sandbox.config): the group or others can write this file (mode 0666); run 'chmod go-w \(sandbox.config)'\n"
    )
  }
}

/// Several tools opening one brand-new store at the same moment, as the README's pipeline does.
@Suite("Store: a new store opened by several tools at once")
struct NewStoreRaceTests {
  /// Opens a new store with `hr-create` while another connection holds its write lock, in the
  /// rollback journal a store has before its first tool has switched it to WAL: SQLite answers the
  /// switch with `SQLITE_BUSY` at once, without calling the busy handler.
  private static func openWhileCreating(holdFor seconds: Double, busyTimeout: Double) throws -> (ToolResult, Sandbox) {
    let sandbox = try Sandbox(newStore: false)
    let result = try sandbox.shell(
      """
      (echo 'BEGIN IMMEDIATE; CREATE TABLE being_created(a);'; sleep \(seconds); echo 'ROLLBACK;') | sqlite3 hr.sqlite &
      for _ in $(seq 1 100); do [ -e hr.sqlite-journal ] && break; sleep 0.02; done
      start=$(date +%s%N)
      hr-create --quiet --busy-timeout \(busyTimeout) < /dev/null
      status=$?
      echo "waited $(( ($(date +%s%N) - start) / 1000000 )) ms" >&2
      wait
      exit $status
      """)
    return (result, sandbox)
  }

  @Test("A new store whose creation holds the lock for a second opens once the lock is free")
  func openWaitsForTheCreator() throws {
    let (result, sandbox) = try Self.openWhileCreating(holdFor: 1, busyTimeout: 10)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(try sandbox.sqlite("PRAGMA journal_mode") == "wal")
    #expect(try sandbox.sqlite("SELECT count(*) FROM grdb_migrations") != "0")
  }

  @Test("A lock held past the busy timeout exits 75 only after the timeout, and says how long it waited")
  func lockedPastTheTimeout() throws {
    let (result, _) = try Self.openWhileCreating(holdFor: 3, busyTimeout: 1)
    #expect(result.status == 75, "\(result.stderr)")
    let line = try #require(result.errorLines.first { $0.contains("stayed locked") })
    #expect(line.contains("stayed locked by another process for 1."), "\(line)")
    let waited = Int(result.errorLines.last?.split(separator: " ")[1] ?? "") ?? 0
    #expect(waited >= 1_000, "\(result.stderr)")
  }

  @Test("40 rounds of four hr-create processes on one brand-new store: every one exits 0")
  func concurrentCreation() throws {
    let sandbox = try Sandbox(newStore: false)
    try sandbox.write("one.jsonl", Sandbox.people(1))
    let result = try sandbox.shell(
      """
      failures=0
      for round in $(seq 1 40); do
        rm -f race.sqlite race.sqlite-wal race.sqlite-shm
        pids=""
        for _ in 1 2 3 4; do hr-create --quiet --store race.sqlite < /dev/null 2>> errors.txt & pids="$pids $!"; done
        for pid in $pids; do wait $pid || failures=$((failures + 1)); done
      done
      echo "$failures"
      """)
    let errors = (try? sandbox.read("errors.txt")) ?? ""
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.lines == ["0"], "\(errors)")
  }
}

/// The commands that only read: `hr-audit verify` and `head`, `hr-transfer list` and `overdue`,
/// `hr-export approvals`.
@Suite("Store: read-only commands never write")
struct ReadOnlyCommandTests {
  /// A store with a few records and events, and an evidence copy of it: write-protected, in a
  /// write-protected directory, with no companion file.
  private static func evidence() throws -> Sandbox {
    let sandbox = try Sandbox()
    #expect(try sandbox.run("hr-create", ["--quiet"], stdin: Sandbox.people(3)).status == 0)
    let copy = try sandbox.shell(
      "mkdir evidence && sqlite3 hr.sqlite '.backup evidence/hr.sqlite' && chmod 0444 evidence/hr.sqlite && chmod 0555 evidence")
    #expect(copy.status == 0, "\(copy.stderr)")
    return sandbox
  }

  @Test("verify, head and the transfer and approval listings read a 0444 copy in a 0555 directory, and leave nothing")
  func evidenceCopy() throws {
    let sandbox = try Self.evidence()
    for prefix in Set(["", asOtherAccount]) {
      let result = try sandbox.shell(
        """
        \(prefix)hr-audit verify --store evidence/hr.sqlite && \(prefix)hr-audit head --store evidence/hr.sqlite \
          && \(prefix)hr-transfer list --store evidence/hr.sqlite && \(prefix)hr-export approvals --store evidence/hr.sqlite \
          && ls evidence
        """)
      #expect(result.status == 0, "\(prefix): \(result.stderr)")
      #expect(result.lines.count == 3, "\(result.stdout)")
      #expect(result.lines.first?.hasPrefix(#"{"ok":true,"events":3,"#) == true, "\(result.stdout)")
      #expect(result.lines.last == "hr.sqlite")
    }
  }

  @Test("verify reads a 0444 store in a writable directory as another account and leaves no companion behind")
  func writeProtectedStoreInAWritableDirectory() throws {
    let sandbox = try Self.evidence()
    let result = try sandbox.shell(
      """
      mkdir shared && cp evidence/hr.sqlite shared/ && chmod 0444 shared/hr.sqlite && chmod 0777 shared
      \(asOtherAccount)hr-audit verify --store shared/hr.sqlite && ls shared
      """)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.lines.last == "hr.sqlite", "\(result.stdout)")
  }

  @Test("verify, head and transfer listings run while another process holds the write lock, and leave nothing")
  func whileAnotherProcessWrites() throws {
    let sandbox = try Sandbox()
    #expect(try sandbox.run("hr-create", ["--quiet"], stdin: Sandbox.people(3)).status == 0)
    let result = try StoreTests.whileLocked(
      sandbox,
      """
      hr-audit verify --busy-timeout 1 && hr-audit head --busy-timeout 1 && hr-transfer list --busy-timeout 1 \
        && hr-transfer overdue --busy-timeout 1
      """)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.lines.first?.hasPrefix(#"{"ok":true,"events":3,"#) == true, "\(result.stdout)")
    #expect(try sandbox.shell("ls").lines.filter { $0.hasPrefix("hr.sqlite") } == ["hr.sqlite"])
    #expect(try sandbox.sqlite("SELECT count(*) FROM audit_event") == "3")
  }

  @Test("An audited reading of a write-protected store says why it cannot run (exit 73)")
  func auditedReadingOfAReadOnlyStore() throws {
    let sandbox = try Self.evidence()
    let result = try sandbox.shell("\(asOtherAccount)hr-audit log --store evidence/hr.sqlite")
    guard !asOtherAccount.isEmpty || geteuid() != 0 else { return }
    #expect(result.status == 73, "\(result.stderr)")
    #expect(result.stderr.contains("cannot be written"), "\(result.stderr)")
    #expect(result.stderr.contains("every change and every reading of records is audited"), "\(result.stderr)")
    #expect(result.stdout.isEmpty)
  }
}
