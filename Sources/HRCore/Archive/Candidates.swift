import GRDB
import HRLines

extension Store {
  /// Lists the active records whose last service or contact (or creation) is at least
  /// `lost_after_days` old, by record number: the work list of residents to try to reach before a
  /// record may be archived as lost (annex 1, 六(一)1). Each item is
  /// `{"record_no","managing_org","last_contact","days_since"}`, which pipes into `hr-archive lost`.
  ///
  /// The listing covers `coverage`, the records the operator may archive narrowed by `--org` or
  /// `--district` (`Session.coverage(for:org:district:)`). It is audited once per run
  /// (`record.candidates`, with the coverage and the count), because it names residents who are
  /// not being served; the event commits before the first item is handed to `each`, so no item is
  /// ever shown unaudited. The items are then read in chunks of `chunk`, each in its own read
  /// transaction that ends before the chunk goes to `each`: a listing left open in a pager neither
  /// holds the write lock nor a snapshot that keeps the write-ahead log from being checkpointed.
  /// A record changed meanwhile shows as it is when its chunk is read.
  ///
  /// Few candidates are found through `record_by_last_contact` and each chunk is sorted by number.
  /// With more than `sortedChunks` chunks of them, that would sort every candidate after a chunk
  /// for each chunk, a cost that grows with the square of their number: the chunks are then read
  /// along the table's own order of record numbers, the conditions kept from the indexes by a
  /// unary `+`, so that the whole listing reads the table once.
  @discardableResult
  package func archiveCandidates(
    _ coverage: Coverage, session: Session, chunk: Int = 1000, sortedChunks: Int = 64,
    each: (JSONObject) throws -> Void
  ) throws -> Int {
    let today = session.today
    // Before 1000-01-01 there is no date, so no contact is older than that cutoff.
    let cutoff = today.adding(days: -session.configuration.rules.lostAfterDays) ?? LocalDate.earliest
    var detail = coverage.detail
    detail["last_contact_on_or_before"] = .string(cutoff.description)
    let scope = coverage.recordFilter(alias: "record")
    let conditions = Self.candidateConditions(scope: scope.sql).joined(separator: " AND ")
    let arguments: StatementArguments = [cutoff] + scope.arguments

    let count = try write { db in
      let count =
        try Int.fetchOne(
          db.cachedStatement(sql: "SELECT count(*) FROM record WHERE \(conditions)"), arguments: arguments) ?? 0
      detail["count"] = .int(count)
      try AuditTrail.append(AuditEntry(action: "record.candidates", recordNo: nil, detail: detail), by: session.staff, in: db)
      return count
    }
    let chunkSQL = Self.candidateChunkSQL(scope: scope.sql, byNumber: count > sortedChunks * chunk)
    var listed = 0
    var after = ""
    while true {
      let items = try read { db in
        let rows = try CandidateRow.fetchCursor(
          db.cachedStatement(sql: chunkSQL),
          arguments: arguments + [after, chunk])
        var items: [(recordNo: String, item: JSONObject)] = []
        while let row = try rows.next() {
          items.append(
            (
              row.recordNo,
              [
                "record_no": .string(row.recordNo), "managing_org": .string(row.managingOrg),
                "last_contact": .string(row.lastContact.description),
                "days_since": .int(today.days(since: row.lastContact)),
              ]
            ))
        }
        return items
      }
      for item in items { try each(item.item) }
      listed += items.count
      guard items.count == chunk, let last = items.last else { return listed }
      after = last.recordNo
    }
  }
}

extension Store {
  /// What makes an archive candidate within `scope`: an active record not contacted since the
  /// cutoff, the one argument besides the scope's (annex 1, 六(一)1).
  static func candidateConditions(scope: String) -> [String] {
    ["status = 'active'", "last_contact <= ?", scope]
  }

  /// The query of a chunk of candidates after a record number, within `scope` (its arguments are
  /// the cutoff, the scope's, the last number listed and the chunk's size); `byNumber` keeps every
  /// condition but the record number from the indexes, so that SQLite reads along the table's order.
  package static func candidateChunkSQL(scope: String, byNumber: Bool) -> String {
    let conditions = candidateConditions(scope: scope).map { byNumber ? "+(\($0))" : $0 }.joined(separator: " AND ")
    return """
      SELECT record_no, managing_org, last_contact FROM record
      WHERE \(conditions) AND record_no > ?
      ORDER BY record_no LIMIT ?
      """
  }
}

/// A record as the candidates listing prints it, read by column name.
private struct CandidateRow: Decodable, StoredRecord {
  static let storedTable = "record"
  let recordNo, managingOrg: String
  let lastContact: LocalDate

}
