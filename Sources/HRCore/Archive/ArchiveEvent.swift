import GRDB

/// What happened to a record's archive state: one row of its archive history (annex 1, 六).
package enum ArchiveAction: String, Sendable, CaseIterable {
  /// 失访终止.
  case lost
  /// 死亡终止.
  case deceased
  /// 迁出终止.
  case movedOut = "moved_out"
  /// 重新启用: back in active management after renewed contact (annex 1, 六(二)2).
  case reactivated
  /// A death entered in error, undone by the city (annex 1 六).
  case deathCorrected = "death_corrected"

  /// The action that archives a record for `reason`.
  package init(_ reason: ArchiveReason) {
    switch reason {
    case .lost: self = .lost
    case .deceased: self = .deceased
    case .movedOut: self = .movedOut
    }
  }
}

extension ArchiveAction: DatabaseValueConvertible {}

/// One row of the append-only `archive_event` table: the evidence behind an archiving or a
/// reactivation, kept with the record until it is purged.
package struct ArchiveEvent: Sendable, Equatable {
  /// The record the event belongs to; its rows go only when the record is purged.
  package var recordNo: String
  /// What happened: archived for a reason, reactivated, or a death corrected.
  package var action: ArchiveAction
  /// The day the change took effect (today of the run).
  package var effectiveOn: LocalDate
  /// How contact was tried (lost), or how the death or the move became known.
  package var evidence: String?
  /// The date of death entered, or the one a correction undid.
  package var deathDate: LocalDate?
  /// The cause of death (死因), as the death record states it.
  package var deathCause: String?
  /// When the death became known; the one-month entry limit counts from it (annex 1, 六(一)2).
  package var reportedOn: LocalDate?
  /// The day the resident left the city.
  package var leftOn: LocalDate?
  /// The renewed contact that reactivates a record.
  package var contactDate: LocalDate?
  /// Why a death was entered in error.
  package var correction: String?
  /// The death was entered more than `death_entry_days` after it became known.
  package var late: Bool

  /// Describes an event; the fields an action does not use stay nil.
  package init(
    recordNo: String, action: ArchiveAction, effectiveOn: LocalDate, evidence: String? = nil,
    deathDate: LocalDate? = nil, deathCause: String? = nil, reportedOn: LocalDate? = nil, leftOn: LocalDate? = nil,
    contactDate: LocalDate? = nil, correction: String? = nil, late: Bool = false
  ) {
    self.recordNo = recordNo
    self.action = action
    self.effectiveOn = effectiveOn
    self.evidence = evidence
    self.deathDate = deathDate
    self.deathCause = deathCause
    self.reportedOn = reportedOn
    self.leftOn = leftOn
    self.contactDate = contactDate
    self.correction = correction
    self.late = late
  }

  /// Appends the event, entered today by the session's operator.
  package func insert(by session: Session, at timestamp: String, in db: Database) throws {
    try db.cachedStatement(
      sql: """
        INSERT INTO archive_event (
          record_no, action, effective_on, evidence, death_date, death_cause, reported_on, left_on,
          contact_date, correction, late, entered_on, entered_at, entered_by)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """
    ).execute(arguments: [
      recordNo, action.rawValue, effectiveOn, evidence, deathDate, deathCause, reportedOn, leftOn,
      contactDate, correction, late, session.today, timestamp, session.staff.id,
    ])
  }

  /// The record's archive history, oldest first.
  package static func history(of recordNo: String, in db: Database) throws -> [ArchiveEvent] {
    try Row.fetchAll(
      db.cachedStatement(
        sql: """
          SELECT action, effective_on, evidence, death_date, death_cause, reported_on, left_on, contact_date,
                 correction, late
          FROM archive_event WHERE record_no = ? ORDER BY event_id
          """),
      arguments: [recordNo]
    ).map { row in
      func value<T: DatabaseValueConvertible>(_ column: String) throws(StoredValueError) -> T {
        try row.stored(column, in: "archive_event", record: recordNo)
      }
      return ArchiveEvent(
        recordNo: recordNo,
        action: try ArchiveAction(stored: try value("action"), in: "archive_event", column: "action", record: recordNo),
        effectiveOn: try value("effective_on"), evidence: try value("evidence"), deathDate: try value("death_date"),
        deathCause: try value("death_cause"), reportedOn: try value("reported_on"), leftOn: try value("left_on"),
        contactDate: try value("contact_date"), correction: try value("correction"), late: try value("late"))
    }
  }
}
