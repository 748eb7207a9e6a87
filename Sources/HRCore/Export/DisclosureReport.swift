import HRLines

/// The quasi-identifiers of a de-identified record: its equivalence class.
package struct EquivalenceClass: Hashable, Sendable {
  /// The lower bound of the age band, in years.
  package var ageBandStart: Int
  /// GB/T 2261.1 sex code.
  package var sex: Int
  /// The managing district's code.
  package var district: String
}

/// How many records an equivalence class holds, and how many distinct health-tag sets they carry.
package struct ClassCount: Equatable, Sendable {
  /// The records of the class.
  package var records: Int
  /// The distinct sets of health tags among them (1 when ℓ-diversity is off).
  package var tagSets: Int
}

/// What a de-identified export released and withheld, and the re-identification risk of what it
/// released (附件2 六): the figures an approver weighs before records leave the register.
///
/// A released record's prosecutor risk is 1 / the size of its class: the chance that someone who
/// knows a person is in the export picks the right row. `share_over_0_09` is the share of released
/// records above 0.09, the threshold the European Medicines Agency uses for public release of
/// clinical data.
package struct DisclosureReport: Equatable, Sendable {
  /// Records printed.
  package var exported: Int
  /// Records withheld because their class holds fewer than `k` records.
  package var suppressedK: Int
  /// Records withheld because their class, large enough, carries fewer than `l` distinct tag sets.
  package var suppressedL: Int
  /// Restricted records (开放限制), never exported.
  package var restrictedExcluded: Int
  /// The smallest class size applied.
  package var k: Int
  /// The fewest distinct tag sets per class applied, nil when ℓ-diversity is off.
  package var l: Int?
  /// Released classes.
  package var classes: Int
  /// The size of the smallest released class; nil when nothing is released.
  package var smallestClass: Int?
  /// The highest prosecutor risk of a released record: 1 / the smallest class (0 when none).
  package var maxRisk: Double
  /// The mean prosecutor risk over the released records (0 when none).
  package var meanRisk: Double
  /// The share of released records whose risk exceeds `riskThreshold` (0 when none).
  package var shareOver009: Double
  /// The approval's purpose.
  package var purpose: String

  /// The risk above which a record counts in `share_over_0_09`.
  package static let riskThreshold = 0.09

  /// Decides which classes are released and works out the report from the class counts alone.
  package init(counts: [EquivalenceClass: ClassCount], restrictedExcluded: Int, k: Int, l: Int?, purpose: String) {
    var exported = 0, suppressedK = 0, suppressedL = 0, classes = 0, overThreshold = 0
    var smallest: Int?
    for count in counts.values {
      if count.records < k {
        suppressedK += count.records
      } else if let l, count.tagSets < l {
        suppressedL += count.records
      } else {
        exported += count.records
        classes += 1
        smallest = min(smallest ?? count.records, count.records)
        if 1 / Double(count.records) > Self.riskThreshold { overThreshold += count.records }
      }
    }
    self.exported = exported
    self.suppressedK = suppressedK
    self.suppressedL = suppressedL
    self.restrictedExcluded = restrictedExcluded
    self.k = k
    self.l = l
    self.classes = classes
    self.smallestClass = smallest
    // Every record of a class of n carries risk 1/n, so the risks of a class sum to 1 and the mean
    // over the released records is the number of classes over the number of records.
    self.maxRisk = smallest.map { 1 / Double($0) } ?? 0
    self.meanRisk = exported == 0 ? 0 : Double(classes) / Double(exported)
    self.shareOver009 = exported == 0 ? 0 : Double(overThreshold) / Double(exported)
    self.purpose = purpose
  }

  /// Whether the records of a class with this count are released.
  package static func releases(_ count: ClassCount, k: Int, l: Int?) -> Bool {
    count.records >= k && count.tagSets >= (l ?? 0)
  }

  /// The report as `--report` writes it and the audit event carries it, keys in this fixed order.
  package var json: JSONObject {
    [
      "exported": .int(exported), "suppressed_k": .int(suppressedK), "suppressed_l": .int(suppressedL),
      "restricted_excluded": .int(restrictedExcluded), "k": .int(k), "l": l.map(JSONValue.int) ?? .null,
      "classes": .int(classes), "smallest_class": smallestClass.map(JSONValue.int) ?? .null, "max_risk": .double(maxRisk),
      "mean_risk": .double(meanRisk), "share_over_0_09": .double(shareOver009), "purpose": .string(purpose),
    ]
  }
}
