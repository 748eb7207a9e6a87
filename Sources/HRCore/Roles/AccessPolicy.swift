/// Something an operator does to a record, as the role table of hr(7) ROLES lists them.
package enum Action: String, Sendable, CaseIterable {
  /// Create, update, add a service, tag or contact to a record of one's own scope.
  case write
  /// Record a service for a record another organisation manages (异地服务, annex 1 五).
  case offSiteService
  case approveAmendment
  case requestTransfer
  case decideTransfer
  case archive
  /// Undo a death entered in error, and purge after retention: city level only.
  case correctDeath
  case purge
  case exportRecord
  case approveExport
  case exportDeidentified
  case audit
  case metrics
}

/// Where a record sits: its managing organisation and that organisation's district.
package struct Scope: Hashable, Sendable {
  package let org: String
  package let district: String

  package init(org: String, district: String) {
    self.org = org
    self.district = district
  }
}

/// How far a role reaches for one action.
private enum Reach {
  case none, ownOrg, ownDistrict, all
}

extension Role {
  /// The words of every refusal of an operator, from its id and role.
  package static func refusal(of id: String, _ role: Role, title: String = "operator", _ what: String) -> String {
    "\(title) '\(id)' (\(role.rawValue)) may not \(what)"
  }

  /// The one role table (hr(7) ROLES): how far this role reaches for `action`.
  fileprivate func reach(for action: Action) -> Reach {
    switch (self, action) {
    case (.cityAdmin, _): .all
    case (.auditor, .audit), (.auditor, .metrics): .all
    case (.auditor, _): .none
    case (.researcher, .exportDeidentified): .all  // limited by the approval, not by the role
    case (.researcher, _): .none
    case (.clinician, .offSiteService), (.orgAdmin, .offSiteService), (.districtAdmin, .offSiteService): .all
    case (.clinician, .write), (.clinician, .requestTransfer), (.clinician, .exportRecord), (.clinician, .metrics):
      .ownOrg
    case (.clinician, _): .none
    case (.orgAdmin, .correctDeath), (.orgAdmin, .purge), (.orgAdmin, .approveExport), (.orgAdmin, .exportDeidentified):
      .none
    case (.orgAdmin, _): .ownOrg
    case (.districtAdmin, .correctDeath), (.districtAdmin, .purge): .none
    case (.districtAdmin, _): .ownDistrict
    }
  }

  /// Whether the role may ever take `action`, on some record: a role that may not is refused the
  /// whole command (exit 77) rather than every line.
  package func mayEver(_ action: Action) -> Bool {
    reach(for: action) != .none
  }
}

extension OperatorEntry {
  /// The words of every refusal: `operator 'doc-li' (clinician) may not …` (or `approver …`).
  package func mayNot(_ what: String, as title: String = "operator") -> String {
    Role.refusal(of: id, role, title: title, what)
  }

  /// Whether this operator may take `action` on a record in `scope`: the single place that decides.
  package func may(_ action: Action, in scope: Scope) -> Bool {
    switch role.reach(for: action) {
    case .none: false
    case .ownOrg: org == scope.org
    case .ownDistrict: district == scope.district
    case .all: true
    }
  }

  /// Whether this operator may take `action` in every organisation of `district` (district-wide
  /// requests such as `hr-export approve`, `hr-metrics --district`).
  package func may(_ action: Action, inDistrict district: String) -> Bool {
    switch role.reach(for: action) {
    case .none, .ownOrg: false
    case .ownDistrict: self.district == district
    case .all: true
    }
  }
}

extension OperatorEntry {
  /// Whether this operator may take `action` across all of `scope`: a district (its district
  /// administrator) or the whole city (a city administrator), as research-export approvals reach
  /// (附件2 六).
  package func may(_ action: Action, across scope: ApprovalScope) -> Bool {
    switch scope {
    case .city: role.reach(for: action) == .all
    case .district(let code): may(action, inDistrict: code)
    }
  }
}

/// The part of the store an operator's role reaches for one action: what a listing such as
/// `hr-archive candidates` is limited to when it names no organisation or district (hr(7) ROLES).
package enum Coverage: Hashable, Sendable {
  /// Nothing: the role never takes the action.
  case nothing
  /// The records managed by one organisation.
  case org(String)
  /// The records managed by the organisations of one district.
  case district(String)
  /// Every record of the city.
  case city
}

extension OperatorEntry {
  /// How far this operator reaches for `action`, as a filter a listing applies.
  package func coverage(for action: Action) -> Coverage {
    switch role.reach(for: action) {
    case .none: .nothing
    case .ownOrg: org.map(Coverage.org) ?? .nothing
    case .ownDistrict: district.map(Coverage.district) ?? .nothing
    case .all: .city
    }
  }
}

extension OperatorEntry {
  /// Whether this operator may open a record in `scope` for a viewer (`hr-export record`, 第十五条,
  /// 第十六条): within its reach for `exportRecord`, or anywhere when the viewing rests on the
  /// resident's own authorisation — the resident in person, a guardian's application, a court
  /// judgment, the dynamic code given to a clinician — or on an emergency (break-the-glass, audited
  /// as such). A `public_health` viewing rests on the administrator's own reach alone, and only a
  /// clinician may act on a resident's dynamic code.
  package func mayOpenRecord(in scope: Scope, for viewer: ViewerKind) -> Bool {
    guard role.mayEver(.exportRecord) else { return false }
    switch viewer {
    case .clinician: return role == .clinician
    case .publicHealth: return (role == .districtAdmin || role == .cityAdmin) && may(.exportRecord, in: scope)
    case .emergency, .resident, .guardian, .minor, .voluntaryGuardian: return true
    }
  }
}
