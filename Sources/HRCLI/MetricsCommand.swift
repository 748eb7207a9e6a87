import ArgumentParser
import Foundation
import HRCore

extension MetricsLevel: ExpressibleByArgument {}

/// The `--format` of `hr-metrics`: the three listing formats, and `html`, the printable report.
package enum MetricsFormat: String, CaseIterable, ExpressibleByArgument, Sendable {
  /// One compact JSON object per unit.
  case jsonl
  /// RFC 4180, each rate flattened to value, numerator and denominator columns.
  case csv
  /// Aligned columns with Chinese headings, rates as percentages with num/den.
  case table
  /// One self-contained printable page with a bar chart per rate and the full table.
  case html

  /// The listing format this is, nil for the html report.
  var listing: ListingFormat? { ListingFormat(rawValue: rawValue) }
}

/// `hr-metrics`: the evaluation indicators (绩效评价, 第二十六条; annex 1 四(四)) per organisation,
/// district or city, for a calendar year.
package struct MetricsCommand: ParsableCommand {
  package static let configuration = CommandConfiguration(
    commandName: "hr-metrics",
    abstract: "Print the evaluation indicators (绩效评价) per organisation, district or city for a year.",
    discussion: """
      Prints one line per unit: records in management and archived, filing, usage, completeness, \
      timely entry, transfers and their timeliness, off-site services and refusals, key populations, \
      the deceased with a service in the year and signed residents' contact. Counts of records stand \
      on today, or on 31 December once the year is over. Each run is audited (action metrics.report).
      """,
    version: toolkitVersion("hr-metrics"))

  @OptionGroup package var common: CommonOptions

  @OptionGroup package var scope: ScopeOptions

  @Option(help: ArgumentHelp("One line per organisation, per district or for the city.", valueName: "org|district|city"))
  package var by: MetricsLevel = .org

  @Option(help: ArgumentHelp("The calendar year evaluated (default: this year).", valueName: "YYYY"))
  package var year: Int?

  @Option(help: ArgumentHelp("Output format.", valueName: "jsonl|csv|table|html"))
  package var format: MetricsFormat = .jsonl

  package init() {}

  package func validate() throws {
    if let year, !(1000...9999).contains(year) { throw ValidationError("--year '\(year)' is not a year from 1000 to 9999") }
  }

  package func run() throws {
    try ScopedListing.run("hr-metrics", action: .metrics, auditAs: "metrics.report", common: common, scope: scope) { run in
      let evaluation: Evaluation
      do throws(MetricsError) {
        let period = try MetricsPeriod(year: year ?? run.session.today.year, today: run.session.today)
        evaluation = try Evaluation(coverage: run.coverage, level: by, period: period, configuration: run.session.configuration)
      } catch .levelWiderThanScope(let level, let reach) where scope.org == nil && scope.district == nil {
        // Without --org or --district the coverage is the operator's whole reach: a wider unit is
        // beyond it, refused and kept in the trail like every denial.
        var detail = reach.detail
        detail["by"] = .string(level.rawValue)
        try common.refuse(run.session, command: "hr-metrics --by \(level.rawValue)", action: "metrics.report", detail: detail)
      } catch {
        throw RunError(.usage, error.description)
      }
      let units = try run.store.read { db in try evaluation.run(in: db) }
      // The figures name no resident, but every reading of the records is kept (第二十五条).
      var detail = evaluation.detail
      detail["units"] = .int(units.count)
      try AuditReading.record(
        AuditEntry(action: "metrics.report", recordNo: nil, detail: detail), by: run.session.staff, in: run.store)
      try write(units, period: evaluation.period)
      return .ok
    }
  }

  private func write(_ units: [MetricsUnit], period: MetricsPeriod) throws {
    guard let listing = format.listing else {
      var output = OutputBuffer(fd: 1)
      try output.append(line: MetricsReport(units: units, period: period, level: by, generatedAt: Timestamp.now()).html)
      try output.flush()
      return
    }
    let columns = MetricsColumn.all
    switch listing {
    case .jsonl:
      var writer = ListingWriter(format: .jsonl, columns: MetricsUnit.keys)
      for unit in units { try writer.append(unit.json(period: period)) }
      try writer.finish()
    case .csv:
      let keys = columns.flatMap(\.csvKeys)
      var writer = ListingWriter(format: .csv, columns: keys)
      for unit in units { try writer.append(MetricsColumn.csvRow(unit.json(period: period))) }
      try writer.finish()
    case .table:
      var writer = ListingWriter(format: .table, columns: columns.map(\.key), headings: columns.map(\.heading))
      for unit in units { try writer.append(MetricsColumn.tableRow(unit.json(period: period))) }
      try writer.finish()
    }
  }
}
