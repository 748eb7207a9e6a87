import GRDB
import HRLines
import Testing

@testable import HRCore

@Suite("Transfer workflow (档案转迁)")
struct TransferWorkflowTests {
  let desk: TransferDesk

  init() throws {
    desk = try TransferDesk()
  }

  @Test("A request is pending, due after transfer_confirm_days, and crosses districts when the organisations do")
  func requestIsPendingAndDue() throws {
    let recordNo = try desk.createRecord(managedBy: "500103001")
    let out = try desk.request(recordNo, to: "500106001", as: "doc-zhao", on: "2026-01-05")
    #expect(
      out.compact
        == #"{"transfer_id":1,"record_no":"\#(recordNo)","from_org":"500103001","to_org":"500106001","kind":"cross_district","reason":"residence_change","status":"pending","requested_on":"2026-01-05","due":"2026-01-12","decided_on":null,"late":false,"protected_until":null,"rejection_reason":null}"#
    )
    #expect(try desk.record(recordNo).managingOrg == "500103001")
    let intra = try desk.createRecord(managedBy: "500103001")
    #expect(try desk.request(intra, to: "500103002", as: "doc-li", on: "2026-01-05")["kind"] == "intra_district")
  }

  @Test("Confirmation moves the record and its district, starts the protection period and locks the former organisation out")
  func confirmationMovesTheRecord() throws {
    let recordNo = try desk.createRecord(managedBy: "500103001")
    try desk.request(recordNo, to: "500106001", as: "doc-zhao", on: "2026-01-05")
    let out = try desk.confirm(["record_no": .string(recordNo)], as: "admin-jfb", on: "2026-01-09")
    #expect(out["status"] == "completed")
    #expect(out["decided_on"] == "2026-01-09")
    #expect(out["late"] == false)
    #expect(out["protected_until"] == "2026-07-08")
    let record = try desk.record(recordNo)
    #expect(record.managingOrg == "500106001")
    #expect(record.managingDistrict == "500106")
    #expect(record.protectedUntil == .on("2026-07-08"))
    // 四(三)8: the former organisation may no longer change the record; the new one may.
    let configuration = desk.configuration
    #expect(configuration.operators["doc-li"]!.may(.write, in: record.scope) == false)
    #expect(configuration.operators["admin-jfb"]!.may(.archive, in: record.scope) == false)
    #expect(configuration.operators["doc-zhao"]!.may(.write, in: record.scope) == true)
    #expect(try desk.auditTrail(of: recordNo) == ["record.create:ok", "transfer.request:ok", "transfer.confirm:ok"])
  }

  @Test("A decision on the due day is in time, one after it is accepted and marked late")
  func lateDecisionIsMarked() throws {
    let inTime = try desk.createRecord(managedBy: "500103001")
    let late = try desk.createRecord(managedBy: "500103001")
    try desk.request(inTime, to: "500103002", as: "doc-wang", on: "2026-01-05")
    try desk.request(late, to: "500103002", as: "doc-wang", on: "2026-01-05")
    #expect(try desk.confirm(["record_no": .string(inTime)], as: "admin-jfb", on: "2026-01-12")["late"] == false)
    let out = try desk.reject(["record_no": .string(late)], as: "admin-jfb", on: "2026-01-13")
    #expect(out["late"] == true)
    #expect(out["status"] == "rejected")
  }

  @Test("A rejection keeps the managing organisation, keeps its reason, and needs one")
  func rejectionKeepsTheRecord() throws {
    let recordNo = try desk.createRecord(managedBy: "500103001")
    try desk.request(recordNo, to: "500106001", as: "doc-zhao", on: "2026-01-05")
    let missing = desk.rejection {
      try desk.reject(["record_no": .string(recordNo)], because: nil, as: "admin-jfb", on: "2026-01-06")
    }
    #expect(missing?.code == .missingField)
    #expect(missing?.details["field"] == "rejection_reason")
    // A line's `reason` is the transfer reason code, never read as the rejection's.
    let codeOnly = desk.rejection {
      try desk.reject(["transfer_id": 1, "reason": "residence_change"], because: nil, as: "admin-jfb", on: "2026-01-06")
    }
    #expect(codeOnly?.code == .missingField)
    // Any other `reason` text is the rejection's, as §6 writes it: `reject` needs a `reason` text.
    let other = try desk.createRecord(managedBy: "500103001")
    try desk.request(other, to: "500106001", as: "doc-zhao", on: "2026-01-05")
    let byReason = try desk.reject(
      ["record_no": .string(other), "reason": "居民未到场"], because: nil, as: "admin-jfb", on: "2026-01-06")
    #expect(byReason["rejection_reason"] == "居民未到场")

    let out = try desk.reject(
      ["transfer_id": 1, "rejection_reason": "居民未确认"], because: "ignored", as: "admin-jfb", on: "2026-01-06")
    #expect(out["status"] == "rejected")
    #expect(out["rejection_reason"] == "居民未确认")
    #expect(out["protected_until"] == .null)
    let record = try desk.record(recordNo)
    #expect(record.managingOrg == "500103001")
    #expect(record.protectedUntil == nil)
    // A rejected transfer ends the matter: a new request may follow at once.
    #expect(try desk.request(recordNo, to: "500106001", as: "doc-zhao", on: "2026-01-06")["status"] == "pending")
  }

  @Test(
    "A record archived as lost or moved out transfers at once and stays archived (四(三)3)",
    arguments: [ArchiveReason.lost, .movedOut])
  func archivedRecordTransfersDirectly(reason: ArchiveReason) throws {
    let recordNo = try desk.createRecord(managedBy: "500103001")
    try desk.archive(recordNo, as: reason, on: "2027-02-01")
    let out = try desk.request(recordNo, to: "500112001", as: "admin-lx", on: "2027-03-01")
    #expect(out["status"] == "completed")
    #expect(out["due"] == .null)
    #expect(out["decided_on"] == "2027-03-01")
    #expect(out["protected_until"] == "2027-08-28")
    let record = try desk.record(recordNo)
    #expect(record.managingOrg == "500112001")
    #expect(record.status == .archived)
    #expect(record.archiveReason == reason)
    #expect(try desk.list(TransferFilter(status: .pending)).isEmpty)
  }

  @Test("A deceased record is never transferred, and a pending transfer of one is not confirmed")
  func deceasedRecordIsRefused() throws {
    let recordNo = try desk.createRecord(managedBy: "500103001")
    try desk.archive(recordNo, as: .deceased, on: "2026-02-01")
    let refused = desk.rejection { try desk.request(recordNo, to: "500106001", as: "admin-city", on: "2026-02-02") }
    #expect(refused?.code == .deceased)

    let other = try desk.createRecord(managedBy: "500103001")
    try desk.request(other, to: "500106001", as: "doc-zhao", on: "2026-02-02")
    try desk.archive(other, as: .deceased, on: "2026-02-03")
    let confirm = desk.rejection { try desk.confirm(["record_no": .string(other)], as: "admin-jfb", on: "2026-02-04") }
    #expect(confirm?.code == .deceased)
    #expect(try desk.record(other).managingOrg == "500103001")
    // The managing organisation ends it the way it refuses any transfer: with a reason.
    #expect(
      try desk.reject(["record_no": .string(other)], because: "居民已死亡", as: "admin-jfb", on: "2026-02-04")["status"] == "rejected")
    #expect(try desk.list(TransferFilter(overdueOn: .on("2026-03-01"))).isEmpty)
  }

  @Test("A record archived as lost while its transfer is pending moves on confirmation and stays archived")
  func pendingTransferOfALostRecord() throws {
    let recordNo = try desk.createRecord(managedBy: "500103001")
    try desk.request(recordNo, to: "500106001", as: "doc-zhao", on: "2027-01-20")
    try desk.archive(recordNo, as: .lost, on: "2027-01-21")
    // The direct transfer of a lost record is no way round the pending request.
    let direct = desk.rejection { try desk.request(recordNo, to: "500112001", as: "admin-lx", on: "2027-01-22") }
    #expect(direct?.code == .transferPending)
    let out = try desk.confirm(["record_no": .string(recordNo)], as: "admin-jfb", on: "2027-01-22")
    #expect(out["status"] == "completed")
    #expect(out["protected_until"] == "2027-07-21")
    let record = try desk.record(recordNo)
    #expect(record.managingOrg == "500106001")
    #expect(record.status == .archived)
    #expect(record.archiveReason == .lost)
  }

  @Test("A request to the managing organisation, or beside a pending one, is refused")
  func sameOrgAndPendingAreRefused() throws {
    let recordNo = try desk.createRecord(managedBy: "500103001")
    #expect(desk.rejection { try desk.request(recordNo, to: "500103001", as: "doc-li", on: "2026-01-05") }?.code == .sameOrg)
    try desk.request(recordNo, to: "500106001", as: "doc-zhao", on: "2026-01-05")
    let second = desk.rejection { try desk.request(recordNo, to: "500112001", as: "admin-city", on: "2026-01-06") }
    #expect(second?.code == .transferPending)
    #expect(second?.details["transfer_id"] == 1)
  }

  @Test("A request inside the protection period is refused with the day it ends")
  func protectedRecordIsRefused() throws {
    let recordNo = try desk.createRecord(managedBy: "500103001")
    try desk.request(recordNo, to: "500103002", as: "doc-wang", on: "2026-01-05")
    try desk.confirm(["transfer_id": 1], as: "admin-yz", on: "2026-01-06")
    // 渝中区 sets 90 days: protected on day 89, free on day 90.
    let refused = desk.rejection { try desk.request(recordNo, to: "500106001", as: "doc-zhao", on: "2026-04-05") }
    #expect(refused?.code == .protected)
    #expect(refused?.details["protected_until"] == "2026-04-06")
    #expect(try desk.request(recordNo, to: "500106001", as: "doc-zhao", on: "2026-04-06")["status"] == "pending")
  }

  @Test(
    "Only operators at either end may request; only the managing side's org_admin or above decides",
    arguments: [
      ("request", "doc-zhao", true),  // receiving organisation's clinician
      ("request", "doc-li", true),  // managing organisation's clinician
      ("request", "doc-wang", false),  // an uninvolved organisation
      ("request", "admin-spb", true),  // the receiving district's administrator
      ("request", "auditor-1", false),
      ("confirm", "admin-jfb", true),
      ("confirm", "admin-yz", true),
      ("confirm", "admin-city", true),
      ("confirm", "admin-xlk", false),  // the receiving organisation does not decide
      ("confirm", "doc-li", false),  // a clinician does not decide
      ("confirm", "admin-spb", false),
    ])
  func rolesDecideWhoMayAct(step: String, operatorID: String, allowed: Bool) throws {
    let recordNo = try desk.createRecord(managedBy: "500103001")
    if step == "confirm" { try desk.request(recordNo, to: "500106001", as: "admin-city", on: "2026-01-05") }
    let rejection = desk.rejection {
      step == "request"
        ? try desk.request(recordNo, to: "500106001", as: operatorID, on: "2026-01-05")
        : try desk.confirm(["record_no": .string(recordNo)], as: operatorID, on: "2026-01-06")
    }
    #expect((rejection == nil) == allowed)
    if !allowed {
      #expect(rejection?.code == .forbidden)
      #expect(rejection?.audit?.outcome == .denied)
      #expect(rejection?.audit?.action == "transfer.\(step)")
      #expect(try desk.record(recordNo).managingOrg == "500103001")
    }
  }

  @Test("The requester or the receiving side's org_admin or above may cancel; the managing side rejects instead")
  func cancellationBelongsToTheRequestingSide() throws {
    let a = try desk.createRecord(managedBy: "500103001")
    let b = try desk.createRecord(managedBy: "500103001")
    try desk.request(a, to: "500106001", as: "doc-zhao", on: "2026-01-05")
    try desk.request(b, to: "500106001", as: "doc-zhao", on: "2026-01-05")
    let stranger = desk.rejection { try desk.cancel(["record_no": .string(a)], as: "doc-li", on: "2026-01-06") }
    #expect(stranger?.code == .forbidden)
    #expect(stranger?.audit?.action == "transfer.cancel")
    #expect(stranger?.audit?.outcome == .denied)
    // A refusal needs a reason (四(二)): the managing organisation may not withdraw the request instead.
    for managingSide in ["admin-jfb", "admin-yz"] {
      #expect(
        desk.rejection { try desk.cancel(["record_no": .string(a)], as: managingSide, on: "2026-01-06") }?.code == .forbidden)
    }
    #expect(try desk.list(TransferFilter(recordNo: a)).first?.status == .pending)
    let byRequester = try desk.cancel(["record_no": .string(a)], as: "doc-zhao", on: "2026-01-20")
    #expect(byRequester["status"] == "cancelled")
    #expect(byRequester["late"] == false)
    #expect(try desk.cancel(["record_no": .string(b)], as: "admin-xlk", on: "2026-01-06")["status"] == "cancelled")
    #expect(try desk.record(a).managingOrg == "500103001")
  }

  @Test("Only a pending transfer is decided; a second confirmation is not_pending")
  func onlyPendingIsDecided() throws {
    let recordNo = try desk.createRecord(managedBy: "500103001")
    try desk.request(recordNo, to: "500103002", as: "doc-wang", on: "2026-01-05")
    try desk.confirm(["transfer_id": 1], as: "admin-jfb", on: "2026-01-06")
    let again = desk.rejection { try desk.confirm(["transfer_id": "1"], as: "admin-qxg", on: "2026-01-06") }
    #expect(again?.code == .notPending)
    #expect(again?.details["status"] == "completed")
    #expect(desk.rejection { try desk.confirm(["transfer_id": 99], as: "admin-city", on: "2026-01-06") }?.code == .notFound)
    #expect(
      desk.rejection { try desk.confirm(["record_no": .string(recordNo)], as: "admin-city", on: "2026-01-06") }?.code == .notFound
    )
    #expect(desk.rejection { try desk.confirm(["transfer_id": -3], as: "admin-city", on: "2026-01-06") }?.code == .invalidValue)
    #expect(desk.rejection { try desk.confirm(["name": "x"], as: "admin-city", on: "2026-01-06") }?.code == .missingField)
  }

  @Test("An unanswered transfer is overdue from the day after its due day, and stays pending")
  func unansweredTransferIsOverdueAndPending() throws {
    let recordNo = try desk.createRecord(managedBy: "500103001")
    try desk.request(recordNo, to: "500106001", as: "doc-zhao", on: "2026-01-05")
    #expect(try desk.list(TransferFilter(overdueOn: .on("2026-01-12"))).isEmpty)
    let overdue = try desk.list(TransferFilter(overdueOn: .on("2026-01-13")))
    #expect(overdue.map(\.recordNo) == [recordNo])
    #expect(overdue.first?.status == .pending)
    #expect(overdue.first?.isOverdue(on: .on("2026-01-13")) == true)
    #expect(try desk.list(TransferFilter(overdueOn: .on("2026-06-01"))).first?.status == .pending)
    #expect(try desk.record(recordNo).managingOrg == "500103001")
  }

  @Test("A listing shows an operator only the transfers touching its reach")
  func listingFollowsReach() throws {
    let a = try desk.createRecord(managedBy: "500103001")
    let b = try desk.createRecord(managedBy: "500106001")
    try desk.request(a, to: "500106002", as: "admin-city", on: "2026-01-05")
    try desk.request(b, to: "500112001", as: "admin-city", on: "2026-01-05")
    #expect(try desk.list(as: "doc-li").map(\.recordNo) == [a])
    #expect(try desk.list(as: "admin-lx").map(\.recordNo) == [b])
    #expect(try desk.list(as: "admin-qxg").isEmpty)
    #expect(try desk.list(as: "admin-spb").map(\.recordNo) == [a, b])
    #expect(try desk.list(as: "auditor-1").count == 2)
    #expect(try desk.list(TransferFilter(org: "500112001")).map(\.recordNo) == [b])
    #expect(try desk.list(TransferFilter(district: "500103")).map(\.recordNo) == [a])
    #expect(try desk.list(TransferFilter(recordNo: b)).map(\.toOrg) == ["500112001"])
    #expect(try desk.list(TransferFilter(status: .completed)).isEmpty)
  }

  @Test("Every step leaves its audit event in the same transaction")
  func everyStepIsAudited() throws {
    let recordNo = try desk.createRecord(managedBy: "500103001")
    try desk.request(recordNo, to: "500106001", as: "doc-zhao", on: "2026-01-05")
    try desk.cancel(["transfer_id": 1], as: "doc-zhao", on: "2026-01-05")
    try desk.request(recordNo, to: "500106001", as: "doc-zhao", on: "2026-01-05")
    try desk.reject(["transfer_id": 2], as: "admin-jfb", on: "2026-01-06")
    #expect(
      try desk.auditTrail(of: recordNo) == [
        "record.create:ok", "transfer.request:ok", "transfer.cancel:ok", "transfer.request:ok", "transfer.reject:ok",
      ])
    let detail = try desk.store.read { db in
      try String.fetchOne(db, sql: "SELECT detail FROM audit_event WHERE action = 'transfer.reject'")
    }
    #expect(detail?.contains(#""rejection_reason":"居民已撤回申请""#) == true)
  }
}
