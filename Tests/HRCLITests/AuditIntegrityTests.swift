import Foundation
import Testing

/// What `hr-audit verify` and `head` find beyond the links of the chain: a hashed column stored
/// as another type, and an append-only trigger dropped or replaced, each done with `sqlite3`.
@Suite("hr-audit verify: storage types and triggers")
struct AuditIntegrityTests {
  /// The SQL of an audit trigger as the schema wrote it, for a tamperer who puts it back.
  static func trigger(_ name: String) -> String {
    switch name {
    case "audit_event_no_update":
      "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event BEGIN SELECT RAISE(ABORT, 'audit events are never modified'); END;"
    default:
      "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event BEGIN SELECT RAISE(ABORT, 'audit events are never deleted'); END;"
    }
  }

  /// `record_no` or `operator` re-stored as a BLOB of the same bytes keeps every hash, and the
  /// trigger put back; the event then drops out of `access` and `log`, and `verify` names it.
  @Test(arguments: ["record_no", "operator"])
  func aColumnReStoredAsABlobIsNamedWithItsSeq(column: String) throws {
    let (sandbox, created) = try AuditTests.seeded(4)
    let record = created[2]["record_no"] as? String ?? ""
    let before = try sandbox.run("hr-audit", ["access", "--record", record], operator: "auditor-1")
    #expect(before.lines.count == 1)
    _ = try sandbox.sqlite(
      """
      DROP TRIGGER audit_event_no_update;
      UPDATE audit_event SET \(column) = CAST(\(column) AS BLOB) WHERE seq = 3;
      \(Self.trigger("audit_event_no_update"))
      """)
    #expect(try sandbox.sqlite("SELECT typeof(\(column)) FROM audit_event WHERE seq = 3") == "blob")
    if column == "record_no" {
      let after = try sandbox.run("hr-audit", ["access", "--record", record], operator: "auditor-1")
      #expect(
        !after.lines.contains { AuditTests.object($0)["action"] as? String == "record.create" },
        "the re-typed event is hidden from the access report")
    }

    let verify = try sandbox.run("hr-audit", ["verify"])
    #expect(verify.status == 65)
    let result = AuditTests.object(verify.stdout)
    #expect(result["ok"] as? Bool == false)
    #expect(result["broken_seq"] as? Int == 3)
    #expect(result["reason"] as? String == "storage_type")
    #expect(result["events_checked"] as? Int == 2)
    #expect(result["missing_triggers"] == nil)
    #expect((result["message"] as? String ?? "").hasPrefix("event 3: \(column) is stored as blob, not text"))
    #expect(verify.stderr.hasPrefix("hr-audit: audit chain broken at seq 3: storage_type: "))
  }

  /// A dropped trigger, or one replaced by a trigger of the same name that refuses nothing, is
  /// named even though every event still holds.
  @Test(
    arguments: [
      ("DROP TRIGGER audit_event_no_update;", "audit_event_no_update", "is missing"),
      ("DROP TRIGGER audit_event_no_replace;", "audit_event_no_replace", "is missing"),
      ("DROP TRIGGER service_no_delete;", "service_no_delete", "is missing"),
      (
        "DROP TRIGGER audit_event_no_delete; CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event BEGIN SELECT 1; END;",
        "audit_event_no_delete", "was replaced by another trigger of the same name"
      ),
    ])
  func aTriggerDroppedOrReplacedIsNamed(sql: String, name: String, problem: String) throws {
    let (sandbox, _) = try AuditTests.seeded(3)
    _ = try sandbox.sqlite(sql)
    let verify = try sandbox.run("hr-audit", ["verify"], operator: "auditor-1")
    #expect(verify.status == 65)
    let result = AuditTests.object(verify.stdout)
    #expect(result["ok"] as? Bool == false)
    #expect(result["events"] as? Int == 3)
    #expect(result["missing_triggers"] as? [String] == [name])
    #expect(try AuditTests.keys(verify.stdout) == ["ok", "events", "head", "missing_triggers"])
    let table = String(name[..<name.range(of: "_no_")!.lowerBound])
    #expect(
      verify.stderr
        == "hr-audit: append-only trigger '\(name)' on \(table) \(problem): the store no longer refuses that change to \(table)\n"
    )
  }

  @Test func headVerifiesBeforeItPrintsAndPrintsNothingForABrokenChain() throws {
    let (sandbox, _) = try AuditTests.seeded(4)
    #expect(try sandbox.run("hr-audit", ["head"]).status == 0)
    _ = try sandbox.sqlite(
      """
      DROP TRIGGER audit_event_no_update; UPDATE audit_event SET detail = '{}' WHERE seq = 2;
      \(Self.trigger("audit_event_no_update"))
      """)
    let head = try sandbox.run("hr-audit", ["head"])
    #expect(head.status == 65)
    #expect(head.stdout.isEmpty)
    #expect(head.stderr.hasPrefix("hr-audit: audit chain broken at seq 2: hash_mismatch: "))

    _ = try sandbox.sqlite("DROP TRIGGER audit_event_no_update")
    let unguarded = try sandbox.run("hr-audit", ["head"])
    #expect(unguarded.status == 65)
    #expect(unguarded.stderr.contains("append-only trigger 'audit_event_no_update' on audit_event is missing"))
  }
}
