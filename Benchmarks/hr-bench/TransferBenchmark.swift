import ArgumentParser
import Foundation
import HRCore

/// Measures `hr-transfer`: generated records are created (not timed), then every one is requested
/// to another organisation and the requests are piped into `confirm`; transfers/second out.
struct TransferBenchmark: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "transfer", abstract: "Request and confirm a transfer of every generated record and print transfers/second.")

  @OptionGroup var options: BenchOptions
  @Option(help: "How many records, each transferred once.") var count = 100_000

  func run() throws {
    let dir = try options.makeWorkdir()
    let today = LocalDate("2026-11-26")!
    let config = dir.appendingPathComponent("bench.yaml")
    try benchConfiguration.write(to: config, atomically: true, encoding: .utf8)
    let people = dir.appendingPathComponent("people.jsonl")
    _ = FileManager.default.createFile(atPath: people.path, contents: nil)
    var handle = try FileHandle(forWritingTo: people)
    try writePeople(to: &handle, count: count, seed: options.seed, today: today)
    try handle.close()
    let store = dir.appendingPathComponent("bench.sqlite")
    for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: store.path + suffix) }
    let common = ["--store", store.path, "--config", config.path, "--operator", "bench-city", "--today", "\(today)", "--quiet"]

    let created = dir.appendingPathComponent("created.jsonl")
    let creation = try timedRun(
      options.binDirectory.appendingPathComponent("hr-create"), common, input: people, output: created, environment: [:])
    guard creation.status == 0 else { throw RunFailure("hr-create exited \(creation.status)") }

    // Each record goes to the next sample organisation, so half the transfers cross a district.
    let requests = dir.appendingPathComponent("requests.jsonl")
    var lines: [UInt8] = []
    let orgs = samplePlaces.map(\.org)
    for line in try String(contentsOf: created, encoding: .utf8).split(separator: "\n") {
      let object = try JSONParser.parseObject(Array(line.utf8))
      guard let recordNo = object["record_no"]?.stringValue, let org = object["managing_org"]?.stringValue,
        let index = orgs.firstIndex(of: org)
      else { throw RunFailure("unexpected hr-create output: \(line)") }
      let request: JSONObject = ["record_no": .string(recordNo), "to_org": .string(orgs[(index + 1) % orgs.count])]
      JSONValue.object(request).write(compactTo: &lines)
      lines.append(UInt8(ascii: "\n"))
    }
    try Data(lines).write(to: requests)

    let transfer = options.binDirectory.appendingPathComponent("hr-transfer")
    let requested = dir.appendingPathComponent("requested.jsonl")
    let request = try timedRun(
      transfer,
      ["request"] + common + ["--reason", "residence_change", "--consent-method", "signed_form", "--consent-ref", "BENCH"],
      input: requests, output: requested, environment: [:])
    guard request.status == 0 else { throw RunFailure("hr-transfer request exited \(request.status)") }

    let confirmed = dir.appendingPathComponent("confirmed.jsonl")
    let confirm = try timedRun(transfer, ["confirm"] + common, input: requested, output: confirmed, environment: [:])
    guard confirm.status == 0 else { throw RunFailure("hr-transfer confirm exited \(confirm.status)") }
    let completed = try String(contentsOf: confirmed, encoding: .utf8).split(separator: "\n")
      .filter { $0.contains(#""status":"completed""#) }.count
    guard completed == count else { throw RunFailure("\(completed) of \(count) transfers completed") }

    report("hr-transfer request", items: count, timing: request, unit: "transfers")
    report("hr-transfer confirm", items: count, timing: confirm, unit: "transfers")
    let both = Timing(seconds: request.seconds + confirm.seconds, cpuSeconds: request.cpuSeconds + confirm.cpuSeconds, status: 0)
    report("hr-transfer request + confirm", items: count, timing: both, unit: "transfers")
  }
}
