import Foundation
import HRCore
import HRLines
import Testing

/// `hr-audit` run end to end on real stores, the way a district script or an auditor runs it.
@Suite("hr-audit")
struct AuditTests {
  /// A sandbox with `count` residents created by the city administrator: `count` events.
  static func seeded(_ count: Int = 8) throws -> (Sandbox, [[String: Any]]) {
    let sandbox = try Sandbox()
    let created = try sandbox.run("hr-create", ["--quiet"], stdin: Sandbox.people(count))
    #expect(created.status == 0, "\(created.stderr)")
    return (sandbox, created.objects)
  }

  static func object(_ line: String) -> [String: Any] {
    (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]) ?? [:]
  }

  /// The keys of a printed line, in the order printed.
  static func keys(_ line: String) throws -> [String] {
    try JSONParser.parseObject(Array(line.utf8)).keys
  }

  // MARK: verify and head

  @Test func verifyPrintsTheEventCountAndTheHeadThatHeadPrints() throws {
    let (sandbox, _) = try Self.seeded()
    let head = try sandbox.run("hr-audit", ["head"])
    #expect(head.status == 0)
    let hash = Self.object(head.stdout)["hash"] as? String ?? ""
    #expect(head.stdout == #"{"seq":8,"hash":"\#(hash)"}"# + "\n")
    #expect(hash.count == 64)
    let verify = try sandbox.run("hr-audit", ["verify"], operator: "auditor-1")
    #expect(verify.status == 0)
    #expect(verify.stdout == #"{"ok":true,"events":8,"head":"\#(hash)"}"# + "\n")
    #expect(verify.stderr.isEmpty)
  }

  /// Edits made with the `sqlite3` tool once the triggers are dropped, and the event `verify`
  /// must name: a deleted event is named by its own (missing) number, the first link gone.
  static let tampering: [(sql: String, seq: Int, reason: String, checked: Int)] = [
    (
      "DROP TRIGGER audit_event_no_update; UPDATE audit_event SET detail = '{\"division\":\"500103001001\"}' WHERE seq = 3;",
      3, "hash_mismatch", 2
    ),
    ("DROP TRIGGER audit_event_no_delete; DELETE FROM audit_event WHERE seq = 5;", 5, "missing_event", 4),
    (
      """
      DROP TRIGGER audit_event_no_update;
      UPDATE audit_event SET seq = -1 WHERE seq = 3; UPDATE audit_event SET seq = 3 WHERE seq = 4;
      UPDATE audit_event SET seq = 4 WHERE seq = -1;
      """,
      3, "prev_hash_mismatch", 2
    ),
  ]

  @Test(arguments: tampering.indices)
  func verifyNamesTheFirstEventBrokenWithSqlite3(case index: Int) throws {
    let tamper = Self.tampering[index]
    let (sandbox, _) = try Self.seeded()
    _ = try sandbox.sqlite(tamper.sql)
    let verify = try sandbox.run("hr-audit", ["verify"])
    #expect(verify.status == 65)
    let result = Self.object(verify.stdout)
    #expect(result["ok"] as? Bool == false)
    #expect(result["broken_seq"] as? Int == tamper.seq)
    #expect(result["reason"] as? String == tamper.reason)
    #expect(result["events_checked"] as? Int == tamper.checked)
    #expect(
      try Self.keys(verify.stdout) == ["ok", "broken_seq", "reason", "message", "events_checked", "missing_triggers"])
    #expect(verify.stderr.hasPrefix("hr-audit: audit chain broken at seq \(tamper.seq): \(tamper.reason): "))
  }

  @Test func aTruncatedChainPassesVerifyButFailsTheHeadKeptBeforeTheCut() throws {
    let (sandbox, _) = try Self.seeded()
    #expect(try sandbox.shell("hr-audit head > kept-head.json").status == 0)
    let kept = Self.object(try sandbox.read("kept-head.json"))
    // A careful hand puts the trigger back, so that only the kept head can tell.
    _ = try sandbox.sqlite(
      """
      DROP TRIGGER audit_event_no_delete; DELETE FROM audit_event WHERE seq > 5;
      \(AuditIntegrityTests.trigger("audit_event_no_delete"))
      """)

    let plain = try sandbox.run("hr-audit", ["verify"])
    #expect(plain.status == 0)
    #expect(Self.object(plain.stdout)["events"] as? Int == 5)

    let expecting = try sandbox.run("hr-audit", ["verify", "--expect-head", "8:\(kept["hash"] as? String ?? "")"])
    #expect(expecting.status == 65)
    #expect(Self.object(expecting.stdout)["broken_seq"] as? Int == 6)
    #expect(Self.object(expecting.stdout)["reason"] as? String == "truncated")

    // The head is handed back exactly as `head` printed it.
    let asPrinted = try sandbox.shell(#"hr-audit verify --expect-head "$(cat kept-head.json)""#)
    #expect(asPrinted.status == 65)
    #expect(Self.object(asPrinted.stdout)["reason"] as? String == "truncated")
  }

  @Test func aHeadKeptEarlierStillHoldsAsTheChainGrows() throws {
    let (sandbox, _) = try Self.seeded(3)
    let kept = try sandbox.run("hr-audit", ["head"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    #expect(try sandbox.run("hr-create", ["--quiet"], stdin: Sandbox.people(4, seed: 99)).status == 0)
    let verify = try sandbox.run("hr-audit", ["verify", "--expect-head", kept])
    #expect(verify.status == 0)
    #expect(Self.object(verify.stdout)["events"] as? Int == 7)
  }

  @Test func theStoreRefusesUpdateAndDeleteOnEventsWhileTheTriggersStand() throws {
    let (sandbox, _) = try Self.seeded(3)
    let update = try sandbox.shell(#"sqlite3 "$HR_STORE" "UPDATE audit_event SET detail = '{}' WHERE seq = 2""#)
    #expect(update.status != 0)
    #expect(update.stderr.contains("audit events are never modified"))
    let delete = try sandbox.shell(#"sqlite3 "$HR_STORE" "DELETE FROM audit_event WHERE seq = 3""#)
    #expect(delete.status != 0)
    #expect(delete.stderr.contains("audit events are never deleted"))
    let replace = try sandbox.shell(
      #"sqlite3 "$HR_STORE" "REPLACE INTO audit_event SELECT seq, at, operator, role, org, action, record_no, outcome, '{}', prev_hash, hash, state FROM audit_event WHERE seq = 1""#
    )
    #expect(replace.status != 0)
    #expect(replace.stderr.contains("audit events are never modified"))
    #expect(try sandbox.sqlite("SELECT count(*) FROM audit_event") == "3")
    #expect(try sandbox.run("hr-audit", ["verify"]).status == 0)
  }

  @Test(arguments: ["not-a-head", "8:abc", "x:" + String(repeating: "0", count: 64)])
  func aMalformedExpectedHeadIsAUsageError(head: String) throws {
    let (sandbox, _) = try Self.seeded(1)
    let verify = try sandbox.run("hr-audit", ["verify", "--expect-head", head])
    #expect(verify.status == 64)
    #expect(verify.stdout.isEmpty)
  }

  @Test func aStoreThatDoesNotExistIsNotCreatedToBeReportedOn() throws {
    let sandbox = try Sandbox()
    let verify = try sandbox.run("hr-audit", ["verify", "--store", "missing.sqlite"])
    #expect(verify.status == 66)
    #expect(verify.stderr.contains("'missing.sqlite'"))
    #expect(!FileManager.default.fileExists(atPath: sandbox.directory.appendingPathComponent("missing.sqlite").path))
  }

  // MARK: roles

  @Test(
    arguments: [
      ("doc-li", ["verify"], 77), ("researcher-1", ["log"], 77), ("doc-li", ["quality"], 77),
      ("researcher-1", ["duplicates"], 77), (nil, ["head"], 77), ("nobody", ["verify"], 77),
      ("admin-jfb", ["verify"], 0), ("admin-yz", ["head"], 0), ("auditor-1", ["log"], 0), ("admin-city", ["quality"], 0),
    ] as [(String?, [String], Int32)])
  func onlyAdministratorsAndAuditorsRunHrAudit(operatorID: String?, arguments: [String], status: Int32) throws {
    let (sandbox, _) = try Self.seeded(2)
    let result = try sandbox.run("hr-audit", arguments, operator: operatorID)
    #expect(result.status == status, "\(result.stderr)")
    if status == 77 { #expect(result.stdout.isEmpty) }
  }

  // MARK: log

  @Test func logPrintsEventsAsStoredWithTheKeysInTheContractsOrder() throws {
    let (sandbox, created) = try Self.seeded(3)
    let log = try sandbox.run("hr-audit", ["log"])
    #expect(log.status == 0)
    #expect(log.lines.count == 3)
    #expect(
      try Self.keys(log.lines[0]) == [
        "seq", "at", "operator", "role", "org", "action", "record_no", "outcome", "detail", "state", "prev_hash", "hash",
      ])
    let first = Self.object(log.lines[0])
    #expect((first["state"] as? [String: Any])?.keys.contains { $0.hasPrefix("record/") } == true, "\(log.lines[0])")
    #expect(first["seq"] as? Int == 1)
    #expect(first["action"] as? String == "record.create")
    #expect(first["record_no"] as? String == created[0]["record_no"] as? String)
    #expect(first["prev_hash"] as? String == String(repeating: "0", count: 64))
    #expect((first["detail"] as? [String: Any])?["managing_org"] as? String == created[0]["managing_org"] as? String)
    #expect(Self.object(log.lines[1])["prev_hash"] as? String == first["hash"] as? String)
    // The listing was audited, after the events it showed.
    let again = try sandbox.run("hr-audit", ["log", "--action", "audit.log"])
    #expect(again.lines.count == 1)
    #expect(Self.object(again.lines[0])["seq"] as? Int == 4)
  }

  @Test func logFiltersByRecordOperatorActionOutcomeAndDay() throws {
    let (sandbox, created) = try Self.seeded(4)
    let record = created[2]["record_no"] as? String ?? ""
    let byRecord = try sandbox.run("hr-audit", ["log", "--record", record])
    #expect(byRecord.lines.map { Self.object($0)["record_no"] as? String } == [record])
    #expect(try sandbox.run("hr-audit", ["log", "--by", "admin-city", "--action", "record.create"]).lines.count == 4)
    #expect(try sandbox.run("hr-audit", ["log", "--by", "doc-li"]).lines.isEmpty)
    #expect(try sandbox.run("hr-audit", ["log", "--action", "record.*"]).lines.count == 4)
    #expect(try sandbox.run("hr-audit", ["log", "--action", "record"]).lines.isEmpty)
    #expect(try sandbox.run("hr-audit", ["log", "--outcome", "denied"]).lines.isEmpty)

    // Days are China Standard Time days: an event stamped 16:00 UTC or later falls on the next day.
    let at = Self.object(try sandbox.run("hr-audit", ["log", "--record", record]).lines[0])["at"] as? String ?? ""
    var day = LocalDate(String(at.prefix(10)))!
    if Int(at.dropFirst(11).prefix(2))! >= 16 { day = day.adding(days: 1)! }
    let create = ["--action", "record.create"]
    #expect(try sandbox.run("hr-audit", ["log", "--since", "\(day)", "--until", "\(day)"] + create).lines.count == 4)
    #expect(try sandbox.run("hr-audit", ["log", "--since", "\(day.adding(days: 1)!)"] + create).lines.isEmpty)
    #expect(try sandbox.run("hr-audit", ["log", "--until", "\(day.adding(days: -1)!)"] + create).lines.isEmpty)
  }

  @Test func logShowsAnOrganisationOnlyTheEventsAboutItsOwnRecords() throws {
    let (sandbox, created) = try Self.seeded(12)
    let own = created.filter { $0["managing_org"] as? String == "500103001" }.compactMap { $0["record_no"] as? String }
    let district = created.filter { ($0["managing_org"] as? String)?.hasPrefix("500103") == true }.count
    #expect(!own.isEmpty)
    let org = try sandbox.run("hr-audit", ["log"], operator: "admin-jfb")
    #expect(org.status == 0)
    #expect(org.lines.compactMap { Self.object($0)["record_no"] as? String } == own)
    #expect(try sandbox.run("hr-audit", ["log"], operator: "admin-yz").lines.count == district)
    // City-wide readers also see the events about no record, such as the listings just made.
    #expect(try sandbox.run("hr-audit", ["log"], operator: "auditor-1").lines.count == 12 + 2)
  }

  // MARK: access

  @Test func accessReportsWhoLookedUpOrChangedARecordForItsResident() throws {
    let (sandbox, created) = try Self.seeded(3)
    let person = created[0]
    let record = person["record_no"] as? String ?? ""
    let idNumber = person["id_number"] as? String ?? ""
    let check = try sandbox.run(
      "hr-create", ["--check", "--quiet"], stdin: #"{"id_number":"\#(idNumber)"}"# + "\n", operator: "admin-qxg")
    #expect(check.status == 0)

    let report = try sandbox.run("hr-audit", ["access", "--record", record], operator: "auditor-1")
    #expect(report.status == 0)
    #expect(report.lines.count == 2)
    #expect(
      try Self.keys(report.lines[0]) == [
        "record_no", "at", "use", "action", "outcome", "operator", "operator_name", "role", "org", "org_name", "detail",
      ])
    let (created1, lookup) = (Self.object(report.lines[0]), Self.object(report.lines[1]))
    #expect(created1["use"] as? String == "changed")
    #expect(created1["operator_name"] as? String == "市卫生健康委管理员")
    #expect(lookup["use"] as? String == "looked_up")
    #expect(lookup["operator"] as? String == "admin-qxg")
    #expect(lookup["org_name"] as? String == "七星岗社区卫生服务中心")

    // The earlier report is itself in the next one; the resident's ID number finds the record too.
    let next = try sandbox.run("hr-audit", ["access", "--id-number", idNumber])
    #expect(next.lines.count == 3)
    #expect(Self.object(next.lines[2])["use"] as? String == "audited")
    #expect(Self.object(next.lines[2])["operator"] as? String == "auditor-1")
    #expect(next.lines.allSatisfy { Self.object($0)["record_no"] as? String == record })
  }

  @Test func anAccessReportOutsideTheOperatorsReachIsRefusedAndTheRefusalAudited() throws {
    let (sandbox, created) = try Self.seeded(12)
    let foreign = created.first { $0["managing_org"] as? String != "500103001" }
    let record = foreign?["record_no"] as? String ?? ""
    let refused = try sandbox.run("hr-audit", ["access", "--record", record], operator: "admin-jfb")
    #expect(refused.status == 77)
    #expect(refused.stdout.isEmpty)
    #expect(refused.stderr.contains("forbidden: operator 'admin-jfb' (org_admin) may not audit record '\(record)'"))
    let denials = try sandbox.run("hr-audit", ["log", "--outcome", "denied"], operator: "auditor-1")
    #expect(denials.lines.count == 1)
    let denial = Self.object(denials.lines.first ?? "")
    #expect(denial["action"] as? String == "audit.access")
    #expect(denial["operator"] as? String == "admin-jfb")
    #expect(denial["record_no"] as? String == record)
    #expect(try sandbox.run("hr-audit", ["verify"]).status == 0)
  }

  @Test func anAccessReportOnARecordThatNeverExistedIsNotFound() throws {
    let (sandbox, _) = try Self.seeded(1)
    let missing = try sandbox.run("hr-audit", ["access", "--record", "50010300100199999"])
    #expect(missing.status == 65)
    #expect(missing.stderr.contains("not_found"))
    #expect(try sandbox.run("hr-audit", ["access"]).status == 64)
    #expect(try sandbox.run("hr-audit", ["access", "--record", "123"]).status == 64)
  }

  // MARK: quality

  /// The defects a crafted store holds, one per kind of finding. The record fields that no tool
  /// would write (an invalid ID number, a contradicting sex, an emptied phone) play data written
  /// before validation and are set with sqlite3; everything else is written by the tools.
  static func craftDefects(_ sandbox: Sandbox, records r: [String]) throws {
    _ = try sandbox.sqlite(
      """
      UPDATE record SET phone = NULL WHERE record_no = '\(r[0])';
      UPDATE record SET id_number = substr(id_number, 1, 17) || CASE substr(id_number, 18, 1) WHEN '1' THEN '2' ELSE '1' END WHERE record_no = '\(r[1])';
      UPDATE record SET sex = CASE sex WHEN 1 THEN 2 ELSE 1 END WHERE record_no = '\(r[2])';
      """)
    func org(_ record: String) throws -> String {
      try sandbox.sqlite("SELECT managing_org FROM record WHERE record_no = '\(record)'")
    }
    // A service of 2026-11-10 entered on 2026-11-26: more than service_entry_days late.
    let late = try sandbox.run(
      "hr-update",
      stdin: #"{"record_no":"\#(r[3])","service":{"type":"hypertension_followup","date":"2026-11-10","org":"\#(try org(r[3]))"}}"#
        + "\n")
    #expect(late.status == 0, "\(late.stderr)")
    // A family-doctor contract signed in March with neither service nor contact since.
    let signed = try sandbox.run(
      "hr-update", stdin: #"{"record_no":"\#(r[4])","contract":{"doctor":"李医生","team":"团队1","signed_on":"2026-03-01"}}"# + "\n")
    #expect(signed.status == 0, "\(signed.stderr)")
    // A death reported on 2026-09-01 and entered on 2026-11-26: more than death_entry_days late.
    let death = try sandbox.run(
      "hr-archive", ["deceased", "--death-date", "2026-08-20", "--death-cause", "心肌梗死", "--reported-on", "2026-09-01"],
      stdin: #"{"record_no":"\#(r[5])"}"# + "\n")
    #expect(death.status == 0, "\(death.stderr)")
    // A transfer requested on 2026-11-10, due 2026-11-17, never answered.
    let requested = try sandbox.run(
      "hr-transfer",
      [
        "request", "--to", try org(r[6]) == "500106001" ? "500103001" : "500106001", "--reason", "residence_change",
        "--consent-method", "signed_form", "--consent-ref", "F-1",
      ],
      stdin: #"{"record_no":"\#(r[6])"}"# + "\n", today: "2026-11-10")
    #expect(requested.status == 0, "\(requested.stderr)")
  }

  @Test func qualityFindsEachKindOnACraftedStoreAndNothingOnACleanOne() throws {
    let (sandbox, created) = try Self.seeded(7)
    let clean = try sandbox.run("hr-audit", ["quality"])
    #expect(clean.status == 0)
    #expect(clean.stdout.isEmpty)

    let records = created.compactMap { $0["record_no"] as? String }
    try Self.craftDefects(sandbox, records: records)
    // A newborn registered by birth certificate four months ago, through the tool.
    let newborn = try sandbox.run(
      "hr-create", ["--quiet"],
      stdin:
        #"{"birth_cert_no":"A123456789","name":"王小宝","sex":1,"birth_date":"2026-07-01","division":"500103001001","org":"500103001","phone":"13800000001","current_address":"重庆市民族路1号","registered_address":"重庆市民族路1号","responsible_doctor":"团队1"}"#
        + "\n")
    #expect(newborn.status == 0, "\(newborn.stderr)")
    let newbornRecord = newborn.objects.first?["record_no"] as? String ?? ""

    let quality = try sandbox.run("hr-audit", ["quality"])
    #expect(quality.status == 0, "\(quality.stderr)")
    let found = quality.lines.map { (Self.object($0)["record_no"] as? String ?? "", Self.object($0)["finding"] as? String ?? "") }
    #expect(
      found.map { "\($0.0) \($0.1)" } == [
        "\(records[0]) missing_field", "\(records[1]) invalid_id", "\(records[2]) id_mismatch",
        "\(newbornRecord) newborn_without_id", "\(records[3]) late_service_entry", "\(records[4]) signed_without_contact",
        "\(records[5]) late_death_entry", "\(records[6]) transfer_overdue",
      ])
    #expect(try Self.keys(quality.lines[0]) == ["record_no", "finding", "detail"])
    #expect(quality.lines[0].hasSuffix(#""finding":"missing_field","detail":{"field":"phone"}}"#))

    let only = try sandbox.run("hr-audit", ["quality", "--finding", "transfer_overdue", "--finding", "invalid_id"])
    #expect(only.lines.map { Self.object($0)["finding"] as? String } == ["invalid_id", "transfer_overdue"])
    let checks = try sandbox.run("hr-audit", ["log", "--action", "audit.quality"], operator: "auditor-1")
    #expect(checks.lines.count == 3)
  }

  @Test func qualityPrintsCSVAndATableForPeople() throws {
    let (sandbox, created) = try Self.seeded(7)
    try Self.craftDefects(sandbox, records: created.compactMap { $0["record_no"] as? String })
    let record = created[6]["record_no"] as? String ?? ""
    let csv = try sandbox.run("hr-audit", ["quality", "--format", "csv", "--finding", "transfer_overdue"])
    #expect(
      csv.lines == [
        "record_no,finding,detail",
        #"\#(record),transfer_overdue,"{""transfer_id"":1,""from_org"":""\#(created[6]["managing_org"] as? String ?? "")"",""to_org"":""500106001"",""requested_on"":""2026-11-10"",""due"":""2026-11-17"",""days_overdue"":9}""#,
      ])
    let table = try sandbox.run("hr-audit", ["quality", "--format", "table", "--finding", "missing_field"])
    #expect(
      table.lines == [
        "record_no          finding        detail",
        "\(created[0]["record_no"] as? String ?? "")  missing_field  field=phone",
      ])
    let empty = try sandbox.run(
      "hr-audit", ["quality", "--format", "csv", "--org", "500112001", "--finding", "late_death_entry"])
    #expect(empty.lines == ["record_no,finding,detail"])
  }

  @Test func qualityKeepsAnOrganisationToItsOwnRecords() throws {
    let (sandbox, created) = try Self.seeded(12)
    let records = created.compactMap { $0["record_no"] as? String }
    _ = try sandbox.sqlite("UPDATE record SET phone = NULL")
    let own = created.filter { $0["managing_org"] as? String == "500103001" }.compactMap { $0["record_no"] as? String }
    let mine = try sandbox.run("hr-audit", ["quality"], operator: "admin-jfb")
    #expect(mine.lines.compactMap { Self.object($0)["record_no"] as? String } == own.sorted())
    let district = try sandbox.run("hr-audit", ["quality", "--district", "500103"], operator: "admin-yz")
    #expect(district.lines.count == created.filter { ($0["managing_org"] as? String)?.hasPrefix("500103") == true }.count)
    #expect(try sandbox.run("hr-audit", ["quality"], operator: "auditor-1").lines.count == records.count)

    let beyond = try sandbox.run("hr-audit", ["quality", "--org", "500106001"], operator: "admin-jfb")
    #expect(beyond.status == 77)
    #expect(beyond.stderr == "hr-audit: operator 'admin-jfb' (org_admin) may not run hr-audit quality --org 500106001\n")
    let otherDistrict = try sandbox.run("hr-audit", ["quality", "--district", "500106"], operator: "admin-yz")
    #expect(otherDistrict.status == 77)
    #expect(try sandbox.run("hr-audit", ["log", "--outcome", "denied", "--action", "audit.quality"]).lines.count == 2)
    #expect(try sandbox.run("hr-audit", ["quality", "--org", "999"]).status == 64)
    #expect(try sandbox.run("hr-audit", ["quality", "--org", "500103001", "--district", "500103"]).status == 64)
  }

  // MARK: duplicates

  @Test func duplicatesPairsAChildRegisteredTwiceButNeverTwins() throws {
    let sandbox = try Sandbox()
    let body = "50010320260301001"
    let childID = body + String(ResidentID.checkCharacter(body.utf8.map { Int($0 - 48) }))
    let motherBody = "50010319920405002"
    let mother = motherBody + String(ResidentID.checkCharacter(motherBody.utf8.map { Int($0 - 48) }))
    let lines = [
      #"{"birth_cert_no":"A000000001","name":"王小明","sex":1,"birth_date":"2026-03-01","division":"500103001001","org":"500103001"}"#,
      #"{"id_number":"\#(childID)","name":"王小明","division":"500106001001","org":"500106001"}"#,
      #"{"mother_id_number":"\#(mother)","name":"李一","sex":2,"birth_date":"2026-05-01","division":"500103001001","org":"500103001"}"#,
      #"{"mother_id_number":"\#(mother)","name":"李二","sex":2,"birth_date":"2026-05-01","division":"500103001001","org":"500103001"}"#,
    ]
    let created = try sandbox.run("hr-create", ["--quiet"], stdin: lines.joined(separator: "\n") + "\n")
    #expect(created.status == 0, "\(created.stderr)")
    let numbers = created.objects.compactMap { $0["record_no"] as? String }
    #expect(numbers.count == 4)

    let duplicates = try sandbox.run("hr-audit", ["duplicates"])
    #expect(duplicates.status == 0)
    #expect(
      duplicates.lines == [
        #"{"record_no_a":"\#(numbers[0])","record_no_b":"\#(numbers[1])","score":0.7,"reasons":["same_name","same_birth_date","same_sex"],"managing_org_a":"500103001","status_a":"active","managing_org_b":"500106001","status_b":"active"}"#
      ])
    // Each side's organisation sees the pair; an organisation with neither record does not.
    #expect(try sandbox.run("hr-audit", ["duplicates"], operator: "admin-xlk").lines.count == 1)
    #expect(try sandbox.run("hr-audit", ["duplicates"], operator: "admin-lx").lines.isEmpty)
    let table = try sandbox.run("hr-audit", ["duplicates", "--format", "table"])
    #expect(table.lines.count == 2)
    #expect(table.lines[1].contains("same_name,same_birth_date,same_sex"))
  }

  // MARK: manual

}
