/// 转迁保护期: the days after a completed transfer during which the record may not be transferred
/// again (annex 1, 四(三)6).
///
/// The regulation counts full days: "自转迁成功之日起满 180 天". A transfer completed on day D with a
/// period of N days protects the record on D … D+N−1; a new request is accepted from D+N, the day
/// the record carries as `protected_until`. A period of 0 days protects nothing.
package struct ProtectionPeriod: Sendable, Equatable, CustomStringConvertible {
  /// The number of full days that must pass after completion.
  package let days: Int

  /// A period of `days` full days (a negative count is no period).
  package init(days: Int) {
    self.days = max(0, days)
  }

  /// The period that follows a completed transfer of `kind` into `district`: the city's
  /// `cross_district_protection_days` across districts (six months, 180 days), else the
  /// district's own `intra_district_protection_days`, which each district sets for itself
  /// ("区县内居民档案转迁保护期由各区县结合实际自行制定"), falling back to the city default.
  package init(after kind: TransferKind, into district: String, configuration: Configuration) {
    switch kind {
    case .crossDistrict: self.init(days: configuration.rules.crossDistrictProtectionDays)
    case .intraDistrict: self.init(days: configuration.intraDistrictProtectionDays(for: district))
    }
  }

  /// The first day a new request is accepted after a transfer completed on `completion`, or nil
  /// when the period is empty and the record is not protected at all, or when that day would fall
  /// past 9999-12-31 (the transfers refuse such a completion).
  package func end(afterCompletionOn completion: LocalDate) -> LocalDate? {
    days == 0 ? nil : completion.adding(days: days)
  }

  /// Whether a request made on `day` falls inside a protection that ends on `protectedUntil`.
  package static func protects(until protectedUntil: LocalDate?, on day: LocalDate) -> Bool {
    guard let protectedUntil else { return false }
    return day < protectedUntil
  }

  package var description: String { "\(days) days" }
}
