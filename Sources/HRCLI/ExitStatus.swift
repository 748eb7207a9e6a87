import ArgumentParser
import HRCore

/// The sysexits codes every tool exits with (hr(7) COMMON BEHAVIOUR).
package enum ExitStatus: Int32, Sendable {
  case ok = 0
  /// Some line was rejected (the rest committed, unless `--all-or-nothing`).
  case dataError = 65
  case usage = 64
  case noInput = 66
  case software = 70
  case cannotCreate = 73
  case io = 74
  /// The store stayed locked past the busy timeout.
  case temporaryFailure = 75
  /// No operator, an unknown one, or one whose role may never run the command.
  case noPermission = 77
  case configuration = 78

  /// The status for an error that ends the whole run.
  init(for error: any Error) {
    switch error {
    case let error as StoreError:
      switch error {
      case .cannotOpen, .writableByOthers: self = .cannotCreate
      case .newerThanTool: self = .configuration
      case .locked: self = .temporaryFailure
      case .io, .temporaryFile: self = .io
      // An empty database is no store, as a missing file is none; another program's cannot be one.
      case .notAStore(_, let tables): self = tables.isEmpty ? .noInput : .cannotCreate
      }
    case is StoredValueError: self = .io
    case is ConfigurationError: self = .configuration
    case is SessionError: self = .noPermission
    case is InputError: self = .noInput
    case is OptionError: self = .usage
    case let error as RunError: self = error.status
    default: self = .software
    }
  }
}

/// An input file that cannot be opened (exit 66).
package struct InputError: Error, CustomStringConvertible {
  package let path: String
  package let reason: String
  package var description: String { "cannot open '\(path)': \(reason)" }
}

/// Any other reason a run stops, with the status it exits with.
package struct RunError: Error, CustomStringConvertible {
  package let status: ExitStatus
  package let message: String
  package init(_ status: ExitStatus, _ message: String) {
    self.status = status
    self.message = message
  }
  package var description: String { message }
}

/// Runs a command's body, turning an error that ends the run into its message and exit status.
package func runTool(_ tool: String, _ body: () throws -> ExitStatus) throws {
  let status: ExitStatus
  do {
    status = try body()
  } catch let error as ExitCode {
    throw error
  } catch let error as ValidationError {
    throw error
  } catch {
    // An error of several lines (every problem of a configuration file) reads `tool: ` on each;
    // a value it quotes shows its control characters as escapes, as a table does.
    for line in "\(error)".split(separator: "\n") { StandardError.write("\(tool): \(CellText.visible(String(line)))\n") }
    status = ExitStatus(for: error)
  }
  if status != .ok { throw ExitCode(status.rawValue) }
}

extension ParsableCommand {
  /// Without a subcommand there is nothing to do: a usage error (exit 64) naming the subcommands,
  /// not a silent success that a script would take for done work.
  static func missingSubcommand() -> ValidationError {
    ValidationError("name a subcommand: " + configuration.subcommands.map { $0._commandName }.joined(separator: ", "))
  }
}
