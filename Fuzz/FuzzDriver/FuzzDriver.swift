import Foundation

/// libFuzzer's driver, which parses the options and runs the callback on each input.
@_silgen_name("LLVMFuzzerRunDriver")
private func runFuzzerDriver(
  _ argc: UnsafeMutablePointer<CInt>,
  _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
  _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
) -> CInt

/// Runs libFuzzer on `callback` with the process's command line, and exits with its status.
///
/// SwiftPM gives an executable target its own entry point, so libFuzzer's `main` is not the one
/// that runs; each target's `main.swift` hands the command line to libFuzzer's driver through this
/// one instead.
public func runFuzzer(_ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt) -> Never {
  var arguments = CommandLine.argc
  var vector = CommandLine.unsafeArgv
  exit(runFuzzerDriver(&arguments, &vector, callback))
}
