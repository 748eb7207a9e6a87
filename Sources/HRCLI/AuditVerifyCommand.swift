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
      what 'hr-audit head' prints elsewhere and pass it back with --expect-head.
      """)

  @OptionGroup var common: CommonOptions

  @Option(
    name: .customLong("expect-head"),
    help: ArgumentHelp(
      "The event SEQ must exist with this hash (as 'hr-audit head' printed it, or SEQ:HASH).", valueName: "SEQ:HASH"))
  var expectHead: ChainHead?

  func run() throws {
    try runTool("hr-audit") {
      let run = try AuditRun(common, command: "hr-audit verify", readOnly: true)
      let verdict = try run.store.read { db in try AuditChain.verify(in: db, expecting: expectHead) }
      var output = OutputBuffer()
      try output.append(verdict.json)
      try output.flush()
      guard let broken = verdict.broken else { return .ok }
      StandardError.write("hr-audit: audit chain broken at seq \(broken.seq): \(broken.reason.rawValue): \(broken.message)\n")
      return .dataError
    }
  }
}

/// `hr-audit head`: the last event's sequence number and hash, to keep somewhere else.
struct AuditHeadCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "head",
    abstract: "Print the last event's seq and hash, to keep elsewhere for 'verify --expect-head'.",
    discussion: #"Prints {"seq":N,"hash":"HASH"}; an empty trail is {"seq":0,"hash":"000…0"}."#)

  @OptionGroup var common: CommonOptions

  func run() throws {
    try runTool("hr-audit") {
      let run = try AuditRun(common, command: "hr-audit head", readOnly: true)
      let head = try run.store.read { db in try AuditChain.head(in: db) }
      var output = OutputBuffer()
      try output.append(head.json)
      try output.flush()
      return .ok
    }
  }
}
