import Foundation
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

/// libFuzzer's driver, which parses the options and runs the callback on each input.
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
  _ argc: UnsafeMutablePointer<CInt>,
  _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
  _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
) -> CInt

// SwiftPM gives an executable target its own entry point, so libFuzzer's main is not the one that
// runs; this one hands the command line to libFuzzer's driver instead.
var arguments = CommandLine.argc
var vector = CommandLine.unsafeArgv
exit(runFuzzerDriver(&arguments, &vector, fuzzJSONLine))
