import ArgumentParser
import HRCore

extension ChainHead: ExpressibleByArgument {
  package init?(argument: String) { self.init(argument) }
}

/// `hr-audit verify`: recomputes the hash chain and names the first broken event (exit 65).
struct AuditVerifyCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "verify",
    abstract: "Recompute the audit chain and report the first broken event.",
    discussion: """
      Prints {"ok":true,"events":N,"head":"HASH"}, or {"ok":false,"broken_seq":S,"reason":"…",\
      "message":"…","events_checked":N} and exits 65. A chain cut short still verifies: keep \
      what 'hr-audit head' prints elsewhere and pass it back with --expect-head, or a signed \
      checkpoint with --checkpoint and --public-key (a bad signature: {"ok":false,"reason":\
      "bad_signature",…}, exit 65). With --state, one line {"table","key","change"} for each row \
      changed, deleted or inserted outside the tools comes before the verdict, which then carries \
      "state":{"checked","changed","deleted","inserted","not_covered"}.
      """)

  @OptionGroup var common: CommonOptions

  @Option(
    help: ArgumentHelp(
      "The event SEQ must exist with this hash (as 'hr-audit head' printed it, or SEQ:HASH).", valueName: "SEQ:HASH"))
  var expectHead: ChainHead?

  @Option(
    help: ArgumentHelp(
      "A checkpoint 'hr-audit checkpoint' printed: its signature must verify and the chain reach its hash at its seq.",
      valueName: "FILE"))
  var checkpoint: String?

  @Option(help: ArgumentHelp("The Ed25519 public key (PEM) that signed the checkpoint.", valueName: "KEY"))
  var publicKey: String?

  @Flag(help: "Also compare every row the trail covers with the digest its last event recorded.")
  var state = false

  func validate() throws {
    if (checkpoint == nil) != (publicKey == nil) { throw ValidationError("--checkpoint and --public-key go together") }
    if checkpoint != nil, expectHead != nil { throw ValidationError("give --checkpoint or --expect-head, not both") }
  }

  func run() throws {
    try runTool("hr-audit") {
      let run = try AuditRun(common, command: "hr-audit verify", readOnly: true)
      var expected = expectHead
      if let checkpoint, let publicKey {
        let signed = try CheckpointError.exiting { () throws(CheckpointError) in
          (try Checkpoint.read(path: checkpoint), try SigningKeys.publicKey(path: publicKey))
        }
        guard signed.0.isSigned(by: signed.1) else {
          let message =
            "checkpoint '\(checkpoint)' is not signed by the key '\(publicKey)': it was changed or signed by another key"
          var output = OutputBuffer()
          try output.append(["ok": false, "reason": "bad_signature", "message": .string(message)])
          try output.flush()
          StandardError.write("hr-audit: \(message)\n")
          return .dataError
        }
        expected = signed.0.head
      }
      var output = OutputBuffer()
      let verdict = try run.store.read { db in
        var verdict = try AuditChain.verifyStore(in: db, expecting: expected)
        if state, verdict.isIntact {
          verdict.state = try StateCheck.check(in: db) { finding in try output.append(finding.json) }
        }
        return verdict
      }
      try output.append(verdict.json)
      try output.flush()
      return AuditVerifyCommand.report(verdict)
    }
  }

  /// Tells on standard error what breaks the chain and which triggers are gone; exit 65 if any.
  static func report(_ verdict: ChainVerdict) -> ExitStatus {
    if let broken = verdict.broken {
      StandardError.write("hr-audit: audit chain broken at seq \(broken.seq): \(broken.reason.rawValue): \(broken.message)\n")
    }
    for trigger in verdict.missingTriggers { StandardError.write("hr-audit: \(trigger.message)\n") }
    if let state = verdict.state, !state.holds {
      StandardError.write(
        "hr-audit: rows changed outside the tools: \(state.changed) changed, \(state.deleted) deleted, \(state.inserted) inserted\n"
      )
    }
    return verdict.holds ? .ok : .dataError
  }
}

/// `hr-audit head`: the last event's sequence number and hash, to keep somewhere else.
struct AuditHeadCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "head",
    abstract: "Verify the chain, then print the last event's seq and hash, to keep for 'verify --expect-head'.",
    discussion: """
      Prints {"seq":N,"hash":"HASH"}; an empty trail is {"seq":0,"hash":"000…0"}. A chain that \
      'hr-audit verify' finds broken prints nothing and exits 65, with the same messages.
      """)

  @OptionGroup var common: CommonOptions

  func run() throws {
    try runTool("hr-audit") {
      let run = try AuditRun(common, command: "hr-audit head", readOnly: true)
      let verdict = try run.store.read { db in try AuditChain.verifyStore(in: db) }
      guard verdict.holds else { return AuditVerifyCommand.report(verdict) }
      var output = OutputBuffer()
      try output.append(verdict.head.json)
      try output.flush()
      return .ok
    }
  }
}
