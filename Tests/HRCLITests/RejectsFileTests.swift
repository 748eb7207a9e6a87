import Foundation
import Testing

/// `--rejects` names a file the tool writes: it may never overwrite the store, the files SQLite
/// keeps beside it, the configuration or an input, and a write to it that fails stops the run.
@Suite("The rejects file")
struct RejectsFileTests {
  /// One good person and one line that is rejected.
  private static let input = Sandbox.people(1) + #"{"bad":1}"# + "\n"

  /// A sandbox whose store already holds three records, with its checksum to prove it untouched.
  private static func populated() throws -> (Sandbox, String) {
    let sandbox = try Sandbox()
    #expect(try sandbox.run("hr-create", ["--quiet"], stdin: Sandbox.people(3, seed: 21)).status == 0)
    return (sandbox, try sandbox.sqlite("SELECT group_concat(record_no) FROM record"))
  }

  @Test(
    "A rejects file that is the store, by any path to it, is refused before anything is opened",
    arguments: [
      "hr.sqlite", "./hr.sqlite", "../$(basename \"$PWD\")/hr.sqlite", "store-link", "hr.sqlite-wal", "hr.sqlite-shm",
      "hr.sqlite-journal", "./store-link-wal",
    ])
  func rejectsOnTheStoreIsRefused(path: String) throws {
    let (sandbox, records) = try Self.populated()
    try sandbox.write("people.jsonl", Self.input)
    let size = try FileManager.default.attributesOfItem(atPath: sandbox.store)[.size] as? Int
    let result = try sandbox.shell(
      """
      ln -s hr.sqlite store-link && ln -s hr.sqlite-wal store-link-wal
      hr-create --store store-link --rejects \(path) people.jsonl
      """)
    #expect(result.status == 64, "\(result.stderr)")
    #expect(result.stdout.isEmpty)
    #expect(result.errorLines.count == 1)
    #expect(result.stderr.hasPrefix("hr-create: --rejects '"), "\(result.stderr)")
    #expect(result.stderr.contains("is the store"), "\(result.stderr)")
    #expect(try FileManager.default.attributesOfItem(atPath: sandbox.store)[.size] as? Int == size)
    #expect(try sandbox.sqlite("PRAGMA integrity_check") == "ok")
    #expect(try sandbox.sqlite("SELECT group_concat(record_no) FROM record") == records)
    #expect(!FileManager.default.fileExists(atPath: sandbox.directory.appendingPathComponent("hr.sqlite-journal").path))
  }

  @Test("The message names the store and the companion file it would have overwritten")
  func refusalMessage() throws {
    let (sandbox, _) = try Self.populated()
    let store = try sandbox.run("hr-create", ["--rejects", "./hr.sqlite"], stdin: Self.input)
    #expect(store.stderr == "hr-create: --rejects './hr.sqlite' is the store '\(sandbox.store)': name another file\n")
    let wal = try sandbox.run("hr-update", ["--rejects", sandbox.store + "-wal"], stdin: "")
    #expect(wal.status == 64)
    #expect(
      wal.stderr
        == "hr-update: --rejects '\(sandbox.store)-wal' is the store's companion file '\(sandbox.store)-wal': name another file\n"
    )
  }

  @Test(
    "A rejects file that is an input, or the file read as standard input, is refused and the input kept",
    arguments: [
      "hr-create --rejects people.jsonl people.jsonl",
      "hr-create --rejects ./people.jsonl other.jsonl people.jsonl",
      "hr-create --rejects people-link.jsonl people.jsonl",
      "hr-create --rejects people.jsonl - < people.jsonl",
      "hr-create --rejects people.jsonl < people.jsonl",
      "hr-create --rejects hr.yaml people.jsonl",
    ])
  func rejectsOnAnInputIsRefused(command: String) throws {
    let sandbox = try Sandbox(newStore: false)
    try sandbox.write("people.jsonl", Self.input)
    try sandbox.write("other.jsonl", "")
    let configuration = try sandbox.read("hr.yaml")
    let result = try sandbox.shell("ln -s people.jsonl people-link.jsonl && " + command)
    #expect(result.status == 64, "\(result.stderr)")
    #expect(
      result.stderr.contains("is the input file") || result.stderr.contains("is the file read as standard input")
        || result.stderr.contains("is the configuration"), "\(result.stderr)")
    #expect(try sandbox.read("people.jsonl") == Self.input)
    #expect(try sandbox.read("hr.yaml") == configuration)
    #expect(!FileManager.default.fileExists(atPath: sandbox.store), "a refused run creates no store")
  }

  @Test("A rejects file beside the input, and one through a link to a new file, are written")
  func anotherFileIsWritten() throws {
    let sandbox = try Sandbox()
    try sandbox.write("people.jsonl", Self.input)
    let result = try sandbox.shell(
      """
      mkdir out && ln -s out/rejects.jsonl dangling.jsonl
      hr-create --rejects dangling.jsonl people.jsonl
      """)
    #expect(result.status == 65, "\(result.stderr)")
    let rejects = try sandbox.read("out/rejects.jsonl")
    #expect(rejects.hasPrefix(#"{"line":2,"file":"people.jsonl","code":"unknown_field""#), "\(rejects)")
    #expect(try sandbox.sqlite("SELECT count(*) FROM record") == "1")
  }

  @Test("A rejects file that cannot be written ends the run with exit 74 and says what was committed")
  func aFullDiskEndsTheRun() throws {
    let sandbox = try Sandbox()
    // Three batches: the first is all good, the second holds a rejected line.
    let people = Sandbox.people(4, seed: 31).split(separator: "\n")
    try sandbox.write(
      "people.jsonl", [people[0], people[1], #"{"bad":1}"#, people[2], people[3], people[0]].joined(separator: "\n") + "\n")
    let result = try sandbox.shell("hr-create --batch-size 2 --rejects /dev/full people.jsonl")
    #expect(result.status == 74, "\(result.stderr)")
    #expect(
      result.errorLines.last == """
        hr-create: cannot write rejects file '/dev/full': No space left on device; 2 lines committed before the error, \
        through line 2 of 'people.jsonl'; rerunning the same input is safe: duplicates are rejected
        """)
    // The batch with the lost reject was rolled back; what was printed is exactly what is stored.
    #expect(result.objects.count == 2)
    #expect(try sandbox.sqlite("SELECT count(*) FROM record") == "2")
    #expect(try sandbox.auditChain().intact)
  }

  @Test("A rejects file that cannot be written before anything commits says nothing was committed")
  func aFullDiskBeforeTheFirstCommit() throws {
    let sandbox = try Sandbox()
    #expect(try sandbox.run("hr-create", stdin: "").status == 0)
    let result = try sandbox.run("hr-update", ["--rejects", "/dev/full"], stdin: #"{"bad":1}"# + "\n")
    #expect(result.status == 74, "\(result.stderr)")
    #expect(
      result.errorLines.last == "hr-update: cannot write rejects file '/dev/full': No space left on device; nothing was committed"
    )
  }
}
