import GRDB
import HRLines

extension Archive {
  /// The latest `--before` date a purge may name on `today`: archived records are kept at least
  /// `retention_years` (annex 1, 六(二)4: 已保存归档的档案至少保存 15 年).
  package static func latestPurgeDate(today: LocalDate, rules: Rules) -> LocalDate {
    // A retention reaching back past the first year a date may have keeps everything: no record
    // was archived before 1000-01-01.
    today.adding(years: -rules.retentionYears) ?? LocalDate.earliest
  }

  /// The tables that hold a record's own rows, in the order a purge empties them (amendments before
  /// the services they amend). The audit trail is not among them: it is never deleted.
  static let purgedTables = [
    "amendment", "service", "tag", "contract", "contact", "record_history", "archive_event", "transfer", "identifier",
  ]
}

extension Store {
  /// Deletes every record archived before `before`, once `before` lies at least `retention_years`
  /// in the past (annex 1, 六(二)4); otherwise nothing is deleted and the run ends with
  /// `ArchiveError.withinRetention`, kept in the audit trail as a rejected `record.purge`.
  ///
  /// Each record is first marked `purging` (the only state in which the append-only tables let
  /// its rows go), then its rows, identifiers and transfers are deleted, then the record, and one
  /// `record.purge` audit event is appended for it. The division's sequence is left alone, so a
  /// record number is never given again (hr(7) THE RECORD). Records go in batches of `batchSize`, each one
  /// transaction; `each` receives a batch's output lines, `{"record_no","status":"purged",
  /// "archive_reason","archived_on"}`, once it has committed. Returns the number purged.
  @discardableResult
  package func purgeArchived(
    before: LocalDate, session: Session, batchSize: Int = 500, dryRun: Bool = false,
    each: ([JSONObject]) throws -> Void
  ) throws -> Int {
    try session.require(.purge, for: "hr-archive purge")
    let rules = session.configuration.rules
    let latest = Archive.latestPurgeDate(today: session.today, rules: rules)
    guard before <= latest else {
      if !dryRun {
        _ = try write { db in
          try AuditTrail.append(
            AuditEntry(
              action: "record.purge", recordNo: nil, outcome: .rejected,
              detail: ["before": .string(before.description), "latest_allowed": .string(latest.description)]),
            by: session.staff, in: db)
        }
      }
      throw ArchiveError.withinRetention(before: before, latestAllowed: latest, years: rules.retentionYears)
    }

    var after = (archivedOn: "", recordNo: "")
    var purged = 0
    while true {
      let batch = try write(commit: !dryRun) { db in
        let rows = try PurgedRecord.fetchAll(
          db.cachedStatement(
            sql: """
              SELECT record_no, archive_reason, archived_on FROM record
              WHERE status = 'archived' AND archived_on < ? AND (archived_on, record_no) > (?, ?)
              ORDER BY archived_on, record_no LIMIT ?
              """),
          arguments: [before, after.archivedOn, after.recordNo, batchSize])
        var lines: [JSONObject] = []
        for row in rows {
          let (recordNo, reason, archivedOn) = (row.recordNo, row.archiveReason, row.archivedOn)
          try Archive.purge(recordNo, in: db)
          try AuditTrail.append(
            AuditEntry(
              action: "record.purge", recordNo: recordNo,
              detail: [
                "archive_reason": .string(reason), "archived_on": .string(archivedOn), "before": .string(before.description),
              ]),
            by: session.staff, in: db)
          lines.append([
            "record_no": .string(recordNo), "status": "purged", "archive_reason": .string(reason),
            "archived_on": .string(archivedOn),
          ])
          after = (archivedOn, recordNo)
        }
        return lines
      }
      if batch.isEmpty { break }
      purged += batch.count
      try each(batch)
    }
    return purged
  }
}

extension Archive {
  /// Deletes one archived record and every row that belongs to it, in the caller's transaction.
  static func purge(_ recordNo: String, in db: Database) throws {
    try db.cachedStatement(sql: "UPDATE record SET status = 'purging' WHERE record_no = ? AND status = 'archived'")
      .execute(arguments: [recordNo])
    for table in purgedTables {
      try db.cachedStatement(sql: "DELETE FROM \(table) WHERE record_no = ?").execute(arguments: [recordNo])
    }
    try db.cachedStatement(sql: "DELETE FROM record WHERE record_no = ? AND status = 'purging'").execute(arguments: [recordNo])
  }
}

/// A record that `purge` deletes, as its output line and audit event name it, dates as stored.
private struct PurgedRecord: Decodable, StoredRecord {
  static let storedTable = "record"
  let recordNo, archiveReason, archivedOn: String

}
