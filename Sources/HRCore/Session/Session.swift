/// Why a session could not start: these end the whole run with exit 77 (hr(7) COMMON BEHAVIOUR).
package enum SessionError: Error, Equatable, Sendable, CustomStringConvertible {
  case noOperator
  /// An operator the configuration does not declare, with the configuration read (when known)
  /// and the declared id nearest to the one given.
  case unknownOperator(String, source: ConfigurationSource?, suggestion: String?)
  case notAllowed(operatorID: String, role: Role, command: String)
  /// The operator declares the Unix accounts that may act as it, and this run's is not one of them.
  case wrongAccount(operatorID: String, account: String?, users: [String])
  /// In a group installation every operator must declare its accounts: nothing else ties it to a person.
  case noAccounts(operatorID: String)
  /// In a group installation without `--operator`, the account acts as no operator or as several.
  case accountOperators(account: String?, operators: [String])

  package var description: String {
    switch self {
    case .noOperator: "no operator: name one with --operator or HR_OPERATOR"
    case .unknownOperator(let id, .builtInDefaults?, _):
      "unknown operator '\(id)': no configuration file was found (no --config, no $HR_CONFIG, no ./hr.yaml), "
        + "so the built-in defaults are in use, and they declare no operators"
    case .unknownOperator(let id, let source?, let suggestion):
      "unknown operator '\(id)': not declared in the configuration \(source)"
        + (suggestion.map { "; did you mean '\($0)'?" } ?? "")
    case .unknownOperator(let id, nil, let suggestion):
      "unknown operator '\(id)': operators are declared in the configuration"
        + (suggestion.map { "; did you mean '\($0)'?" } ?? "")
    case .notAllowed(let id, let role, let command): Role.refusal(of: id, role, "run \(command)")
    case .wrongAccount(let id, let account, let users):
      "operator '\(id)' may be used only by the Unix \(users.count == 1 ? "account" : "accounts") \(Self.list(users)), and this tool runs as \(Self.name(account))"
    case .noAccounts(let id):
      "operator '\(id)' declares no users: in a group installation every operator names the Unix accounts that may act as it"
    case .accountOperators(let account, let operators) where operators.isEmpty:
      "no operator: the Unix account \(Self.name(account)) is in no operator's users, and none is named with --operator"
    case .accountOperators(let account, let operators):
      "no operator: the Unix account \(Self.name(account)) may act as \(Self.list(operators)); name one with --operator"
    }
  }

  private static func list(_ names: [String]) -> String { names.map { "'\($0)'" }.joined(separator: ", ") }
  private static func name(_ account: String?) -> String { account.map { "'\($0)'" } ?? "an account without a name" }
}

/// Who is working, under which rules, on which day: what every rule needs besides the store.
package struct Session: Sendable {
  package let configuration: Configuration
  /// The operator (操作员) named for this run, as the configuration declares it.
  package let staff: OperatorEntry
  /// Today in China Standard Time, or the date given with `--today`.
  package let today: LocalDate

  /// Starts a session for a declared operator; `source` names the configuration read in the
  /// refusal of an undeclared one. `realToday` is given when `today` was claimed (`--today`)
  /// rather than read from the clock: every event of the session then keeps both.
  package init(
    configuration: Configuration, operatorID: String?, today: LocalDate, realToday: LocalDate? = nil,
    source: ConfigurationSource? = nil
  ) throws(SessionError) {
    guard let id = operatorID, !id.isEmpty else { throw .noOperator }
    guard var staff = configuration.operators[id] else {
      throw .unknownOperator(
        id, source: source, suggestion: Spelling.nearest(to: id, in: configuration.operators.keys))
    }
    staff.dateClaim = realToday.map { DateClaim(claimed: today, real: $0) }
    self.configuration = configuration
    self.staff = staff
    self.today = today
  }

  /// Refuses an operator that declares `users:` when `account` (the Unix account the tool runs as)
  /// is not one of them, and, in a group installation (`requireAccounts`), one that declares none:
  /// a claimed name alone must not make anyone a city administrator (第二十八条, 责任可溯).
  package func requireAccount(_ account: String?, requireAccounts: Bool) throws(SessionError) {
    guard let users = staff.users else {
      if requireAccounts { throw .noAccounts(operatorID: staff.id) }
      return
    }
    guard let account, users.contains(account) else {
      throw .wrongAccount(operatorID: staff.id, account: account, users: users)
    }
  }

  /// The one operator whose `users:` names `account`, for a group installation's run without
  /// `--operator`; exit 77 when there is none or more than one.
  package static func operatorID(for account: String?, in configuration: Configuration) throws(SessionError) -> String {
    let ids = configuration.operators.values.filter { entry in
      account.map { entry.users?.contains($0) ?? false } ?? false
    }.map(\.id).sorted()
    guard ids.count == 1 else { throw .accountOperators(account: account, operators: ids) }
    return ids[0]
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
      throw .forbidden(
        staff, mayNot: "\(action.phrase) \(target) managed by '\(scope.org)'", auditAs: auditAction, recordNo: recordNo,
        detail: ["managing_org": .string(scope.org), "district": .string(scope.district)])
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
