import HRLines
import Testing

@testable import HRCore

@Suite("Transfer request lines")
struct TransferRequestTests {
  let configuration: Configuration

  init() throws {
    configuration = try Configuration.parse(yaml: TransferDesk.yaml, file: "test.yaml")
  }

  func parse(_ line: JSONObject, _ defaults: TransferRequest.Defaults = .init()) throws(LineRejection) -> TransferRequest {
    try TransferRequest(Fields(selecting: line), defaults: defaults, configuration: configuration)
  }

  @Test("The reasons are the regulation's seven, in its order (annex 1, 四(三)5)")
  func reasonsAreTheRegulationsList() {
    #expect(
      TransferReason.allCases.map(\.rawValue) == [
        "own_request", "residence_change", "marriage", "military_service", "schooling", "dissatisfied", "floating",
      ])
  }

  @Test("The consent methods are the regulation's four (annex 1, 四(三)4)")
  func consentMethodsAreTheRegulationsList() {
    #expect(ConsentMethod.allCases.map(\.rawValue) == ["signed_form", "biometric", "sms_phone", "video"])
  }

  @Test("Organisations in two districts make a cross-district transfer, in one an intra-district one")
  func kindFollowsDistricts() {
    #expect(TransferKind(from: "500103", to: "500106") == .crossDistrict)
    #expect(TransferKind(from: "500103", to: "500103") == .intraDistrict)
  }

  @Test("The options fill every field a line leaves out")
  func optionsFillMissingFields() throws {
    let request = try parse(
      ["record_no": "50010300100100001"],
      .init(toOrg: "500106001", reason: .marriage, consentMethod: .video, consentRef: "V-9"))
    #expect(request.toOrg.code == "500106001")
    #expect(request.toOrg.district == "500106")
    #expect(request.reason == .marriage)
    #expect(request.consent == Consent(method: .video, ref: "V-9"))
  }

  @Test("A line's own fields win over the options, one consent part at a time")
  func lineFieldsWinOverOptions() throws {
    let request = try parse(
      ["to_org": "500112001", "reason": "schooling", "consent": ["method": "biometric"]],
      .init(toOrg: "500106001", reason: .marriage, consentMethod: .video, consentRef: "V-9"))
    #expect(request.toOrg.code == "500112001")
    #expect(request.reason == .schooling)
    #expect(request.consent == Consent(method: .biometric, ref: "V-9"))
  }

  @Test(
    "A field present in neither the line nor the options is missing",
    arguments: [
      (TransferRequest.Defaults(reason: .marriage, consentMethod: .video, consentRef: "R"), "to_org"),
      (TransferRequest.Defaults(toOrg: "500106001", consentMethod: .video, consentRef: "R"), "reason"),
      (TransferRequest.Defaults(toOrg: "500106001", reason: .marriage, consentRef: "R"), "consent.method"),
      (TransferRequest.Defaults(toOrg: "500106001", reason: .marriage, consentMethod: .video), "consent.ref"),
    ])
  func missingFieldIsNamed(defaults: TransferRequest.Defaults, field: String) {
    let rejection = #expect(throws: LineRejection.self) { try parse(["record_no": "50010300100100001"], defaults) }
    #expect(rejection?.code == .missingField)
    #expect(rejection?.details["field"] == .string(field))
  }

  @Test(
    "Values outside the closed lists, unknown consent fields and unknown organisations are refused",
    arguments: [
      (["to_org": "500106001", "reason": "bored", "consent": ["method": "video", "ref": "R"]], "invalid_value", "reason"),
      (
        ["to_org": "500106001", "reason": "marriage", "consent": ["method": "email", "ref": "R"]], "invalid_value",
        "consent.method"
      ),
      (
        ["to_org": "500106001", "reason": "marriage", "consent": ["method": "video", "ref": "R", "by": "x"]], "unknown_field",
        "consent.by"
      ),
      (["to_org": "500106001", "reason": "marriage", "consent": "signed"], "invalid_value", "consent"),
      (["to_org": "599999001", "reason": "marriage", "consent": ["method": "video", "ref": "R"]], "not_found", "to_org"),
      (
        ["to_org": "500106001", "reason": "marriage", "consent": ["method": "video", "ref": "  "]], "invalid_value", "consent.ref"
      ),
    ] as [(JSONObject, String, String)])
  func invalidValuesAreRefused(line: JSONObject, code: String, field: String) {
    let rejection = #expect(throws: LineRejection.self) { try parse(line) }
    #expect(rejection?.code.rawValue == code)
    #expect(rejection?.details["field"] == .string(field))
  }

  @Test("An option's text follows the rules of the field it stands for")
  func optionTextIsChecked() throws {
    #expect(try OptionError.text("  SMS-1 ", option: "consent-ref", maxLength: 100) == "SMS-1")
    #expect(try OptionError.text(nil, option: "consent-ref", maxLength: 100) == nil)
    #expect(throws: OptionError(option: "consent-ref", reason: "is empty")) {
      try OptionError.text(" ", option: "consent-ref", maxLength: 100)
    }
    #expect(throws: OptionError(option: "consent-ref", reason: "is longer than 100 characters")) {
      try OptionError.text(String(repeating: "x", count: 101), option: "consent-ref", maxLength: 100)
    }
    #expect(throws: OptionError(option: "death-date", reason: "is in the future (2026-11-27 is after 2026-11-26)")) {
      try OptionError.pastDate(LocalDate("2026-11-27"), option: "death-date", today: LocalDate("2026-11-26")!)
    }
  }
}
