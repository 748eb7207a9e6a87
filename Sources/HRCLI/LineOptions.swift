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

  /// 5,000 rather than 1,000: on a store of hundreds of thousands of records, each commit writes
  /// every index page its batch touched, and the new records of a larger batch share more of
  /// them (30,000 new residents on a store of 300,000: 4.3–5.0 → 3.7–4.2 CPU s, 6.0–6.4 → 4.3–4.8 s);
  /// a batch's lines, read ahead and printed after the commit, add some 3 MiB.
  @Option(help: ArgumentHelp("Lines committed per transaction.", valueName: "n"))
  package var batchSize = 5000

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
