import ArgumentParser
import GRDB
import HRCore
import HRLines

/// `hr-archive`: ends a record's active management (lost, deceased, moved out), reactivates it,
/// lists the records to work through, and purges records past their retention (annex 1 六).
package struct ArchiveCommand: ParsableCommand {
  package static let configuration = CommandConfiguration(
    commandName: "hr-archive",
    abstract: "Archive, reactivate, list and purge resident health records.",
    discussion: """
      A record leaves active management when the resident is lost to follow-up, has died or has \
      moved out of the city, and comes back when contact is renewed. Archived records are kept at \
      least retention_years (15) before purge may delete them. Lines select records by record_no \
      or id_number; the options fill the fields a line leaves out.
      """,
    version: toolkitVersion("hr-archive"),
    subcommands: [
      ArchiveLostCommand.self, ArchiveDeceasedCommand.self, ArchiveMovedOutCommand.self,
      ArchiveReactivateCommand.self, ArchiveCandidatesCommand.self, ArchivePurgeCommand.self,
    ])

  package init() {}

  package func run() throws { throw Self.missingSubcommand() }
}

/// An `hr-archive` subcommand that reads lines: each line is handed to one rule of `Archive`, with
/// the subcommand's options filling the particulars a line leaves out (annex 1 六).
package protocol ArchiveLinesCommand: ParsableCommand {
  /// The store, configuration, operator and today options.
  var common: CommonOptions { get }
  /// The input and commit options of every tool that reads lines.
  var lines: LineOptions { get }
  /// The particulars the subcommand's options give, as given.
  var particulars: ArchiveParticulars { get }
  /// The word of the summary line: `archived`, unless the subcommand says otherwise.
  static var verb: String { get }
  /// The rule that handles one line (`Archive.lost` …).
  static var archive: @Sendable (JSONObject, ArchiveParticulars, Session, Database) throws -> JSONObject { get }
}

extension ArchiveLinesCommand {
  /// Every subcommand but `reactivate` archives.
  package static var verb: String { "archived" }

  /// Checks the options by the rules of the fields they fill, then runs the line loop (`LineRunner`).
  package func run() throws {
    let command = "hr-archive " + (Self.configuration.commandName ?? "")
    try LineRunner.run(
      command, action: .archive, verb: Self.verb, common: common, lines: lines,
      // An archive event's row, and the record it changes, are handed to its audit event rather
      // than noted by trigger.
      prepare: { db in
        try StateDigest.handOverInserts(into: StateDigest.archiveTables, in: db)
        try StateDigest.handOverUpdates(of: StateDigest.recordUpdates, in: db)
      }
    ) { session in
      let defaults = try particulars.checked(today: session.today)
      return { object, db in try Self.archive(object, defaults, session, db) }
    }
  }
}

extension ArchiveParticulars {
  /// The particulars with each option checked by the rule of the field it fills (a text's length
  /// and characters, a date not after today), in the order the options are listed.
  fileprivate func checked(today: LocalDate) throws(OptionError) -> ArchiveParticulars {
    let limit = Archive.maximumTextLength
    return ArchiveParticulars(
      evidence: try OptionError.text(evidence, option: "evidence", maxLength: limit),
      deathDate: try OptionError.pastDate(deathDate, option: "death-date", today: today),
      deathCause: try OptionError.text(deathCause, option: "death-cause", maxLength: limit),
      reportedOn: try OptionError.pastDate(reportedOn, option: "reported-on", today: today),
      leftOn: try OptionError.pastDate(leftOn, option: "left-on", today: today),
      contactDate: try OptionError.pastDate(contactDate, option: "contact-date", today: today),
      correction: try OptionError.text(correction, option: "correction", maxLength: limit))
  }
}

/// `hr-archive lost`: 失访终止 (annex 1, 六(一)1).
package struct ArchiveLostCommand: ArchiveLinesCommand {
  package static let configuration = CommandConfiguration(
    commandName: "lost",
    abstract: "Archive records as lost to follow-up, after a year without service or contact.",
    discussion: """
      Each line names a record and how contact was tried (evidence). A record whose last service \
      or contact is less than lost_after_days (365) old is rejected with code too_early and the \
      first date it may be archived (possible_on).
      """)
  package static let archive = Archive.lost

  @OptionGroup package var common: CommonOptions
  @OptionGroup package var lines: LineOptions

  @Option(help: ArgumentHelp("How contact was tried, for lines without 'evidence'.", valueName: "text"))
  package var evidence: String?

  package init() {}

  package var particulars: ArchiveParticulars {
    ArchiveParticulars(evidence: evidence)
  }
}

/// `hr-archive deceased`: 死亡终止 (annex 1, 六(一)2).
package struct ArchiveDeceasedCommand: ArchiveLinesCommand {
  package static let configuration = CommandConfiguration(
    commandName: "deceased",
    abstract: "Archive records of residents who have died, with the date and cause of death.",
    discussion: """
      A death entered more than death_entry_days (30) after reported_on (the day it became known, \
      default today) is accepted and marked "late":true.
      """)
  package static let archive = Archive.deceased

  @OptionGroup package var common: CommonOptions
  @OptionGroup package var lines: LineOptions

  @Option(help: ArgumentHelp("The date of death, for lines without 'death_date'.", valueName: "YYYY-MM-DD"))
  package var deathDate: LocalDate?

  @Option(help: ArgumentHelp("The cause of death, for lines without 'death_cause'.", valueName: "text"))
  package var deathCause: String?

  @Option(
    help: ArgumentHelp(
      "The day the death became known, for lines without 'reported_on' (default today).", valueName: "YYYY-MM-DD"))
  package var reportedOn: LocalDate?

  @Option(help: ArgumentHelp("How the death became known, for lines without 'evidence'.", valueName: "text"))
  package var evidence: String?

  package init() {}

  package var particulars: ArchiveParticulars {
    ArchiveParticulars(evidence: evidence, deathDate: deathDate, deathCause: deathCause, reportedOn: reportedOn)
  }
}

/// `hr-archive moved-out`: 迁出终止 (annex 1, 六(一)3).
package struct ArchiveMovedOutCommand: ArchiveLinesCommand {
  package static let configuration = CommandConfiguration(
    commandName: "moved-out",
    abstract: "Archive records of residents who left the city a year or more ago.",
    discussion: """
      A resident who left less than moved_out_after_days (365) ago is rejected with code too_early \
      and the first date the record may be archived (possible_on).
      """)
  package static let archive = Archive.movedOut

  @OptionGroup package var common: CommonOptions
  @OptionGroup package var lines: LineOptions

  @Option(
    help: ArgumentHelp("The day the resident left the city, for lines without 'left_on'.", valueName: "YYYY-MM-DD"))
  package var leftOn: LocalDate?

  @Option(help: ArgumentHelp("How the move became known, for lines without 'evidence'.", valueName: "text"))
  package var evidence: String?

  package init() {}

  package var particulars: ArchiveParticulars {
    ArchiveParticulars(evidence: evidence, leftOn: leftOn)
  }
}

/// `hr-archive reactivate`: 重新启用 (annex 1, 六(二)2).
package struct ArchiveReactivateCommand: ArchiveLinesCommand {
  package static let configuration = CommandConfiguration(
    commandName: "reactivate",
    abstract: "Return archived records to active management after renewed contact.",
    discussion: """
      A record archived as lost or moved_out returns to active on contact_date. A record archived \
      as deceased returns only through a city administrator's correction of a death entered in \
      error, with 'correction' saying why.
      """)
  package static let verb = "reactivated"
  package static let archive = Archive.reactivate

  @OptionGroup package var common: CommonOptions
  @OptionGroup package var lines: LineOptions

  @Option(help: ArgumentHelp("The day contact was renewed, for lines without 'contact_date'.", valueName: "YYYY-MM-DD"))
  package var contactDate: LocalDate?

  @Option(
    help: ArgumentHelp(
      "Why a death was entered in error, for lines without 'correction' (city administrators).", valueName: "text"))
  package var correction: String?

  package init() {}

  package var particulars: ArchiveParticulars {
    ArchiveParticulars(contactDate: contactDate, correction: correction)
  }
}
