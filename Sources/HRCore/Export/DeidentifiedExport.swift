import GRDB
import HRLines

/// Why a de-identified export was refused under an approval: the whole run ends (exit 77) and the
/// denial is kept in the audit trail.
package enum DeidRefusal: Error, Equatable, Sendable, CustomStringConvertible {
  case notFound(ref: String)
  case notGrantee(ref: String, grantee: String, operatorID: String)
  case outOfScope(ref: String, scope: String, operatorID: String)
  case revoked(ref: String, on: LocalDate)
  case expired(ref: String, on: LocalDate)

  /// The stable code the audit event carries.
  package var code: String {
    switch self {
    case .notFound: "not_found"
    case .notGrantee: "not_grantee"
    case .outOfScope: "out_of_scope"
    case .revoked: "revoked"
    case .expired: "expired"
    }
  }

  package var description: String {
    switch self {
    case .notFound(let ref): "no approval '\(ref)'"
    case .notGrantee(let ref, let grantee, let id): "approval '\(ref)' is granted to '\(grantee)', not to operator '\(id)'"
    case .outOfScope(let ref, let scope, let id):
      "approval '\(ref)' covers scope '\(scope)', outside the reach of operator '\(id)'"
    case .revoked(let ref, let day): "approval '\(ref)' was revoked on \(day)"
    case .expired(let ref, let day): "approval '\(ref)' expired on \(day)"
    }
  }
}

extension ExportApproval {
  /// Checks that `staff` may export under this approval on `today` (附件2 六).
  ///
  /// A researcher must be the approval's grantee. A district or city administrator may run the
  /// export itself (to hand it to the grantee) when the approval's scope lies within its reach.
  /// Then the approval must be neither revoked nor past its last day.
  package func authorizeExport(by staff: OperatorEntry, on today: LocalDate) throws(DeidRefusal) {
    if let refusal = exportRefusal(by: staff, on: today) { throw refusal }
  }

  /// Why `staff` may not export under this approval on `today`, or nil when it may.
  package func exportRefusal(by staff: OperatorEntry, on today: LocalDate) -> DeidRefusal? {
    if staff.role == .researcher {
      guard staff.id == grantee else { return .notGrantee(ref: ref, grantee: grantee, operatorID: staff.id) }
    } else {
      guard staff.may(.exportDeidentified, across: scope) else {
        return .outOfScope(ref: ref, scope: scope.description, operatorID: staff.id)
      }
    }
    if let revokedOn { return .revoked(ref: ref, on: revokedOn) }
    if today > expires { return .expired(ref: ref, on: expires) }
    return nil
  }
}

extension Store {
  /// Runs a de-identified export under approval `ref`: checks the approval, counts the classes,
  /// keeps the export and its report in the audit trail, then hands every released record to
  /// `body`, in pseudonym order. Returns the report.
  ///
  /// The classes are counted and the records read by one scan of one snapshot of the store, so
  /// what is printed is exactly what was counted even while other tools write; the audit event commits
  /// before the first record leaves, so no export goes unrecorded. A refusal commits its denial
  /// and throws `DeidRefusal`.
  package func exportDeidentified(
    ref: String, session: Session, key: PseudonymKey, _ body: (DeidentifiedRecord) throws -> Void
  ) throws -> DisclosureReport {
    let snapshot = try makeSnapshot()
    func reading<T>(_ work: (Database) throws -> T) throws -> T {
      do {
        return try snapshot.read(work)
      } catch let error as DatabaseError {
        throw StoreError.from(error, path: path, waited: 0, opening: false)
      }
    }

    // Checked first on the snapshot so a refused run counts nothing; checked again below, in the
    // transaction that records the export, against the approval as it stands then.
    let found = try reading { db in try ExportApproval.find(ref, in: db) }
    guard let approval = found else { try recordDenial(.notFound(ref: ref), session: session) }
    if let refusal = approval.exportRefusal(by: session.staff, on: session.today) {
      try recordDenial(refusal, session: session)
    }

    let settings = session.configuration.export
    let plan = Deidentification(scope: approval.scope, settings: settings, today: session.today)
    var prepared = try reading { db in try plan.prepare(in: db, key: key) }
    let counts = prepared.counts
    let report = DisclosureReport(
      counts: counts, restrictedExcluded: prepared.restricted, k: settings.k, l: settings.l, purpose: approval.purpose)

    let refusal: DeidRefusal? = try write { db in
      let current = try ExportApproval.find(ref, in: db)
      if let refusal = current.map({ $0.exportRefusal(by: session.staff, on: session.today) }) ?? .notFound(ref: ref) {
        try AuditTrail.append(Self.denial(refusal), by: session.staff, in: db)
        return refusal
      }
      guard let current else { return DeidRefusal.notFound(ref: ref) }
      var detail: JSONObject = [
        "ref": .string(ref), "grantee": .string(current.grantee), "scope": .string(current.scope.description),
        "age_band_years": .int(settings.ageBandYears),
      ]
      for (name, value) in report.json { detail[name] = value }
      try AuditTrail.append(AuditEntry(action: "export.deid", recordNo: nil, detail: detail), by: session.staff, in: db)
      return nil
    }
    if let refusal { throw refusal }

    let suppressed = Set(counts.filter { !DisclosureReport.releases($0.value, k: settings.k, l: settings.l) }.keys)
    let streamed = try prepared.forEachReleased(suppressed: suppressed, body)
    guard streamed == report.exported else {
      throw StoreError.io(path: path, reason: "the export streamed \(streamed) records but counted \(report.exported)")
    }
    return report
  }

  /// Commits the denial of an export in the audit trail, then throws it.
  private func recordDenial(_ refusal: DeidRefusal, session: Session) throws -> Never {
    try write { db in _ = try AuditTrail.append(Self.denial(refusal), by: session.staff, in: db) }
    throw refusal
  }

  private static func denial(_ refusal: DeidRefusal) -> AuditEntry {
    let ref: String =
      switch refusal {
      case .notFound(let ref), .notGrantee(let ref, _, _), .outOfScope(let ref, _, _), .revoked(let ref, _), .expired(let ref, _):
        ref
      }
    return AuditEntry(
      action: "export.deid", recordNo: nil, outcome: .denied, detail: ["ref": .string(ref), "reason": .string(refusal.code)])
  }
}
