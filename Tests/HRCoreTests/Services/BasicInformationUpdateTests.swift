import GRDB
import HRLines
import Testing

@testable import HRCore

@Suite("Basic-information update (hr-update set)")
struct BasicInformationUpdateTests {
  @Test func changedFieldKeepsItsOldValueInTheHistory() throws {
    let fixture = try ServiceFixture()
    let recordNo = try fixture.create([
      "id_number": .string(ServiceFixture.elderID), "name": "张三", "division": "500103001001", "org": "500103001",
      "phone": "13911112222",
    ])
    let out = try fixture.update(
      ["record_no": .string(recordNo), "set": ["phone": "13800000000", "work_unit": "解放碑街道"]], by: "doc-li")
    #expect(out.compact == #"{"record_no":"\#(recordNo)","result":"updated","changed":["phone","work_unit"]}"#)
    let record = try fixture.record(recordNo)
    #expect(record.phone == "13800000000")
    #expect(record.workUnit == "解放碑街道")
    let history = try fixture.store.read { db in try Registry.history(of: recordNo, in: db) }
    #expect(
      history.map(\.change) == [
        FieldChange(field: "phone", old: "13911112222", new: "13800000000"),
        FieldChange(field: "work_unit", old: nil, new: "解放碑街道"),
      ])
    #expect(history.allSatisfy { $0.by == "doc-li" && $0.on == LocalDate("2026-11-26")! })
    #expect(try fixture.auditCount("record.update") == 1)
  }

  @Test func settingTheValuesAlreadyHeldChangesNothingAndIsNotAudited() throws {
    let fixture = try ServiceFixture()
    let recordNo = try fixture.createElder()
    let out = try fixture.update(["record_no": .string(recordNo), "set": ["name": "张三", "sex": 1]])
    #expect(out.compact == #"{"record_no":"\#(recordNo)","result":"unchanged","changed":[]}"#)
    #expect(try fixture.scalar("SELECT count(*) FROM record_history") == 0)
    #expect(try fixture.auditCount("record.update") == 0)
  }

  @Test func nullClearsAnOptionalFieldAndTheHistoryKeepsTheOldValue() throws {
    let fixture = try ServiceFixture()
    let recordNo = try fixture.create([
      "id_number": .string(ServiceFixture.elderID), "name": "张三", "division": "500103001001", "org": "500103001",
      "work_unit": "重庆钢铁厂",
    ])
    try fixture.update(["record_no": .string(recordNo), "set": ["work_unit": nil]])
    #expect(try fixture.record(recordNo).workUnit == nil)
    #expect(try fixture.scalar("SELECT old_value FROM record_history WHERE field = 'work_unit'") == "重庆钢铁厂")
  }

  @Test(arguments: [
    ("org", "transfer"), ("managing_org", "transfer"), ("birth_cert_no", "identifiers are never replaced"),
    ("mother_id_number", "identifiers are never replaced"), ("created_on", "creation details"),
    ("created_by", "creation details"),
    ("record_no", "master index"), ("tags", "'tag' line"), ("status", "hr-archive"),
  ])
  func identifiersOrganisationAndCreationDetailsCannotBeSet(field: String, hint: String) throws {
    let fixture = try ServiceFixture()
    let recordNo = try fixture.createElder()
    let rejection = try #require(try fixture.rejection(of: ["record_no": .string(recordNo), "set": [field: "x"]]))
    #expect(rejection.code == .notSettable)
    #expect(rejection.message.hasPrefix("field 'set.\(field)' cannot be set"))
    #expect(rejection.message.contains(hint))
    #expect(rejection.details["field"] == .string("set.\(field)"))
  }

  @Test func unknownFieldInSetIsRejectedNamingTheField() throws {
    let fixture = try ServiceFixture()
    let recordNo = try fixture.createElder()
    let rejection = try #require(try fixture.rejection(of: ["record_no": .string(recordNo), "set": ["phnoe": "13800000000"]]))
    #expect(rejection.code == .unknownField)
    #expect(rejection.message == "unknown field 'set.phnoe'; did you mean 'set.phone'?")
  }

  @Test func invalidValuesAreCheckedByTheCreationRules() throws {
    let fixture = try ServiceFixture()
    let recordNo = try fixture.createElder()
    let phone = try #require(try fixture.rejection(of: ["record_no": .string(recordNo), "set": ["phone": "12345"]]))
    #expect(phone.code == .invalidValue)
    #expect(phone.details["field"] == "set.phone")
    let sex = try #require(try fixture.rejection(of: ["record_no": .string(recordNo), "set": ["sex": 3]]))
    #expect(sex.message.hasPrefix("field 'set.sex' must be a GB/T 2261.1 code"))
    let name = try #require(try fixture.rejection(of: ["record_no": .string(recordNo), "set": ["name": nil]]))
    #expect(name.code == .missingField)
  }

  @Test func sexOrBirthDateContradictingTheIDNumberIsRejected() throws {
    let fixture = try ServiceFixture()
    let recordNo = try fixture.createElder()
    let sex = try #require(try fixture.rejection(of: ["record_no": .string(recordNo), "set": ["sex": 2]]))
    #expect(sex.code == .idMismatch)
    let birth = try #require(try fixture.rejection(of: ["record_no": .string(recordNo), "set": ["birth_date": "1956-02-01"]]))
    #expect(birth.code == .idMismatch)
    #expect(birth.details["field"] == "set.birth_date")
  }

  @Test func divisionMayMoveOnlyWithinTheManagingDistrict() throws {
    let fixture = try ServiceFixture()
    let recordNo = try fixture.createElder()
    try fixture.update(["record_no": .string(recordNo), "set": ["division": "500103002003"]])
    #expect(try fixture.record(recordNo).division == "500103002003")
    let away = try #require(try fixture.rejection(of: ["record_no": .string(recordNo), "set": ["division": "500106001001"]]))
    #expect(away.code == .unknownDistrict)
    #expect(away.message.contains("transfer"))
  }

  @Test func clinicianOfAnotherOrganisationIsForbiddenAndTheDenialCarriesAnAuditEvent() throws {
    let fixture = try ServiceFixture()
    let recordNo = try fixture.createElder()
    let rejection = try #require(
      try fixture.rejection(of: ["record_no": .string(recordNo), "set": ["phone": "13800000000"]], by: "doc-zhao"))
    #expect(rejection.code == .forbidden)
    #expect(rejection.audit?.action == "record.update")
    #expect(rejection.audit?.outcome == .denied)
    #expect(rejection.audit?.recordNo == recordNo)
    #expect(try fixture.record(recordNo).phone == nil)
  }

  @Test(arguments: ["lost", "deceased", "moved_out"])
  func archivedRecordTakesNoUpdate(reason: String) throws {
    let fixture = try ServiceFixture()
    let recordNo = try fixture.createElder()
    try fixture.archive(recordNo, reason: reason)
    let rejection = try #require(try fixture.rejection(of: ["record_no": .string(recordNo), "set": ["phone": "13800000000"]]))
    #expect(rejection.code == .recordArchived)
    #expect(rejection.message == "record '\(recordNo)' is archived as \(reason) on 2026-11-01 and takes no update")
  }
}

@Suite("Identifier upgrade (annex 1, 二(四))")
struct IdentifierUpgradeTests {
  static let childID = ServiceFixture.id("50010320260310002")

  func createNewborn(_ fixture: ServiceFixture, sex: Int = 2, birth: String = "2026-03-10") throws -> String {
    try fixture.create([
      "birth_cert_no": "P500100123", "name": "王小雨", "sex": .int(sex), "birth_date": .string(birth),
      "division": "500103001001", "org": "500103001", "created_on": "2026-03-20",
    ])
  }

  @Test func birthCertificateRecordTakesAnIDNumberAndKeepsTheCertificateAsAnAlias() throws {
    let fixture = try ServiceFixture()
    let recordNo = try createNewborn(fixture)
    let out = try fixture.update(["record_no": .string(recordNo), "set": ["id_number": .string(Self.childID)]], by: "doc-li")
    #expect(
      out.compact == #"{"record_no":"\#(recordNo)","result":"updated","changed":["id_number"],"id_number":"\#(Self.childID)"}"#)
    #expect(try fixture.record(recordNo).idNumber == Self.childID)
    #expect(try fixture.record(recordNo).birthCertNo == "P500100123")
    let byCertificate = try fixture.store.read { db in
      try Registry.holder(of: .birthCertificate(BirthCertificateNumber("P500100123")), in: db)
    }
    let byID = try fixture.store.read { db in
      try Registry.holder(of: .residentID(ResidentID(Self.childID, today: LocalDate("2026-11-26")!)), in: db)
    }
    #expect(byCertificate?.recordNo == recordNo)
    #expect(byID?.recordNo == recordNo)
    #expect(
      try fixture.scalar("SELECT group_concat(kind || ':' || current, ',') FROM (SELECT * FROM identifier ORDER BY kind)")
        == "birth_cert_no:0,id_number:1")
    #expect(
      try fixture.scalar("SELECT detail FROM audit_event WHERE action = 'record.update'")
        == #"{"aliases":["birth_cert_no"],"changed":["id_number"]}"#)
  }

  @Test func upgradeIsRefusedWhenAnotherRecordHoldsTheNumber() throws {
    let fixture = try ServiceFixture()
    let recordNo = try createNewborn(fixture)
    let other = try fixture.create([
      "id_number": .string(Self.childID), "name": "王小雨", "division": "500103001002", "org": "500103002",
    ])
    let rejection = try #require(
      try fixture.rejection(of: ["record_no": .string(recordNo), "set": ["id_number": .string(Self.childID)]]))
    #expect(rejection.code == .duplicateRecord)
    #expect(rejection.details["record_no"] == .string(other))
    #expect(try fixture.record(recordNo).idNumber == nil)
  }

  @Test func recordedBirthDateContradictingTheNewNumberIsRejectedUnlessCorrectedInTheSameLine() throws {
    let fixture = try ServiceFixture()
    let recordNo = try createNewborn(fixture, birth: "2026-03-09")
    let rejection = try #require(
      try fixture.rejection(of: ["record_no": .string(recordNo), "set": ["id_number": .string(Self.childID)]]))
    #expect(rejection.code == .idMismatch)
    #expect(rejection.message.contains("set the right birth date in the same line"))
    let out = try fixture.update([
      "record_no": .string(recordNo), "set": ["id_number": .string(Self.childID), "birth_date": "2026-03-10"],
    ])
    #expect(out["changed"] == ["id_number", "birth_date"])
  }

  @Test func unknownSexIsReplacedByTheSexTheNumberEncodes() throws {
    let fixture = try ServiceFixture()
    let recordNo = try createNewborn(fixture, sex: 0)
    let out = try fixture.update(["record_no": .string(recordNo), "set": ["id_number": .string(Self.childID)]])
    #expect(out["changed"] == ["id_number", "sex"])
    #expect(try fixture.record(recordNo).sex == 2)
  }

  @Test func anIDNumberOnceHeldIsNeverReplaced() throws {
    let fixture = try ServiceFixture()
    let recordNo = try fixture.createElder()
    let rejection = try #require(
      try fixture.rejection(of: [
        "record_no": .string(recordNo), "set": ["id_number": .string(ServiceFixture.id("50010319560101003"))],
      ]))
    #expect(rejection.code == .notSettable)
    let same = try fixture.update(["record_no": .string(recordNo), "set": ["id_number": .string(ServiceFixture.elderID)]])
    #expect(same["result"] == "unchanged")
  }

  @Test func motherLinkedTwinRenamedToHerSiblingsNameIsADuplicate() throws {
    let fixture = try ServiceFixture()
    let mother = ServiceFixture.id("50010319900202002")
    let first = try fixture.create([
      "mother_id_number": .string(mother), "name": "大宝", "sex": 1, "birth_date": "2026-10-01", "division": "500103001001",
      "org": "500103001",
    ])
    let second = try fixture.create([
      "mother_id_number": .string(mother), "name": "二宝", "sex": 1, "birth_date": "2026-10-01", "division": "500103001001",
      "org": "500103001",
    ])
    let rejection = try #require(try fixture.rejection(of: ["record_no": .string(second), "set": ["name": "大宝"]]))
    #expect(rejection.code == .duplicateRecord)
    #expect(rejection.details["record_no"] == .string(first))
    try fixture.update(["record_no": .string(second), "set": ["name": "王二宝"]])
    let link = MotherLink(
      mother: try ResidentID(mother, today: LocalDate("2026-11-26")!), name: "王二宝", birthDate: LocalDate("2026-10-01")!)
    let found = try fixture.store.read { db in try Registry.holder(of: .motherLink(link), in: db) }
    #expect(found?.recordNo == second)
    #expect(try fixture.scalar("SELECT count(*) FROM identifier WHERE record_no = ? AND current = 0", [second]) == 1)
  }

  @Test(arguments: [false, true])
  func motherLinkedChildRenamedAfterOrWithItsUpgradeIsStillFoundThroughTheMother(sameLine: Bool) throws {
    let fixture = try ServiceFixture()
    let mother = ServiceFixture.id("50010319900202002")
    let childID = ServiceFixture.id("50010320261001001")
    let recordNo = try fixture.create([
      "mother_id_number": .string(mother), "name": "大宝", "sex": 1, "birth_date": "2026-10-01", "division": "500103001001",
      "org": "500103001",
    ])
    if sameLine {
      try fixture.update(["record_no": .string(recordNo), "set": ["id_number": .string(childID), "name": "王大宝"]])
    } else {
      try fixture.update(["record_no": .string(recordNo), "set": ["id_number": .string(childID)]])
      try fixture.update(["record_no": .string(recordNo), "set": ["name": "王大宝"]])
    }
    let again: JSONObject = [
      "mother_id_number": .string(mother), "name": "王大宝", "sex": 1, "birth_date": "2026-10-01", "division": "500103001001",
      "org": "500103001",
    ]
    let rejection = try #require(
      throws: LineRejection.self, performing: { try fixture.create(again) })
    #expect(rejection.code == .duplicateRecord)
    #expect(rejection.details["record_no"] == .string(recordNo))
    // The ID number is the one current identifier; both mother links are aliases.
    #expect(
      try fixture.scalar(
        "SELECT group_concat(kind || ':' || current, ',') FROM (SELECT * FROM identifier ORDER BY kind, current)")
        == "id_number:1,mother_id_number:0,mother_id_number:0")
  }
}
