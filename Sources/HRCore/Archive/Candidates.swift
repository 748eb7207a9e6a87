import GRDB
import HRLines

extension Store {
  /// Lists the active records whose last service or contact (or creation) is at least
  /// `lost_after_days` old, by record number: the work list of residents to try to reach before a
  /// record may be archived as lost (annex 1, 六(一)1). Each item is
  /// `{"record_no","managing_org","last_contact","days_since"}`, which pipes into `hr-archive lost`;
  /// `each` receives them inside the transaction, which commits once the listing is complete.
  ///
  /// The listing covers `coverage`, the records the operator may archive narrowed by `--org` or
  /// `--district` (`Session.coverage(for:org:district:)`). It is audited once per run
  /// (`record.candidates`, with the coverage and the count), because it names residents who are
  /// not being served.
  @discardableResult
  package func archiveCandidates(_ coverage: Coverage, session: Session, each: (JSONObject) throws -> Void) throws -> Int {
    let today = session.today
    // Before 1000-01-01 there is no date, so no contact is older than that cutoff.
    let cutoff = today.adding(days: -session.configuration.rules.lostAfterDays) ?? LocalDate.earliest
    var detail = coverage.detail
    detail["last_contact_on_or_before"] = .string(cutoff.description)
    let scope = coverage.recordFilter(alias: "record")
    let conditions = ["status = 'active'", "last_contact <= ?", scope.sql]
    let arguments: StatementArguments = [cutoff] + scope.arguments

    return try write { db in
      let rows = try Row.fetchCursor(
        db.cachedStatement(
          sql: """
            SELECT record_no, managing_org, last_contact FROM record
            WHERE \(conditions.joined(separator: " AND "))
            ORDER BY record_no
            """),
        arguments: arguments)
      var count = 0
      while let row = try rows.next() {
        let recordNo: String = try row.stored(0, in: "record", record: nil)
        let lastContact: LocalDate = try row.stored(2, in: "record", record: recordNo)
        try each([
          "record_no": .string(recordNo),
          "managing_org": .string(try row.stored(1, in: "record", record: recordNo)),
          "last_contact": .string(lastContact.description),
          "days_since": .int(today.days(since: lastContact)),
        ])
        count += 1
      }
      detail["count"] = .int(count)
      try AuditTrail.append(AuditEntry(action: "record.candidates", recordNo: nil, detail: detail), by: session.staff, in: db)
      return count
    }
  }
}
