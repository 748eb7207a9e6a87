import GRDB
import HRLines

extension RejectionCode {
  /// An approval with this reference already exists: references are never reused.
  package static let duplicateRef = RejectionCode("duplicate_ref")
  /// The approval would expire before today.
  package static let expired = RejectionCode("expired")
  /// The grantee is not an operator declared with role `researcher`.
  package static let notResearcher = RejectionCode("not_researcher")
  /// The approval was revoked already; revocation is final.
  package static let alreadyRevoked = RejectionCode("already_revoked")
}

/// Grants and revokes research-export approvals (附件2 六: 开放使用须经审批), each with its audit
/// event in the same transaction.
package enum ApprovalDesk {
  /// The fields of an `hr-export approve` line.
  package static let approveFields: Set<String> = ["ref", "grantee", "scope", "purpose", "expires"]

  /// Grants one approval from `{"ref", "grantee", "scope", "purpose", "expires"}`.
  ///
  /// A district administrator approves for its own district, a city administrator for any district
  /// or the whole city (`"scope":"city"`). Refused: a reference already used (`duplicate_ref`), an
  /// expiry before today (`expired`), a grantee that is not a declared researcher (`not_researcher`),
  /// a scope outside the approver's reach (`forbidden`, audited as denied).
  package static func approve(_ object: JSONObject, session: Session, in db: Database) throws -> JSONObject {
    let fields = try Fields(object, allowed: approveFields)
    let ref = try fields.requiredText("ref", maxLength: 64)
    let grantee = try fields.requiredText("grantee", maxLength: 64)
    let scopeText = try fields.requiredText("scope", maxLength: 10)
    let purpose = try fields.requiredText("purpose", maxLength: 500)
    let expires = try fields.requiredDate("expires")
    let configuration = session.configuration
    guard let scope = ApprovalScope(scopeText, configuration: configuration) else {
      throw fields.invalid("scope", "'\(scopeText)' is neither 'city' nor a configured district")
    }
    let staff = session.staff
    guard staff.may(.approveExport, across: scope) else {
      throw LineRejection(
        .forbidden, "operator '\(staff.id)' (\(staff.role.rawValue)) may not approve exports of scope '\(scope)'",
        details: ["field": "scope"],
        audit: AuditEntry(
          action: "export.approve", recordNo: nil, outcome: .denied,
          detail: ["ref": .string(ref), "scope": .string(scope.description)]))
    }
    guard configuration.operators[grantee]?.role == .researcher else {
      throw LineRejection(
        .notResearcher, "grantee '\(grantee)' is not an operator declared with role 'researcher'", details: ["field": "grantee"])
    }
    guard expires >= session.today else {
      throw LineRejection(.expired, "'expires' \(expires) is before today \(session.today)", details: ["field": "expires"])
    }
    if let existing = try ExportApproval.find(ref, in: db) {
      throw LineRejection(
        .duplicateRef, "approval '\(ref)' exists already (granted by '\(existing.approvedBy)' on \(existing.approvedOn))",
        details: ["field": "ref"])
    }
    try db.cachedStatement(
      sql: """
        INSERT INTO export_approval (ref, grantee, scope, purpose, expires, approved_on, approved_at, approved_by)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        """
    ).execute(arguments: [ref, grantee, scope.description, purpose, expires, session.today, Timestamp.now(), staff.id])
    let approval = ExportApproval(
      ref: ref, grantee: grantee, scope: scope, purpose: purpose, expires: expires, approvedBy: staff.id,
      approvedOn: session.today)
    try AuditTrail.append(
      AuditEntry(
        action: "export.approve", recordNo: nil,
        detail: [
          "ref": .string(ref), "grantee": .string(grantee), "scope": .string(scope.description), "purpose": .string(purpose),
          "expires": .string(expires.description),
        ]),
      by: staff, in: db)
    return approval.output(on: session.today)
  }

  /// Revokes one approval from `{"ref", "reason"?}`, ignoring any other field so that the output
  /// of `hr-export approvals` pipes in; `defaultReason` fills a line without one.
  ///
  /// The approval must exist (`not_found`), be within the operator's reach (`forbidden`, audited)
  /// and not be revoked already (`already_revoked`). An expired approval may still be revoked.
  package static func revoke(_ object: JSONObject, defaultReason: String?, session: Session, in db: Database) throws -> JSONObject
  {
    let fields = Fields(selecting: object)
    let ref = try fields.requiredText("ref", maxLength: 64)
    let reason = try fields.text("reason", maxLength: 500) ?? defaultReason
    guard var approval = try ExportApproval.find(ref, in: db) else {
      throw LineRejection(.notFound, "no approval '\(ref)'", details: ["field": "ref"])
    }
    let staff = session.staff
    guard staff.may(.approveExport, across: approval.scope) else {
      throw LineRejection(
        .forbidden,
        "operator '\(staff.id)' (\(staff.role.rawValue)) may not revoke approval '\(ref)' of scope '\(approval.scope)'",
        details: ["field": "ref"],
        audit: AuditEntry(
          action: "export.revoke", recordNo: nil, outcome: .denied,
          detail: ["ref": .string(ref), "scope": .string(approval.scope.description)]))
    }
    if let revokedOn = approval.revokedOn {
      throw LineRejection(
        .alreadyRevoked, "approval '\(ref)' was revoked on \(revokedOn) by '\(approval.revokedBy ?? "")'",
        details: ["field": "ref"])
    }
    try db.cachedStatement(
      sql: "INSERT INTO export_revocation (ref, reason, revoked_on, revoked_at, revoked_by) VALUES (?, ?, ?, ?, ?)"
    ).execute(arguments: [ref, reason, session.today, Timestamp.now(), staff.id])
    approval.revokedOn = session.today
    approval.revokedBy = staff.id
    approval.revokeReason = reason
    try AuditTrail.append(
      AuditEntry(
        action: "export.revoke", recordNo: nil,
        detail: [
          "ref": .string(ref), "scope": .string(approval.scope.description), "reason": reason.map(JSONValue.string) ?? .null,
        ]),
      by: staff, in: db)
    return approval.output(on: session.today)
  }
}
