import Foundation
import HRTestSupport
import Testing

/// `kill -9` in the middle of the tools that read many records and write only their audit event:
/// `hr-export deid` and `hr-metrics`. After every kill the store is intact, the chain verifies, no
/// output was printed without its reading being kept in the trail, and a clean run then succeeds.
@Suite("Crashes: kill -9 loops over hr-export deid and hr-metrics")
struct ReadingCrashLoopTests {
  /// The checks run after every kill: the store's integrity, the chain, and that a round that
  /// printed something left one more `ok` event of `action` than there was before it.
  private static func afterKill(action: String) -> String {
    """
    [ "$(sqlite3 hr.sqlite 'PRAGMA integrity_check')" = ok ] || echo "round $round: integrity_check failed"
    hr-audit verify > /dev/null || echo "round $round: the audit chain does not verify"
    lines=$(wc -l < printed.jsonl)
    after=$(sqlite3 hr.sqlite "SELECT count(*) FROM audit_event WHERE action = '\(action)' AND outcome = 'ok'")
    if [ "$lines" -gt 0 ] && [ "$after" -le "$before" ]; then echo "round $round: $lines lines printed, no event kept"; fi
    printed=$((printed + lines))
    """
  }

  private static func events(_ action: String) -> String {
    #"before=$(sqlite3 hr.sqlite "SELECT count(*) FROM audit_event WHERE action = '\#(action)' AND outcome = 'ok'")"#
  }

  @Test("10 kills of hr-export deid while it writes into a stalled reader; then a clean export of every released record")
  func deidKillLoop() throws {
    let research = try ResearchSandbox(k: 2)
    let sandbox = research.sandbox
    try sandbox.write("people.jsonl", Sandbox.people(2_000, seed: 33))
    let approval = #"{"ref":"CQ-1","grantee":"researcher-1","scope":"city","purpose":"慢病管理研究","expires":"2027-12-31"}"#
    let prepared = try sandbox.shell(
      "hr-create --quiet people.jsonl > /dev/null && echo '\(approval)' | hr-export approve --quiet")
    try #require(prepared.status == 0, "\(prepared.stderr)")
    // The reader takes a few lines, then stops reading with the pipe still open: the export blocks
    // in the middle of its output, where it is killed. How many lines it takes is drawn from the seed.
    let seed = TestSeed()
    let result = try sandbox.shell(
      """
      RANDOM=\(seed.value % 32_768)
      kills=0; printed=0
      for round in $(seq 1 10); do
        \(Self.events("export.deid"))
        rm -f pipe && mkfifo pipe
        hr-export deid --operator researcher-1 --approval CQ-1 > pipe 2> /dev/null &
        pid=$!
        exec 3< pipe
        head -n $((RANDOM % 100 + 1)) <&3 > printed.jsonl
        sleep 0.3
        kill -9 $pid 2> /dev/null && kills=$((kills + 1))
        wait $pid
        exec 3<&-
        \(Self.afterKill(action: "export.deid"))
      done
      hr-export deid --operator researcher-1 --approval CQ-1 --report report.json > all.jsonl || echo "the clean run failed"
      exported=$(jq .exported report.json)
      [ "$(wc -l < all.jsonl)" = "$exported" ] || echo "$(wc -l < all.jsonl) lines, the report says $exported"
      [ "$exported" -gt 1000 ] || echo "only $exported exported"
      echo "kills=$kills printed=$printed" >&2
      """, operator: "admin-city")
    #expect(result.status == 0, "\(seed): \(result.stderr)")
    #expect(result.stdout.isEmpty, "\(seed): \(result.stdout)")
    #expect(result.stderr.contains("kills=10 "), "\(seed): \(result.stderr)")
    print("hr-export deid: \(result.stderr.split(separator: "\n").last ?? "")")
  }

  @Test("20 kills of hr-metrics: half at random moments, half while it waits to keep its reading in the trail")
  func metricsKillLoop() throws {
    let sandbox = try Sandbox()
    try sandbox.write("people.jsonl", Sandbox.people(2_000, seed: 34, today: "2026-01-05"))
    let prepared = try sandbox.shell("hr-create --quiet people.jsonl > /dev/null", today: "2026-01-05")
    try #require(prepared.status == 0, "\(prepared.stderr)")
    // Odd rounds: a kill at a random moment within the time a whole run takes. Even rounds: another
    // connection holds the write lock, so the tool has read the records and waits to record the
    // reading; killed there, it must have printed nothing.
    // The moment of each odd round's kill is drawn from the seed.
    let seed = TestSeed()
    let result = try sandbox.shell(
      """
      RANDOM=\(seed.value % 32_768)
      start=$(date +%s%N); hr-metrics --by district > /dev/null; took=$(( ($(date +%s%N) - start) / 1000 ))
      kills=0; landed=0; printed=0
      for round in $(seq 1 20); do
        \(Self.events("metrics.report"))
        if [ $((round % 2)) = 0 ]; then
          (echo 'BEGIN IMMEDIATE;'; sleep 3; echo 'ROLLBACK;') | sqlite3 hr.sqlite &
          holder=$!
          sleep 0.3
          hr-metrics --by district > printed.jsonl 2> /dev/null &
          pid=$!
          sleep 1
        else
          hr-metrics --by district > printed.jsonl 2> /dev/null &
          pid=$!
          sleep "$(awk -v took=$took -v r=$RANDOM 'BEGIN { printf "%.6f", r / 32768 * took / 1000000 }')"
        fi
        kill -9 $pid 2> /dev/null && kills=$((kills + 1))
        wait $pid
        if [ $((round % 2)) = 0 ]; then
          wait $holder
          [ -s printed.jsonl ] && echo "round $round: printed before its reading was kept"
        fi
        \(Self.afterKill(action: "metrics.report"))
      done
      hr-metrics --by district > all.jsonl || echo "the clean run failed"
      [ "$(jq -s 'map(.records_active) | add' all.jsonl)" = 2000 ] || echo "the clean run counts $(jq -s 'map(.records_active) | add' all.jsonl) records"
      echo "kills=$kills printed=$printed" >&2
      """, today: "2026-11-26")
    #expect(result.status == 0, "\(seed): \(result.stderr)")
    #expect(result.stdout.isEmpty, "\(seed): \(result.stdout)")
    let kills = result.stderr.split(separator: "\n").last.flatMap { Int($0.split(separator: " ")[0].dropFirst("kills=".count)) }
    #expect((kills ?? 0) >= 10, "\(seed): \(result.stderr)")
    print("hr-metrics: \(result.stderr.split(separator: "\n").last ?? "")")
  }
}
