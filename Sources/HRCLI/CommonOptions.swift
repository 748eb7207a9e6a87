import ArgumentParser
import Foundation
import HRCore
import HRLines

extension LocalDate: ExpressibleByArgument {
  package init?(argument: String) { self.init(argument) }
}

/// The options every tool shares: store, configuration, operator and today (hr(7) COMMON BEHAVIOUR).
package struct CommonOptions: ParsableArguments {
  @Option(help: ArgumentHelp("The store file (else $HR_STORE, else ./hr.sqlite).", valueName: "path"))
  package var store: String?

  @Option(
    help: ArgumentHelp(
      "The YAML configuration (else $HR_CONFIG, else ./hr.yaml if it exists, else built-in defaults).", valueName: "path"))
  package var config: String?

  @Option(
    name: .customLong("operator"),
    help: ArgumentHelp("The operator, as declared in the configuration (else $HR_OPERATOR).", valueName: "id"))
  package var operatorID: String?

  @Option(
    help: ArgumentHelp(
      "Today's date for every date rule, in years 1000–9999 (else $HR_TODAY, else today in China Standard Time); for a command that writes, only in a training installation.",
      valueName: "YYYY-MM-DD"))
  package var today: LocalDate?

  @Option(help: ArgumentHelp("Seconds to wait for another writer's lock.", valueName: "seconds"))
  package var busyTimeout: Double = 30

  /// Whether to print what the run resolves, and how, instead of running (`--show-config`).
  @Flag(help: "Print the configuration, store, operator and today a run would use and how each was chosen, then exit.")
  package var showConfig = false

  /// The longest busy timeout SQLite can wait, in seconds (about 24 days).
  static let maximumBusyTimeout = Double(Int32.max / 1000)

  package init() {}

  package func validate() throws {
    // SQLite takes the timeout in milliseconds as a 32-bit integer: a longer one would trap.
    guard busyTimeout >= 0, busyTimeout <= Self.maximumBusyTimeout else {
      throw ValidationError("--busy-timeout must be a number of seconds from 0 to \(Int(Self.maximumBusyTimeout))")
    }
    if case .success(let installation?) = Installation.current {
      // The caller must not choose another store or configuration: in one of their own they
      // would declare themselves a city administrator.
      for (given, name) in [(store != nil, "--store"), (config != nil, "--config")] where given {
        throw ValidationError(
          "\(name) cannot be given to the tools of a group installation: they use the store and configuration of '\(installation.file)'"
        )
      }
      for name in ["HR_STORE", "HR_CONFIG", "HR_TODAY"] where ProcessInfo.processInfo.environment[name] != nil {
        throw ValidationError(
          "\(name) is set, and the tools of a group installation do not take their store, configuration or date from the environment; unset it"
        )
      }
    }
    if today == nil, let text = environment("HR_TODAY"), LocalDate(text) == nil {
      throw ValidationError(
        "HR_TODAY '\(text)' is not a date YYYY-MM-DD in years \(LocalDate.years.lowerBound)–\(LocalDate.years.upperBound)")
    }
    // Before any command runs: --show-config never opens the store nor reads input.
    if showConfig { try showResolution() }
  }

  /// The configuration file named by `--config`, `$HR_CONFIG` or `./hr.yaml` if it exists, with
  /// how it was chosen; the built-in defaults when there is none.
  package var configurationSource: ConfigurationSource {
    if let installation = try? Installation.current.get() {
      return .file(path: installation.config, chosenBy: "'\(installation.file)'")
    }
    if let path = config { return .file(path: path, chosenBy: "--config") }
    if let path = environment("HR_CONFIG") { return .file(path: path, chosenBy: "$HR_CONFIG") }
    return FileManager.default.fileExists(atPath: "hr.yaml") ? .file(path: "hr.yaml", chosenBy: "./hr.yaml") : .builtInDefaults
  }

  /// The configuration file named by `--config`, `$HR_CONFIG` or `./hr.yaml` if it exists; nil
  /// for the built-in defaults.
  package var configurationPath: String? {
    guard case .file(let path, _) = configurationSource else { return nil }
    return path
  }

  /// The configuration named by `--config`, `$HR_CONFIG` or `./hr.yaml`, else the defaults.
  ///
  /// Sets the process umask for `store.group_readable` as well: every tool reads its configuration
  /// before it creates any file, so the store, its companions, a rejects file and a spool are all
  /// created owner-only (or group-readable) whatever umask the tool was started with.
  package func loadConfiguration() throws -> Configuration {
    if let installation = try Installation.current.get() {
      // The store is shared with the tools' group, which has no other member.
      _ = umask(FilePermissions.groupInstallationMask)
      return try Configuration.load(path: installation.config)
    }
    guard let path = configurationPath else {
      FilePermissions.applyUmask(groupReadable: false)
      return Configuration.defaults
    }
    let configuration = try Configuration.load(path: path)
    FilePermissions.applyUmask(groupReadable: configuration.store.groupReadable)
    return configuration
  }

  /// The session of the named operator, on today's date in China or the date claimed with
  /// `--today` (else `$HR_TODAY`). A command that `writes` may claim a date only in a training
  /// installation (exit 64 otherwise): a production store's periods (one year lost, 180-day
  /// protection, 15-year retention) cannot be bent by claiming another date. Reads and dry runs
  /// may claim one freely; every event of a run with a claimed date keeps it beside the real one.
  ///
  /// In a group installation, a run that names no operator acts as the one operator whose
  /// `users:` names the caller's Unix account.
  package func session(writes: Bool = false) throws -> Session {
    let configuration = try loadConfiguration()
    let real = LocalDate.todayInChina()
    var id = operatorID ?? environment("HR_OPERATOR")
    if id == nil, try Installation.current.get() != nil {
      id = try Session.operatorID(for: UnixAccount.current, in: configuration)
    }
    guard let claimed = today ?? environment("HR_TODAY").flatMap({ LocalDate($0) }) else {
      return try Session(configuration: configuration, operatorID: id, today: real, source: configurationSource)
    }
    if writes, !configuration.training {
      let option = today != nil ? "--today" : "HR_TODAY"
      let file = configurationPath.map { "'\($0)'" } ?? "the configuration (none is given: the built-in defaults apply)"
      throw RunError(
        .usage,
        "\(option) is allowed for a command that writes only in a training installation (training: true in \(file)); use it with --dry-run, or run on today's date"
      )
    }
    return try Session(
      configuration: configuration, operatorID: id, today: claimed, realToday: real, source: configurationSource)
  }

  /// The store named by `--store`, `$HR_STORE`, else `./hr.sqlite`.
  package var storePath: String {
    if let installation = try? Installation.current.get() { return installation.store }
    return store ?? environment("HR_STORE") ?? "hr.sqlite"
  }

  /// How the store path was chosen, for messages about a store that is missing or new.
  package var storeOrigin: String {
    if let installation = try? Installation.current.get() { return "fixed by '\(installation.file)'" }
    if store != nil { return "given by --store" }
    if environment("HR_STORE") != nil { return "given by $HR_STORE" }
    return "the default ./hr.sqlite, as neither --store nor $HR_STORE is set"
  }

  /// The session of the named operator, refused with exit 77 when its role may never take
  /// `action`: a clinician cannot run `hr-archive purge` at all. `writes` says whether the run
  /// changes records (not a read, not a dry run), which decides whether it may claim a date.
  package func session(requiring action: Action, for command: String, writes: Bool = false) throws -> Session {
    let session = try session(for: command, writes: writes)
    do {
      try session.require(action, for: command)
    } catch {
      try refuse(session, command: command)
    }
    return session
  }

  /// The session of the named operator for `command`, refused with exit 77, and the refusal
  /// audited, when the operator declares `users:` and the tool runs for another Unix account (or,
  /// in a group installation, declares none): nothing else ties an operator to a person.
  package func session(for command: String, writes: Bool = false) throws -> Session {
    let session = try session(writes: writes)
    let account = UnixAccount.current
    let groupInstallation = try Installation.current.get() != nil
    do throws(SessionError) {
      try session.requireAccount(account, requireAccounts: groupInstallation)
    } catch {
      try refuse(
        session, command: command, detail: ["account": account.map { .string($0) } ?? .null], error: error)
    }
    return session
  }

  /// Refuses the whole command (exit 77) and keeps the denial in the audit trail, as every denial is
  /// kept (hr(7) ROLES), when the store exists: a refusal never creates a store.
  package func refuse(
    _ session: Session, command: String, action: String = "command.run", detail: JSONObject = [:],
    error: SessionError? = nil
  ) throws -> Never {
    if FileManager.default.fileExists(atPath: storePath) {
      var detail = detail
      detail["command"] = .string(command)
      let entry = AuditEntry(action: action, recordNo: nil, outcome: .denied, detail: detail)
      try openStore(tool: String(command.prefix { $0 != " " })).write { db in
        _ = try AuditTrail.append(entry, by: session.staff, in: db)
      }
    }
    throw error ?? SessionError.notAllowed(operatorID: session.staff.id, role: session.staff.role, command: command)
  }

  /// Opens the store, migrating it forward as needed. Only `hr-create` passes `creating`: every
  /// other tool refuses a missing store (exit 66), since a mistyped path would otherwise answer
  /// from a new, empty store that nothing is in. A command that appends no event passes
  /// `readOnly`, and never writes the store nor waits for a writer.
  package func openStore(creating: Bool = false, readOnly: Bool = false, tool: String) throws -> Store {
    try refuseStoreAsStandardOutput()
    let groupInstallation = try Installation.current.get() != nil
    var newFileMode = FilePermissions.fileMode(groupReadable: false)
    if groupInstallation { newFileMode = FilePermissions.groupInstallationFileMode }
    if !FileManager.default.fileExists(atPath: storePath) {
      guard creating else {
        // hr-create itself opens without creating only for --check and --dry-run, which write nothing.
        let creator =
          tool == "hr-create"
          ? "only a run that creates records creates a store, not --check or --dry-run" : "only hr-create creates a store"
        throw InputError(path: storePath, reason: "no such store (\(storeOrigin)); \(creator)")
      }
      let groupReadable = try loadConfiguration().store.groupReadable
      if !groupInstallation { newFileMode = FilePermissions.fileMode(groupReadable: groupReadable) }
      StandardError.write("\(tool): creating a new store '\(storePath)' (\(storeOrigin))\n")
    }
    if readOnly { return try Store(readingOnly: storePath, busyTimeout: busyTimeout, groupWritable: groupInstallation) }
    return try Store(path: storePath, busyTimeout: busyTimeout, newFileMode: newFileMode, creating: creating)
  }
}

extension CommonOptions {
  /// Refuses a run whose standard output is the store or one of its companion files
  /// (`hr-export roster >> hr.sqlite`): its lines would be written into the store's pages.
  func refuseStoreAsStandardOutput() throws {
    guard let output = FileIdentity(fileDescriptor: 1), let file = storeFile(output, store: storePath) else { return }
    throw RunError(.usage, "standard output is the store's file '\(file.path)': redirect it to another file")
  }
}

/// A non-empty environment variable. The tools of a group installation trust none but
/// `HR_OPERATOR`, which is checked against the operator's `users:`.
package func environment(_ name: String) -> String? {
  if name != "HR_OPERATOR", (try? Installation.current.get()) != nil || Installation.runsSetGroupID { return nil }
  guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else { return nil }
  return value
}
