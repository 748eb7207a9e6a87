import ArgumentParser
import Foundation
import HRCore
import HRFixtures

/// Measures `hr-export deid` over a large population: records/second and the peak resident memory
/// of the export process.
///
/// The population is written straight in SQL, so that building a million records does not dominate
/// the run (as `verify` writes its trail without the tools); then an approval is granted with the
/// built `hr-export approve` and the built `hr-export deid` is timed on the store.
struct DeidBenchmark: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "deid", abstract: "Build a population and print hr-export deid's records/second and peak memory.")

  @OptionGroup var options: BenchOptions
  @Option(help: "How many residents.") var residents = 1_000_000
  @Option(help: "Smallest equivalence class (export.k).") var k = 5
  @Option(help: "Distinct tag sets per class (export.l); 0 for off.") var l = 2
  @Flag(help: "Reuse the store of an earlier run in --workdir instead of building one.") var reuse = false

  func run() throws {
    let setup = try BenchSetup(options: options, storeName: reuse ? "deid-kept.sqlite" : "deid.sqlite")
    let today = LocalDate("2026-11-26")!
    let keyPath = setup.file("pseudonym.key").path
    try "benchmark pseudonym key, 32 bytes or more".write(toFile: keyPath, atomically: false, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: keyPath)
    let yaml =
      benchConfiguration + "  bench-researcher: {name: 研究员, role: researcher}\n"
      + "export:\n  k: \(k)\n" + (l > 0 ? "  l: \(l)\n" : "") + "  age_band_years: 5\n  pseudonym_key_file: \(keyPath)\n"
    try yaml.write(to: setup.config, atomically: true, encoding: .utf8)
    let store = reuse ? setup.file("deid.sqlite") : setup.store

    if !reuse {
      let start = DispatchTime.now().uptimeNanoseconds
      try build(at: store.path, yaml: yaml, today: today)
      let built = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
      print("built \(residents) records (tags, services) in \(String(format: "%.1f", built)) s")
    }

    let approval = setup.file("approval.jsonl")
    try
      (#"{"ref":"BENCH-\#(getpid())","grantee":"bench-researcher","scope":"city","purpose":"benchmark","expires":"2099-12-31"}"#
      + "\n")
      .write(to: approval, atomically: true, encoding: .utf8)
    let common = ["--store", store.path, "--config", setup.config.path, "--today", "\(today)"]
    let approved = try timedRun(
      setup.binDirectory.appendingPathComponent("hr-export"), ["approve", "--quiet", "--operator", "bench-city"] + common,
      input: approval, output: setup.file("approved.jsonl"), environment: [:])
    guard approved.status == 0 else { throw RunFailure("hr-export approve exited \(approved.status)") }

    let timing = try timedRun(
      setup.binDirectory.appendingPathComponent("hr-export"),
      ["deid", "--approval", "BENCH-\(getpid())", "--report", setup.file("report.json").path, "--operator", "bench-researcher"]
        + common,
      input: URL(fileURLWithPath: "/dev/null"), output: setup.file("deid.jsonl"), environment: [:])
    guard timing.status == 0 else { throw RunFailure("hr-export deid exited \(timing.status)") }
    report("hr-export deid", items: residents, timing: timing, unit: "records")
    print("peak resident memory of the largest child: \(peakChildMemoryKiB() / 1024) MiB")
    print("report: " + (try String(contentsOf: setup.file("report.json"), encoding: .utf8)), terminator: "")
  }

  /// Writes the population in SQL, in one transaction: residents of the sample organisations aged
  /// 0 to 94, a quarter with hypertension, a tenth with diabetes, one in fifty restricted, half with
  /// a consultation in the last ten months. The rows are the ones the tools write; only the
  /// columns the export reads vary.
  func build(at path: String, yaml: String, today: LocalDate) throws {
    let store = try Store(path: path)
    let places = samplePlaces.enumerated().map {
      "SELECT \($0.offset) AS p, '\($0.element.org)' AS org, '\($0.element.district)' AS district"
    }
    .joined(separator: " UNION ALL ")
    try store.write { db in
      try db.execute(
        sql: """
          CREATE TEMP TABLE place AS \(places);
          WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < :count),
          h(i, h) AS (SELECT i, (i * 2654435761 + :seed) % 4294967296 FROM n)
          INSERT INTO record (record_no, division, name, sex, birth_date, managing_org, managing_district, status, restricted,
                              last_contact, created_on, created_by, created_at)
          SELECT place.district || '001' || printf('%03d', 1 + i / 100000) || printf('%05d', i % 100000),
                 place.district || '001' || printf('%03d', 1 + i / 100000), '居民' || i, 1 + (h / 8) % 2,
                 date(:today, '-' || ((h / 16) % 95) || ' years', '-' || ((h / 2048) % 365) || ' days'),
                 place.org, place.district, 'active', i % 50 = 0, :today, :today, 'bench-city', '2026-11-26T00:00:00Z'
          FROM h JOIN place ON place.p = h % 5;

          INSERT INTO tag (record_no, code, source, since, entered_on, entered_at, entered_by)
          SELECT record_no, 'hypertension', 'bench', '2026-01-01', :today, '2026-11-26T00:00:00Z', 'bench-city'
          FROM record WHERE CAST(substr(record_no, 13) AS INTEGER) % 4 = 0;
          INSERT INTO tag (record_no, code, source, since, entered_on, entered_at, entered_by)
          SELECT record_no, 'diabetes', 'bench', '2026-01-01', :today, '2026-11-26T00:00:00Z', 'bench-city'
          FROM record WHERE CAST(substr(record_no, 13) AS INTEGER) % 10 = 0;
          INSERT INTO service (record_no, type, date, org, entered_on, entered_at, entered_by)
          SELECT record_no, 'consultation', max(birth_date, date(:today, '-' || (CAST(substr(record_no, 13) AS INTEGER) % 300) || ' days')),
                 managing_org, :today, '2026-11-26T00:00:00Z', 'bench-city'
          FROM record WHERE CAST(substr(record_no, 13) AS INTEGER) % 2 = 0;
          DROP TABLE place;
          """,
        arguments: ["count": residents, "seed": Int(options.seed % 1_000_000), "today": today.description])
    }
  }
}

/// The peak resident set size, in KiB, of the largest child this process has waited for.
func peakChildMemoryKiB() -> Int {
  var usage = rusage()
  getrusage(RUSAGE_CHILDREN.rawValue, &usage)
  return usage.ru_maxrss
}
