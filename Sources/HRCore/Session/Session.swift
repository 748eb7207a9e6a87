/// Why a session could not start: these end the whole run with exit 77 (hr(7) COMMON BEHAVIOUR).
package enum SessionError: Error, Equatable, Sendable, CustomStringConvertible {
  case noOperator
  case unknownOperator(String)
  case notAllowed(operatorID: String, role: Role, command: String)

  package var description: String {
    switch self {
    case .noOperator: "no operator: name one with --operator or HR_OPERATOR"
    case .unknownOperator(let id): "unknown operator '\(id)': operators are declared in the configuration"
    case .notAllowed(let id, let role, let command): Role.refusal(of: id, role, "run \(command)")
    }
  }
}

/// Who is working, under which rules, on which day: what every rule needs besides the store.
package struct Session: Sendable {
  package let configuration: Configuration
  /// The operator (操作员) named for this run, as the configuration declares it.
  package let staff: OperatorEntry
  /// Today in China Standard Time, or the date given with `--today`.
  package let today: LocalDate

  /// Starts a session for a declared operator. `realToday` is given when `today` was claimed
  /// (`--today`) rather than read from the clock: every event of the session then keeps both.
  package init(
    configuration: Configuration, operatorID: String?, today: LocalDate, realToday: LocalDate? = nil
  ) throws(SessionError) {
    guard let id = operatorID, !id.isEmpty else { throw .noOperator }
    guard var staff = configuration.operators[id] else { throw .unknownOperator(id) }
    staff.dateClaim = realToday.map { DateClaim(claimed: today, real: $0) }
    self.configuration = configuration
    self.staff = staff
    self.today = today
  }

  /// Refuses the whole command when the operator's role may never take `action` (exit 77).
  package func require(_ action: Action, for command: String) throws(SessionError) {
    guard staff.role.mayEver(action) else {
      throw .notAllowed(operatorID: staff.id, role: staff.role, command: command)
    }
  }

  /// Refuses a line the operator may not touch, with the denial kept in the audit trail (hr(7) ROLES).
  package func authorize(_ action: Action, in scope: Scope, auditAs auditAction: String, recordNo: String?) throws(LineRejection)
  {
    guard staff.may(action, in: scope) else {
      let target = recordNo.map { "record '\($0)'" } ?? "organisation '\(scope.org)'"
      throw LineRejection(
        .forbidden,
        staff.mayNot("\(action.phrase) \(target) managed by '\(scope.org)'"),
        audit: AuditEntry(
          action: auditAction, recordNo: recordNo, outcome: .denied,
          detail: ["managing_org": .string(scope.org), "district": .string(scope.district)]))
    }
  }
}

extension Action {
  /// How a refusal names the action.
  var phrase: String {
    switch self {
    case .write: "change"
    case .offSiteService: "record an off-site service for"
    case .approveAmendment: "approve amendments for"
    case .requestTransfer: "request a transfer of"
    case .decideTransfer: "decide a transfer of"
    case .archive: "archive or reactivate"
    case .correctDeath: "correct the death of"
    case .purge: "purge"
    case .exportRecord: "open"
    case .approveExport: "approve exports of"
    case .exportDeidentified: "export"
    case .audit: "audit"
    case .metrics: "measure"
    }
  }
}
