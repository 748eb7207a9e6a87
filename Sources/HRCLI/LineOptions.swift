import ArgumentParser
import HRLines

/// The options of every tool that reads JSON Lines and writes the store (hr(7) COMMON BEHAVIOUR).
package struct LineOptions: ParsableArguments {
  @Argument(help: ArgumentHelp("JSON Lines input files; standard input when none is given or for '-'.", valueName: "file"))
  package var files: [String] = []

  @Option(help: ArgumentHelp("Write each rejected line as a JSON object to this file, to fix and feed back.", valueName: "file"))
  package var rejects: String?

  @Flag(name: .customLong("all-or-nothing"), help: "Commit nothing if any line is rejected.")
  package var allOrNothing = false

  @Option(name: .customLong("batch-size"), help: ArgumentHelp("Lines committed per transaction.", valueName: "n"))
  package var batchSize = 1000

  @Flag(name: .customLong("dry-run"), help: "Check and print everything as it would be, and commit nothing.")
  package var dryRun = false

  @Flag(help: "Print no summary line at the end.")
  package var quiet = false

  package init() {}

  package func validate() throws {
    guard (1...1_000_000).contains(batchSize) else { throw ValidationError("--batch-size must be between 1 and 1000000") }
  }
}
