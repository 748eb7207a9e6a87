import ArgumentParser
import HRLines

/// The formats a tool reads its lines in: JSON Lines, or CSV as a spreadsheet saves it.
package enum InputFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
  case jsonl, csv

  /// The format of the input `name` when `--input` does not say: CSV for a name ending `.csv`.
  static func of(_ name: String, given: InputFormat?) -> InputFormat {
    given ?? (name.lowercased().hasSuffix(".csv") ? .csv : .jsonl)
  }
}

/// The options of every tool that reads JSON Lines and writes the store (hr(7) COMMON BEHAVIOUR).
package struct LineOptions: ParsableArguments {
  @Argument(
    help: ArgumentHelp("JSON Lines (or CSV) input files; standard input when none is given or for '-'.", valueName: "file"))
  package var files: [String] = []

  @Option(
    help: ArgumentHelp(
      "The input's format: jsonl, or csv with a header row naming the fields (the default for a file ending '.csv').",
      valueName: "format"))
  package var input: InputFormat?

  @Option(help: ArgumentHelp("Write each rejected line as a JSON object to this file, to fix and feed back.", valueName: "file"))
  package var rejects: String?

  @Flag(help: "Commit nothing if any line is rejected.")
  package var allOrNothing = false

  /// 10,000 rather than 1,000: each commit writes every index page its batch touched, and the new
  /// records of a larger batch share more of them, above all the pages of the identifiers and of
  /// the name and birth date, where each new record lands at random. A million new residents:
  /// 16.0 million reads and writes of a page at 5,000 lines a batch, 12.4 million at 10,000, 9.6
  /// million at 20,000 (120.7, 108.3 and 105.1 s). A batch's lines, read ahead and printed after
  /// the commit, take some 800 bytes each, so 20,000 would pass 64 MiB where 10,000 stay under 60 MiB.
  @Option(help: ArgumentHelp("Lines committed per transaction.", valueName: "n"))
  package var batchSize = 10000

  @Flag(help: "Check and print everything as it would be, and commit nothing.")
  package var dryRun = false

  @Flag(help: "Print no summary line at the end.")
  package var quiet = false

  package init() {}

  package func validate() throws {
    guard (1...1_000_000).contains(batchSize) else { throw ValidationError("--batch-size must be between 1 and 1000000") }
    // Standard input is read once: a second '-' would find it at its end, or, for a file, read the
    // same lines twice.
    guard files.filter({ $0 == "-" }).count <= 1 else {
      throw ValidationError("'-' (standard input) is named more than once; it can be read only once")
    }
  }
}
