import Crypto
import Foundation
import GRDB
import HRLines
import Testing

@testable import HRCore

/// A small population whose classes, on 2026-11-26 with 5-year bands, are worked out by hand:
///
/// | class | records | tag sets |
/// | --- | --- | --- |
/// | 500103, male, 70-74 | 4 (+1 restricted by a tag) | hypertension, diabetes, none (3) |
/// | 500103, female, 30-34 | 3 (+1 restricted by a mental_followup service) | none (1) |
/// | 500106, male, 40-44 | 2 | none |
/// | 500103, female, 65-69 | 12 | diabetes on one, none (2) |
final class HandWorkedPopulation {
  let fixture: ServiceFixture
  /// Record numbers by class label.
  var records: [String: [String]] = [:]
  var restricted: [String] = []
  let key: PseudonymKey
  private var sequence = 0

  init() throws {
    fixture = try ServiceFixture()
    key = try PseudonymKey(bytes: Array("an example key of 32 bytes or more, for tests".utf8))
    records["A"] = try (0..<4).map { _ in try person("500103", born: "19540310", male: true) }
    records["B"] = try (0..<3).map { _ in try person("500103", born: "19940501", male: false) }
    records["C"] = try (0..<2).map { _ in try person("500106", born: "19840601", male: true) }
    records["D"] = try (0..<12).map { _ in try person("500103", born: "19590101", male: false) }
    let a = records["A"]!
    try tag(a[0], "hypertension")
    try tag(a[1], "hypertension")
    try tag(a[2], "diabetes")
    // An ended tag is no longer in the set.
    try tag(a[3], "tuberculosis")
    try fixture.update(["record_no": .string(a[3]), "tag": ["code": "tuberculosis", "ended": "2026-11-01"]], by: "admin-city")
    try tag(records["D"]![0], "diabetes")

    let secret = try person("500103", born: "19540310", male: true)
    try tag(secret, "severe_mental_disorder")
    let followed = try person("500103", born: "19940501", male: false)
    try fixture.update(
      ["record_no": .string(followed), "service": ["type": "mental_followup", "date": "2026-10-01", "org": "500103001"]],
      by: "admin-city")
    restricted = [secret, followed]

    // Two consultations in March; one is corrected to April and to a health check.
    try service(a[0], "consultation", "2026-03-05")
    let corrected = try service(a[0], "consultation", "2026-03-20")
    try service(a[0], "hypertension_followup", "2026-03-20")
    try fixture.amend(
      [
        "service_id": .int(corrected), "changes": ["date": "2026-04-02", "type": "health_exam"], "reason": "录入错误",
        "approved_by": "admin-yz",
      ],
      by: "admin-city")
  }

  /// Creates a person of district `area` with an ID number encoding the birth date and sex.
  func person(_ area: String, born: String, male: Bool) throws -> String {
    sequence += 1
    let serial = String(format: "%02d", sequence) + (male ? "1" : "2")
    let id = ServiceFixture.id(area + born + serial)
    let division = area == "500106" ? "500106001001" : "500103001001"
    return try fixture.create([
      "id_number": .string(id), "name": .string("测试\(sequence)"), "division": .string(division),
      "org": .string(area + "001"), "created_on": "2026-01-05",
    ])
  }

  func tag(_ recordNo: String, _ code: String) throws {
    try fixture.update(
      ["record_no": .string(recordNo), "tag": ["code": .string(code), "since": "2026-01-10"]], by: "admin-city")
  }

  @discardableResult
  func service(_ recordNo: String, _ type: String, _ date: String) throws -> Int {
    let out = try fixture.update(
      ["record_no": .string(recordNo), "service": ["type": .string(type), "date": .string(date), "org": "500103001"]],
      by: "admin-city")
    return out["service_id"]!.intValue!
  }

  /// Grants approval `ref` to researcher-1 over the city.
  func approve(_ ref: String = "CQ-RES-1", scope: String = "city") throws {
    let session = try fixture.session("admin-city")
    try fixture.store.write { db in _ = try ApprovalDesk.approve(approvalLine(ref: ref, scope: scope), session: session, in: db) }
  }

  /// Runs the export as `operatorID` with `k` and `l`; returns the report and the records.
  func export(
    k: Int = 3, l: Int? = nil, key: PseudonymKey? = nil, operatorID: String = "researcher-1", ref: String = "CQ-RES-1"
  ) throws -> (DisclosureReport, [DeidentifiedRecord]) {
    var configuration = fixture.configuration
    configuration.export = ExportSettings(k: k, ageBandYears: 5, l: l)
    let session = try Session(configuration: configuration, operatorID: operatorID, today: LocalDate("2026-11-26")!)
    var out: [DeidentifiedRecord] = []
    let report = try fixture.store.exportDeidentified(ref: ref, session: session, key: key ?? self.key) { out.append($0) }
    return (report, out)
  }
}

@Suite("De-identified export")
struct DeidentificationTests {
  @Test("k = 3: the report's counts and risks are the ones worked out by hand")
  func reportWithK() throws {
    let population = try HandWorkedPopulation()
    try population.approve()
    let (report, records) = try population.export(k: 3)
    // Released: A (4), B (3), D (12); C (2) is below k; two restricted records are left out.
    #expect(report.exported == 19 && report.suppressedK == 2 && report.suppressedL == 0 && report.restrictedExcluded == 2)
    #expect(report.classes == 3 && report.smallestClass == 3)
    #expect(report.maxRisk == 1.0 / 3)
    #expect(report.meanRisk == 3.0 / 19)
    // Classes of 4 and 3 are over 0.09 (1/4, 1/3); 1/12 is not.
    #expect(report.shareOver009 == 7.0 / 19)
    #expect(report.k == 3 && report.l == nil && report.purpose == "高血压管理效果研究")
    #expect(records.count == 19)
    #expect(records.map(\.pseudonym) == records.map(\.pseudonym).sorted(), "records come in pseudonym order")
    #expect(
      report.json.compact
        == #"{"exported":19,"suppressed_k":2,"suppressed_l":0,"restricted_excluded":2,"k":3,"l":null,"classes":3,"smallest_class":3,"max_risk":0.3333333333333333,"mean_risk":0.15789473684210525,"share_over_0_09":0.3684210526315789,"purpose":"高血压管理效果研究"}"#
    )
  }

  @Test("l = 2: a class of one tag set is suppressed and counted apart from k")
  func reportWithL() throws {
    let population = try HandWorkedPopulation()
    try population.approve()
    let (report, records) = try population.export(k: 3, l: 2)
    // B has one tag set (none): suppressed by l. A (3 sets) and D (2 sets) are released.
    #expect(report.exported == 16 && report.suppressedK == 2 && report.suppressedL == 3 && report.restrictedExcluded == 2)
    #expect(report.classes == 2 && report.smallestClass == 4)
    #expect(report.maxRisk == 0.25 && report.meanRisk == 2.0 / 16 && report.shareOver009 == 4.0 / 16)
    var classes: [String: (count: Int, tagSets: Set<[String]>)] = [:]
    for record in records {
      let label = "\(record.district) \(record.sex) \(record.ageBand)"
      classes[label, default: (0, [])].count += 1
      classes[label]!.tagSets.insert(record.tags)
    }
    #expect(classes.mapValues(\.count) == ["500103 1 70-74": 4, "500103 2 65-69": 12])
    for (label, value) in classes { #expect(value.tagSets.count >= 2, "\(label)") }
  }

  @Test("Each record carries its set tags in force and its services by month, amendments at their corrected date and type")
  func recordContents() throws {
    let population = try HandWorkedPopulation()
    try population.approve()
    let (_, records) = try population.export(k: 3)
    let a = population.records["A"]!
    let first = try #require(records.first { $0.pseudonym == population.key.pseudonym(of: a[0]) })
    #expect(first.ageBand == "70-74" && first.sex == 1 && first.district == "500103" && first.status == "active")
    #expect(first.tags == ["hypertension"])
    #expect(
      first.services.map { "\($0.month) \($0.type) \($0.count)" } == [
        "2026-03 consultation 1", "2026-03 hypertension_followup 1", "2026-04 health_exam 1",
      ])
    var line: [UInt8] = []
    first.writeJSONLine(to: &line)
    #expect(String(decoding: line, as: UTF8.self) == first.output.compact + "\n")
    let ended = try #require(records.first { $0.pseudonym == population.key.pseudonym(of: a[3]) })
    #expect(ended.tags.isEmpty, "an ended tag is not in force")
    let pseudonyms = Set(records.map(\.pseudonym))
    for recordNo in population.restricted { #expect(!pseudonyms.contains(population.key.pseudonym(of: recordNo))) }
    for recordNo in population.records["C"]! { #expect(!pseudonyms.contains(population.key.pseudonym(of: recordNo))) }
  }

  @Test("An approval of one district exports that district only")
  func districtScope() throws {
    let population = try HandWorkedPopulation()
    try population.approve("SPB-1", scope: "500106")
    let (report, records) = try population.export(k: 2, ref: "SPB-1")
    #expect(report.exported == 2 && report.restrictedExcluded == 0 && report.classes == 1)
    #expect(Set(records.map(\.district)) == ["500106"])
  }

  @Test("A refused export prints nothing and keeps its denial; a granted one keeps its report in the trail")
  func refusalsAreAudited() throws {
    let population = try HandWorkedPopulation()
    try population.approve()
    #expect(throws: DeidRefusal.notFound(ref: "NONE")) { try population.export(ref: "NONE") }
    #expect(throws: DeidRefusal.outOfScope(ref: "CQ-RES-1", scope: "city", operatorID: "admin-yz")) {
      try population.export(operatorID: "admin-yz")
    }
    #expect(try population.fixture.auditCount("export.deid", outcome: "denied") == 2)
    _ = try population.export(k: 3)
    let detail: String? = try population.fixture.scalar(
      "SELECT detail FROM audit_event WHERE action = 'export.deid' AND outcome = 'ok'")
    let object = try JSONParser.parseObject(Array(try #require(detail).utf8))
    #expect(object["exported"] == 19 && object["ref"] == "CQ-RES-1" && object["purpose"] == "高血压管理效果研究")
  }

  @Test("The same store, key and approval give the same records; another key gives other pseudonyms")
  func deterministic() throws {
    let population = try HandWorkedPopulation()
    try population.approve()
    let (_, first) = try population.export()
    let (_, second) = try population.export()
    #expect(first == second)
    let other = try PseudonymKey(bytes: Array(repeating: 0x5a, count: 32))
    let (_, third) = try population.export(key: other)
    #expect(Set(first.map(\.pseudonym)).isDisjoint(with: third.map(\.pseudonym)))
  }

  @Test(
    "The age band counted in SQL is LocalDate.age's, birthdays and 29 February included",
    arguments: ["1956-11-26", "1956-11-27", "1960-02-29", "2021-11-26", "2021-11-27", "2026-01-01"])
  func ageBandMatchesAge(birth: String) throws {
    let fixture = try ServiceFixture()
    var configuration = fixture.configuration
    configuration.export = ExportSettings(k: 2, ageBandYears: 5)
    let today = LocalDate("2026-02-28")!
    let plan = Deidentification(scope: .city, settings: configuration.export, today: today)
    for index in 1...2 {
      try fixture.create([
        "birth_cert_no": .string("A00000000\(index)"), "name": .string("婴儿\(index)"), "sex": 1, "birth_date": .string(birth),
        "division": "500103001001", "org": "500103001", "created_on": "2026-01-05",
      ])
    }
    let key = try PseudonymKey(bytes: Array(repeating: 0x5a, count: 32))
    let counts = try fixture.store.read { db in try plan.prepare(in: db, key: key) }.counts
    let age = max(0, LocalDate(birth)!.age(on: today))
    #expect(counts.keys.map(\.ageBandStart) == [age / 5 * 5])
  }

  @Test("The pseudonym is HMAC-SHA256 of the record number, as openssl dgst -sha256 -hmac computes it, call after call")
  func pseudonymIsStandardHMAC() throws {
    let key = try PseudonymKey(bytes: Array("an example key of 32 bytes or more, for tests".utf8))
    let expected = "686624860a4c804dc681c87d8a46ae87fcb1d4d15112ecb08e338d4a27c6bafa"
    #expect(key.pseudonym(of: "50010300100100001") == expected)
    #expect(key.pseudonym(of: "50010300100100002") != expected)
    #expect(key.pseudonym(of: "50010300100100001") == expected, "the keyed state is copied, never consumed")
  }

  @Test(
    "The pseudonym is swift-crypto's own HMAC-SHA256, for keys shorter than, as long as and longer than a block",
    arguments: [32, 63, 64, 65, 200])
  func pseudonymMatchesHMAC(keyLength: Int) throws {
    let keyBytes = (0..<keyLength).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
    let key = try PseudonymKey(bytes: keyBytes)
    for recordNo in ["", "5", "50010300100100001", String(repeating: "9", count: 200)] {
      let expected = HMAC<SHA256>.authenticationCode(for: Array(recordNo.utf8), using: SymmetricKey(data: keyBytes))
      #expect(key.pseudonym(of: recordNo) == Array(expected).map { String(format: "%02x", $0) }.joined(), "\(recordNo)")
    }
  }

  @Test("The key file is refused when missing, short or open to others, and no message shows its bytes")
  func keyFileRules() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hr-key-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let secret = "SECRET-KEY-MATERIAL-0123456789abcdef"
    func keyFile(_ name: String, _ text: String, mode: Int) throws -> String {
      let path = directory.appendingPathComponent(name).path
      try text.write(toFile: path, atomically: false, encoding: .utf8)
      try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
      return path
    }
    let good = try keyFile("good.key", secret, mode: 0o600)
    let short = try keyFile("short.key", "SECRET-short", mode: 0o600)
    let open = try keyFile("open.key", secret, mode: 0o640)
    let key = try PseudonymKey(file: good)
    #expect(
      key.pseudonym(of: "50010300100100001") == (try PseudonymKey(bytes: Array(secret.utf8))).pseudonym(of: "50010300100100001"))
    #expect(key.pseudonym(of: "50010300100100001").count == 64)
    let cases: [(String?, PseudonymKeyError)] = [
      (nil, .notConfigured), (short, .tooShort(path: short, bytes: 12)), (open, .exposed(path: open, mode: 0o640)),
    ]
    for (path, expected) in cases {
      #expect(throws: expected) { try PseudonymKey(file: path) }
      #expect(!expected.description.contains("SECRET"))
    }
    do {
      _ = try PseudonymKey(file: directory.appendingPathComponent("missing.key").path)
      Issue.record("a missing key file was accepted")
    } catch {
      guard case .unreadable = error else {
        Issue.record("\(error)")
        return
      }
    }
  }
}
