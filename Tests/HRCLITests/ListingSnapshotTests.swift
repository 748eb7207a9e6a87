import Foundation
import Testing

/// A long listing read slowly, as through a pager, while a load writes the store.
@Suite("Store: a listing left open does not grow the write-ahead log")
struct SlowListingTests {
  /// Starts `listing` into a reader that takes one line and then stops reading, loads 3,000
  /// people meanwhile (which must not wait for the listing), and, once the load has committed,
  /// checkpoints the log while the listing is still stalled: the pages in the log and those
  /// copied into the file, equal unless a snapshot is still held, whose pages must stay in the
  /// log (and the log grows by every later write until it is released).
  private static func checkpoint(after listing: String) throws -> (log: Int, copied: Int, result: ToolResult) {
    let sandbox = try Sandbox()
    try sandbox.write("first.jsonl", Sandbox.people(1_500, seed: 21))
    try sandbox.write("load.jsonl", Sandbox.people(3_000, seed: 22))
    #expect(try sandbox.shell("hr-create --quiet first.jsonl > /dev/null").status == 0)
    let result = try sandbox.shell(
      """
      \(listing) 2> listing.err | (read -r line; echo "$line" > first-line; exec sleep 120) &
      reader=$!
      for _ in $(seq 1 200); do [ -s first-line ] && break; sleep 0.05; done
      hr-create --quiet --batch-size 200 --busy-timeout 5 load.jsonl > /dev/null
      loaded=$?
      sqlite3 hr.sqlite "PRAGMA wal_checkpoint(PASSIVE)"
      kill -KILL $reader  # SIGTERM may be blocked in the process that runs the tests
      wait
      exit $loaded
      """)
    let counts = (result.lines.last ?? "").split(separator: "|").map { Int($0) ?? -1 }
    guard counts.count == 3, counts[0] == 0 else { return (-1, -1, result) }
    return (counts[1], counts[2], result)
  }

  @Test(
    "hr-audit log and hr-archive candidates, stalled in a pipe during a load, keep no page of it in the WAL",
    arguments: [
      "hr-audit log", "hr-archive candidates --today 2028-01-01",
    ])
  func stalledListing(listing: String) throws {
    let (log, copied, result) = try Self.checkpoint(after: listing)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(log > 0, "\(result.stdout)")
    #expect(copied == log, "\(copied) of the \(log) pages in the log copied; \(result.stderr)")
  }
}
