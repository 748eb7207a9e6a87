import Foundation
import FuzzDriver
import HRCore
import HRLines

/// libFuzzer's entry: one input line through the strict JSON parser. Whatever parses must write
/// back compactly and parse again to the same object; nothing may trap.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSONLine(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let bytes = Array(UnsafeBufferPointer(start: data, count: size))
  guard let object = try? JSONParser.parseObject(bytes) else { return 0 }
  let written = JSONValue.object(object).compact
  guard let again = try? JSONParser.parseObject(Array(written.utf8)), again == object else {
    preconditionFailure("a parsed line does not read back the same once written: \(written)")
  }
  return 0
}

runFuzzer(fuzzJSONLine)
