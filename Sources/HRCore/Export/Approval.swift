import GRDB
import HRLines

/// Where a research-export approval reaches: the records managed in one district, or the whole city.
package enum ApprovalScope: Hashable, Sendable, CustomStringConvertible {
  case city
  case district(String)

  /// Reads `city` or a configured district code; nil for anything else.
  package init?(_ text: String, configuration: Configuration) {
    if text == "city" {
      self = .city
    } else if configuration.districts[text] != nil {
      self = .district(text)
    } else {
      return nil
    }
  }

  /// Reads a stored scope without checking it against the configuration (a district may have been
  /// removed from it since the approval was granted).
  init(stored text: String) {
    self = text == "city" ? .city : .district(text)
  }

  /// `city` or the district code, as stored and printed.
  package var description: String {
    switch self {
    case .city: "city"
    case .district(let code): code
    }
  }
}

/// Where an approval stands on a given day: revocation is final, and an approval is good through
/// its `expires` day.
package enum ApprovalState: String, Sendable, CaseIterable {
  case active, expired, revoked
}

/// An approval to open de-identified records for research (附件2 六, 开放使用审批): who may receive
/// them, from which scope, for what purpose, until when; and its revocation, if any.
///
/// Approvals are append-only: the approval row is never changed, and a revocation is a row of its
/// own, written once, so the history of who granted and who ended an approval stays in the store
/// beside the audit trail.
package struct ExportApproval: Sendable, Equatable {
  /// The approval's reference, unique and never reused: what `hr-export deid --approval` names.
  package var ref: String
  /// The researcher (a declared operator with role `researcher`) the records may be released to.
  package var grantee: String
  /// Whose records the approval opens: one district's or the city's.
  package var scope: ApprovalScope
  /// What the records are for, printed in every export's report and audit event.
  package var purpose: String
  /// The last day the approval may be used.
  package var expires: LocalDate
  /// The administrator who granted the approval.
  package var approvedBy: String
  /// The day it was granted.
  package var approvedOn: LocalDate
  /// The day it was revoked, if it was.
  package var revokedOn: LocalDate?
  /// The administrator who revoked it.
  package var revokedBy: String?
  /// Why it was revoked, when a reason was given.
  package var revokeReason: String?

  /// The approval's state on `today`.
  package func state(on today: LocalDate) -> ApprovalState {
    if revokedOn != nil { return .revoked }
    return today > expires ? .expired : .active
  }

  /// The keys of every approval `hr-export approve`, `approvals` and `revoke` print, in order.
  package static let outputKeys = [
    "ref", "grantee", "scope", "purpose", "expires", "state", "approved_by", "approved_on", "revoked_on", "revoked_by",
    "revoke_reason",
  ]

  /// The approval as printed, with its state on `today`.
  package func output(on today: LocalDate) -> JSONObject {
    [
      "ref": .string(ref), "grantee": .string(grantee), "scope": .string(scope.description), "purpose": .string(purpose),
      "expires": .string(expires.description), "state": .string(state(on: today).rawValue), "approved_by": .string(approvedBy),
      "approved_on": .string(approvedOn.description), "revoked_on": revokedOn.map { .string($0.description) } ?? .null,
      "revoked_by": revokedBy.map(JSONValue.string) ?? .null, "revoke_reason": revokeReason.map(JSONValue.string) ?? .null,
    ]
  }

  private static let selectSQL = """
    SELECT a.ref, a.grantee, a.scope, a.purpose, a.expires, a.approved_by, a.approved_on,
           r.revoked_on, r.revoked_by, r.reason AS revoke_reason
    FROM export_approval a LEFT JOIN export_revocation r ON r.ref = a.ref
    """

  /// The approval with reference `ref`, if any.
  package static func find(_ ref: String, in db: Database) throws -> ExportApproval? {
    try Row.fetchOne(db.cachedStatement(sql: selectSQL + " WHERE a.ref = ?"), arguments: [ref]).map(ExportApproval.init(row:))
  }

  /// Calls `body` with every approval whose scope `coverage` reaches, by reference: a district
  /// administrator sees its district's approvals, a city administrator every one.
  package static func forEach(in coverage: Coverage, in db: Database, _ body: (ExportApproval) throws -> Void) throws {
    let statement: Statement
    let arguments: StatementArguments
    switch coverage {
    case .nothing, .org: return
    case .district(let code):
      statement = try db.cachedStatement(sql: selectSQL + " WHERE a.scope = ? ORDER BY a.ref")
      arguments = [code]
    case .city:
      statement = try db.cachedStatement(sql: selectSQL + " ORDER BY a.ref")
      arguments = []
    }
    let rows = try Row.fetchCursor(statement, arguments: arguments)
    while let row = try rows.next() { try body(ExportApproval(row: row)) }
  }
}

extension ExportApproval: Decodable, StoredRecord {
  /// Approvals are rows of `export_approval`, with their revocation joined.
  package static let storedTable = "export_approval"
  /// An approval belongs to no record.
  package static let recordColumn: String? = nil

}

extension ApprovalScope: Decodable {
  /// Reads a scope stored as text, as `init(stored:)` does.
  package init(from decoder: any Decoder) throws {
    self.init(stored: try decoder.singleValueContainer().decode(String.self))
  }
}

extension ApprovalScope: DatabaseValueConvertible {
  /// Stored as `city` or the district code.
  package var databaseValue: DatabaseValue { description.databaseValue }

  /// Reads a stored scope without checking it against the configuration.
  package static func fromDatabaseValue(_ dbValue: DatabaseValue) -> ApprovalScope? {
    String.fromDatabaseValue(dbValue).map(ApprovalScope.init(stored:))
  }
}

extension Store {
  /// The research-export approvals and their revocations, both append-only (附件2 六).
  static func createExportApprovals(_ db: Database) throws {
    try db.execute(
      sql: """
        CREATE TABLE export_approval (
          ref TEXT PRIMARY KEY NOT NULL,
          grantee TEXT NOT NULL,
          scope TEXT NOT NULL,
          purpose TEXT NOT NULL,
          expires TEXT NOT NULL,
          approved_on TEXT NOT NULL,
          approved_at TEXT NOT NULL,
          approved_by TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX export_approval_by_scope ON export_approval(scope, ref);

        -- One row per revoked approval, written once: revocation is final.
        CREATE TABLE export_revocation (
          ref TEXT PRIMARY KEY NOT NULL REFERENCES export_approval(ref),
          reason TEXT,
          revoked_on TEXT NOT NULL,
          revoked_at TEXT NOT NULL,
          revoked_by TEXT NOT NULL
        ) WITHOUT ROWID;
        """)
    for table in ["export_approval", "export_revocation"] {
      try db.execute(
        sql: """
          CREATE TRIGGER \(table)_no_update BEFORE UPDATE ON \(table)
            BEGIN SELECT RAISE(ABORT, '\(table) rows are never modified'); END;
          CREATE TRIGGER \(table)_no_delete BEFORE DELETE ON \(table)
            BEGIN SELECT RAISE(ABORT, '\(table) rows are never deleted'); END;
          CREATE TRIGGER \(table)_no_replace BEFORE INSERT ON \(table)
            WHEN EXISTS (SELECT 1 FROM \(table) WHERE ref = NEW.ref)
            BEGIN SELECT RAISE(ABORT, '\(table) rows are never modified'); END;
          """)
    }
  }
}
