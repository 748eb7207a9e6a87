import ArgumentParser
import Foundation
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
    try LineRunner.run("hr-export record", action: .exportRecord, verb: "viewed", common: common, lines: lines) { session in
      try requireStore(common)
      let defaults = Viewer.Defaults(
        kind: viewerKind, authorization: try optionText(authorization, "authorization", maxLength: 200),
        reason: try optionText(reason, "reason", maxLength: 500))
      return { object, db in try RecordView.open(object, defaults: defaults, dryRun: dryRun, session: session, in: db) }
    }
  }
}

/// Refuses a store that does not exist (exit 66): opening records of a store that is not there
/// would only create an empty one.
func requireStore(_ common: CommonOptions) throws {
  guard FileManager.default.fileExists(atPath: common.storePath) else {
    throw InputError(path: common.storePath, reason: "no such store")
  }
}

/// A text option checked by the rules of the line field it fills; a bad one is a usage error.
private func optionText(_ text: String?, _ option: String, maxLength: Int) throws -> String? {
  guard let text else { return nil }
  do {
    return try Fields(selecting: [option: .string(text)]).requiredText(option, maxLength: maxLength)
  } catch {
    throw RunError(.usage, error.message.replacingOccurrences(of: "field '\(option)'", with: "--\(option)"))
  }
}
