import ArgumentParser
import Foundation
import GRDB
import HRCore

/// Measures `hr-metrics` for the whole city by district on a store of a city's size (one million
/// records, five million services by default).
///
/// The store is filled with SQL straight into a migrated store rather than through `hr-create`
/// and `hr-update`, which would take hours at this size on a shared machine: the rows follow
/// Schema.swift column for column, as the tools leave them, but without the audit events of
/// their writing. A store already built with the same sizes in `--workdir` is reused.
struct MetricsBenchmark: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "metrics", abstract: "Time hr-metrics --by district over a city-sized store and print seconds and peak memory.")

  @OptionGroup var options: BenchOptions
  @Option(help: "How many records.") var records = 1_000_000
  @Option(help: "How many service records.") var services = 5_000_000
  @Option(help: "How many timed runs.") var runs = 3

  func run() throws {
    let directory = try options.makeWorkdir()
    let config = directory.appendingPathComponent("bench.yaml")
    try benchConfiguration.write(to: config, atomically: true, encoding: .utf8)
    let store = directory.appendingPathComponent("metrics-\(records)-\(services).sqlite")
    if !FileManager.default.fileExists(atPath: store.path) {
      let start = DispatchTime.now().uptimeNanoseconds
      // Filled under another name, so that an interrupted fill is never taken for a built store.
      let partial = directory.appendingPathComponent("metrics-partial.sqlite")
      removeStore(partial)
      try fill(partial.path)
      try FileManager.default.moveItem(at: partial, to: store)
      let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
      print("store built: \(records) records, \(services) services in \(String(format: "%.1f", seconds)) s")
    }
    let input = directory.appendingPathComponent("empty")
    _ = FileManager.default.createFile(atPath: input.path, contents: nil)
    for year in ["2026", "2025"] {
      for index in 1...runs {
        let arguments = [
          "-v", options.binDirectory.appendingPathComponent("hr-metrics").path, "--by", "district", "--year", year,
          "--store", store.path, "--config", config.path, "--operator", "bench-city", "--today", "2026-11-26",
        ]
        let output = directory.appendingPathComponent("metrics.jsonl")
        let log = directory.appendingPathComponent("time.txt")
        let timing = try timedRun(
          URL(fileURLWithPath: "/usr/bin/time"), ["-o", log.path] + arguments, input: input, output: output, environment: [:])
        guard timing.status == 0 else { throw RunFailure("hr-metrics exited \(timing.status)") }
        let peak =
          try String(contentsOf: log, encoding: .utf8).split(separator: "\n")
          .first { $0.contains("Maximum resident set size") }?.split(separator: ":").last
          .map { $0.trimmingCharacters(in: .whitespaces) } ?? "?"
        print(
          "hr-metrics --by district --year \(year) run \(index): \(String(format: "%.2f", timing.seconds)) s"
            + " (\(String(format: "%.2f", timing.cpuSeconds)) CPU s), peak RSS \(peak) KiB")
      }
    }
  }

  /// Fills a fresh store: records spread over the sample organisations, born 1930–2025 and created
  /// 2020–2026, 2% missing a phone; services over 2022–2026, 8% entered late, 15% given by another
  /// organisation, one in a thousand with a corrected date; 3% archived (lost, deceased, moved
  /// out), 2% transferred in, 0.2% with a pending transfer, 30% signed, 20% with a contact, 20%
  /// with a health tag.
  func fill(_ path: String) throws {
    let store = try Store(path: path)
    let places = samplePlaces.enumerated().map { "(\($0.offset), '\($0.element.org)', '\($0.element.district)')" }
    let count = places.count
    try store.writeWithoutTransaction { db in
      try db.execute(sql: "PRAGMA synchronous = OFF; PRAGMA cache_size = -1000000; PRAGMA temp_store = FILE")
      try db.inTransaction {
        try db.execute(
          sql: """
            CREATE TEMP TABLE place(p INTEGER PRIMARY KEY, org TEXT, district TEXT);
            INSERT INTO place VALUES \(places.joined(separator: ", "));
            CREATE TEMP TABLE rec(n INTEGER PRIMARY KEY, record_no TEXT, org TEXT, district TEXT);
            WITH RECURSIVE i(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM i WHERE n < \(records - 1))
            INSERT INTO rec SELECT i.n,
              p.district || printf('%03d', 1 + p.p) || printf('%03d', 1 + (i.n / \(count)) % 90)
                || printf('%05d', 1 + (i.n / \(count)) / 90),
              p.org, p.district
            FROM i JOIN place p ON p.p = i.n % \(count);

            INSERT INTO record (record_no, division, name, sex, birth_date, birth_cert_no, managing_org, managing_district, status,
              archive_reason, archived_on, death_date, phone, current_address, registered_address, responsible_doctor,
              last_contact, created_on, created_by, created_at)
            SELECT record_no, substr(record_no, 1, 12), '居民' || n, 1 + n % 2, date('1930-01-01', '+' || (n * 7919 % 35000) || ' days'),
              'B' || printf('%09d', n), org, district, CASE WHEN n % 100 < 3 THEN 'archived' ELSE 'active' END,
              CASE n % 100 WHEN 0 THEN 'lost' WHEN 1 THEN 'deceased' WHEN 2 THEN 'moved_out' END,
              CASE WHEN n % 100 < 3 THEN date('2025-01-01', '+' || (n % 690) || ' days') END,
              CASE WHEN n % 100 = 1 THEN date('2025-01-01', '+' || (n % 690) || ' days') END,
              CASE WHEN n % 50 = 7 THEN NULL ELSE '1390000' || printf('%04d', n % 10000) END,
              '重庆市民族路' || n || '号', '重庆市民族路' || n || '号', '家庭医生团队' || (n % 9),
              '2026-01-01', date('2020-01-01', '+' || (n % 2500) || ' days'), 'bench', '2026-01-01T00:00:00Z'
            FROM rec;

            INSERT INTO archive_event (record_no, action, effective_on, death_date, death_cause, entered_on, entered_at, entered_by)
            SELECT record_no, archive_reason, archived_on, death_date, CASE WHEN death_date IS NOT NULL THEN '心肌梗死' END,
              archived_on, archived_on || 'T02:00:00Z', 'bench'
            FROM record WHERE status = 'archived';

            INSERT INTO transfer (record_no, from_org, to_org, from_district, to_district, kind, reason, consent_method,
              consent_ref, status, requested_on, requested_at, requested_by, due, decided_on, decided_at, decided_by, late)
            SELECT r.record_no, p.org, r.org, p.district, r.district,
              CASE WHEN p.district = r.district THEN 'intra_district' ELSE 'cross_district' END, 'residence_change',
              'signed_form', 'B-' || r.n, 'completed', t.requested_on, t.requested_on || 'T02:00:00Z', 'bench',
              date(t.requested_on, '+7 days'), date(t.requested_on, '+' || (r.n % 10) || ' days'),
              date(t.requested_on, '+' || (r.n % 10) || ' days') || 'T02:00:00Z', 'bench', r.n % 10 > 7
            FROM rec r JOIN place p ON p.p = (r.n + 1) % \(count)
            JOIN (SELECT n, date('2025-01-01', '+' || (n % 680) || ' days') AS requested_on FROM rec) t ON t.n = r.n
            WHERE r.n % 50 = 3;

            INSERT INTO transfer (record_no, from_org, to_org, from_district, to_district, kind, reason, consent_method,
              consent_ref, status, requested_on, requested_at, requested_by, due)
            SELECT r.record_no, r.org, p.org, r.district, p.district,
              CASE WHEN p.district = r.district THEN 'intra_district' ELSE 'cross_district' END, 'residence_change',
              'signed_form', 'P-' || r.n, 'pending', date('2026-11-01', '+' || (r.n % 25) || ' days'), '2026-11-01T02:00:00Z',
              'bench', date('2026-11-08', '+' || (r.n % 25) || ' days')
            FROM rec r JOIN place p ON p.p = (r.n + 2) % \(count)
            WHERE r.n % 500 = 4;

            INSERT INTO contract (record_no, doctor, signed_on, entered_on, entered_at, entered_by)
            SELECT record_no, '家庭医生', date('2023-01-01', '+' || (n % 1400) || ' days'), '2026-01-01', '2026-01-01T00:00:00Z', 'bench'
            FROM rec WHERE n % 10 < 3;

            INSERT INTO contact (record_no, date, method, entered_on, entered_at, entered_by)
            SELECT record_no, date('2025-06-01', '+' || (n % 540) || ' days'), 'phone', '2026-01-01', '2026-01-01T00:00:00Z', 'bench'
            FROM rec WHERE n % 10 < 2;

            INSERT INTO tag (record_no, code, source, since, entered_on, entered_at, entered_by)
            SELECT record_no,
              CASE (n / 5) % 5 WHEN 0 THEN 'maternal' WHEN 1 THEN 'hypertension' WHEN 2 THEN 'diabetes'
                WHEN 3 THEN 'severe_mental_disorder' ELSE 'tuberculosis' END,
              'bench', '2024-01-01', '2024-01-01', '2024-01-01T00:00:00Z', 'bench'
            FROM rec WHERE n % 5 = 0;
            """)
        return .commit
      }
      try db.inTransaction {
        try db.execute(
          sql: """
            WITH RECURSIVE i(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM i WHERE n < \(services - 1))
            INSERT INTO service (record_no, type, date, org, free, summary, late, off_site, entered_on, entered_at, entered_by)
            SELECT r.record_no, 'consultation', date('2022-01-01', '+' || ((i.n * 40503) % 1790) || ' days'),
              CASE WHEN i.n % 100 < 15 THEN p.org ELSE r.org END, 0, '{}', i.n % 100 BETWEEN 20 AND 27,
              i.n % 100 < 15 AND p.org <> r.org,
              date('2022-01-01', '+' || ((i.n * 40503) % 1790) || ' days'), '2026-01-01T00:00:00Z', 'bench'
            FROM i JOIN rec r ON r.n = (i.n * 2654435761) % \(records)
            JOIN place p ON p.p = (i.n / 7) % \(count);

            INSERT INTO amendment (service_id, record_no, changes, reason, approved_by, entered_on, entered_at, entered_by)
            SELECT service_id, record_no, json_object('date', date(date, '-3 days')), '日期录错', 'bench-admin',
              '2026-01-01', '2026-01-01T00:00:00Z', 'bench'
            FROM service WHERE service_id % 1000 = 0;
            """)
        return .commit
      }
      try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
    }
  }
}
