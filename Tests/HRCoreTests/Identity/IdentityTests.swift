import Testing

@testable import HRCore

private let today = LocalDate("2026-11-26")!

@Suite("Resident ID numbers (GB 11643)")
struct ResidentIDTests {
  @Test(
    "A valid number gives its birth date and sex",
    arguments: [
      ("11010519491231002X", "1949-12-31", Sex.female),
      ("11010519491231002x", "1949-12-31", Sex.female),
      ("500103198001010016", "1980-01-01", Sex.male),
      ("500103200002290048", "2000-02-29", Sex.female),
      ("510104201211301236", "2012-11-30", Sex.male),
      ("500229202611260010", "2026-11-26", Sex.male),
    ])
  func validNumber(text: String, birth: String, sex: Sex) throws {
    let id = try ResidentID(text, today: today)
    #expect(id.value == text.uppercased())
    #expect(id.birthDate == LocalDate(birth))
    #expect(id.sex == sex)
    #expect(!id.wasConverted)
  }

  @Test(
    "An invalid number is refused with the reason",
    arguments: [
      ("110105194912310021", IdentityError.checkDigit("110105194912310021", expected: "X")),
      ("500103198002300015", IdentityError.impossibleBirthDate("500103198002300015")),
      ("500103200102290045", IdentityError.impossibleBirthDate("500103200102290045")),
      ("500229202611270016", IdentityError.futureBirthDate("500229202611270016")),
      ("500103185001010013", IdentityError.birthYearTooEarly("500103185001010013", year: 1850)),
      ("500103187901010018", IdentityError.birthYearTooEarly("500103187901010018", year: 1879)),
      ("990103198001010013", IdentityError.unknownProvince("990103198001010013")),
      ("50010319800101001", IdentityError.malformedResidentID("50010319800101001")),
      ("5001031980010100161", IdentityError.malformedResidentID("5001031980010100161")),
      ("50010319800101001Y", IdentityError.malformedResidentID("50010319800101001Y")),
      ("", IdentityError.malformedResidentID("")),
    ])
  func invalidNumber(text: String, error: IdentityError) {
    #expect(throws: error) { try ResidentID(text, today: today) }
  }

  @Test(
    "Full-width digits and a lower-case x are read as the number typed in ASCII",
    arguments: ["５00103198001010016", "５００１０３１９８００１０１００１６", " 500103198001010016 ", "11010519491231002x", "１１０１０５１９４９１２３１００２ｘ"])
  func normalisedNumber(text: String) throws {
    let id = try ResidentID(text, today: today)
    #expect(id.value == (text.contains("x") || text.contains("ｘ") ? "11010519491231002X" : "500103198001010016"))
  }

  @Test("A birth year before 1880 is refused as too early, not as a date that does not exist")
  func birthYearBefore1880() throws {
    #expect(
      IdentityError.birthYearTooEarly("500103185001010013", year: 1850).description
        == "id number '500103185001010013' carries birth year 1850, before 1880")
    #expect(try ResidentID("500103188001010017", today: today).birthDate == LocalDate("1880-01-01"))
  }

  @Test("A 15-digit legacy number is converted to 18 digits with century 19 and its check digit")
  func legacyNumberIsConverted() throws {
    let id = try ResidentID("500103800101001", today: today)
    #expect(id.value == "500103198001010016")
    #expect(id.wasConverted)
    #expect(id.birthDate == LocalDate("1980-01-01"))
    #expect(id.sex == .male)
  }

  @Test("A 15-digit number with an impossible date is refused")
  func legacyNumberWithImpossibleDate() {
    #expect(throws: IdentityError.impossibleBirthDate("500103801301001")) { try ResidentID("500103801301001", today: today) }
  }
}

@Suite("Birth certificates, divisions and record numbers")
struct CodeTests {
  @Test(
    "Birth certificate numbers are one upper-case letter and 9 digits",
    arguments: [
      ("O500012345", true), ("A123456789", true), ("a123456789", false), ("A12345678", false),
      ("AB23456789", false), ("1123456789", false), ("A1234567890", false),
    ])
  func birthCertificate(text: String, valid: Bool) {
    #expect(((try? BirthCertificateNumber(text)) != nil) == valid)
  }

  @Test(
    "Division codes: 12 digits, a township, and a committee in 001–099, 101–199 or 901–999",
    arguments: [
      ("500103001001", true), ("500103001099", true), ("500103002101", true), ("500103002199", true),
      ("500103003901", true), ("500103003999", true), ("500103001000", false), ("500103001100", false),
      ("500103001200", false), ("500103001900", false), ("500103000001", false), ("50010300100", false),
      ("5001030010011", false), ("50010300100a", false),
    ])
  func division(text: String, valid: Bool) {
    #expect(((try? DivisionCode(text)) != nil) == valid)
  }

  @Test("A record number is the division code and a 5-digit sequence")
  func recordNumber() throws {
    let division = try DivisionCode("500103001001")
    #expect(RecordNumber(division: division, sequence: 1).value == "50010300100100001")
    #expect(RecordNumber(division: division, sequence: 99_999).value == "50010300100199999")
    #expect(division.district == "500103")
    #expect(throws: IdentityError.malformedRecordNumber("5001030010010001")) { try RecordNumber("5001030010010001") }
  }
}

@Suite("Calendar dates")
struct LocalDateTests {
  @Test(
    "Dates parse only as YYYY-MM-DD and real days",
    arguments: [
      ("2024-02-29", true), ("2023-02-29", false), ("2026-13-01", false), ("2026-1-01", false),
      ("2026-01-01T00:00", false), ("20260101", false), ("2026-04-31", false), ("0000-01-01", false),
    ])
  func parsing(text: String, valid: Bool) {
    #expect((LocalDate(text) != nil) == valid)
  }

  @Test("Day arithmetic crosses months, years and leap days")
  func arithmetic() {
    let date = LocalDate("2024-02-28")!
    #expect(date.adding(days: 1)?.description == "2024-02-29")
    #expect(date.adding(days: 2)?.description == "2024-03-01")
    #expect(date.adding(days: 366)?.description == "2025-02-28")
    #expect(LocalDate("2026-11-26")!.days(since: LocalDate("2025-11-26")!) == 365)
    #expect(LocalDate("1970-01-01")!.daysSinceEpoch == 0)
    #expect(LocalDate(daysSinceEpoch: -1)?.description == "1969-12-31")
    #expect(LocalDate("2024-02-29")!.adding(years: 1)?.description == "2025-02-28")
  }

  @Test("Every date lies in years 1000–9999: parsing, day and year arithmetic never leave them")
  func calendarBounds() {
    #expect(LocalDate("0999-12-31") == nil)
    #expect(LocalDate("1000-01-01") == LocalDate.earliest)
    #expect(LocalDate("9999-12-31") == LocalDate.latest)
    #expect(LocalDate.latest.adding(days: 1) == nil)
    #expect(LocalDate.latest.adding(days: 0) == LocalDate.latest)
    #expect(LocalDate.earliest.adding(days: -1) == nil)
    #expect(LocalDate.latest.adding(days: Int.max) == nil)
    #expect(LocalDate.earliest.adding(days: Int.min) == nil)
    #expect(LocalDate("9999-06-30")!.adding(years: 1) == nil)
    #expect(LocalDate("1000-06-30")!.adding(years: -1) == nil)
    #expect(LocalDate(daysSinceEpoch: LocalDate.latest.daysSinceEpoch + 1) == nil)
    #expect(throws: LineRejection.self) { try LocalDate.latest.adding(days: 7, for: "the due date") }
  }

  @Test("Age counts completed years")
  func age() {
    let birth = LocalDate("1961-11-27")!
    #expect(birth.age(on: LocalDate("2026-11-26")!) == 64)
    #expect(birth.age(on: LocalDate("2026-11-27")!) == 65)
  }
}
