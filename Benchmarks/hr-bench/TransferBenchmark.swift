import ArgumentParser
import Foundation
import HRCore
import HRLines

/// Measures `hr-transfer`: generated records are created (not timed), then every one is requested
/// to another organisation and the requests are piped into `confirm`; transfers/second out.
struct TransferBenchmark: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "transfer", abstract: "Request and confirm a transfer of every generated record and print transfers/second.")

  @OptionGroup var options: BenchOptions
  @OptionGroup var pairing: PairOptions
  @Option(help: "How many records, each transferred once.") var count = 100_000

  func run() throws {
    let setup = try BenchSetup(options: options)
    let today = LocalDate("2026-11-26")!
    let people = try setup.writePeople(count: count, seed: options.seed, today: today)
    let created = setup.file("created.jsonl")
    _ = try setup.run("hr-create", ["--quiet"], today: today, input: people, output: "created.jsonl")

    // Each record goes to the next sample organisation, so half the transfers cross a district.
    let requests = setup.file("requests.jsonl")
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

    let pairs = try Pairs(pairing.pairs)
    let before = pairs.count > 1 ? try setup.keepStore(as: "request-before.sqlite") : nil
    for pair in 1...pairs.count {
      pairs.start(pair)
      if pair > 1, let before { try setup.restoreStore(from: before) }
      try measurePair(setup, requests: requests, today: today, pairs: pairs, references: pair == 1)
    }
    pairs.summarize()
  }

  /// Requests the transfers and confirms them, each next to its floor (and, with `references`, the
  /// reference floors), and the two together.
  func measurePair(_ setup: BenchSetup, requests: URL, today: LocalDate, pairs: Pairs, references: Bool) throws {
    let requestFloor = try Floor(of: setup.store, in: setup, name: "request")
    let requestReferences = references ? try ReferenceFloors(of: setup.store, in: setup, name: "request") : nil
    let request = try setup.run(
      "hr-transfer",
      ["request", "--quiet", "--reason", "residence_change", "--consent-method", "signed_form", "--consent-ref", "BENCH"],
      today: today, input: requests, output: "requested.jsonl")
    let (requestFloorTiming, requestRows) = try requestFloor.measure()
    let requestReferenceTimings = try requestReferences?.measure(lines: count, rows: requestRows)
    let confirmFloor = try Floor(of: setup.store, in: setup, name: "confirm")
    let confirmReferences = references ? try ReferenceFloors(of: setup.store, in: setup, name: "confirm") : nil
    let confirm = try setup.run(
      "hr-transfer", ["confirm", "--quiet"], today: today, input: setup.file("requested.jsonl"), output: "confirmed.jsonl")
    let confirmed = setup.file("confirmed.jsonl")
    let completed = try String(contentsOf: confirmed, encoding: .utf8).split(separator: "\n")
      .filter { $0.contains(#""status":"completed""#) }.count
    guard completed == count else { throw RunFailure("\(completed) of \(count) transfers completed") }

    let (confirmFloorTiming, confirmRows) = try confirmFloor.measure()
    compare("hr-transfer request", items: count, tool: request, floor: requestFloorTiming, unit: "transfers", pairs: pairs)
    if let requestReferenceTimings {
      ReferenceFloors.show(requestReferenceTimings, tool: request, items: count, unit: "transfers")
    }
    compare("hr-transfer confirm", items: count, tool: confirm, floor: confirmFloorTiming, unit: "transfers", pairs: pairs)
    if let confirmReferences {
      ReferenceFloors.show(
        try confirmReferences.measure(lines: count, rows: confirmRows), tool: confirm, items: count, unit: "transfers")
    }
    let both = Timing(
      seconds: request.seconds + confirm.seconds, cpuSeconds: request.cpuSeconds + confirm.cpuSeconds,
      peakBytes: max(request.peakBytes, confirm.peakBytes), status: 0)
    let bothFloor = Timing(
      seconds: requestFloorTiming.seconds + confirmFloorTiming.seconds,
      cpuSeconds: requestFloorTiming.cpuSeconds + confirmFloorTiming.cpuSeconds, status: 0)
    compare("hr-transfer request + confirm", items: count, tool: both, floor: bothFloor, unit: "transfers", pairs: pairs)
  }
}
