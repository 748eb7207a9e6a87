import ArgumentParser
import HRCore
import HRLines

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension ExportCommand {
  /// `hr-export deid`: the de-identified research export under an approval (附件2 六).
  package struct Deid: ParsableCommand {
    package static let configuration = CommandConfiguration(
      abstract: "Export de-identified records for research under an approval.",
      discussion: """
        Prints one object per released record: {"pseudonym","age_band","sex","district","status",\
        "tags","services"}, with no direct identifier. Restricted records are left out; records \
        whose (age_band, sex, district) class holds fewer than export.k records, or (with \
        export.l) carries fewer than export.l distinct tag sets, are suppressed and counted. The \
        pseudonym is HMAC-SHA256 of the record number under the key in export.pseudonym_key_file.
        """)

    /// The formats of a research export: a file for statistics software, not a table for people.
    package enum Format: String, CaseIterable, ExpressibleByArgument, Sendable {
      case jsonl, csv
    }

    @OptionGroup package var common: CommonOptions

    @Option(help: ArgumentHelp("The approval the export is made under.", valueName: "ref"))
    package var approval: String

    @Option(help: ArgumentHelp("Output format.", valueName: "jsonl|csv"))
    package var format: Format = .jsonl

    @Option(
      help: ArgumentHelp("Write the disclosure report (counts and re-identification risk) to this file.", valueName: "file"))
    package var report: String?

    @Flag(help: "Print no summary line at the end.")
    package var quiet = false

    package init() {}

    package func validate() throws {
      // A refused reference is kept in the denial's audit event as given: text with a control
      // character (a terminal's escape sequence) or of any length has no place in the trail.
      do {
        _ = try OptionError.text(approval, option: "approval", maxLength: 64)
      } catch {
        throw ValidationError(error.description)
      }
    }

    package func run() throws {
      try runTool("hr-export") {
        // The export releases records under an approval that expires: for the date rule it counts
        // as a write, so that a claimed date cannot revive an expired approval.
        let session = try common.session(requiring: .exportDeidentified, for: "hr-export deid", writes: true)
        let keyFile = session.configuration.export.pseudonymKeyFile
        if let report {
          try refuseOverwriting(
            "--report", output: report, store: common.storePath, inputs: [], configuration: common.configurationPath,
            guarding: keyFile.map { [($0, "the pseudonym key file")] } ?? [])
        }
        let key: PseudonymKey
        do {
          key = try PseudonymKey(file: keyFile)
        } catch let error as PseudonymKeyError {
          throw RunError(.configuration, error.description)
        }
        let store = try common.openStore(tool: "hr-export")
        // Opened before a record is released: a report that cannot be written must stop the export
        // before it is printed and audited, not after (exit 73 with the records already out).
        let reportFile = try report.map(ReportFile.init(path:))
        defer { reportFile?.finish() }
        var writer = ListingWriter(format: .csv, columns: DeidentifiedRecord.outputKeys)
        // JSON Lines are written straight from each record: a research export runs to millions of lines.
        var lines: [UInt8] = []
        lines.reserveCapacity(1 << 17)
        let result: DisclosureReport
        do {
          result = try store.exportDeidentified(ref: approval, session: session, key: key) { record in
            guard format == .jsonl else { return try writer.append(record.output) }
            record.writeJSONLine(to: &lines)
            if lines.count >= 1 << 16 { try flush(&lines) }
          }
        } catch let refusal as DeidRefusal {
          throw RunError(.noPermission, refusal.description)
        }
        if format == .jsonl { try flush(&lines) } else { try writer.finish() }
        try reportFile?.write(result)
        if !quiet {
          StandardError.write(
            "hr-export: \(result.exported) exported, \(result.suppressedK) suppressed (k=\(result.k)), "
              + "\(result.suppressedL) suppressed (l=\(result.l.map(String.init) ?? "off")), \(result.restrictedExcluded) restricted left out\n"
          )
        }
        return .ok
      }
    }

    /// Writes the buffered lines to standard output.
    private func flush(_ lines: inout [UInt8]) throws {
      defer { lines.removeAll(keepingCapacity: true) }
      guard lines.withUnsafeBytes({ writeAll(1, $0) }) else { throw RunError(.io, "cannot write standard output") }
    }
  }
}

/// The file `hr-export deid --report` names, created owner-only like every file the tools create
/// before the export runs and emptied only when the report is written: a refused or failed export
/// leaves a report that was there as it was, and removes the file it created.
private final class ReportFile {
  let path: String
  private var fd: Int32
  private let created: Bool
  private var written = false

  init(path: String) throws {
    self.path = path
    created = access(path, F_OK) != 0
    fd = Installation.openAsCaller(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
    guard fd >= 0 else { throw RunError(.cannotCreate, "cannot create '\(path)': \(String(cString: strerror(errno)))") }
  }

  /// Writes the report as one JSON line.
  func write(_ report: DisclosureReport) throws {
    var bytes: [UInt8] = []
    JSONValue.object(report.json).write(compactTo: &bytes)
    bytes.append(UInt8(ascii: "\n"))
    guard ftruncate(fd, 0) == 0, bytes.withUnsafeBytes({ writeAll(fd, $0) }) else {
      throw RunError(.io, "cannot write '\(path)': \(String(cString: strerror(errno)))")
    }
    written = true
  }

  /// Closes the file, removing it when this run created it and wrote no report.
  func finish() {
    guard fd >= 0 else { return }
    close(fd)
    fd = -1
    if created, !written { unlink(path) }
  }
}
