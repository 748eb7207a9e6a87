import Foundation
import HRFixtures
import HRTestSupport
import Testing

@testable import HRCore

@Suite("Pseudonym order: the export's records sorted in runs and merged")
struct PseudonymOrderTests {
  /// `count` records with pseudonyms drawn from a seeded generator, each with a status, tags and
  /// services that tell it apart.
  static func records(_ count: Int, seed: UInt64) -> [(pseudonym: [UInt8], classIndex: Int, record: ScannedRecord)] {
    var random = SplitMix64(seed: seed)
    return (0..<count).map { index in
      let pseudonym = (0..<32).map { _ in UInt8(random.next(below: 256)) }
      let record = ScannedRecord(
        recordNo: String(index), equivalenceClass: EquivalenceClass(ageBandStart: 5 * (index % 19), sex: 1, district: "500103"),
        status: ["active", "lost", "deceased"][index % 3], tags: index % 4 == 0 ? ["diabetes", "hypertension"] : [],
        services: (0..<(index % 5)).map { (month: "2026-0\(1 + $0)", type: "consultation", count: index + $0) })
      return (pseudonym, index % 7, record)
    }
  }

  @Test(
    "Whether the records fit in one batch or spill into dozens of runs, they come out in pseudonym order, each intact",
    arguments: [16 << 20, 4_096, 200])
  func sortedAndIntact(batchBytes: Int) throws {
    let seed = TestSeed()
    let input = Self.records(3_000, seed: seed.value)
    var order = PseudonymOrder(batchBytes: batchBytes)
    for entry in input { try order.add(pseudonym: entry.pseudonym, classIndex: entry.classIndex, entry.record) }
    var output: [PseudonymOrder.Entry] = []
    try order.forEach { output.append($0) }

    let expected = input.sorted { $0.pseudonym.lexicographicallyPrecedes($1.pseudonym) }
    #expect(output.count == expected.count, "seed \(seed)")
    for (got, want) in zip(output, expected) {
      #expect(Array(got.pseudonym) == want.pseudonym, "seed \(seed)")
      #expect(
        got.classIndex == want.classIndex && got.status == want.record.status && got.tags == want.record.tags, "\(seed)")
      #expect(
        got.services.map { "\($0.month) \($0.type) \($0.count)" }
          == want.record.services.map { "\($0.month) \($0.type) \($0.count)" }, "\(seed)")
    }
  }
}
