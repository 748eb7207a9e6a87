import GRDB

/// Which records `hr-archive candidates` lists: the operator's reach, narrowed by `--org` or
/// `--district`.
package struct CandidateFilter: Sendable, Equatable {
  /// Only records managed by this organisation.
  package var org: String?
  /// Only records managed by organisations of this district.
  package var district: String?

  /// A filter on an organisation, a district, both or neither.
  package init(org: String? = nil, district: String? = nil) {
    self.org = org
    self.district = district
  }
}

extension Store {
  /// Lists the active records whose last service or contact (or creation) is at least
  /// `lost_after_days` old, by record number: the work list of residents to try to reach before a
  /// record may be archived as lost (annex 1, 六(一)1). Each item is
  /// `{"record_no","managing_org","last_contact","days_since"}`, which pipes into `hr-archive lost`;
  /// `each` receives them inside the transaction, which commits once the listing is complete.
  ///
  /// The listing is limited to the records the operator may archive (§9); naming an organisation or
  /// district outside that reach refuses the whole run (exit 77), and the refusal is audited. The
  /// listing itself is audited once per run (`record.candidates`, with the filter and the count),
  /// because it names residents who are not being served.
  @discardableResult
  package func archiveCandidates(_ filter: CandidateFilter, session: Session, each: (JSONObject) throws -> Void) throws -> Int {
    let today = session.today
    // Before 1000-01-01 there is no date, so no contact is older than that cutoff.
    let cutoff = today.adding(days: -session.configuration.rules.lostAfterDays) ?? LocalDate.earliest
    var detail: JSONObject = [:]
    if let org = filter.org { detail["org"] = .string(org) }
    if let district = filter.district { detail["district"] = .string(district) }
    detail["last_contact_on_or_before"] = .string(cutoff.description)

    let conditions: [String]
    let arguments: StatementArguments
    switch try Archive.candidateConditions(filter, session: session) {
    case .denied(let command):
      _ = try write { db in
        try AuditTrail.append(
          AuditEntry(action: "record.candidates", recordNo: nil, outcome: .denied, detail: detail), by: session.staff, in: db)
      }
      throw SessionError.notAllowed(operatorID: session.staff.id, role: session.staff.role, command: command)
    case .allowed(let scopeConditions, let values):
      conditions = ["status = 'active'", "last_contact <= ?"] + scopeConditions
      arguments = [cutoff] + values
    }

    return try write { db in
      let rows = try Row.fetchCursor(
        db.cachedStatement(
          sql: """
            SELECT record_no, managing_org, last_contact FROM record
            WHERE \(conditions.joined(separator: " AND "))
            ORDER BY record_no
            """),
        arguments: arguments)
      var count = 0
      while let row = try rows.next() {
        let recordNo: String = try row.stored(0, in: "record", record: nil)
        let lastContact: LocalDate = try row.stored(2, in: "record", record: recordNo)
        try each([
          "record_no": .string(recordNo),
          "managing_org": .string(try row.stored(1, in: "record", record: recordNo)),
          "last_contact": .string(lastContact.description),
          "days_since": .int(today.days(since: lastContact)),
        ])
        count += 1
      }
      detail["count"] = .int(count)
      try AuditTrail.append(AuditEntry(action: "record.candidates", recordNo: nil, detail: detail), by: session.staff, in: db)
      return count
    }
  }
}

extension Archive {
  /// The records a candidates listing may show, as SQL conditions over `record`, or the command
  /// the operator may not run.
  enum CandidateScope {
    case allowed([String], StatementArguments)
    case denied(command: String)
  }

  /// Narrows the operator's reach for archiving by the filter; a filter outside the reach is denied.
  static func candidateConditions(_ filter: CandidateFilter, session: Session) throws(ArchiveError) -> CandidateScope {
    let configuration = session.configuration
    let coverage = session.staff.coverage(for: .archive)
    var conditions: [String] = []
    var arguments: StatementArguments = []
    switch coverage {
    case .nothing: return .denied(command: "hr-archive candidates")
    case .city: break
    case .district(let own):
      conditions.append("managing_district = ?")
      arguments += [own]
    case .org(let own):
      conditions.append("managing_org = ?")
      arguments += [own]
    }
    if let org = filter.org {
      guard let organisation = configuration.orgs[org] else { throw .unknownOrganisation(org) }
      guard session.staff.may(.archive, in: Scope(org: org, district: organisation.district)) else {
        return .denied(command: "hr-archive candidates --org \(org)")
      }
      conditions.append("managing_org = ?")
      arguments += [org]
    }
    if let district = filter.district {
      guard configuration.districts[district] != nil else { throw .unknownDistrict(district) }
      let reaches =
        switch coverage {
        case .city: true
        case .district(let own): own == district
        case .org(let own): configuration.district(ofOrg: own) == district
        case .nothing: false
        }
      guard reaches else { return .denied(command: "hr-archive candidates --district \(district)") }
      conditions.append("managing_district = ?")
      arguments += [district]
    }
    return .allowed(conditions, arguments)
  }
}
