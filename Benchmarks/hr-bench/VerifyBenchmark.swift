import ArgumentParser
import Foundation
import HRCore
import HRFixtures

/// Measures `hr-audit verify` on a trail of a million events: events/second.
///
/// Appending a million events through the tools would measure the tools, not the verification, so
/// the trail is written with `AuditTrail.append` itself — the code every tool appends with — in
/// large transactions; then the built `hr-audit verify` is timed on it.
struct VerifyBenchmark: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "verify", abstract: "Build an audit trail of generated events and print hr-audit verify's events/second.")

  @OptionGroup var options: BenchOptions
  @Option(help: "How many events.") var events = 1_000_000
  @Option(help: "Events appended per transaction while building the trail.") var batch = 50_000

  func run() throws {
    let setup = try BenchSetup(options: options, storeName: "audit.sqlite")
    let path = setup.store.path

    let start = DispatchTime.now().uptimeNanoseconds
    try build(at: path)
    let built = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    print("built \(events) events with AuditTrail.append in \(String(format: "%.1f", built)) s")

    let timing = try setup.run(
      "hr-audit", ["verify"], today: LocalDate.todayInChina(), input: URL(fileURLWithPath: "/dev/null"), output: "verify.json")
    let result = try String(contentsOf: setup.file("verify.json"), encoding: .utf8)
    guard result.hasPrefix(#"{"ok":true,"events":\#(events),"#) else { throw RunFailure("hr-audit verify: \(result)") }
    report("hr-audit verify", items: events, timing: timing, unit: "events")
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
