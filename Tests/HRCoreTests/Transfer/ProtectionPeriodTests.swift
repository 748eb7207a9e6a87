import Testing

@testable import HRCore

@Suite("Protection period (转迁保护期)")
struct ProtectionPeriodTests {
  /// (period days, completed on, request on, protected?)
  @Test(
    "A request is refused until the period's full days have passed since completion",
    arguments: [
      (180, "2026-01-20", "2026-01-20", true),
      (180, "2026-01-20", "2026-07-18", true),  // day 179
      (180, "2026-01-20", "2026-07-19", false),  // day 180
      (180, "2026-01-20", "2027-01-01", false),
      (90, "2026-03-01", "2026-05-29", true),  // day 89
      (90, "2026-03-01", "2026-05-30", false),  // day 90
      (1, "2026-03-01", "2026-03-01", true),
      (1, "2026-03-01", "2026-03-02", false),
      (0, "2026-03-01", "2026-03-01", false),
      (180, "2027-12-31", "2028-06-27", true),  // over a leap day: day 179
      (180, "2027-12-31", "2028-06-28", false),
    ])
  func requestIsRefusedWithinPeriod(days: Int, completed: String, requested: String, protected: Bool) {
    let until = ProtectionPeriod(days: days).end(afterCompletionOn: .on(completed))
    #expect(ProtectionPeriod.protects(until: until, on: .on(requested)) == protected)
    // The contract's wording: refused until that many full days have passed since completion.
    #expect((LocalDate.on(requested).days(since: .on(completed)) < days) == protected)
  }

  @Test("The period ends on the completion day plus its days, and an empty period on no day")
  func endIsCompletionPlusDays() {
    #expect(ProtectionPeriod(days: 180).end(afterCompletionOn: .on("2026-01-20")) == .on("2026-07-19"))
    #expect(ProtectionPeriod(days: 90).end(afterCompletionOn: .on("2026-12-15")) == .on("2027-03-15"))
    #expect(ProtectionPeriod(days: 0).end(afterCompletionOn: .on("2026-01-20")) == nil)
    #expect(ProtectionPeriod(days: -5).days == 0)
    #expect(ProtectionPeriod.protects(until: nil, on: .on("2026-01-20")) == false)
  }

  @Test(
    "A cross-district transfer protects for the city's days, an intra-district one for the district's own",
    arguments: [
      (TransferKind.crossDistrict, "500103", 180),
      (.crossDistrict, "500106", 180),
      (.intraDistrict, "500103", 90),
      (.intraDistrict, "500112", 30),
      (.intraDistrict, "500106", 0),
    ])
  func periodFollowsKindAndDistrict(kind: TransferKind, district: String, days: Int) throws {
    let configuration = try Configuration.parse(yaml: TransferDesk.yaml, file: "test.yaml")
    #expect(ProtectionPeriod(after: kind, into: district, configuration: configuration).days == days)
  }

  @Test("A district that sets no period takes the city rules' intra-district default")
  func districtWithoutPeriodTakesRulesDefault() throws {
    let configuration = try Configuration.parse(
      yaml: "rules: {intra_district_protection_days: 15, cross_district_protection_days: 200}\n"
        + "districts:\n  \"500103\": {name: 渝中区, intra_district_protection_days: 90}\n",
      file: "test.yaml")
    #expect(ProtectionPeriod(after: .intraDistrict, into: "500106", configuration: configuration).days == 15)
    #expect(ProtectionPeriod(after: .intraDistrict, into: "500103", configuration: configuration).days == 90)
    #expect(ProtectionPeriod(after: .crossDistrict, into: "500103", configuration: configuration).days == 200)
  }
}
