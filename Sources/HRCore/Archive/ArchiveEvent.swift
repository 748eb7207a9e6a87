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
/// reactivation, kept with the record until it is purged. Its particulars read as its own
/// properties (`event.evidence`).
@dynamicMemberLookup
package struct ArchiveEvent: Sendable, Equatable {
  /// The record the event belongs to; its rows go only when the record is purged.
  package var recordNo: String
  /// What happened: archived for a reason, reactivated, or a death corrected.
  package var action: ArchiveAction
  /// The day the change took effect (today of the run).
  package var effectiveOn: LocalDate
  /// The evidence, the death, the move or the renewed contact; what an action does not use stays nil.
  package var particulars: ArchiveParticulars
  /// The death was entered more than `death_entry_days` after it became known.
  package var late: Bool

  /// Describes an event.
  package init(
    recordNo: String, action: ArchiveAction, effectiveOn: LocalDate, _ particulars: ArchiveParticulars = ArchiveParticulars(),
    late: Bool = false
  ) {
    self.recordNo = recordNo
    self.action = action
    self.effectiveOn = effectiveOn
    self.particulars = particulars
    self.late = late
  }

  /// One of the event's particulars, as if it were the event's own property.
  package subscript<Value>(dynamicMember keyPath: KeyPath<ArchiveParticulars, Value>) -> Value {
    particulars[keyPath: keyPath]
  }

  /// `OR FAIL`, with the foreign key checked at the commit: no statement journal (`Store.insertWithoutStatementJournal`).
  private static let insert = PreparedSQL(
    """
    INSERT OR FAIL INTO archive_event (
      record_no, action, effective_on, evidence, death_date, death_cause, reported_on, left_on,
      contact_date, correction, late, entered_on, entered_at, entered_by)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    """)

  /// Appends the event, entered today by the session's operator, and returns its row for the
  /// audit event that records it (``StateRows``).
  package func insert(by session: Session, at timestamp: String, in db: Database) throws -> StateRows {
    let columns = try Self.insert.statement(in: db).runCapturing(in: db) { bind in
      bind.text(recordNo)
      bind.text(action.rawValue)
      bind.date(effectiveOn)
      bind.text(particulars.evidence)
      bind.date(particulars.deathDate)
      bind.text(particulars.deathCause)
      bind.date(particulars.reportedOn)
      bind.date(particulars.leftOn)
      bind.date(particulars.contactDate)
      bind.text(particulars.correction)
      bind.bool(late)
      bind.date(session.today)
      bind.text(timestamp)
      bind.text(session.staff.id)
    }
    var written = StateRows()
    written.addRow(into: "archive_event", key: db.lastInsertedRowID, columns: columns)
    return written
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
        effectiveOn: try value("effective_on"),
        ArchiveParticulars(
          evidence: try value("evidence"), deathDate: try value("death_date"), deathCause: try value("death_cause"),
          reportedOn: try value("reported_on"), leftOn: try value("left_on"), contactDate: try value("contact_date"),
          correction: try value("correction")),
        late: try value("late"))
    }
  }
}
