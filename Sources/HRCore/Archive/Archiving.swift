import GRDB
import HRLines

/// What an archiving or a reactivation states beyond the record (annex 1 六): how contact was
/// tried, the death, the move, the renewed contact. An `ArchiveEvent` keeps them; the options of an
/// `hr-archive` subcommand (`--evidence`, `--death-date` …) supply them to every line that leaves
/// one out, so that a plain list of record numbers can be piped in.
package struct ArchiveParticulars: Sendable, Equatable {
  /// How contact was tried (lost), or how the death or the move became known (`--evidence`).
  package var evidence: String?
  /// The date of death entered, or the one a correction undid (`--death-date`).
  package var deathDate: LocalDate?
  /// The cause of death (死因), as the death record states it (`--death-cause`).
  package var deathCause: String?
  /// When the death became known; the one-month entry limit counts from it (annex 1, 六(一)2).
  package var reportedOn: LocalDate?
  /// The day the resident left the city (`--left-on`).
  package var leftOn: LocalDate?
  /// The renewed contact that reactivates a record (`--contact-date`).
  package var contactDate: LocalDate?
  /// Why a death was entered in error (`--correction`).
  package var correction: String?

  /// Collects the particulars; nil where one was not given or an action does not use it. Option
  /// values come already checked by the rules of the fields they fill (`OptionError`); a line's own
  /// value always wins over them.
  package init(
    evidence: String? = nil, deathDate: LocalDate? = nil, deathCause: String? = nil, reportedOn: LocalDate? = nil,
    leftOn: LocalDate? = nil, contactDate: LocalDate? = nil, correction: String? = nil
  ) {
    self.evidence = evidence
    self.deathDate = deathDate
    self.deathCause = deathCause
    self.reportedOn = reportedOn
    self.leftOn = leftOn
    self.contactDate = contactDate
    self.correction = correction
  }
}

/// Ending a record's active management (档案终止), reactivating it (重新启用) and listing the
/// records to work through (annex 1, 六; 第十四条).
///
/// Each method handles one input line inside the caller's transaction: it selects the record by
/// `record_no` or `id_number`, checks the operator's scope (hr(7) ROLES) and the rule, changes the record,
/// appends the archive event and the audit event, and returns the output line.
package enum Archive {
  /// The longest free text an archive field takes (evidence, cause of death, correction).
  package static let maximumTextLength = 500

  /// When a waiting period ends, for a message: `from 2027-03-01`, or never within the calendar.
  static func from(_ day: LocalDate?) -> String {
    day.map { "from \($0)" } ?? "only after \(LocalDate.latest)"
  }

  // MARK: Archiving

  /// Archives a record as lost to follow-up (失访): allowed only once the last service or contact
  /// (or the creation, if none) is at least `lost_after_days` old, and only with `evidence` of how
  /// contact was tried, because a record may not be ended on a guess (annex 1, 六(一)1 and 六(二)3).
  package static func lost(
    _ object: JSONObject, defaults: ArchiveParticulars, session: Session, in db: Database
  ) throws -> JSONObject {
    let fields = Fields(selecting: object)
    guard let evidence = try fields.text("evidence", maxLength: maximumTextLength) ?? defaults.evidence else {
      throw fields.missing("evidence", option: "--evidence")
    }
    var record = try selectedRecord(by: fields, auditAs: "record.archive", session: session, in: db)
    try record.requireActive(for: "archiving")

    let waiting = session.configuration.rules.lostAfterDays
    // A day past 9999-12-31 is never reached: the record cannot be archived yet.
    let possibleOn = record.lastContact.adding(days: waiting)
    guard let possibleOn, session.today >= possibleOn else {
      throw LineRejection(
        .tooEarly,
        "record '\(record.recordNo)' was last served or contacted on \(record.lastContact), \(session.today.days(since: record.lastContact)) days ago; it may be archived as lost \(Archive.from(possibleOn)), after \(waiting) days without contact",
        details: [
          "record_no": .string(record.recordNo), "last_contact": .string(record.lastContact.description),
          "possible_on": possibleOn.map { .string($0.description) } ?? .null,
        ])
    }
    try close(
      &record, as: .lost,
      event: ArchiveEvent(
        recordNo: record.recordNo, action: .lost, effectiveOn: session.today, ArchiveParticulars(evidence: evidence)),
      auditDetail: ["last_contact": .string(record.lastContact.description)], session: session, in: db)
    var out = output(record)
    out["last_contact"] = .string(record.lastContact.description)
    return out
  }

  /// Archives a record as deceased (死亡): the death date (not in the future, not before birth)
  /// and its cause are required; entering it more than `death_entry_days` after the death became
  /// known (`reported_on`, default today) is accepted and marked late (annex 1, 六(一)2).
  ///
  /// A record already archived as lost or moved out may still be archived as deceased, so that a
  /// death learnt later is on file and the record can no longer be transferred or reactivated.
  package static func deceased(
    _ object: JSONObject, defaults: ArchiveParticulars, session: Session, in db: Database
  ) throws -> JSONObject {
    let fields = Fields(selecting: object)
    let today = session.today
    guard let deathDate = try fields.pastDate("death_date", today: today) ?? defaults.deathDate else {
      throw fields.missing("death_date", option: "--death-date")
    }
    guard let cause = try fields.text("death_cause", maxLength: maximumTextLength) ?? defaults.deathCause else {
      throw fields.missing("death_cause", option: "--death-cause")
    }
    let reportedOn = try fields.pastDate("reported_on", today: today) ?? defaults.reportedOn ?? today
    let evidence = try fields.text("evidence", maxLength: maximumTextLength) ?? defaults.evidence
    guard reportedOn >= deathDate else {
      throw fields.invalid("reported_on", "is before the death date \(deathDate)")
    }
    var record = try selectedRecord(by: fields, auditAs: "record.archive", session: session, in: db)
    switch (record.status, record.archiveReason) {
    case (.active, _), (.archived, .lost?), (.archived, .movedOut?): break
    default:
      throw ActiveManagement.refusal(
        of: "archiving", recordNo: record.recordNo, status: record.status, archiveReason: record.archiveReason,
        archivedOn: record.archivedOn)
    }
    guard deathDate >= record.birthDate else {
      throw fields.invalid("death_date", "is before the birth date \(record.birthDate)")
    }

    let late = today.days(since: reportedOn) > session.configuration.rules.deathEntryDays
    var detail: JSONObject = [
      "death_date": .string(deathDate.description), "reported_on": .string(reportedOn.description), "late": .bool(late),
    ]
    if let previous = record.archiveReason { detail["previous_reason"] = .string(previous.rawValue) }
    record.deathDate = deathDate
    try close(
      &record, as: .deceased,
      event: ArchiveEvent(
        recordNo: record.recordNo, action: .deceased, effectiveOn: today,
        ArchiveParticulars(evidence: evidence, deathDate: deathDate, deathCause: cause, reportedOn: reportedOn), late: late),
      auditDetail: detail, session: session, in: db)
    var out = output(record)
    out["death_date"] = .string(deathDate.description)
    out["reported_on"] = .string(reportedOn.description)
    out["late"] = .bool(late)
    return out
  }

  /// Archives a record as moved out of the city (迁出本市): the resident left on `left_on`, at least
  /// `moved_out_after_days` ago (annex 1, 六(一)3: away for a year or more).
  package static func movedOut(
    _ object: JSONObject, defaults: ArchiveParticulars, session: Session, in db: Database
  ) throws -> JSONObject {
    let fields = Fields(selecting: object)
    guard let leftOn = try fields.pastDate("left_on", today: session.today) ?? defaults.leftOn else {
      throw fields.missing("left_on", option: "--left-on")
    }
    let evidence = try fields.text("evidence", maxLength: maximumTextLength) ?? defaults.evidence
    var record = try selectedRecord(by: fields, auditAs: "record.archive", session: session, in: db)
    try record.requireActive(for: "archiving")
    guard leftOn >= record.birthDate else {
      throw fields.invalid("left_on", "is before the birth date \(record.birthDate)")
    }
    let waiting = session.configuration.rules.movedOutAfterDays
    let possibleOn = leftOn.adding(days: waiting)
    guard let possibleOn, session.today >= possibleOn else {
      throw LineRejection(
        .tooEarly,
        "the resident of record '\(record.recordNo)' left on \(leftOn), \(session.today.days(since: leftOn)) days ago; the record may be archived as moved out \(Archive.from(possibleOn)), after \(waiting) days away",
        details: [
          "record_no": .string(record.recordNo), "left_on": .string(leftOn.description),
          "possible_on": possibleOn.map { .string($0.description) } ?? .null,
        ])
    }
    try close(
      &record, as: .movedOut,
      event: ArchiveEvent(
        recordNo: record.recordNo, action: .movedOut, effectiveOn: session.today,
        ArchiveParticulars(evidence: evidence, leftOn: leftOn)),
      auditDetail: ["left_on": .string(leftOn.description)], session: session, in: db)
    var out = output(record)
    out["left_on"] = .string(leftOn.description)
    return out
  }

  // MARK: Reactivation

  /// Returns an archived record to active management after renewed contact on `contact_date`
  /// (重新启用, annex 1, 六(二)2). A record archived as deceased comes back only through a city
  /// administrator's correction of a death entered in error, with the `correction` text (hr(7) ROLES, annex 1 六).
  ///
  /// A record transferred while archived is reactivated by its new managing organisation: the scope
  /// check is on the organisation that manages it now.
  package static func reactivate(
    _ object: JSONObject, defaults: ArchiveParticulars, session: Session, in db: Database
  ) throws -> JSONObject {
    let fields = Fields(selecting: object)
    guard let contactDate = try fields.pastDate("contact_date", today: session.today) ?? defaults.contactDate else {
      throw fields.missing("contact_date", option: "--contact-date")
    }
    let correctionText = try fields.text("correction", maxLength: maximumTextLength) ?? defaults.correction
    var record = try selectedRecord(by: fields, auditAs: "record.reactivate", session: session, in: db)
    guard record.status == .archived, let reason = record.archiveReason, let archivedOn = record.archivedOn else {
      throw LineRejection(
        .notArchived, "record '\(record.recordNo)' is \(record.status.rawValue), not archived",
        details: ["record_no": .string(record.recordNo), "status": .string(record.status.rawValue)])
    }
    var correction: String?
    if reason == .deceased {
      try session.authorize(.correctDeath, in: record.scope, auditAs: "record.correct_death", recordNo: record.recordNo)
      guard let correctionText else {
        throw LineRejection(
          .missingField,
          "record '\(record.recordNo)' is archived as deceased: only a correction of a death entered in error, with field 'correction', brings it back",
          details: ["field": "correction"])
      }
      correction = correctionText
    }
    guard contactDate >= archivedOn else {
      throw fields.invalid(
        "contact_date", "is before the record was archived on \(archivedOn): renewed contact comes after archiving")
    }

    let timestamp = Timestamp.now()
    let lastContact = max(record.lastContact, contactDate)
    // One row: `OR FAIL` refuses what ABORT would, and SQLite keeps no statement journal for it.
    try db.cachedStatement(
      sql: """
        UPDATE OR FAIL record SET status = 'active', archive_reason = NULL, archived_on = NULL, death_date = NULL, last_contact = ?
        WHERE record_no = ?
        """
    ).execute(arguments: [lastContact, record.recordNo])
    let action: ArchiveAction = reason == .deceased ? .deathCorrected : .reactivated
    var written = try ArchiveEvent(
      recordNo: record.recordNo, action: action, effectiveOn: session.today,
      ArchiveParticulars(deathDate: record.deathDate, contactDate: contactDate, correction: correction)
    ).insert(by: session, at: timestamp, in: db)
    written.noteUpdate(of: "record", key: record.recordNo.databaseValue)
    var detail: JSONObject = [
      "reactivated_from": .string(reason.rawValue), "archived_on": .string(archivedOn.description),
      "contact_date": .string(contactDate.description),
    ]
    if let deathDate = record.deathDate { detail["corrected_death_date"] = .string(deathDate.description) }
    try AuditTrail.append(
      AuditEntry(
        action: reason == .deceased ? "record.correct_death" : "record.reactivate", recordNo: record.recordNo, detail: detail),
      by: session.staff, in: db, written: written)

    record.status = .active
    record.archiveReason = nil
    record.archivedOn = nil
    record.deathDate = nil
    record.lastContact = lastContact
    var out = output(record)
    out["reactivated_from"] = .string(reason.rawValue)
    out["contact_date"] = .string(contactDate.description)
    return out
  }

  // MARK: Shared steps

  /// The first four keys of every line `hr-archive` prints: the record's state after the change.
  package static func output(_ record: ResidentRecord) -> JSONObject {
    [
      "record_no": .string(record.recordNo),
      "status": .string(record.status.rawValue),
      "archive_reason": record.archiveReason.map { .string($0.rawValue) } ?? .null,
      "archived_on": record.archivedOn.map { .string($0.description) } ?? .null,
    ]
  }

  /// The record a line selects, once the operator's scope allows archiving it; a denial is kept in
  /// the audit trail as `action` (hr(7) ROLES).
  private static func selectedRecord(
    by fields: Fields, auditAs action: String, session: Session, in db: Database
  ) throws -> ResidentRecord {
    let record = try Registry.record(selectedBy: fields, session: session, in: db)
    try session.authorize(.archive, in: record.scope, auditAs: action, recordNo: record.recordNo)
    return record
  }

  /// One row: `OR FAIL` refuses what ABORT would, and SQLite keeps no statement journal for it.
  private static let archive = PreparedSQL(
    "UPDATE OR FAIL record SET status = 'archived', archive_reason = ?, archived_on = ?, death_date = ? WHERE record_no = ?")

  /// Takes the record out of active management today (保存归档): its status, reason and date, the
  /// archive event and the audit event, in the caller's transaction (annex 1, 六(二)1).
  private static func close(
    _ record: inout ResidentRecord, as reason: ArchiveReason, event: ArchiveEvent, auditDetail: JSONObject,
    session: Session, in db: Database
  ) throws {
    record.status = .archived
    record.archiveReason = reason
    record.archivedOn = session.today
    try archive.statement(in: db).run(in: db) { bind in
      bind.text(reason.rawValue)
      bind.date(session.today)
      bind.date(record.deathDate)
      bind.text(record.recordNo)
    }
    var written = try event.insert(by: session, at: Timestamp.now(), in: db)
    record.handOver(to: &written)
    var detail: JSONObject = ["archive_reason": .string(reason.rawValue), "archived_on": .string(session.today.description)]
    for (key, value) in auditDetail { detail[key] = value }
    try AuditTrail.append(
      AuditEntry(action: "record.archive", recordNo: record.recordNo, detail: detail), by: session.staff, in: db,
      written: written)
  }
}
