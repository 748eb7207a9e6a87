import ArgumentParser
import HRCore
import HRLines

/// `hr-audit checkpoint`: verifies the chain, then prints its head signed with the district's
/// Ed25519 key, for the city to keep where the store's owner cannot rewrite it.
struct AuditCheckpointCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "checkpoint",
    abstract: "Verify the chain, then print its head signed with an Ed25519 key.",
    discussion: """
      Prints {"seq":S,"hash":"HASH","at":"TIME","events":N,"signature":"BASE64"}. The signature is \
      Ed25519 over the line without its signature, {"seq":S,"hash":"HASH","at":"TIME","events":N}, \
      so 'openssl pkeyutl -verify -rawin' checks it with the public key alone (see hr-audit(1)). \
      KEY is a PEM private key as 'openssl genpkey -algorithm ed25519' writes it, readable by its \
      owner only. A broken chain is not signed: exit 65, as for verify.
      """)

  @OptionGroup var common: CommonOptions

  @Option(
    name: .customLong("sign"),
    help: ArgumentHelp("The Ed25519 private key (PEM, PKCS#8) to sign with; owner-only.", valueName: "KEY"))
  var key: String

  func run() throws {
    try runTool("hr-audit") {
      let run = try AuditRun(common, command: "hr-audit checkpoint")
      let signingKey = try CheckpointError.exiting { () throws(CheckpointError) in try SigningKeys.privateKey(path: key) }
      let verdict = try run.store.read { db in try AuditChain.verifyStore(in: db) }
      guard verdict.holds else { return AuditVerifyCommand.report(verdict) }
      let checkpoint = try Checkpoint.sign(
        head: verdict.head, events: verdict.eventsChecked, at: Timestamp.now(), with: signingKey)
      try AuditReading.record(
        AuditEntry(
          action: "audit.checkpoint", recordNo: nil,
          detail: ["seq": .int(checkpoint.head.seq), "hash": .string(checkpoint.head.hash)]),
        by: run.session.staff, in: run.store)
      var output = OutputBuffer()
      try output.append(checkpoint.json)
      try output.flush()
      return .ok
    }
  }
}

extension CheckpointError {
  /// The status a script sees: 66 for a file that cannot be read, 78 for a key that is exposed
  /// or not a key, 65 for a file that is not a checkpoint.
  var status: ExitStatus {
    switch self {
    case .unreadable: .noInput
    case .keyReadableByOthers, .badKey: .configuration
    case .badCheckpoint: .dataError
    }
  }

  /// Runs `body`, turning its error into the run's error with that status.
  static func exiting<T>(_ body: () throws(CheckpointError) -> T) throws -> T {
    do {
      return try body()
    } catch {
      throw RunError(error.status, error.description)
    }
  }
}
