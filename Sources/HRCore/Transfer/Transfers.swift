import GRDB
import HRLines

/// The few facts about a record that the transfer rules read, fetched without the rest of it.
struct TransferSubject: SelectedRecord, Sendable {
  var recordNo: String
  var managingOrg: String
  var managingDistrict: String
  var status: RecordStatus
  var archiveReason: ArchiveReason?
  var protectedUntil: LocalDate?
}

extension TransferSubject {
  /// The record with this number. `request` reads one for every line: stepped in place and read
  /// by position, with the checks of the decoding by name.
  static func find(_ recordNo: String, in db: Database) throws -> TransferSubject? {
    try select.statement(in: db).first(in: db, { $0.text(recordNo) }) { statement in
      var columns = StoredColumns(statement, table: storedTable, names: columnNames)
      let number: String = try columns.next()
      columns.recordNo = number
      return TransferSubject(
        recordNo: number, managingOrg: try columns.next(), managingDistrict: try columns.next(),
        status: try columns.named(), archiveReason: try columns.optionalNamed(), protectedUntil: try columns.next())
    }
  }

  /// The columns `find` reads, in order.
  private static let columnNames = [
    "record_no", "managing_org", "managing_district", "status", "archive_reason", "protected_until",
  ]

  private static let select = PreparedSQL(
    "SELECT \(columnNames.joined(separator: ", ")) FROM record WHERE record_no = ?")

  /// The record a selecting line names by `record_no` or `id_number` (hr(7) COMMON BEHAVIOUR).
  static func selected(by fields: Fields, session: Session, in db: Database) throws -> TransferSubject {
    try Registry.record(selectedBy: RecordSelection(either: fields, today: session.today), in: db, find: find)
  }
}

extension TransferSubject {
  /// The table a subject is read from, as an error names it.
  static let storedTable = "record"
}

/// The transfer workflow of annex 1, 四: request, confirmation or rejection by the managing
/// organisation, cancellation, and the protection period that follows a completed transfer.
///
/// Each step checks its rules, changes the store and appends its audit event in the caller's
/// transaction, and returns the transfer in the one shape every subcommand prints.
package enum Transfers {
  /// Requests a transfer of the record a line names (annex 1 四).
  ///
  /// The operator must be allowed to request transfers for the managing organisation or for the
  /// receiving one (hr(7) ROLES: "to or from own org"). A deceased record is refused (四(三)3: "因死亡终止
  /// … 不再服务和流转"); a record archived as `lost` or `moved_out` moves at once, without
  /// confirmation, and stays archived; any other request is pending until the managing
  /// organisation decides, due `transfer_confirm_days` later (四(三)1: "7 个自然日内 … 确认").
  package static func request(
    _ object: JSONObject, defaults: TransferRequest.Defaults, session: Session, in db: Database
  ) throws -> JSONObject {
    let fields = Fields(selecting: object)
    let request = try TransferRequest(fields, defaults: defaults, configuration: session.configuration)
    let subject = try TransferSubject.selected(by: fields, session: session, in: db)
    let toScope = Scope(org: request.toOrg.code, district: request.toOrg.district)
    let staff = session.staff
    guard staff.may(.requestTransfer, in: subject.scope) || staff.may(.requestTransfer, in: toScope) else {
      throw LineRejection.forbidden(
        staff,
        mayNot: "request a transfer of record '\(subject.recordNo)' from '\(subject.managingOrg)' to '\(request.toOrg.code)'",
        auditAs: "transfer.request", recordNo: subject.recordNo,
        detail: ["from_org": .string(subject.managingOrg), "to_org": .string(request.toOrg.code)])
    }
    switch (subject.status, subject.archiveReason) {
    case (.archived, .deceased):
      throw LineRejection(
        .deceased, "record '\(subject.recordNo)' is archived as deceased and is no longer transferred",
        details: ["record_no": .string(subject.recordNo)])
    case (.purging, _):
      throw ActiveManagement.refusal(
        of: "transfer", recordNo: subject.recordNo, status: subject.status, archiveReason: nil, archivedOn: nil)
    default:
      break
    }
    guard request.toOrg.code != subject.managingOrg else {
      throw LineRejection(
        .sameOrg, "'\(request.toOrg.code)' already manages record '\(subject.recordNo)'",
        details: ["record_no": .string(subject.recordNo), "managing_org": .string(subject.managingOrg)])
    }
    if let pending = try Transfer.pending(for: subject.recordNo, in: db) {
      throw LineRejection(
        .transferPending,
        "record '\(subject.recordNo)' already has pending transfer \(pending.transferID) to '\(pending.toOrg)'",
        details: ["record_no": .string(subject.recordNo), "transfer_id": .int(Int(pending.transferID))])
    }
    if ProtectionPeriod.protects(until: subject.protectedUntil, on: session.today), let until = subject.protectedUntil {
      throw LineRejection(
        .protected,
        "record '\(subject.recordNo)' is in its protection period: no transfer may be requested before \(until)",
        details: ["record_no": .string(subject.recordNo), "protected_until": .string(until.description)])
    }

    let today = session.today
    let now = Timestamp.now()
    // 四(三)3: a record archived as lost or moved out needs no confirmation from its former
    // organisation; the receiving one reactivates it once the resident is found.
    let direct = subject.status == .archived
    let due =
      direct
      ? nil
      : try today.adding(
        days: session.configuration.rules.transferConfirmDays,
        for: "the due date of the transfer of record '\(subject.recordNo)'",
        details: ["record_no": .string(subject.recordNo)])
    var transfer = Transfer(
      transferID: 0, recordNo: subject.recordNo, fromOrg: subject.managingOrg, toOrg: request.toOrg.code,
      fromDistrict: subject.managingDistrict, toDistrict: request.toOrg.district,
      kind: TransferKind(from: subject.managingDistrict, to: request.toOrg.district), reason: request.reason,
      consent: request.consent, status: .pending, requestedOn: today, requestedAt: now, requestedBy: staff.id,
      due: due,
      decidedOn: nil, decidedAt: nil, decidedBy: nil, decisionReason: nil, late: false, protectedUntil: nil)
    if direct {
      transfer.status = .completed
      transfer.decidedOn = today
      transfer.decidedAt = now
      transfer.decidedBy = staff.id
      transfer.protectedUntil = try protectionEnd(of: transfer, on: today, configuration: session.configuration)
    }
    var written = try transfer.insert(in: db)
    if direct { try moveRecord(of: transfer, noting: &written, in: db) }
    try AuditTrail.append(
      AuditEntry(
        action: "transfer.request", recordNo: transfer.recordNo,
        detail: transfer.auditDetail([
          "kind": .string(transfer.kind.rawValue), "reason": .string(transfer.reason.rawValue),
          "consent_method": .string(transfer.consent.method.rawValue), "consent_ref": .string(transfer.consent.ref),
          "status": .string(transfer.status.rawValue),
        ])),
      by: staff, in: db, written: written)
    return transfer.output
  }

  /// Confirms a pending transfer: the managing organisation changes, the transfer is completed and
  /// the record's protection period starts (四(三)1–2, 6). A confirmation after `due` is accepted
  /// and marked late. Only an `org_admin` of the managing organisation, or above, decides (hr(7) ROLES).
  package static func confirm(_ object: JSONObject, session: Session, in db: Database) throws -> JSONObject {
    let fields = Fields(selecting: object)
    var (transfer, subject) = try selectedTransfer(by: fields, session: session, in: db)
    // A decided transfer is not_pending for anyone, before the operator's scope is looked at: an
    // unfiltered listing piped in must not leave a permanent denied event for each done transfer.
    try requirePending(transfer)
    try session.authorize(.decideTransfer, in: subject.scope, auditAs: "transfer.confirm", recordNo: transfer.recordNo)
    if subject.status == .archived, subject.archiveReason == .deceased {
      throw LineRejection(
        .deceased, "record '\(subject.recordNo)' was archived as deceased while the transfer was pending; reject or cancel it",
        details: ["record_no": .string(subject.recordNo), "transfer_id": .int(Int(transfer.transferID))])
    }
    let today = session.today
    decide(&transfer, as: .completed, on: today, by: session.staff)
    transfer.protectedUntil = try protectionEnd(of: transfer, on: today, configuration: session.configuration)
    var written = try transfer.saveDecision(in: db)
    try moveRecord(of: transfer, noting: &written, in: db)
    try AuditTrail.append(
      AuditEntry(
        action: "transfer.confirm", recordNo: transfer.recordNo,
        detail: transfer.auditDetail([
          "kind": .string(transfer.kind.rawValue), "late": .bool(transfer.late),
          "protected_until": transfer.protectedUntil.map { .string($0.description) } ?? .null,
        ])),
      by: session.staff, in: db, written: written)
    return transfer.output
  }

  /// The longest rejection reason kept.
  package static let maximumRejectionReasonLength = 500

  /// Rejects a pending transfer, which leaves the managing organisation as it is (四(三)1: "转迁未
  /// 完成，档案管理机构不能变更，继续管档服务"). The reason is required — `rejection_reason` on the
  /// line, else the line's `reason` text (annex 1 四), else `defaultReason` (`--rejection-reason`) — because
  /// no organisation may refuse a transfer without one (四(二): "不得以任何理由无故拒绝"). A `reason`
  /// that is a transfer reason code is the transfer's own reason, as in every line a listing pipes
  /// in, and is never read as the rejection's.
  package static func reject(
    _ object: JSONObject, defaultReason: String?, session: Session, in db: Database
  ) throws -> JSONObject {
    let fields = Fields(selecting: object)
    let lineReason = try fields.text("reason", maxLength: maximumRejectionReasonLength).flatMap {
      TransferReason(rawValue: $0) == nil ? $0 : nil
    }
    let given = try fields.text("rejection_reason", maxLength: maximumRejectionReasonLength) ?? lineReason
    guard let because = given ?? defaultReason else {
      throw fields.missing("rejection_reason")
    }
    var (transfer, subject) = try selectedTransfer(by: fields, session: session, in: db)
    // A decided transfer is not_pending for anyone, before the operator's scope is looked at: an
    // unfiltered listing piped in must not leave a permanent denied event for each done transfer.
    try requirePending(transfer)
    try session.authorize(.decideTransfer, in: subject.scope, auditAs: "transfer.reject", recordNo: transfer.recordNo)
    decide(&transfer, as: .rejected, on: session.today, by: session.staff)
    transfer.decisionReason = because
    let written = try transfer.saveDecision(in: db)
    try AuditTrail.append(
      AuditEntry(
        action: "transfer.reject", recordNo: transfer.recordNo,
        detail: transfer.auditDetail(["late": .bool(transfer.late), "rejection_reason": .string(because)])),
      by: session.staff, in: db, written: written)
    return transfer.output
  }

  /// Withdraws a pending transfer (annex 1 四: "cancel is for the requester"). The operator who requested
  /// it may, and so may an `org_admin` (or above) of the receiving organisation, the side that asks
  /// for a record (四(三)1: "拟管档机构线上提出转迁申请"), so that a request does not stay open when
  /// its requester has left. The managing organisation does not cancel: it confirms or rejects,
  /// and a rejection needs a reason (四(二)), which a cancellation would let it skip. A
  /// cancellation is not a decision and is never late.
  package static func cancel(_ object: JSONObject, session: Session, in db: Database) throws -> JSONObject {
    let fields = Fields(selecting: object)
    var (transfer, _) = try selectedTransfer(by: fields, session: session, in: db)
    try requirePending(transfer)
    let staff = session.staff
    guard staff.id == transfer.requestedBy || staff.may(.decideTransfer, in: transfer.toScope) else {
      throw LineRejection.forbidden(
        staff,
        mayNot: "cancel transfer \(transfer.transferID) of record '\(transfer.recordNo)', requested by '\(transfer.requestedBy)'",
        auditAs: "transfer.cancel", recordNo: transfer.recordNo,
        detail: transfer.auditDetail())
    }
    decide(&transfer, as: .cancelled, on: session.today, by: staff)
    transfer.late = false
    let written = try transfer.saveDecision(in: db)
    try AuditTrail.append(
      AuditEntry(action: "transfer.cancel", recordNo: transfer.recordNo, detail: transfer.auditDetail()),
      by: staff, in: db, written: written)
    return transfer.output
  }

  /// The transfer a decision line names: by `transfer_id`, else the pending transfer of the record
  /// named by `record_no` or `id_number`. Every other field is ignored, so listings pipe in.
  static func selectedTransfer(by fields: Fields, session: Session, in db: Database) throws -> (Transfer, TransferSubject) {
    if let value = fields.value("transfer_id") {
      let id = value.intValue ?? value.stringValue.flatMap { Int($0) }
      guard let id, id > 0 else { throw fields.invalid("transfer_id", "must be a positive integer, found \(value.compact)") }
      guard let transfer = try Transfer.find(Int64(id), in: db) else {
        throw LineRejection(.notFound, "no transfer \(id)", details: ["transfer_id": .int(id)])
      }
      guard let subject = try TransferSubject.find(transfer.recordNo, in: db) else {
        throw LineRejection(.notFound, "no record '\(transfer.recordNo)'", details: ["record_no": .string(transfer.recordNo)])
      }
      return (transfer, subject)
    }
    if !fields.has("record_no") && !fields.has("id_number") { throw fields.missing("transfer_id") }
    let subject = try TransferSubject.selected(by: fields, session: session, in: db)
    guard let transfer = try Transfer.pending(for: subject.recordNo, in: db) else {
      throw LineRejection(
        .notFound, "record '\(subject.recordNo)' has no pending transfer", details: ["record_no": .string(subject.recordNo)])
    }
    return (transfer, subject)
  }

  private static func requirePending(_ transfer: Transfer) throws(LineRejection) {
    guard transfer.status == .pending else {
      throw LineRejection(
        .notPending, "transfer \(transfer.transferID) of record '\(transfer.recordNo)' is already \(transfer.status.rawValue)",
        details: [
          "transfer_id": .int(Int(transfer.transferID)), "record_no": .string(transfer.recordNo),
          "status": .string(transfer.status.rawValue),
        ])
    }
  }

  /// Ends a pending transfer with `status` today; a decision after the due day is late (annex 1 四).
  private static func decide(_ transfer: inout Transfer, as status: TransferStatus, on today: LocalDate, by staff: OperatorEntry)
  {
    transfer.status = status
    transfer.decidedOn = today
    transfer.decidedAt = Timestamp.now()
    transfer.decidedBy = staff.id
    transfer.late = transfer.due.map { today > $0 } ?? false
  }

  /// The first day a new request is accepted after `transfer` completes on `day`.
  private static func protectionEnd(
    of transfer: Transfer, on day: LocalDate, configuration: Configuration
  ) throws(LineRejection) -> LocalDate? {
    let period = ProtectionPeriod(after: transfer.kind, into: transfer.toDistrict, configuration: configuration)
    guard period.days > 0 else { return nil }
    return try day.adding(
      days: period.days, for: "the end of the protection period of record '\(transfer.recordNo)'",
      details: ["record_no": .string(transfer.recordNo), "transfer_id": .int(Int(transfer.transferID))])
  }

  /// Hands the record to the receiving organisation and starts its protection period. From here
  /// on the former organisation's scope no longer covers the record, so it can no longer change
  /// it (四(三)8: "不可再修改该档案的档案封面和个人基本信息"). The change is noted in `written`, for
  /// the event to read the record back (``StateDigest/handOverUpdates(of:in:)``).
  private static func moveRecord(of transfer: Transfer, noting written: inout StateRows, in db: Database) throws {
    // One row: `OR FAIL` refuses what ABORT would, and SQLite keeps no statement journal for it.
    try db.cachedStatement(
      sql: "UPDATE OR FAIL record SET managing_org = ?, managing_district = ?, protected_until = ? WHERE record_no = ?"
    ).run(in: db) { bind in
      bind.text(transfer.toOrg)
      bind.text(transfer.toDistrict)
      bind.date(transfer.protectedUntil)
      bind.text(transfer.recordNo)
    }
    written.noteUpdate(of: "record", key: transfer.recordNo.databaseValue)
  }
}
