import ArgumentParser
import HRCore

/// `hr-archive purge`: deletes archived records once their retention period has passed
/// (annex 1, 六(二)4).
package struct ArchivePurgeCommand: ParsableCommand {
  package static let configuration = CommandConfiguration(
    commandName: "purge",
    abstract: "Delete records archived before a date at least retention_years (15) ago.",
    discussion: """
      City administrators only. A date later than today minus retention_years ends the run with \
      status 65 and deletes nothing. Each purged record leaves one record.purge audit event and \
      prints {"record_no","status":"purged","archive_reason","archived_on"}; its record number is \
      never given again.
      """)

  @OptionGroup package var common: CommonOptions

  @Option(help: ArgumentHelp("Delete the records archived before this date.", valueName: "YYYY-MM-DD"))
  package var before: LocalDate

  @Option(help: ArgumentHelp("Records deleted per transaction.", valueName: "n"))
  package var batchSize = 500

  @Flag(help: "Print the records that would be purged, and delete nothing.")
  package var dryRun = false

  @Flag(help: "Print no summary line at the end.")
  package var quiet = false

  package init() {}

  package func validate() throws {
    guard (1...100_000).contains(batchSize) else { throw ValidationError("--batch-size must be between 1 and 100000") }
  }

  package func run() throws {
    try runTool("hr-archive") {
      let session = try common.session(requiring: .purge, for: "hr-archive purge", writes: !dryRun)
      let store = try common.openStore(tool: "hr-archive")
      var output = OutputBuffer()
      let purged: Int
      do {
        purged = try store.purgeArchived(before: before, session: session, batchSize: batchSize, dryRun: dryRun) { batch in
          for line in batch { try output.append(line) }
          try output.flush()
        }
      } catch let error as ArchiveError {
        throw RunError(.dataError, error.description)
      }
      if !quiet {
        StandardError.write(
          dryRun ? "hr-archive: \(purged) would be purged (dry run: nothing committed)\n" : "hr-archive: \(purged) purged\n")
      }
      return .ok
    }
  }
}
