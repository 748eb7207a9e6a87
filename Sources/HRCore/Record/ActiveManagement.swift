import HRLines

/// Active management (在管): the state in which a record takes changes. An archived record
/// (第十四条, annex 1 六(二)1) takes no update, service, tag, contract, contact or second archiving
/// until it is reactivated; a record being purged takes nothing.
enum ActiveManagement {
  /// The `record_archived` rejection of `what` for a record that is not in active management,
  /// naming why and since when.
  static func refusal(
    of what: String, recordNo: String, status: RecordStatus, archiveReason: ArchiveReason?, archivedOn: LocalDate?
  ) -> LineRejection {
    var details: JSONObject = ["record_no": .string(recordNo), "status": .string(status.rawValue)]
    if let archiveReason { details["archive_reason"] = .string(archiveReason.rawValue) }
    if let archivedOn { details["archived_on"] = .string(archivedOn.description) }
    let state: String
    if status == .purging {
      state = "is being purged"
    } else {
      let why = archiveReason.map { " as \($0.rawValue)" } ?? ""
      let since = archivedOn.map { " on \($0)" } ?? ""
      state = "is archived\(why)\(since)"
    }
    return LineRejection(.recordArchived, "record '\(recordNo)' \(state) and takes no \(what)", details: details)
  }
}

extension ResidentRecord {
  /// Refuses `what` unless the record is in active management.
  func requireActive(for what: String) throws(LineRejection) {
    guard status != .active else { return }
    throw ActiveManagement.refusal(
      of: what, recordNo: recordNo, status: status, archiveReason: archiveReason, archivedOn: archivedOn)
  }
}
