import Foundation
import Testing

/// A long listing read slowly, as through a pager, while a load writes the store.
@Suite("Store: a listing left open does not grow the write-ahead log")
struct SlowListingTests {
  /// Starts `listing` into a reader that takes one line and then stops reading, loads 3,000
  /// people meanwhile (which must not wait for the listing), and prints the size of the `-wal`
  /// in bytes once the load has committed.
  /// Without a reader the log peaks near 8 MiB on this load (the automatic checkpoint every
  /// 1,000 pages plus one batch); a snapshot kept through the load lets it grow past 40 MiB.
  private static func walSize(after listing: String) throws -> (size: Int, result: ToolResult) {
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
      stat -c %s hr.sqlite-wal
      kill -KILL $reader  # SIGTERM may be blocked in the process that runs the tests
      wait
      exit $loaded
      """)
    return (Int(result.lines.last ?? "") ?? -1, result)
  }

  @Test(
    "hr-audit log and hr-archive candidates, stalled in a pipe during a load, leave the WAL under 16 MiB",
    arguments: [
      "hr-audit log", "hr-archive candidates --today 2028-01-01",
    ])
  func stalledListing(listing: String) throws {
    let (size, result) = try Self.walSize(after: listing)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(size > 0, "\(result.stdout)")
    #expect(size < 16 << 20, "the -wal is \(size) bytes; \(result.stderr)")
  }
}
