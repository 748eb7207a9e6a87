import GRDB
import HRLines

/// One record as a de-identified export prints it: a keyed pseudonym, the quasi-identifiers
/// generalised (age band, sex, district), its status, its set health tags, and its service types by
/// year-month. No direct identifier (附件2 六): no name, identifier, certificate number, phone,
/// address, emergency contact or record number.
package struct DeidentifiedRecord: Equatable, Sendable {
  /// Hex HMAC-SHA256 of the record number under the export key.
  package var pseudonym: String
  /// The age band today, e.g. `65-69`.
  package var ageBand: String
  /// GB/T 2261.1 sex code.
  package var sex: Int
  /// The managing district's code.
  package var district: String
  /// `active`, or the archive reason (`lost`, `deceased`, `moved_out`).
  package var status: String
  /// The set tags in force, sorted. The age tags (`elderly`, `child_0_6`) are left out: they only
  /// restate the age band, or split it finer than the band (`child_0_6` cuts 5–9 in two).
  package var tags: [String]
  /// Services counted by year-month and type, in that order; an amended service counts at its
  /// amended date and type.
  package var services: [(month: String, type: String, count: Int)]

  /// The keys of every printed record, in order.
  package static let outputKeys = ["pseudonym", "age_band", "sex", "district", "status", "tags", "services"]

  /// The record as printed.
  package var output: JSONObject {
    [
      "pseudonym": .string(pseudonym), "age_band": .string(ageBand), "sex": .int(sex), "district": .string(district),
      "status": .string(status), "tags": .array(tags.map(JSONValue.string)),
      "services": .array(services.map { ["month": .string($0.month), "type": .string($0.type), "count": .int($0.count)] }),
    ]
  }

  /// Appends the record as one compact JSON line, byte for byte what `output` prints, without
  /// building the object: a research export writes a million of them.
  package func writeJSONLine(to buffer: inout [UInt8]) {
    buffer.append(contentsOf: #"{"pseudonym":"#.utf8)
    JSONWriter.writeString(pseudonym, to: &buffer)
    buffer.append(contentsOf: #","age_band":"#.utf8)
    JSONWriter.writeString(ageBand, to: &buffer)
    buffer.append(contentsOf: #","sex":"#.utf8)
    buffer.append(contentsOf: String(sex).utf8)
    buffer.append(contentsOf: #","district":"#.utf8)
    JSONWriter.writeString(district, to: &buffer)
    buffer.append(contentsOf: #","status":"#.utf8)
    JSONWriter.writeString(status, to: &buffer)
    buffer.append(contentsOf: #","tags":["#.utf8)
    for (index, tag) in tags.enumerated() {
      if index > 0 { buffer.append(UInt8(ascii: ",")) }
      JSONWriter.writeString(tag, to: &buffer)
    }
    buffer.append(contentsOf: #"],"services":["#.utf8)
    for (index, service) in services.enumerated() {
      buffer.append(contentsOf: index > 0 ? #",{"month":"#.utf8 : #"{"month":"#.utf8)
      JSONWriter.writeString(service.month, to: &buffer)
      buffer.append(contentsOf: #","type":"#.utf8)
      JSONWriter.writeString(service.type, to: &buffer)
      buffer.append(contentsOf: #","count":"#.utf8)
      buffer.append(contentsOf: String(service.count).utf8)
      buffer.append(UInt8(ascii: "}"))
    }
    buffer.append(contentsOf: "]}\n".utf8)
  }

  /// Two records are equal when they print the same.
  package static func == (lhs: Self, rhs: Self) -> Bool { lhs.output == rhs.output }
}

/// The de-identified export's plan (附件2 六): one scan of the store counts the equivalence classes
/// and puts the records in pseudonym order (`PseudonymOrder`, bounded memory), so that the records
/// of the released classes can be streamed once the suppressed ones are known, and the order
/// reveals nothing of the record numbers.
package struct Deidentification: Sendable {
  /// Whose records: the approval's scope.
  package let scope: ApprovalScope
  /// `k`, `l` and the age band width.
  package let settings: ExportSettings
  /// The day ages are counted to.
  package let today: LocalDate

  /// The label of the age band starting at `start`: `65-69` for bands of 5 years, `65` for bands of one.
  package func ageBand(startingAt start: Int) -> String {
    settings.ageBandYears == 1 ? "\(start)" : "\(start)-\(start + settings.ageBandYears - 1)"
  }

  /// Reads the export in one pass over the store: counts the equivalence classes of the
  /// non-restricted records in scope (with `export.l`, their distinct tag sets too) and the
  /// restricted records left out, and puts every record in pseudonym order under `key`.
  package func prepare(in db: Database, key: PseudonymKey) throws -> PreparedExport {
    var export = PreparedExport(plan: self)
    var classIndex: [EquivalenceClass: Int] = [:]
    var sizes: [Int] = []
    var tagSets: [Set<[String]>] = []
    try scan(in: db) { record in
      let index: Int
      if let known = classIndex[record.equivalenceClass] {
        index = known
      } else {
        index = export.classes.count
        export.classes.append(record.equivalenceClass)
        classIndex[record.equivalenceClass] = index
        sizes.append(0)
        tagSets.append([])
      }
      sizes[index] += 1
      if settings.l != nil { tagSets[index].insert(record.tags) }
      try export.order.add(pseudonym: key.digest(of: record.recordNo), classIndex: index, record)
    }
    for (index, equivalenceClass) in export.classes.enumerated() {
      export.counts[equivalenceClass] = ClassCount(records: sizes[index], tagSets: settings.l == nil ? 1 : tagSets[index].count)
    }
    export.restricted =
      try Int.fetchOne(
        db.cachedStatement(
          sql: "SELECT count(*) FROM record r WHERE \(scopeCondition) AND r.status <> 'purging' AND r.restricted = 1"),
        arguments: arguments) ?? 0
    return export
  }

  /// The records an export may consider: in scope, not being purged, not restricted (开放限制).
  var inScope: String { "\(scopeCondition) AND r.status <> 'purging' AND r.restricted = 0" }

  private var scopeCondition: String {
    switch scope {
    case .city: "1"
    case .district: "r.managing_district = :district"
    }
  }

  var arguments: StatementArguments {
    var arguments: [String: (any DatabaseValueConvertible)?] = [
      "year": today.year, "monthDay": String(today.description.dropFirst(5)), "width": settings.ageBandYears,
    ]
    if case .district(let code) = scope { arguments["district"] = code }
    return StatementArguments(arguments)
  }

  /// The start of the age band of `r.birth_date` on today: the age as `LocalDate.age(on:)` counts
  /// it (a birthday not reached yet this year takes one off), rounded down to the band width.
  static let bandSQL = """
    (max(0, :year - CAST(substr(r.birth_date, 1, 4) AS INTEGER) - (substr(r.birth_date, 6, 5) > :monthDay)) / :width * :width)
    """
}

/// A de-identified export read from the store and put in pseudonym order, waiting for the
/// suppressed classes to be known before anything is released.
package struct PreparedExport {
  let plan: Deidentification
  /// Every equivalence class with its size and number of distinct tag sets.
  package var counts: [EquivalenceClass: ClassCount] = [:]
  /// The restricted records in scope, left out of the export.
  package var restricted = 0
  /// The classes in the order the scan met them; a record in `order` names its class by index.
  var classes: [EquivalenceClass] = []
  var order = PseudonymOrder()

  /// Calls `body` with every record of a class not in `suppressed`, in pseudonym order; returns
  /// their number.
  package mutating func forEachReleased(
    suppressed: Set<EquivalenceClass>, _ body: (DeidentifiedRecord) throws -> Void
  ) throws -> Int {
    let released = classes.map { !suppressed.contains($0) }
    let bands = classes.map { plan.ageBand(startingAt: $0.ageBandStart) }
    var count = 0
    try order.forEach { entry in
      guard released[entry.classIndex] else { return }
      let equivalenceClass = classes[entry.classIndex]
      try body(
        DeidentifiedRecord(
          pseudonym: entry.pseudonym.hexString, ageBand: bands[entry.classIndex], sex: equivalenceClass.sex,
          district: equivalenceClass.district, status: entry.status, tags: entry.tags, services: entry.services))
      count += 1
    }
    return count
  }
}
