import ArgumentParser
import Foundation
import HRCore
import HRFixtures
import HRLines

/// Measures `hr-update` appending service records: generated residents are created, then service
/// lines for them (some off-site) are piped into one `hr-update` run; services/second out.
struct ServiceBenchmark: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "services", abstract: "Append generated service records to generated residents and print services/second.")

  @OptionGroup var options: BenchOptions
  @OptionGroup var pairing: PairOptions
  @Option(help: "How many residents.") var residents = 100_000
  @Option(help: "How many service records.") var services = 500_000
  @Option(help: "Share of services given by an organisation other than the managing one.") var offSiteShare = 0.2
  @Flag(
    help: """
      Create the residents 400 days before the services, so that a service later than every one \
      before it raises its record's last contact, as a district's daily entries do.
      """)
  var raiseLastContact = false

  /// Types without a yearly allowance, so that every generated line is accepted.
  static let types = [
    "consultation", "health_exam", "hypertension_followup", "diabetes_followup", "child_health", "immunization",
    "tb_followup", "referral", "other",
  ]

  func run() throws {
    let setup = try BenchSetup(options: options)
    let today = LocalDate("2026-11-26")!
    let createdOn = today.adding(days: -400) ?? today
    let people = try setup.writePeople(count: residents, seed: options.seed, today: today) { person in
      // Residents born since then are created on the day, as before.
      guard raiseLastContact, let birth = Self.birthDate(of: person, today: today), birth <= createdOn else { return }
      person["created_on"] = .string(createdOn.description)
    }
    let creation = try setup.run("hr-create", ["--quiet"], today: today, input: people, output: "created.jsonl")
    report("hr-create (setup)", items: residents, timing: creation, unit: "records")

    let lines = setup.file("services.jsonl")
    try writeServiceLines(people: people, created: setup.file("created.jsonl"), to: lines, today: today)
    _ = try setup.measurePairs(
      try Pairs(pairing.pairs), floorName: "services", label: "hr-update service", items: services, unit: "services"
    ) {
      try setup.run("hr-update", ["--quiet"], today: today, input: lines, output: "updated.jsonl")
    }
  }

  /// Writes `services` service lines for the created residents: a random resident, a type
  /// without a yearly allowance, a date in the last year (never before birth), the managing
  /// organisation or, for `offSiteShare` of them, another one.
  func writeServiceLines(people: URL, created: URL, to output: URL, today: LocalDate) throws {
    let persons = try jsonLines(people)
    let results = try jsonLines(created)
    guard persons.count == results.count else {
      throw RunFailure("hr-create accepted \(results.count) of \(persons.count) residents")
    }
    let residents: [(recordNo: String, org: String, birth: LocalDate)] = try zip(persons, results).map { person, result in
      guard let birth = Self.birthDate(of: person, today: today) else { throw RunFailure("a resident without a birth date") }
      return (result["record_no"]!.stringValue!, person["org"]!.stringValue!, birth)
    }
    var random = SplitMix64(seed: options.seed &+ 1)
    _ = FileManager.default.createFile(atPath: output.path, contents: nil)
    let handle = try FileHandle(forWritingTo: output)
    defer { try? handle.close() }
    var buffer: [UInt8] = []
    for index in 0..<services {
      let resident = residents[random.next(below: residents.count)]
      var org = resident.org
      if random.nextDouble() < offSiteShare {
        let others = samplePlaces.filter { $0.org != resident.org }
        org = others[random.next(below: others.count)].org
      }
      let date = max(resident.birth, today.adding(days: -random.next(below: 365)) ?? today)
      let line: JSONObject = [
        "record_no": .string(resident.recordNo),
        "service": [
          "type": .string(Self.types[random.next(below: Self.types.count)]), "date": .string(date.description),
          "org": .string(org), "summary": ["visit": .int(index), "bp": "132/84"],
        ],
      ]
      JSONValue.object(line).write(compactTo: &buffer)
      buffer.append(UInt8(ascii: "\n"))
      if buffer.count > 1 << 20 {
        try handle.write(contentsOf: buffer)
        buffer.removeAll(keepingCapacity: true)
      }
    }
    try handle.write(contentsOf: buffer)
  }

  /// A generated resident's birth date: from the id number, or the birth date a resident with a
  /// birth certificate gives.
  static func birthDate(of person: JSONObject, today: LocalDate) -> LocalDate? {
    if let id = person["id_number"]?.stringValue { return try? ResidentID(id, today: today).birthDate }
    return person["birth_date"]?.stringValue.flatMap { LocalDate($0) }
  }

  /// The objects of a JSON Lines file.
  func jsonLines(_ url: URL) throws -> [JSONObject] {
    let data = try Data(contentsOf: url)
    return try data.split(separator: UInt8(ascii: "\n")).map { try JSONParser.parseObject(Array($0)) }
  }
}
