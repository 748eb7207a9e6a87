import GRDB
import HRCore
import HRLines
import Testing

@Suite("Tags (个人健康标识)")
struct HealthTagsTests {
  @Test func tagIsAppendedWithItsSourceAndDate() throws {
    let fixture = try ServiceFixture()
    let recordNo = try fixture.createElder()
    let out = try fixture.update(
      ["record_no": .string(recordNo), "tag": ["code": "hypertension", "source": "慢病系统", "since": "2026-03-01"]], by: "doc-li")
    #expect(
      out.compact == #"{"record_no":"\#(recordNo)","result":"tag_added","tag_id":1,"code":"hypertension","since":"2026-03-01"}"#)
    let active = try fixture.store.read { db in try HealthTags.active(ofRecord: recordNo, in: db) }
    #expect(active == [ActiveTag(tagID: 1, code: "hypertension", source: "慢病系统", since: LocalDate("2026-03-01"))])
    #expect(try fixture.auditCount("tag.add") == 1)
  }

  @Test(arguments: ["elderly", "child_0_6"])
  func derivedTagsAreNeverSetByHand(code: String) throws {
    let fixture = try ServiceFixture()
    let recordNo = try fixture.createElder()
    let rejection = try #require(try fixture.rejection(of: ["record_no": .string(recordNo), "tag": ["code": .string(code)]]))
    #expect(rejection.code == .invalidValue)
    #expect(rejection.message == "field 'tag.code' tag '\(code)' is derived from age and never set by hand")
  }

  @Test(
    "An unknown tag is answered with the code nearest to it, or with the codes there are",
    arguments: [
      ("Hypertension", "unknown tag 'Hypertension'; did you mean 'hypertension'?"),
      ("blood_typ:A", "unknown tag 'blood_typ:A'; did you mean 'blood_type:A'?"),
      (
        "pigeon",
        "unknown tag 'pigeon'; expected one of classified, diabetes, hypertension, maternal, notifiable_infectious, severe_mental_disorder, special_disease, tuberculosis, weight_status:<value>, blood_type:<value>"
      ),
    ])
  func unknownTagIsAnsweredWithTheNearest(code: String, message: String) throws {
    let fixture = try ServiceFixture()
    let recordNo = try fixture.createElder()
    let rejection = try #require(try fixture.rejection(of: ["record_no": .string(recordNo), "tag": ["code": .string(code)]]))
    #expect(rejection.code == .invalidValue)
    #expect(rejection.message == "field 'tag.code' \(message)")
  }

  @Test(
    "A valued tag's value obeys the rule of every free text: an invisible character or a line separator is refused, spaces trimmed",
    arguments: [
      ("weight_status:obese\u{200B}", nil), ("blood_type:A\u{2028}B", nil), ("weight_status: obese ", "weight_status:obese"),
    ])
  func valuedTagValueIsFreeText(code: String, kept: String?) throws {
    let fixture = try ServiceFixture()
    let recordNo = try fixture.createElder()
    let line: JSONObject = ["record_no": .string(recordNo), "tag": ["code": .string(code)]]
    if let kept {
      try fixture.update(line)
      let active = try fixture.store.read { db in try HealthTags.active(ofRecord: recordNo, in: db) }
      #expect(active.map(\.code) == [kept])
    } else {
      let rejection = try #require(try fixture.rejection(of: line))
      #expect(rejection.code == .invalidValue)
      #expect(rejection.message.hasPrefix("field 'tag.code' contains "))
    }
  }

  @Test func currentTagsIncludeTheAgeTags() throws {
    let fixture = try ServiceFixture()
    let recordNo = try fixture.createElder()
    try fixture.update(["record_no": .string(recordNo), "tag": ["code": "diabetes"]])
    let record = try fixture.record(recordNo)
    #expect(
      try fixture.store.read { db in try HealthTags.current(of: record, on: LocalDate("2026-11-26")!, in: db) } == [
        "elderly", "diabetes",
      ])
  }

  @Test func endingATagAppendsAnEndRowAndKeepsTheStart() throws {
    let fixture = try ServiceFixture()
    let recordNo = try fixture.createElder()
    try fixture.update(["record_no": .string(recordNo), "tag": ["code": "tuberculosis", "since": "2026-02-01"]])
    let out = try fixture.update(["record_no": .string(recordNo), "tag": ["code": "tuberculosis", "ended": "2026-10-01"]])
    #expect(
      out.compact == #"{"record_no":"\#(recordNo)","result":"tag_ended","tag_id":2,"code":"tuberculosis","ended":"2026-10-01"}"#)
    #expect(try fixture.store.read { db in try HealthTags.active(ofRecord: recordNo, in: db) }.isEmpty)
    #expect(
      try fixture.scalar(
        "SELECT group_concat(ifnull(since, '-') || '/' || ifnull(ended, '-'), ',') FROM (SELECT * FROM tag ORDER BY tag_id)")
        == "2026-02-01/-,-/2026-10-01")
    let again = try fixture.update(["record_no": .string(recordNo), "tag": ["code": "tuberculosis", "ended": "2026-10-01"]])
    #expect(again["result"] == "unchanged")
  }

  @Test func endingATagTheRecordDoesNotHaveIsNotFound() throws {
    let fixture = try ServiceFixture()
    let recordNo = try fixture.createElder()
    let rejection = try #require(
      try fixture.rejection(of: ["record_no": .string(recordNo), "tag": ["code": "diabetes", "ended": "2026-10-01"]]))
    #expect(rejection.code == .notFound)
  }

  @Test func settingATagInForceChangesNothing() throws {
    let fixture = try ServiceFixture()
    let recordNo = try fixture.createElder()
    try fixture.update(["record_no": .string(recordNo), "tag": ["code": "diabetes", "since": "2026-01-10"]])
    let again = try fixture.update(["record_no": .string(recordNo), "tag": ["code": "diabetes"]])
    #expect(
      again.compact == #"{"record_no":"\#(recordNo)","result":"unchanged","tag_id":1,"code":"diabetes","since":"2026-01-10"}"#)
    #expect(try fixture.scalar("SELECT count(*) FROM tag") == 1)
  }

  @Test func newValueOfAValuedTagEndsTheOldValue() throws {
    let fixture = try ServiceFixture()
    let recordNo = try fixture.createElder()
    try fixture.update(["record_no": .string(recordNo), "tag": ["code": "weight_status:normal", "since": "2026-01-10"]])
    try fixture.update(["record_no": .string(recordNo), "tag": ["code": "weight_status:overweight", "since": "2026-09-01"]])
    let active = try fixture.store.read { db in try HealthTags.active(ofRecord: recordNo, in: db) }
    #expect(active.map(\.code) == ["weight_status:overweight"])
    #expect(try fixture.scalar("SELECT ended FROM tag WHERE code = 'weight_status:normal' AND ended IS NOT NULL") == "2026-09-01")
  }

  @Test(arguments: [("severe_mental_disorder", true), ("special_disease", true), ("classified", true), ("hypertension", false)])
  func restrictingTagMarksTheRecordRestrictedAndEndingItDoesNotLiftIt(code: String, restricting: Bool) throws {
    let fixture = try ServiceFixture()
    let recordNo = try fixture.createElder()
    try fixture.update(["record_no": .string(recordNo), "tag": ["code": .string(code), "since": "2026-05-01"]])
    #expect(try fixture.record(recordNo).restricted == restricting)
    try fixture.update(["record_no": .string(recordNo), "tag": ["code": .string(code), "ended": "2026-06-01"]])
    #expect(try fixture.record(recordNo).restricted == restricting)
  }

  @Test func tagOfAnotherOrganisationsRecordIsForbidden() throws {
    let fixture = try ServiceFixture()
    let recordNo = try fixture.createElder()
    let rejection = try #require(
      try fixture.rejection(of: ["record_no": .string(recordNo), "tag": ["code": "diabetes"]], by: "doc-wang"))
    #expect(rejection.code == .forbidden)
    #expect(rejection.audit?.action == "tag.add")
  }
}

@Suite("Family-doctor contracts and contacts (家庭医生签约)")
struct FamilyDoctorTests {
  @Test func contractIsAppendedAndTheSameContractTwiceIsKeptOnce() throws {
    let fixture = try ServiceFixture()
    let recordNo = try fixture.createElder()
    let line: JSONObject = [
      "record_no": .string(recordNo), "contract": ["doctor": "李医生", "team": "解放碑一团队", "signed_on": "2026-02-01"],
    ]
    let out = try fixture.update(line, by: "doc-li")
    #expect(
      out.compact
        == #"{"record_no":"\#(recordNo)","result":"contract_added","contract_id":1,"doctor":"李医生","team":"解放碑一团队","signed_on":"2026-02-01"}"#
    )
    #expect(try fixture.update(line, by: "doc-li")["result"] == "unchanged")
    #expect(try fixture.scalar("SELECT count(*) FROM contract") == 1)
    #expect(try fixture.auditCount("contract.add") == 1)
  }

  @Test func contactRaisesTheLastContact() throws {
    let fixture = try ServiceFixture()
    let recordNo = try fixture.createElder()
    let out = try fixture.update(
      ["record_no": .string(recordNo), "contact": ["date": "2026-11-02", "method": "phone"]], by: "doc-li")
    #expect(
      out.compact == #"{"record_no":"\#(recordNo)","result":"contact_added","contact_id":1,"date":"2026-11-02","method":"phone"}"#
    )
    #expect(try fixture.record(recordNo).lastContact == LocalDate("2026-11-02")!)
  }

  @Test func contactMethodComesFromTheFixedList() throws {
    let fixture = try ServiceFixture()
    let recordNo = try fixture.createElder()
    let rejection = try #require(
      try fixture.rejection(of: ["record_no": .string(recordNo), "contact": ["date": "2026-11-02", "method": "pigeon"]]))
    #expect(
      rejection.message == "field 'contact.method' 'pigeon' is not one of in_person, home_visit, phone, sms, video, online, other"
    )
  }

  @Test func contractIsNotAnOffSiteAction() throws {
    let fixture = try ServiceFixture()
    let recordNo = try fixture.createElder()
    let rejection = try #require(
      try fixture.rejection(
        of: ["record_no": .string(recordNo), "contract": ["doctor": "赵医生", "signed_on": "2026-02-01"]], by: "doc-zhao"))
    #expect(rejection.code == .forbidden)
  }
}
