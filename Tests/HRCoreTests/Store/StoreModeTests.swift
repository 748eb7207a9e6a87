import Foundation
import Testing

@testable import HRCore

/// The refusal of a store others can write, and the fix it names, in each kind of installation.
@Suite("Store modes")
struct StoreModeTests {
  @Test(
    "A store others can write is refused with the chmod that fixes it; the tools' group may write it in a group installation",
    arguments: [
      (0o600, false, nil), (0o660, false, "chmod go-w"), (0o606, false, "chmod go-w"),
      (0o660, true, nil), (0o666, true, "chmod o-w"),
    ] as [(Int, Bool, String?)])
  func writableStore(mode: Int, groupWritable: Bool, fix: String?) throws {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("hr-mode-\(UUID().uuidString)").path
    try Data().write(to: URL(fileURLWithPath: path))
    defer { try? FileManager.default.removeItem(atPath: path) }
    try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
    do {
      try Store.refuseWritableByOthers(path, groupWritable: groupWritable)
      #expect(fix == nil, "mode \(String(mode, radix: 8)) was accepted")
    } catch {
      let fix = try #require(fix, "mode \(String(mode, radix: 8)) was refused: \(error)")
      #expect(error.description.hasSuffix("run '\(fix) \(path)'") || error.description.contains("run '\(fix) \(path)',"))
    }
  }
}
