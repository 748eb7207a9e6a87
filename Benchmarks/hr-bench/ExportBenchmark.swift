import ArgumentParser
import Foundation
import HRCore
import HRLines

/// Measures `hr-export record` and `hr-export roster`: generated residents are created and given
/// service records (not timed), then every record is opened once for a `public_health` viewer in
/// one run (views/second, each view an audit event), and the city's roster is listed.
struct ExportBenchmark: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "export-record", abstract: "Open every generated record once with hr-export record and print views/second.")

  @OptionGroup var options: BenchOptions
  @Option(help: "How many residents, each opened once.") var residents = 20_000
  @Option(help: "Service records per resident.") var servicesEach = 3

  func run() throws {
    let setup = try BenchSetup(options: options)
    let today = LocalDate("2026-11-26")!
    let people = try setup.writePeople(count: residents, seed: options.seed, today: today)
    _ = try setup.run("hr-create", ["--quiet"], today: today, input: people, output: "created.jsonl")
    let created = try Data(contentsOf: setup.file("created.jsonl")).split(separator: UInt8(ascii: "\n"))
      .map { try JSONParser.parseObject(Array($0)) }
    guard created.count == residents else { throw RunFailure("hr-create accepted \(created.count) of \(residents) residents") }

    // Services dated today are never before a birth, and a summary of their own keeps them apart.
    var services: [UInt8] = []
    var views: [UInt8] = []
    for (index, result) in created.enumerated() {
      guard let recordNo = result["record_no"]?.stringValue, let org = result["managing_org"]?.stringValue else {
        throw RunFailure("hr-create printed no record_no or managing_org")
      }
      for number in 0..<servicesEach {
        let line: JSONObject = [
          "record_no": .string(recordNo),
          "service": [
            "type": "consultation", "date": .string(today.description), "org": .string(org),
            "summary": ["visit": .int(index * 10 + number), "note": "随访"],
          ],
        ]
        JSONValue.object(line).write(compactTo: &services)
        services.append(UInt8(ascii: "\n"))
      }
      JSONValue.object(["record_no": .string(recordNo)]).write(compactTo: &views)
      views.append(UInt8(ascii: "\n"))
    }
    try Data(services).write(to: setup.file("services.jsonl"))
    try Data(views).write(to: setup.file("views.jsonl"))
    _ = try setup.run("hr-update", ["--quiet"], today: today, input: setup.file("services.jsonl"), output: "updated.jsonl")

    let view = try setup.run(
      "hr-export", ["record", "--quiet", "--viewer", "public_health", "--reason", "benchmark"], today: today,
      input: setup.file("views.jsonl"), output: "viewed.jsonl")
    let viewed = try Data(contentsOf: setup.file("viewed.jsonl")).split(separator: UInt8(ascii: "\n")).count
    guard viewed == residents else { throw RunFailure("hr-export record printed \(viewed) of \(residents) records") }
    report("hr-export record", items: residents, timing: view, unit: "views")

    let roster = try setup.run("hr-export", ["roster"], today: today, input: setup.file("views.jsonl"), output: "roster.jsonl")
    let listed = try Data(contentsOf: setup.file("roster.jsonl")).split(separator: UInt8(ascii: "\n")).count
    report("hr-export roster (city)", items: listed, timing: roster, unit: "lines")
  }
}
