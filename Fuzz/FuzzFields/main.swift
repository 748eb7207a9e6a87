import Foundation
import FuzzDriver
import HRCore
import HRLines

/// The day every date rule is checked against while fuzzing.
private let today = LocalDate(year: 2026, month: 11, day: 26)!

/// libFuzzer's entry: a line as `hr-create` takes it, through every field validator, and the
/// identifiers themselves on the raw text. Each must accept or reject; none may trap.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFields(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let bytes = Array(UnsafeBufferPointer(start: data, count: size))
  let text = String(decoding: bytes, as: UTF8.self)
  _ = try? ResidentID(text, today: today)
  _ = try? BirthCertificateNumber(text)
  _ = try? DivisionCode(text)
  _ = try? RecordNumber(text)
  _ = BasicInformation.isPhoneNumber(text)
  _ = LocalDate(text)
  guard let object = try? JSONParser.parseObject(bytes) else { return 0 }
  let allowed = Set(["id_number", "name", "sex", "birth_date", "division", "org"] + BasicInformation.optionalFields)
  guard let fields = try? Fields(object, allowed: allowed) else { return 0 }
  _ = try? BasicInformation.name(in: fields)
  _ = try? BasicInformation.sex(in: fields)
  _ = try? BasicInformation.division(in: fields)
  _ = try? fields.pastDate("birth_date", today: today)
  _ = try? fields.recordNumber()
  for field in BasicInformation.fields { _ = try? BasicInformation.storedValue(of: field, in: fields) }
  return 0
}

runFuzzer(fuzzFields)
