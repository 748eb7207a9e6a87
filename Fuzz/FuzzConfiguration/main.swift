import Foundation
import FuzzDriver
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

runFuzzer(fuzzConfiguration)
