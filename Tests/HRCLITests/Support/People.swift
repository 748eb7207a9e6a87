import HRCore
import HRFixtures
import HRLines

extension Sandbox {
  /// The organisations of `examples/hr.yaml` over which generated residents are spread.
  static let examplePlaces: [Population.Place] = [
    .init(org: "500103001", district: "500103"), .init(org: "500103002", district: "500103"),
    .init(org: "500106001", district: "500106"), .init(org: "500112001", district: "500112"),
    .init(org: "500229001", district: "500229"),
  ]

  /// `count` generated residents as `hr-create` input, the same for the same seed.
  static func people(
    _ count: Int, seed: UInt64 = 7, today: String = "2026-11-26", birthCertificates: Double = 0,
    places: [Population.Place] = examplePlaces
  ) -> String {
    Population(count: count, seed: seed, places: places, today: LocalDate(today)!, birthCertificateShare: birthCertificates)
      .map { JSONValue.object($0).compact + "\n" }.joined()
  }
}
