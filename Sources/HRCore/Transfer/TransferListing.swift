import GRDB

/// Which transfers `hr-transfer list` and `overdue` print.
package struct TransferFilter: Sendable, Equatable {
  /// Transfers from or to this organisation.
  package var org: String?
  /// Transfers from this organisation (the one that decides them).
  package var fromOrg: String?
  /// Transfers to this organisation (the one that asked for the record).
  package var toOrg: String?
  /// Transfers from or to an organisation of this district.
  package var district: String?
  package var status: TransferStatus?
  package var recordNo: String?
  /// Only pending transfers whose due day lies before this day (`overdue`).
  package var overdueOn: LocalDate?

  package init(
    org: String? = nil, fromOrg: String? = nil, toOrg: String? = nil, district: String? = nil,
    status: TransferStatus? = nil, recordNo: String? = nil, overdueOn: LocalDate? = nil
  ) {
    self.org = org
    self.fromOrg = fromOrg
    self.toOrg = toOrg
    self.district = district
    self.status = status
    self.recordNo = recordNo
    self.overdueOn = overdueOn
  }
}

extension OperatorEntry {
  /// The actions whose reach decides which transfers an operator sees: whoever may request,
  /// decide or audit a transfer at either end of it may list it.
  fileprivate static let transferViewingActions: [Action] = [.requestTransfer, .decideTransfer, .audit]

  /// Whether the operator's role may list transfers at all (a researcher may not).
  package var mayListTransfers: Bool {
    Self.transferViewingActions.contains { role.mayEver($0) }
  }

  /// Whether the operator may see transfers from or to an organisation in `scope`.
  package func maySeeTransfers(in scope: Scope) -> Bool {
    Self.transferViewingActions.contains { may($0, in: scope) }
  }

  /// Whether the operator may see transfers from or to every organisation of `district`.
  package func maySeeTransfers(inDistrict district: String) -> Bool {
    Self.transferViewingActions.contains { may($0, inDistrict: district) }
  }

  /// Whether the operator may see this transfer: it touches an organisation in the operator's reach.
  package func maySee(_ transfer: Transfer) -> Bool {
    maySeeTransfers(in: transfer.fromScope) || maySeeTransfers(in: transfer.toScope)
  }
}

extension Transfers {
  /// The transfers matching `filter` that the operator may see, oldest first; `overdue` lists
  /// sort by due day. A listing shows record numbers and organisation codes, no identifiable
  /// data, so it is not itself an audited view (hr(7) AUDIT TRAIL: views of identifiable data are audited).
  package static func list(_ filter: TransferFilter, session: Session, in db: Database) throws -> [Transfer] {
    var visible: [Transfer] = []
    try forEach(filter, session: session, in: db) { visible.append($0) }
    return visible
  }

  /// Hands each transfer of `list(_:session:in:)` to `body` as it is read, in the same order, so
  /// that a listing of a city's years of transfers prints with memory that does not grow with them.
  package static func forEach(
    _ filter: TransferFilter, session: Session, in db: Database, _ body: (Transfer) throws -> Void
  ) throws {
    var conditions = SQLConditions()
    conditions.add("(from_org = ? OR to_org = ?)", ifGiven: filter.org)
    conditions.add("from_org = ?", ifGiven: filter.fromOrg)
    conditions.add("to_org = ?", ifGiven: filter.toOrg)
    conditions.add("(from_district = ? OR to_district = ?)", ifGiven: filter.district)
    conditions.add("status = ?", ifGiven: filter.status?.rawValue)
    conditions.add("record_no = ?", ifGiven: filter.recordNo)
    conditions.add("status = 'pending' AND due < ?", ifGiven: filter.overdueOn)
    let order = filter.overdueOn == nil ? "transfer_id" : "due, transfer_id"
    let sql = "SELECT \(Transfer.selection) FROM transfer WHERE \(conditions.sql) ORDER BY \(order)"
    let staff = session.staff
    let cursor = try Transfer.fetchCursor(db, sql: sql, arguments: conditions.arguments)
    while let transfer = try cursor.next() {
      if staff.maySee(transfer) { try body(transfer) }
    }
  }
}
