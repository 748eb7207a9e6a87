import HRLines

/// A stable code that scripts match on when a line is rejected (hr(7) COMMON BEHAVIOUR).
///
/// Each area declares its own codes next to its rules, as static members in an extension.
package struct RejectionCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
  package let rawValue: String
  package init(rawValue: String) { self.rawValue = rawValue }
  package init(_ rawValue: String) { self.rawValue = rawValue }
  package var description: String { rawValue }
}

extension RejectionCode {
  /// The line is longer than the 1 MiB a line may have.
  package static let lineTooLong = RejectionCode("line_too_long")
  /// A CSV row with more cells than its header names fields: a cell would otherwise be dropped.
  package static let malformedRow = RejectionCode("malformed_row")
  /// A field the tool does not know: a misspelt field must not be silently dropped.
  package static let unknownField = RejectionCode("unknown_field")
  package static let missingField = RejectionCode("missing_field")
  /// A field of the wrong type, format or range.
  package static let invalidValue = RejectionCode("invalid_value")
  /// No record has that record number or identifier, or no such organisation is configured.
  package static let notFound = RejectionCode("not_found")
  /// The operator may not touch this record; the attempt is audited as denied (hr(7) ROLES).
  package static let forbidden = RejectionCode("forbidden")
  /// The record is archived and takes no update, service or transfer request (annex 1 六).
  package static let recordArchived = RejectionCode("record_archived")
  /// A date the line would store (a due date, the end of a protection period …) falls outside
  /// years 1000–9999, where no date may be.
  package static let dateOutOfRange = RejectionCode("date_out_of_range")
  /// A stored row the line needs cannot be read back (a value outside its type or its range):
  /// the line is refused rather than acted on from a guess.
  package static let unreadableRecord = RejectionCode("unreadable_record")
}

/// Why one input line was not accepted: a stable code, a message for people, the fields a script
/// needs to take the next step, and the audit event that records the refusal, if any.
package struct LineRejection: Error, Sendable {
  package let code: RejectionCode
  package let message: String
  /// Extra fields of the reject object, e.g. the existing `record_no` of a duplicate.
  package var details: JSONObject
  /// Kept in the audit trail although the line is rejected (denials, `already_served`).
  package var audit: AuditEntry?

  package init(_ code: RejectionCode, _ message: String, details: JSONObject = JSONObject(), audit: AuditEntry? = nil) {
    self.code = code
    self.message = message
    self.details = details
    self.audit = audit
  }

  /// The refusal of a line the operator may not take (`forbidden`), in the words of every refusal
  /// (`operator 'doc-li' (clinician) may not …`), kept in the audit trail as a denied `action`:
  /// every denial is kept (hr(7) ROLES).
  package static func forbidden(
    _ staff: OperatorEntry, mayNot what: String, auditAs action: String, recordNo: String?, detail: JSONObject,
    details: JSONObject = JSONObject()
  ) -> LineRejection {
    LineRejection(
      .forbidden, staff.mayNot(what), details: details,
      audit: AuditEntry(action: action, recordNo: recordNo, outcome: .denied, detail: detail))
  }
}
