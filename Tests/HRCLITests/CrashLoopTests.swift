import Foundation
import HRTestSupport
import Testing

/// `kill -9` again and again in the middle of the writing tools: after every kill the store is
/// intact, the audit chain verifies, and every line a tool printed is durable; a clean run then
/// finishes the work.
@Suite("Crashes: kill -9 loops over the writing tools")
struct CrashLoopTests {
  /// One writing tool under test: how to prepare the store, the command to kill (reading the
  /// remaining work from `input.jsonl`), how to list the remaining work, and the SQL that counts
  /// how many printed results are durable, given the printed lines' ids as `IDS`.
  struct Case: Sendable, CustomTestStringConvertible {
    let label: String
    let prepare: String
    let remaining: String
    let command: String
    let idKey: String
    let durable: String
    /// The day the residents are created, `HR_TODAY` while preparing.
    var createdOn = "2024-01-01"
    var testDescription: String { label }
  }

  /// 2,000 residents created long ago, so that each is a candidate for archiving as lost.
  static let created = "hr-create --quiet --batch-size 500 people.jsonl > created.jsonl"

  static let cases: [Case] = [
    Case(
      label: "hr-update services", prepare: created,
      remaining:
        #"sqlite3 -separator ' ' hr.sqlite "SELECT record_no, managing_org FROM record WHERE record_no NOT IN (SELECT record_no FROM service) ORDER BY record_no" | jq -R -c 'split(" ") | {record_no: .[0], service: {type: "consultation", date: "2026-11-20", org: .[1]}}'"#,
      command: "hr-update --batch-size 20", idKey: "service_id",
      durable: "SELECT count(*) FROM service WHERE service_id IN (IDS)"),
    Case(
      label: "hr-transfer confirm",
      prepare: created
        + " && hr-transfer request --quiet --to 500106001 --reason residence_change --consent-method sms_phone --consent-ref R < created.jsonl > /dev/null; [ $? -le 65 ]",
      remaining: "hr-transfer list --status pending",
      command: "hr-transfer confirm --batch-size 20", idKey: "transfer_id",
      durable: "SELECT count(*) FROM transfer WHERE status = 'completed' AND transfer_id IN (IDS)"),
    Case(
      label: "hr-archive lost", prepare: created,
      remaining: "hr-archive candidates",
      command: "hr-archive lost --batch-size 20 --evidence 'three calls unanswered'", idKey: "record_no",
      durable: "SELECT count(*) FROM record WHERE status = 'archived' AND record_no IN (IDS)"),
    Case(
      label: "hr-archive purge",
      prepare: created
        + " && hr-archive candidates --today 2010-01-01 | hr-archive lost --quiet --today 2010-01-01 --evidence 'three calls unanswered' > /dev/null",
      remaining: #"sqlite3 hr.sqlite "SELECT record_no FROM record WHERE status = 'archived'""#,
      command: "hr-archive purge --before 2011-01-01 --batch-size 10", idKey: "record_no",
      durable: """
        SELECT count(*) FROM audit_event WHERE action = 'record.purge' AND outcome = 'ok' AND record_no IN (IDS) \
        AND record_no NOT IN (SELECT record_no FROM record)
        """,
      createdOn: "2005-01-01"),
    Case(
      label: "hr-export record", prepare: created,
      remaining: #"""
        sqlite3 hr.sqlite "SELECT json_object('record_no', record_no) FROM record WHERE record_no NOT IN \
          (SELECT record_no FROM audit_event WHERE action = 'record.view.emergency' AND outcome = 'ok') ORDER BY record_no"
        """#,
      command: "hr-export record --operator doc-zhao --viewer emergency --reason 'unconscious on arrival' --batch-size 20",
      idKey: "record_no",
      durable: """
        SELECT count(DISTINCT record_no) FROM audit_event \
        WHERE action = 'record.view.emergency' AND outcome = 'ok' AND record_no IN (IDS)
        """),
  ]

  @Test(
    "10 kills, each after the tool has printed, leave an intact store in which every printed line is durable", arguments: cases)
  func killLoop(_ test: Case) throws {
    let sandbox = try Sandbox()
    try sandbox.write("people.jsonl", Sandbox.people(2_000, seed: 31, today: test.createdOn))
    let prepared = try sandbox.shell(test.prepare, today: test.createdOn)
    #expect(prepared.status == 0, "\(prepared.stderr)")
    // The moment of each kill is drawn by bash from this seed.
    let seed = TestSeed()
    let result = try sandbox.shell(
      """
      RANDOM=\(seed.value % 32_768)
      kills=0; printed=0
      # Until 10 kills have landed: a round whose tool finished its work before the kill is a clean
      # run, checked like the others; running out of work first fails the test.
      round=0
      while [ "$kills" -lt 10 ] && [ "$round" -lt 25 ]; do
        round=$((round + 1))
        \(test.remaining) > input.jsonl
        [ -s input.jsonl ] || { echo "no work left after $kills kills"; break; }
        \(test.command) < input.jsonl > printed.jsonl 2> /dev/null &
        pid=$!
        for _ in $(seq 1 250); do [ -s printed.jsonl ] && break; sleep 0.02; done
        sleep 0.0$((RANDOM % 5))
        kill -9 $pid 2> /dev/null && kills=$((kills + 1))
        wait $pid
        [ "$(sqlite3 hr.sqlite 'PRAGMA integrity_check')" = ok ] || echo "round $round: integrity_check failed"
        hr-audit verify > /dev/null || echo "round $round: the audit chain does not verify"
        ids=$(jq -R -r 'fromjson? | .\(test.idKey) | tostring' printed.jsonl | sed "s/.*/'&'/" | paste -sd, -)
        count=$(jq -R -r 'fromjson? | .\(test.idKey)' printed.jsonl | wc -l)
        printed=$((printed + count))
        durable=$(sqlite3 hr.sqlite "\(test.durable.replacingOccurrences(of: "IDS", with: "${ids:-''}"))")
        [ "$durable" = "$count" ] || echo "round $round: $count printed, $durable durable"
      done
      \(test.remaining) > input.jsonl
      \(test.command) --quiet < input.jsonl > /dev/null || echo "the clean run failed"
      left=$(\(test.remaining) | wc -l)
      [ "$left" = 0 ] || echo "$left left after the clean run"
      echo "kills=$kills printed=$printed rounds=$round" >&2
      """)
    #expect(result.status == 0, "\(seed): \(result.stderr)")
    #expect(result.stdout.isEmpty, "\(seed): \(result.stdout)")
    #expect(result.stderr.contains("kills=10 "), "\(seed): \(result.stderr)")
    print("\(test.label): \(result.stderr.split(separator: "\n").last ?? "")")
  }
}

/// A disk that fills under the store: the run stops with an I/O error (exit 74), and what it
/// committed stays intact.
@Suite("Crashes: a full disk under the store")
struct DiskFullTests {
  @Test("hr-create on a 1 MiB file system stops with exit 74; the store is intact and every printed record is in it")
  func fullDiskUnderTheStore() throws {
    let sandbox = try Sandbox()
    try sandbox.write("people.jsonl", Sandbox.people(2_500, seed: 41))
    // Mounting needs root; elsewhere there is nothing to fill.
    guard try sandbox.shell("mkdir small && mount -t tmpfs -o size=1m tmpfs small").status == 0 else { return }
    defer { _ = try? sandbox.shell("umount small") }
    let result = try sandbox.shell(
      """
      cp hr.sqlite small/hr.sqlite
      hr-create --store small/hr.sqlite --batch-size 100 people.jsonl > printed.jsonl 2> errors.txt
      echo "status=$?"
      sqlite3 small/hr.sqlite 'PRAGMA integrity_check'
      hr-audit verify --store small/hr.sqlite > /dev/null && echo verified
      printed=$(jq -R -r 'fromjson? | .record_no' printed.jsonl | wc -l)
      stored=$(jq -R -r 'fromjson? | .record_no' printed.jsonl | sed "s/.*/'&'/" | paste -sd, - \\
        | xargs -I{} sqlite3 small/hr.sqlite "SELECT count(*) FROM record WHERE record_no IN ({})")
      echo "printed=$printed stored=$stored"
      tail -1 errors.txt >&2
      """)
    let lines = result.lines
    #expect(lines.first == "status=74", "\(result.stderr)")
    #expect(lines.dropFirst().first == "ok")
    #expect(lines.contains("verified"))
    let counts = lines.last ?? ""
    let printed = counts.split(separator: " ").first.map { String($0.dropFirst("printed=".count)) } ?? ""
    #expect(counts == "printed=\(printed) stored=\(printed)", "\(counts)")
    #expect(Int(printed).map { $0 > 0 && $0 < 2_500 } == true, "\(counts)")
    #expect(result.stderr.contains("full") || result.stderr.contains("disk"), "\(result.stderr)")
  }
}

extension DiskFullTests {
  @Test("A rejects file on a full file system stops the run with exit 74 before the batch commits")
  func fullDiskUnderTheRejectsFile() throws {
    let sandbox = try Sandbox()
    try sandbox.write("people.jsonl", Sandbox.people(50, seed: 42) + String(repeating: "{\"id_number\":\"nope\"}\n", count: 50))
    guard try sandbox.shell("mkdir small && mount -t tmpfs -o size=64k tmpfs small").status == 0 else { return }
    defer { _ = try? sandbox.shell("umount small") }
    let result = try sandbox.shell(
      """
      dd if=/dev/zero of=small/filler bs=4k count=100 2> /dev/null
      hr-create --rejects small/rejects.jsonl people.jsonl > printed.jsonl
      echo "status=$?"
      sqlite3 hr.sqlite 'PRAGMA integrity_check; SELECT count(*) FROM record;'
      wc -c < printed.jsonl
      """)
    #expect(result.lines == ["status=74", "ok", "0", "0"], "\(result.stderr)")
    #expect(result.stderr.contains("rejects.jsonl"), "\(result.stderr)")
  }
}

/// Every tool at once on one store, as a district's scripts run them from cron.
@Suite("Concurrency: every tool at once on one store")
struct EveryToolAtOnceTests {
  @Test(
    "Creating, updating, transferring, archiving, viewing, verifying, listing and evaluating at once: no lock error, an intact store"
  )
  func everyToolAtOnce() throws {
    let sandbox = try Sandbox()
    try sandbox.write("people.jsonl", Sandbox.people(600, seed: 51, today: "2024-01-01"))
    try sandbox.write("more.jsonl", Sandbox.people(600, seed: 52))
    #expect(try sandbox.shell("hr-create --quiet people.jsonl > created.jsonl", today: "2024-01-01").status == 0)
    let result = try sandbox.shell(
      """
      sed -n '1,200p' created.jsonl | jq -c '{record_no, service: {type: "consultation", date: "2026-11-20", org: .managing_org}}' > services.jsonl
      sed -n '201,400p' created.jsonl > transfers.jsonl
      run() { "$@" > /dev/null 2>> errors.txt; echo "$? $1 $2" >> statuses.txt; }
      run hr-create --batch-size 50 more.jsonl &
      run hr-update --batch-size 20 services.jsonl &
      run hr-transfer request --batch-size 20 --to 500106001 --reason residence_change --consent-method sms_phone --consent-ref R transfers.jsonl &
      (hr-archive candidates --org 500229001 2>> errors.txt | run hr-archive lost --batch-size 20 --evidence 'three calls unanswered') &
      (sed -n '401,450p' created.jsonl | jq -c '{record_no}' \
        | run hr-export record --operator doc-zhao --viewer emergency --reason 'unconscious on arrival') &
      for _ in 1 2 3 4 5; do
        run hr-audit verify; run hr-audit log; run hr-transfer list; run hr-archive candidates; run hr-metrics --by district
      done &
      wait
      processes=$(wc -l < statuses.txt)
      awk '$1 != 0 && $1 != 65' statuses.txt
      [ "$(sqlite3 hr.sqlite 'PRAGMA integrity_check')" = ok ] || echo "integrity_check failed"
      hr-audit verify > /dev/null || echo "the audit chain does not verify"
      echo "processes=$processes" >&2
      """)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout.isEmpty, "\(result.stdout)\n\((try? sandbox.read("errors.txt")) ?? "")")
    #expect(result.stderr.contains("processes=30"), "\(result.stderr)")
    // A service for a record archived meanwhile is rejected (65); every other one is stored.
    let services = Int(try sandbox.sqlite("SELECT count(*) FROM service")) ?? 0
    let archivedFirst =
      Int(
        try sandbox.sqlite(
          "SELECT count(*) FROM record WHERE status = 'archived' AND record_no NOT IN (SELECT record_no FROM service)")) ?? 0
    #expect(services > 0 && services <= 200, "\(services) services")
    #expect(services + archivedFirst >= 200, "\(services) services, \(archivedFirst) archived without one")
  }
}
