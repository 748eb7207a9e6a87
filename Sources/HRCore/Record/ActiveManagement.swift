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

/// What the rules of a change read of the record it changes: where it is managed, whether it is in
/// active management, the resident's lifetime, the last contact and the restriction. A whole
/// ``ResidentRecord`` holds them, and so does a ``ServiceSubject``, read without the rest of the
/// row for every service line.
package protocol ManagedRecord: SelectedRecord {
  var status: RecordStatus { get }
  var archiveReason: ArchiveReason? { get }
  var archivedOn: LocalDate? { get }
  var birthDate: LocalDate { get }
  var deathDate: LocalDate? { get }
  /// The latest of creation, services and contacts: what the one-year lost rule counts from.
  var lastContact: LocalDate { get }
  /// 开放限制 (hr(7) SERVICES AND TAGS).
  var restricted: Bool { get }
}

extension ManagedRecord {
  /// Refuses `what` unless the record is in active management.
  func requireActive(for what: String) throws(LineRejection) {
    guard status != .active else { return }
    throw ActiveManagement.refusal(
      of: what, recordNo: recordNo, status: status, archiveReason: archiveReason, archivedOn: archivedOn)
  }
}
