import ArgumentParser
import HRCore
import HRLines

/// `hr-update`: changes basic information, upgrades an identifier, and appends service records,
/// tags, contracts and contacts; `hr-update amend` corrects a saved service with an approver.
package struct UpdateCommand: ParsableCommand {
  package static let configuration = CommandConfiguration(
    commandName: "hr-update",
    abstract: "Update resident records: basic information, services, tags, contracts, contacts.",
    discussion: """
      Reads one change per JSON line: a record named by record_no (or id_number) and exactly one of \
      set, service, tag, contract or contact. Prints one result per accepted line, in input order. \
      Saved service records are never changed; 'hr-update amend' stores an approved correction beside one.
      """,
    version: toolkitVersion("hr-update"),
    subcommands: [Apply.self, Amend.self],
    defaultSubcommand: Apply.self)

  package init() {}

  /// The default subcommand: applies `set`, `service`, `tag`, `contract` and `contact` lines.
  package struct Apply: ParsableCommand {
    package static let configuration = CommandConfiguration(
      commandName: "apply",
      abstract: "Apply set, service, tag, contract and contact lines (the default).")

    @OptionGroup package var common: CommonOptions
    @OptionGroup package var lines: LineOptions

    package init() {}

    package func run() throws {
      try LineRunner.run(
        "hr-update", action: .write, verb: "updated", common: common, lines: lines,
        // A service's row, and the change of its record, are handed to its event rather than noted
        // by trigger.
        prepare: { db in
          try StateDigest.handOverInserts(into: StateDigest.updatedTables, in: db)
          try StateDigest.handOverUpdates(of: StateDigest.recordUpdates, in: db)
        }
      ) { session in
        { object, db in try RecordUpdate.apply(object, session: session, in: db) }
      }
    }
  }

  /// `hr-update amend`: corrects saved service records with an administrator's approval.
  package struct Amend: ParsableCommand {
    package static let configuration = CommandConfiguration(
      commandName: "amend",
      abstract: "Correct saved service records, each with a reason and an approving administrator.",
      discussion: """
        Reads lines {"service_id", "changes":{...}, "reason", "approved_by"}. The correction is stored \
        beside the original, which stays as saved.
        """)

    @OptionGroup package var common: CommonOptions
    @OptionGroup package var lines: LineOptions

    package init() {}

    package func run() throws {
      try LineRunner.run("hr-update amend", action: .write, verb: "amended", common: common, lines: lines) { session in
        { object, db in try ServiceLog.amend(object, session: session, in: db) }
      }
    }
  }
}
