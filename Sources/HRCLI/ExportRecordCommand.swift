import ArgumentParser
import HRCore

extension ViewerKind: ExpressibleByArgument {}

/// `hr-export record`: one resident's full record for a viewer the viewer table allows, every
/// viewing audited (第十五条, 第十六条).
package struct ExportRecordCommand: ParsableCommand {
  package static let configuration = CommandConfiguration(
    commandName: "record",
    abstract: "Print the full record of each resident the input lines name, for an authorised viewer.",
    discussion: """
      Each line names a record by record_no or id_number and its viewer \
      {"kind","id_number","authorization","reason"}; the options fill what a line's viewer leaves \
      out. Kinds: self, guardian, minor, voluntary_guardian, clinician, public_health, emergency \
      (see hr-export(1) for what each needs and sees). Every viewing is an audit event \
      (record.view, or record.view.emergency), shown in the resident's access report; a refused \
      viewer is a rejected line naming the missing condition, audited as denied.
      """)

  @OptionGroup package var common: CommonOptions
  @OptionGroup package var lines: LineOptions

  @Option(name: .customLong("viewer"), help: ArgumentHelp("The viewer kind, for lines without viewer.kind.", valueName: "kind"))
  package var viewerKind: ViewerKind?

  @Option(help: ArgumentHelp("The authorisation reference, for lines without viewer.authorization.", valueName: "ref"))
  package var authorization: String?

  @Option(help: ArgumentHelp("Why the record is opened, for lines without viewer.reason.", valueName: "text"))
  package var reason: String?

  package init() {}

  package func run() throws {
    let dryRun = lines.dryRun
    // Opening a record discloses it under rules that run on today's date (a minor's age): for the
    // date rule it counts as a write, so that a claimed date cannot make an adult a minor.
    try LineRunner.run("hr-export record", action: .exportRecord, verb: "viewed", common: common, lines: lines) { session in
      let defaults = Viewer.Defaults(
        kind: viewerKind, authorization: try OptionError.text(authorization, option: "authorization", maxLength: 200),
        reason: try OptionError.text(reason, option: "reason", maxLength: 500))
      return { object, db in try RecordView.open(object, defaults: defaults, dryRun: dryRun, session: session, in: db) }
    }
  }
}
