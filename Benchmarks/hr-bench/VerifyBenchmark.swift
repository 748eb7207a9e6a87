import ArgumentParser
import Crypto
import Foundation
import GRDB
import HRCore
import HRFixtures

#if canImport(GRDBSQLite)
import GRDBSQLite
#elseif canImport(SQLite3)
import SQLite3
#endif

/// Measures `hr-audit verify` on a trail of a million events: events/second, next to the least
/// any verification needs (`VerifyFloor`).
///
/// Appending a million events through the tools would measure the tools, not the verification, so
/// the trail is written with `AuditTrail.append` itself — the code every tool appends with — in
/// large transactions; then the built `hr-audit verify` is timed on it.
struct VerifyBenchmark: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "verify", abstract: "Build an audit trail of generated events and print hr-audit verify's events/second.")

  @OptionGroup var options: BenchOptions
  @OptionGroup var pairing: PairOptions
  @Option(help: "How many events.") var events = 1_000_000
  @Option(help: "Events appended per transaction while building the trail.") var batch = 50_000

  func run() throws {
    let setup = try BenchSetup(options: options, storeName: "audit.sqlite")
    let path = setup.store.path

    let start = DispatchTime.now().uptimeNanoseconds
    try build(at: path)
    let built = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    print("built \(events) events with AuditTrail.append in \(String(format: "%.1f", built)) s")

    // Nothing changes the store: each pair runs on the same trail.
    let pairs = try Pairs(pairing.pairs)
    for pair in 1...pairs.count {
      pairs.start(pair)
      let timing = try setup.run(
        "hr-audit", ["verify"], today: LocalDate.todayInChina(), input: URL(fileURLWithPath: "/dev/null"),
        output: "verify.json")
      let result = try String(contentsOf: setup.file("verify.json"), encoding: .utf8)
      guard result.hasPrefix(#"{"ok":true,"events":\#(events),"#) else { throw RunFailure("hr-audit verify: \(result)") }
      let floor = try timedRun(
        FloorWrite.executable, ["verify-floor", "--store", path], input: URL(fileURLWithPath: "/dev/null"),
        output: setup.file("verify-floor.out"), environment: [:])
      let read = try String(contentsOf: setup.file("verify-floor.out"), encoding: .utf8)
      guard floor.status == 0, read.hasPrefix("\(events) ") else { throw RunFailure("the verify floor: \(read)") }
      compare(
        "hr-audit verify", items: events, tool: timing, floor: floor, unit: "events", pairs: pairs,
        floorName: "SQLite stepping every event, SHA-256 over its stored bytes, one thread")
    }
    pairs.summarize()
  }

  /// Appends the events to the store at `path`, and closes it, as a tool does when it ends: the
  /// trail is verified as it lies in the file, not beside a writer whose log still holds its last
  /// transactions.
  func build(at path: String) throws {
    let store = try Store(path: path)
    var random = SplitMix64(seed: options.seed)
    let staff = [
      OperatorEntry(id: "doc-li", name: "李医生", role: .clinician, org: "500103001", district: "500103"),
      OperatorEntry(id: "admin-yz", name: "渝中区管理员", role: .districtAdmin, district: "500103"),
      OperatorEntry(id: "bench-city", name: "基准测试", role: .cityAdmin),
    ]
    var appended = 0
    while appended < events {
      let count = min(batch, events - appended)
      try store.write { db in
        for _ in 0..<count {
          try AuditTrail.append(Self.entry(&random), by: staff[random.next(below: staff.count)], in: db)
        }
      }
      appended += count
    }
  }

  /// An event like the ones the tools append: creations, services, views, transfers.
  static func entry(_ random: inout SplitMix64) -> AuditEntry {
    let recordNo =
      "500103001" + String(format: "%03d", 1 + random.next(below: 5)) + String(format: "%05d", 1 + random.next(below: 99_999))
    switch random.next(below: 4) {
    case 0:
      return AuditEntry(
        action: "record.create", recordNo: recordNo,
        detail: ["division": .string(String(recordNo.prefix(12))), "managing_org": "500103001"])
    case 1:
      return AuditEntry(
        action: "service.add", recordNo: recordNo,
        detail: ["service_id": .int(random.next(below: 10_000_000)), "type": "hypertension_followup", "date": "2026-11-20"])
    case 2:
      return AuditEntry(
        action: "record.view", recordNo: recordNo,
        detail: ["viewer": ["kind": "clinician", "authorization": .string("DYN-\(random.next(below: 1_000_000))")]])
    default:
      return AuditEntry(
        action: "transfer.request", recordNo: recordNo, outcome: random.next(below: 10) == 0 ? .denied : .ok,
        detail: ["to_org": "500106001", "reason": "residence_change"])
    }
  }
}

/// The least a verification of the trail does, in a process of its own as `hr-audit verify` is:
/// SQLite stepping every event in order and handing out each stored column's bytes, and SHA-256
/// over those bytes, event by event, on one thread; no hash input laid out, nothing compared.
/// `hr-audit verify` steps and hashes on two threads, so it can run faster than this floor.
/// Prints the events read and a digest of all their hashes (so that no step can be left out).
struct VerifyFloor: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "verify-floor", abstract: "Read and hash every audit event (used by the benchmarks).",
    shouldDisplay: false)

  @Option(help: "The store whose trail is read.") var store: String

  func run() throws {
    var connection: OpaquePointer?
    defer { sqlite3_close_v2(connection) }
    guard sqlite3_open_v2(store, &connection, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nil) == SQLITE_OK else {
      throw RunFailure("cannot open \(store)")
    }
    var statement: OpaquePointer?
    defer { sqlite3_finalize(statement) }
    let sql =
      "SELECT seq, at, operator, role, org, action, record_no, outcome, detail, prev_hash, hash, state FROM audit_event ORDER BY seq"
    guard sqlite3_prepare_v2(connection, sql, -1, &statement, nil) == SQLITE_OK else {
      throw RunFailure(String(cString: sqlite3_errmsg(connection)))
    }
    let columns = sqlite3_column_count(statement)
    var events = 0
    var all = [UInt8](repeating: 0, count: SHA256.byteCount)
    // Each event's bytes side by side in one buffer, hashed at once.
    var capacity = 4096
    var input = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 8)
    defer { input.deallocate() }
    var code = sqlite3_step(statement)
    while code == SQLITE_ROW {
      var seq = sqlite3_column_int64(statement, 0)
      input.copyMemory(from: &seq, byteCount: 8)
      var length = 8
      for column in 1..<columns {
        // Text handed out as it is stored, as the tool reads it.
        guard let bytes = sqlite3_column_blob(statement, column) else { continue }
        let count = Int(sqlite3_column_bytes(statement, column))
        if length + count > capacity {
          capacity = 2 * (length + count)
          let larger = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 8)
          larger.copyMemory(from: input, byteCount: length)
          input.deallocate()
          input = larger
        }
        (input + length).copyMemory(from: bytes, byteCount: count)
        length += count
      }
      var hasher = SHA256()
      hasher.update(bufferPointer: UnsafeRawBufferPointer(start: input, count: length))
      hasher.finalize().withUnsafeBytes { digest in
        for index in all.indices { all[index] ^= digest[index] }
      }
      events += 1
      code = sqlite3_step(statement)
    }
    guard code == SQLITE_DONE else { throw RunFailure(String(cString: sqlite3_errmsg(connection))) }
    print("\(events) \(all.map { String(format: "%02x", $0) }.joined())")
  }
}
