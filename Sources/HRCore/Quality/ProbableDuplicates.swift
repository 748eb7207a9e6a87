import GRDB
import HRLines

/// Two records that are probably one person registered twice under different identifiers — a
/// breach of 一人一档 (annex 1, 二(二)) for someone to review and resolve.
package struct DuplicatePair: Equatable, Sendable {
  /// The lower of the two record numbers.
  package let recordNoA: String
  /// The higher of the two record numbers.
  package let recordNoB: String
  /// How sure the pairing is, from 0.7 to 1 (see `ProbableDuplicates.score`).
  package let score: Double
  /// The evidence, in a fixed order: `same_name`, `same_birth_date`, `same_sex`, `same_mother`,
  /// `same_division`.
  package let reasons: [String]
  /// Who manages each record, and its status: whom to talk to, and whether one is archived.
  package let managingOrgA: String
  /// The status of record A.
  package let statusA: String
  /// The managing organisation of record B.
  package let managingOrgB: String
  /// The status of record B.
  package let statusB: String

  /// `{"record_no_a","record_no_b","score","reasons","managing_org_a","status_a","managing_org_b","status_b"}`.
  package var json: JSONObject {
    [
      "record_no_a": .string(recordNoA), "record_no_b": .string(recordNoB), "score": .double(score),
      "reasons": .array(reasons.map(JSONValue.string)), "managing_org_a": .string(managingOrgA),
      "status_a": .string(statusA), "managing_org_b": .string(managingOrgB), "status_b": .string(statusB),
    ]
  }
}

/// The search for records that are probably one person (hr(7) AUDIT TRAIL, `hr-audit duplicates`).
///
/// A pair is two records with the same name and birth date and either the same sex or the same
/// mother's ID number. Two records are never paired when the evidence says they are two people:
/// both hold an ID number (each number is one person, and the duplicate check already keeps a
/// number to one record), or both are linked to mothers and the mothers differ. Twins — same
/// mother and birth date, different names — never share a name, so they are never a pair
/// (annex 1, 二(四): 多胞胎无证件儿童要通过姓名区分).
package enum ProbableDuplicates {
  /// The score of a pair from its evidence; name and birth date always agree.
  ///
  /// | evidence                                       | score |
  /// | ---------------------------------------------- | ----- |
  /// | same mother, same sex                          | 1.0   |
  /// | same mother, sex differs (an entry error)      | 0.9   |
  /// | same sex, same division (村/居委会)             | 0.8   |
  /// | same sex                                       | 0.7   |
  package static func score(sameSex: Bool, sameMother: Bool, sameDivision: Bool) -> Double {
    switch (sameMother, sameSex, sameDivision) {
    case (true, true, _): 1.0
    case (true, false, _): 0.9
    case (false, _, true): 0.8
    case (false, _, false): 0.7
    }
  }

  /// The query behind the search: one pass over the records, each joined to the records of the
  /// same name and birth date through the `record_by_person` index.
  static func query(coverage: Coverage) -> (sql: String, arguments: StatementArguments) {
    let a = coverage.recordFilter(alias: "a")
    let b = coverage.recordFilter(alias: "b")
    func present(_ column: String) -> String { "ifnull(trim(\(column)), '') <> ''" }
    let sql = """
      SELECT a.record_no, b.record_no AS record_no_b,
        ifnull(a.sex = b.sex, 0) AS same_sex,
        ifnull(\(present("a.mother_id_number")) AND a.mother_id_number = b.mother_id_number, 0) AS same_mother,
        ifnull(a.division = b.division, 0) AS same_division,
        a.managing_org, a.status, b.managing_org AS managing_org_b, b.status AS status_b
      FROM record a
      JOIN record b INDEXED BY record_by_person
        ON b.name = a.name AND b.birth_date = a.birth_date AND b.record_no > a.record_no
      WHERE \(present("a.name"))
        AND (a.sex = b.sex OR (\(present("a.mother_id_number")) AND a.mother_id_number = b.mother_id_number))
        AND NOT (\(present("a.id_number")) AND \(present("b.id_number")))
        AND NOT (\(present("a.mother_id_number")) AND \(present("b.mother_id_number")) AND a.mother_id_number <> b.mother_id_number)
        AND a.status <> 'purging' AND b.status <> 'purging'
        AND (\(a.sql) OR \(b.sql))
      """
    return (sql, a.arguments + b.arguments)
  }

  /// Every pair with at least one record in `coverage` (the other may be managed anywhere: that
  /// is whom to talk to), most certain first, then by record number.
  package static func pairs(coverage: Coverage, in db: Database) throws -> [DuplicatePair] {
    let query = query(coverage: coverage)
    var pairs: [DuplicatePair] = []
    let rows = try PairRow.fetchCursor(db, sql: query.sql, arguments: query.arguments)
    while let row = try rows.next() {
      var reasons = ["same_name", "same_birth_date"]
      if row.sameSex { reasons.append("same_sex") }
      if row.sameMother { reasons.append("same_mother") }
      if row.sameDivision { reasons.append("same_division") }
      pairs.append(
        DuplicatePair(
          recordNoA: row.recordNo, recordNoB: row.recordNoB,
          score: score(sameSex: row.sameSex, sameMother: row.sameMother, sameDivision: row.sameDivision), reasons: reasons,
          managingOrgA: row.managingOrg, statusA: row.status, managingOrgB: row.managingOrgB, statusB: row.statusB))
    }
    pairs.sort { ($1.score, $0.recordNoA, $0.recordNoB) < ($0.score, $1.recordNoA, $1.recordNoB) }
    return pairs
  }
}

/// A pair of records as the search's query gives it, read by column name.
private struct PairRow: Decodable, StoredRecord {
  static let storedTable = "record"
  let recordNo, recordNoB, managingOrg, status, managingOrgB, statusB: String
  let sameSex, sameMother, sameDivision: Bool

}
