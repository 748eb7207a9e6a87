import Foundation
import HRCore
import HRLines

/// libFuzzer's entry: a configuration file through the strict YAML parser. It must give a
/// configuration or an error naming the file; nothing may trap or run away.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfiguration(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
  do {
    _ = try Configuration.parse(yaml: text, file: "fuzz.yaml")
  } catch {
    guard error.file == "fuzz.yaml" else { preconditionFailure("an error names another file: \(error)") }
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
exit(runFuzzerDriver(&arguments, &vector, fuzzConfiguration))
