import ArgumentParser
import HRCore
import HRLines

/// `hr-create`: creates records after the duplicate check (查验); `--check` only checks.
package struct CreateCommand: ParsableCommand {
  package static let configuration = CommandConfiguration(
    commandName: "hr-create",
    abstract: "Create resident health records after the duplicate check.",
    discussion: """
      Reads one person per JSON line and prints one result per created record, in input order. \
      A person who already has a record (by any identifier the record ever had) is rejected with \
      code duplicate_record and the existing record number: request a transfer instead. With \
      --skip-existing a line whose identifiers all belong to one existing record prints that \
      record with "result":"exists" and counts as accepted, so a load can be fed again.
      """,
    version: toolkitVersion("hr-create"))

  @OptionGroup package var common: CommonOptions
  @OptionGroup package var lines: LineOptions

  @Flag(help: "Only look the identifiers up and print whether a record exists; create nothing.")
  package var check = false

  @Flag(
    help:
      "Answer a line whose identifiers all belong to one existing record with that record (\"result\":\"exists\") instead of rejecting it."
  )
  package var skipExisting = false

  package init() {}

  package func validate() throws {
    if check && skipExisting { throw ValidationError("--skip-existing and --check cannot be given together") }
  }

  package func run() throws {
    // Only a run that creates records creates a missing store: a check or a dry run against a
    // mistyped path would report that nobody has a record. A record that exists is a
    // duplicate_record rejection: feeding the same input again is safe.
    try LineRunner.run(
      "hr-create", action: .write, verb: check ? "checked" : "created", rerunIsSafe: true, common: common, lines: lines,
      createsStore: !check && !lines.dryRun, writes: !check,
      // Creating hands the rows it inserts to each event rather than noting them by trigger.
      prepare: { try StateDigest.handOverInserts(into: StateDigest.createdTables, in: $0) }
    ) { session in
      { object, db in
        check
          ? try Registry.check(object, session: session, in: db)
          : try Registry.create(object, session: session, in: db, skipExisting: skipExisting)
      }
    }
  }
}

/// What `--version` prints for `tool`: `hr-create (hr) 0.2.0`, as GNU tools name their package.
package func toolkitVersion(_ tool: String) -> String {
  "\(tool) (hr) 0.2.0"
}
