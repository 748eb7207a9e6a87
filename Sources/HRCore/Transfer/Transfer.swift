import GRDB
import HRLines

/// 档案转迁: one request to move a record's management from one organisation to another, with the
/// resident's consent and the managing organisation's decision (annex 1, 四).
package struct Transfer: Sendable, Equatable {
  /// Given by the store on insertion; never reused.
  package var transferID: Int64
  package var recordNo: String
  /// The managing organisation when the transfer was requested (迁出机构).
  package var fromOrg: String
  /// The receiving organisation (迁入机构, 拟管档机构).
  package var toOrg: String
  package var fromDistrict: String
  package var toDistrict: String
  package var kind: TransferKind
  package var reason: TransferReason
  package var consent: Consent
  package var status: TransferStatus
  package var requestedOn: LocalDate
  package var requestedAt: String
  package var requestedBy: String
  /// The last day for the decision: the request date plus `transfer_confirm_days`; nil for a
  /// direct transfer, which needs no decision.
  package var due: LocalDate?
  /// The day the transfer was confirmed, rejected, cancelled or directly completed.
  package var decidedOn: LocalDate?
  package var decidedAt: String?
  package var decidedBy: String?
  /// The reason text of a rejection (四(二): a record may not be refused without one).
  package var decisionReason: String?
  /// Whether the decision came after `due`.
  package var late: Bool
  /// The first day a new request is accepted after this transfer completed, if it protects at all.
  package var protectedUntil: LocalDate?

  /// The shape every `hr-transfer` subcommand prints (annex 1 四), keys in this fixed order, so that the
  /// output of `request`, `list` and `overdue` pipes into `confirm`, `reject` and `cancel`.
  ///
  /// The contract's eleven keys come first; `protected_until` (completed transfers that start a
  /// protection period) and `rejection_reason` (rejected ones) follow, null when they do not apply.
  package var output: JSONObject {
    [
      "transfer_id": .int(Int(transferID)),
      "record_no": .string(recordNo),
      "from_org": .string(fromOrg),
      "to_org": .string(toOrg),
      "kind": .string(kind.rawValue),
      "reason": .string(reason.rawValue),
      "status": .string(status.rawValue),
      "requested_on": .string(requestedOn.description),
      "due": due.map { .string($0.description) } ?? .null,
      "decided_on": decidedOn.map { .string($0.description) } ?? .null,
      "late": .bool(late),
      "protected_until": protectedUntil.map { .string($0.description) } ?? .null,
      "rejection_reason": status == .rejected ? decisionReason.map { .string($0) } ?? .null : .null,
    ]
  }

  /// The keys of `output`, in order: the header of `--format csv` and `table`.
  package static let outputKeys = [
    "transfer_id", "record_no", "from_org", "to_org", "kind", "reason", "status", "requested_on", "due",
    "decided_on", "late", "protected_until", "rejection_reason",
  ]

  /// Whether the transfer is pending and its decision is overdue on `day`: the last day to decide
  /// was before it (a decision on the due day itself is in time).
  package func isOverdue(on day: LocalDate) -> Bool {
    guard status == .pending, let due else { return false }
    return day > due
  }

  /// Where the record sat when the transfer was requested: the managing organisation's scope.
  package var fromScope: Scope { Scope(org: fromOrg, district: fromDistrict) }

  /// The receiving organisation's scope.
  package var toScope: Scope { Scope(org: toOrg, district: toDistrict) }
}

extension Transfer: Decodable, StoredRecord {
  /// Transfers are rows of `transfer`.
  package static let storedTable = "transfer"

  /// The columns a transfer is read from.
  static let selection = """
    transfer_id, record_no, from_org, to_org, from_district, to_district, kind, reason, consent_method,
    consent_ref, status, requested_on, requested_at, requested_by, due, decided_on, decided_at, decided_by,
    decision_reason, late, protected_until
    """

}

extension Transfer {
  /// The transfer with this id.
  ///
  /// `confirm`, `reject` and `cancel` read one for every line: stepped in place and read by
  /// position, with the checks of the decoding by name.
  package static func find(_ id: Int64, in db: Database) throws -> Transfer? {
    try db.cachedStatement(sql: "SELECT \(selection) FROM transfer WHERE transfer_id = ?").first(
      in: db, { $0.integer(Int(id)) }
    ) { statement in
      var columns = StoredColumns(statement, table: storedTable, names: selectionColumns)
      return try Transfer(columnsInOrder: &columns)
    }
  }

  /// The columns of `selection`, in order.
  private static let selectionColumns = selection.split { $0 == "," || $0.isWhitespace }.map(String.init)

  /// Reads a row that holds exactly the columns of `selection`, in that order, by position.
  private init(columnsInOrder columns: inout StoredColumns) throws(StoredValueError) {
    transferID = try columns.next()
    recordNo = try columns.next()
    columns.recordNo = recordNo
    fromOrg = try columns.next()
    toOrg = try columns.next()
    fromDistrict = try columns.next()
    toDistrict = try columns.next()
    kind = try columns.named()
    reason = try columns.named()
    consent = Consent(method: try columns.named(), ref: try columns.next())
    status = try columns.named()
    requestedOn = try columns.next()
    requestedAt = try columns.next()
    requestedBy = try columns.next()
    due = try columns.next()
    decidedOn = try columns.next()
    decidedAt = try columns.next()
    decidedBy = try columns.next()
    decisionReason = try columns.next()
    late = try columns.next()
    protectedUntil = try columns.next()
  }

  private static let pendingOfRecord = PreparedSQL(
    "SELECT \(selection) FROM transfer WHERE record_no = ? AND status = 'pending'")

  /// The record's pending transfer, if any (there is at most one).
  ///
  /// `request` asks for every line: stepped in place and read by position, as `find` reads.
  package static func pending(for recordNo: String, in db: Database) throws -> Transfer? {
    try pendingOfRecord.statement(in: db).first(
      in: db, { $0.text(recordNo) }
    ) { statement in
      var columns = StoredColumns(statement, table: storedTable, names: selectionColumns)
      return try Transfer(columnsInOrder: &columns)
    }
  }

  /// Every transfer of the record, oldest first.
  package static func all(for recordNo: String, in db: Database) throws -> [Transfer] {
    try Transfer.fetchAll(
      db.cachedStatement(sql: "SELECT \(selection) FROM transfer WHERE record_no = ? ORDER BY transfer_id"),
      arguments: [recordNo])
  }

  private static let insert = PreparedSQL(
    """
    INSERT INTO transfer (
      record_no, from_org, to_org, from_district, to_district, kind, reason, consent_method, consent_ref,
      status, requested_on, requested_at, requested_by, due, decided_on, decided_at, decided_by,
      decision_reason, late, protected_until)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    """)

  /// Inserts a new transfer, sets its id and returns its row for the audit event that records it
  /// (``StateRows``).
  ///
  /// Bound straight to SQLite, and the id read as the last inserted row's rather than through
  /// `RETURNING`, which makes SQLite build a temporary table for each request.
  mutating func insert(in db: Database) throws -> StateRows {
    let columns = try Self.insert.statement(in: db).runCapturing(in: db, bindColumns)
    transferID = db.lastInsertedRowID
    var written = StateRows()
    written.addRow(into: "transfer", key: transferID, columns: columns)
    return written
  }

  /// Binds every column but `transfer_id`, in the table's order.
  private func bindColumns(_ bind: inout Bindings) {
    bind.text(recordNo)
    bind.text(fromOrg)
    bind.text(toOrg)
    bind.text(fromDistrict)
    bind.text(toDistrict)
    bind.text(kind.rawValue)
    bind.text(reason.rawValue)
    bind.text(consent.method.rawValue)
    bind.text(consent.ref)
    bind.text(status.rawValue)
    bind.date(requestedOn)
    bind.text(requestedAt)
    bind.text(requestedBy)
    bind.date(due)
    bindDecision(&bind)
  }

  /// The detail of the transfer's audit events: which transfer, between which organisations, then
  /// what the event adds (`more`, in its order), so that every event names its transfer alike.
  func auditDetail(_ more: JSONObject = JSONObject()) -> JSONObject {
    var detail: JSONObject = ["transfer_id": .int(Int(transferID)), "from_org": .string(fromOrg), "to_org": .string(toOrg)]
    for (key, value) in more { detail[key] = value }
    return detail
  }

  /// One row: `OR FAIL` refuses what ABORT would, and SQLite keeps no statement journal for it.
  private static let decide = PreparedSQL(
    """
    UPDATE OR FAIL transfer SET status = ?, decided_on = ?, decided_at = ?, decided_by = ?, decision_reason = ?,
      late = ?, protected_until = ?
    WHERE transfer_id = ? AND status = 'pending'
    """)

  /// Writes the decision fields of a transfer that was pending, and returns its row as the update
  /// left it, for the audit event that records the decision (``StateRows``), which then need not
  /// read it back.
  func saveDecision(in db: Database) throws -> StateRows {
    try Self.decide.statement(in: db).run(in: db) { bind in
      bind.text(status.rawValue)
      bindDecision(&bind)
      bind.integer(Int(transferID))
    }
    var written = StateRows()
    // The transfer was read pending in this transaction, so the update changed its row; were it
    // not so, it changed nothing, and there is nothing to hand over.
    if db.changesCount == 1 {
      written.addRow(into: "transfer", key: transferID, columns: Bindings.captured(bindColumns))
    }
    return written
  }

  /// Binds the decision's columns, in the order both the insert and the decision's update name
  /// them: `decided_on, decided_at, decided_by, decision_reason, late, protected_until`.
  private func bindDecision(_ bind: inout Bindings) {
    bind.date(decidedOn)
    bind.text(decidedAt)
    bind.text(decidedBy)
    bind.text(decisionReason)
    bind.bool(late)
    bind.date(protectedUntil)
  }
}
