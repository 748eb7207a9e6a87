import Foundation
import Testing

/// `hr-audit verify --state` on stores written by the tools and then edited with `sqlite3`: the
/// trail's digests of the rows each change left behind name every row changed by hand.
@Suite("hr-audit verify --state")
struct AuditStateTests {
  /// A store written by the tools only: four residents, a service for the first and a transfer
  /// request for the second. Returns the sandbox and the record numbers.
  static func written() throws -> (Sandbox, [String]) {
    let (sandbox, created) = try AuditTests.seeded(4)
    let records = created.map { $0["record_no"] as? String ?? "" }
    let org = created[0]["managing_org"] as? String ?? ""
    let service =
      #"{"record_no":"\#(records[0])","service":{"type":"hypertension_followup","date":"2026-11-25","org":"\#(org)"}}"#
    let added = try sandbox.run("hr-update", stdin: service + "\n")
    #expect(added.status == 0, "\(added.stderr)")
    let from = created[1]["managing_org"] as? String ?? ""
    let to = from == "500229001" ? "500112001" : "500229001"
    let request =
      #"{"record_no":"\#(records[1])","to_org":"\#(to)","reason":"residence_change","consent":{"method":"signed_form","ref":"ZQ-1"}}"#
    let requested = try sandbox.run("hr-transfer", ["request"], stdin: request + "\n")
    #expect(requested.status == 0, "\(requested.stderr)")
    return (sandbox, records)
  }

  @Test func aStoreWrittenByTheToolsOnlyHasEveryRowAsItsLastEventLeftIt() throws {
    let (sandbox, _) = try Self.written()
    let verify = try sandbox.run("hr-audit", ["verify", "--state"], operator: "auditor-1")
    #expect(verify.status == 0, "\(verify.stderr)")
    #expect(verify.lines.count == 1)
    let result = AuditTests.object(verify.stdout)
    #expect(result["ok"] as? Bool == true)
    let state = result["state"] as? [String: Any] ?? [:]
    // 4 records, their 4 sets of identifiers, the service and the transfer.
    #expect(state["checked"] as? Int == 10)
    for key in ["changed", "deleted", "inserted", "not_covered"] { #expect(state[key] as? Int == 0, "\(key)") }
    #expect(try AuditTests.keys(verify.stdout) == ["ok", "events", "head", "state"])
    #expect(verify.stderr.isEmpty)
    // Without --state the verdict is as it always was.
    #expect(try AuditTests.keys(try sandbox.run("hr-audit", ["verify"]).stdout) == ["ok", "events", "head"])
  }

  /// Edits made with `sqlite3`, the triggers put back where they were dropped, and the rows
  /// `verify --state` must name; `{0}` … `{3}` stand for the four record numbers.
  static let tampering: [(name: String, sql: String, findings: [(String, String, String)])] = [
    ("an edited record", "UPDATE record SET phone = '13900000000' WHERE record_no = '{2}';", [("record", "{2}", "changed")]),
    (
      "a re-typed column of a record", "UPDATE record SET name = CAST(name AS BLOB) WHERE record_no = '{3}';",
      [("record", "{3}", "changed")]
    ),
    (
      "a deleted service",
      """
      DROP TRIGGER service_no_delete; DELETE FROM service WHERE service_id = 1;
      CREATE TRIGGER service_no_delete BEFORE DELETE ON service
        WHEN EXISTS (SELECT 1 FROM record WHERE record_no = OLD.record_no AND status <> 'purging')
        BEGIN SELECT RAISE(ABORT, 'service rows are never deleted'); END;
      """,
      [("service", "1", "deleted")]
    ),
    (
      "an inserted identifier",
      "INSERT INTO identifier (kind, value, record_no, current, added_on) VALUES ('id_number', '110101199003070011', '{2}', 1, '2026-11-26');",
      [("identifier", "{2}", "changed")]
    ),
    (
      "an inserted record and its identifier",
      """
      INSERT INTO record SELECT '50010300100199999', division, name, sex, birth_date, NULL, NULL, NULL, managing_org,
        managing_district, status, archive_reason, archived_on, death_date, phone, current_address, registered_address,
        ethnicity, work_unit, emergency_contact, responsible_doctor, past_history, family_history, blood_type,
        payment_methods, restricted, last_contact, protected_until, created_on, created_by, created_at
        FROM record WHERE record_no = '{0}';
      INSERT INTO identifier VALUES ('id_number', '110101199003070011', '50010300100199999', 1, '2026-11-26');
      """,
      [("record", "50010300100199999", "inserted"), ("identifier", "50010300100199999", "inserted")]
    ),
    (
      "a transfer decided by hand", "UPDATE transfer SET status = 'cancelled' WHERE transfer_id = 1;",
      [("transfer", "1", "changed")]
    ),
  ]

  @Test(arguments: tampering.indices)
  func verifyStateNamesEveryRowChangedWithSqlite3(case index: Int) throws {
    let tamper = Self.tampering[index]
    let (sandbox, records) = try Self.written()
    func fill(_ text: String) -> String {
      var text = text
      for (n, record) in records.enumerated() { text = text.replacingOccurrences(of: "{\(n)}", with: record) }
      return text
    }
    _ = try sandbox.sqlite(fill(tamper.sql))
    #expect(try sandbox.run("hr-audit", ["verify"]).status == 0, "the chain alone does not see \(tamper.name)")

    let verify = try sandbox.run("hr-audit", ["verify", "--state"])
    #expect(verify.status == 65, "\(tamper.name)")
    let lines = verify.lines
    let findings = lines.dropLast().map { AuditTests.object($0) }
    #expect(
      findings.map { [$0["table"] as? String ?? "", $0["key"] as? String ?? "", $0["change"] as? String ?? ""] }
        == tamper.findings.map { [$0.0, fill($0.1), $0.2] }, "\(tamper.name)")
    let verdict = AuditTests.object(lines.last ?? "")
    #expect(verdict["ok"] as? Bool == false)
    let state = verdict["state"] as? [String: Any] ?? [:]
    let count = { (change: String) in tamper.findings.filter { $0.2 == change }.count }
    #expect(state["changed"] as? Int == count("changed"))
    #expect(state["deleted"] as? Int == count("deleted"))
    #expect(state["inserted"] as? Int == count("inserted"))
    #expect(verify.stderr.hasPrefix("hr-audit: rows changed outside the tools: "))
    // No personal value is ever printed: the identifier inserted is named by its record.
    #expect(!verify.stdout.contains("110101199003070011"))
  }

  @Test func rowsTheToolsChangeLaterAreCoveredByTheirNewDigest() throws {
    let (sandbox, records) = try Self.written()
    let update = #"{"record_no":"\#(records[2])","set":{"phone":"13800000002"}}"#
    #expect(try sandbox.run("hr-update", stdin: update + "\n").status == 0)
    let verify = try sandbox.run("hr-audit", ["verify", "--state"])
    #expect(verify.status == 0, "\(verify.stdout)")
    // The update added a row of history, whose digest its event carries too.
    #expect((AuditTests.object(verify.stdout)["state"] as? [String: Any])?["checked"] as? Int == 11)
  }
}
