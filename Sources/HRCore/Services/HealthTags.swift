import GRDB
import HRLines

/// A set tag in force on a record: its code, since when, and where it came from.
package struct ActiveTag: Sendable, Equatable {
  /// The row that set the tag.
  package var tagID: Int
  /// The tag code, e.g. `hypertension` or `weight_status:overweight`.
  package var code: String
  /// Where the tag came from: a system, a clinician, `hr-create`, `hr-update`.
  package var source: String?
  /// The day the tag applies from.
  package var since: LocalDate?

  /// Creates a tag in force.
  package init(tagID: Int, code: String, source: String?, since: LocalDate?) {
    self.tagID = tagID
    self.code = code
    self.source = source
    self.since = since
  }
}

extension ActiveTag: Decodable, StoredRecord {
  /// Tags are rows of `tag`.
  package static let storedTable = "tag"

}

/// 个人健康标识: tags appended to a record and never rewritten; ending one appends an end row, so
/// every tag stays traceable (annex 1, 一(二)1: 不可随意更改及可追溯). `elderly` and `child_0_6` are
/// derived from age and never stored.
package enum HealthTags {
  /// The fields of a `tag` object.
  package static let tagFields: Set<String> = ["code", "source", "since", "ended"]

  /// The source written when a line names none.
  package static let defaultSource = "hr-update"

  /// Sets or ends one tag on `record` in the caller's transaction.
  ///
  /// `{"code", "source"?, "since"?}` sets a tag (since defaults to today); `{"code", "ended"}` ends
  /// the tag in force. Setting a valued tag (`weight_status:…`, `blood_type:…`) ends the other value
  /// of the same kind on its `since` date, as a person has one weight status at a time. Setting a
  /// tag already in force, or ending one already ended, prints `unchanged`. A restricting tag
  /// (`severe_mental_disorder`, `special_disease`, `classified`) makes the record restricted, and the
  /// restriction stays when the tag ends (hr(7) SERVICES AND TAGS).
  /// Output: `{"record_no", "result":"tag_added"|"tag_ended"|"unchanged", "tag_id", "code", "since"|"ended"}`.
  package static func apply(
    _ object: JSONObject, to record: ResidentRecord, session: Session, in db: Database
  ) throws -> JSONObject {
    let fields = try Fields(object, allowed: tagFields, path: "tag.")
    let text = try fields.requiredText("code", maxLength: 40)
    let code: TagCode
    do {
      code = try TagCode(settable: text)
    } catch {
      throw fields.invalid("code", error.description)
    }
    let ending = fields.has("ended")
    if ending, fields.has("since") {
      throw LineRejection(
        .invalidValue, "a tag line either sets a tag ('since') or ends one ('ended'), not both", details: ["field": "tag.ended"])
    }
    let today = session.today
    let source = try fields.text("source", maxLength: 100) ?? defaultSource
    let action = ending ? "tag.end" : "tag.add"
    try session.authorize(.write, in: record.scope, auditAs: action, recordNo: record.recordNo)
    try record.requireActive(for: "tag")
    let now = Timestamp.now()

    if ending {
      guard let ended = try fields.pastDate("ended", today: today) else { throw fields.missing("ended") }
      guard let last = try latestRow(of: code.value, on: record.recordNo, in: db) else {
        throw LineRejection(.notFound, "record '\(record.recordNo)' has no tag '\(code)' to end", details: ["field": "tag.code"])
      }
      if let alreadyEnded = last.ended {
        return output(record, "unchanged", tagID: last.tagID, code: code.value, "ended", alreadyEnded)
      }
      if let since = last.since, ended < since {
        throw fields.invalid("ended", "is before the tag's start \(since)")
      }
      let tagID = try insert(
        record.recordNo, code: code.value, source: source, since: nil, ended: ended, on: today, at: now, by: session.staff.id,
        in: db)
      try AuditTrail.append(
        AuditEntry(
          action: action, recordNo: record.recordNo,
          detail: ["tag_id": .int(tagID), "code": .string(code.value), "ended": .string(ended.description)]),
        by: session.staff, in: db)
      return output(record, "tag_ended", tagID: tagID, code: code.value, "ended", ended)
    }

    let since = try fields.pastDate("since", today: today) ?? today
    try UpdateRules.requireWithinLifetime(since, of: record, key: "since", in: fields)
    if let last = try latestRow(of: code.value, on: record.recordNo, in: db), last.ended == nil {
      return output(record, "unchanged", tagID: last.tagID, code: code.value, "since", last.since ?? since)
    }
    let tagID = try insert(
      record.recordNo, code: code.value, source: source, since: since, ended: nil, on: today, at: now, by: session.staff.id,
      in: db)
    var endedOthers: [JSONValue] = []
    if let kind = code.valuedKind {
      for other in try active(ofRecord: record.recordNo, in: db)
      where other.code != code.value && other.code.hasPrefix(kind + ":") {
        _ = try insert(
          record.recordNo, code: other.code, source: source, since: nil, ended: since, on: today, at: now, by: session.staff.id,
          in: db)
        endedOthers.append(.string(other.code))
      }
    }
    var written = StateRows()
    try UpdateRules.touch(record, contactOn: nil, restrict: code.isRestricting, noting: &written, in: db)
    var detail: JSONObject = [
      "tag_id": .int(tagID), "code": .string(code.value), "source": .string(source), "since": .string(since.description),
    ]
    if !endedOthers.isEmpty { detail["ended"] = .array(endedOthers) }
    try AuditTrail.append(
      AuditEntry(action: action, recordNo: record.recordNo, detail: detail), by: session.staff, in: db, written: written)
    return output(record, "tag_added", tagID: tagID, code: code.value, "since", since)
  }

  /// The set tags in force on a record, by code.
  package static func active(ofRecord recordNo: String, in db: Database) throws -> [ActiveTag] {
    try ActiveTag.fetchAll(
      db.cachedStatement(
        sql: """
          SELECT t.record_no, t.tag_id, t.code, t.source, t.since FROM tag t
          WHERE t.record_no = ?1 AND t.ended IS NULL
            AND t.tag_id = (SELECT max(tag_id) FROM tag WHERE record_no = ?1 AND code = t.code)
          ORDER BY t.code
          """),
      arguments: [recordNo])
  }

  /// Every tag of a record on `date`: the derived age tags first, then the set tags in force, by code.
  package static func current(of record: ResidentRecord, on date: LocalDate, in db: Database) throws -> [String] {
    TagCode.derivedTags(birthDate: record.birthDate, on: date) + (try active(ofRecord: record.recordNo, in: db).map(\.code))
  }

  /// The latest row kept for a tag code: the tag in force, or the row that ended it.
  private static func latestRow(
    of code: String, on recordNo: String, in db: Database
  ) throws -> (tagID: Int, since: LocalDate?, ended: LocalDate?)? {
    // Read for every tag line: stepped in place and read by position.
    let row = try db.cachedStatement(
      sql: "SELECT record_no, tag_id, since, ended FROM tag WHERE record_no = ? AND code = ? ORDER BY tag_id DESC LIMIT 1"
    ).first(
      in: db,
      { bind in
        bind.text(recordNo)
        bind.text(code)
      }
    ) { statement in
      var columns = StoredColumns(statement, table: "tag", names: ["record_no", "tag_id", "since", "ended"])
      columns.recordNo = try columns.next()
      let tagID: Int = try columns.next()
      let since: LocalDate? = try columns.next()
      let ended: LocalDate? = try columns.next()
      return (tagID: tagID, since: since, ended: ended)
    }
    guard let row else { return nil }
    // An end row has no `since`; the start is on the row it ended.
    return row.ended == nil ? (row.tagID, row.since, nil) : (row.tagID, nil, row.ended)
  }

  /// Appends one tag row: a tag begun `since`, or ended on `ended` (tags are append-only, 附件1 二(三)).
  static func insert(
    _ recordNo: String, code: String, source: String, since: LocalDate?, ended: LocalDate?, on today: LocalDate, at now: String,
    by staff: String, in db: Database
  ) throws -> Int {
    try insert.statement(in: db).run(in: db) { bind in
      bind.text(recordNo)
      bind.text(code)
      bind.text(source)
      bind.date(since)
      bind.date(ended)
      bind.date(today)
      bind.text(now)
      bind.text(staff)
    }
    return Int(db.lastInsertedRowID)
  }

  /// Inserts a tag given at creation (no end date) and hands its row to `written` (``StateRows``),
  /// its `tag_id` first as the table's digest reads it.
  static func insert(
    _ recordNo: String, code: String, source: String, since: LocalDate, on today: LocalDate, at now: String,
    by staff: String, in db: Database, written: inout StateRows
  ) throws {
    let columns = try insert.statement(in: db).runCapturing(in: db) { bind in
      bind.text(recordNo)
      bind.text(code)
      bind.text(source)
      bind.date(since)
      bind.date(nil)
      bind.date(today)
      bind.text(now)
      bind.text(staff)
    }
    written.addRow(into: "tag", key: db.lastInsertedRowID, columns: columns)
  }

  // `OR FAIL`, with the foreign key checked at the commit: no statement journal (`Store.insertWithoutStatementJournal`).
  private static let insert = PreparedSQL(
    """
    INSERT OR FAIL INTO tag (record_no, code, source, since, ended, entered_on, entered_at, entered_by)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
    """)

  private static func output(
    _ record: ResidentRecord, _ result: String, tagID: Int, code: String, _ dateKey: String, _ date: LocalDate
  ) -> JSONObject {
    [
      "record_no": .string(record.recordNo), "result": .string(result), "tag_id": .int(tagID), "code": .string(code),
      dateKey: .string(date.description),
    ]
  }
}
