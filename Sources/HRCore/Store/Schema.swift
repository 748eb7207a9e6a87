import GRDB

extension Store {
  /// The schema's migrations, by name, in order. A released migration is never edited: a change
  /// is a new migration appended at the end.
  package static var migrator: DatabaseMigrator {
    var migrator = DatabaseMigrator()
    migrator.registerMigration("v1-records", migrate: createRecords)
    migrator.registerMigration("v1-audit", migrate: createAudit)
    migrator.registerMigration("v1-services", migrate: createServices)
    migrator.registerMigration("v1-transfers", migrate: createTransfers)
    migrator.registerMigration("v1-archive", migrate: createArchive)
    migrator.registerMigration("v2-no-replace", migrate: refuseReplace)
    migrator.registerMigration("v2-late-entry-indexes", migrate: indexLateEntries)
    migrator.registerMigration("v3-export-approvals", migrate: createExportApprovals)
    migrator.registerMigration("v3-metrics-indexes", migrate: indexMetrics)
    migrator.registerMigration("v3-perf-slimmer-record-indexes", migrate: slimRecordIndexes)
    migrator.registerMigration("v4-audit-state", migrate: addAuditState)
    migrator.registerMigration("v4-metrics-services-by-org", migrate: indexMetricsByOrg)
    migrator.registerMigration("v4-metrics-incomplete-records", migrate: indexIncompleteRecords)
    migrator.registerMigration("v5-checks-without-lists", migrate: compareInsteadOfListing)
    migrator.registerMigration("v5-audit-no-replace-fails", migrate: failReplacingEvents)
    migrator.registerMigration("v5-incomplete-without-calls", migrate: incompleteWithoutCalls)
    migrator.registerMigration("v5-inserts-without-journal", migrate: insertWithoutStatementJournal)
    migrator.registerMigration("v6-service-indexes-nothing-reads", migrate: dropServiceIndexesNothingReads)
    return migrator
  }

  /// Records, every identifier they ever had, their basic-information history and the per-division
  /// sequence of record numbers (hr(7) IDENTITY and THE RECORD).
  private static func createRecords(_ db: Database) throws {
    try db.execute(
      sql: """
        -- The last sequence given in each division; kept after a purge so numbers are never reused.
        CREATE TABLE division_sequence (
          division TEXT PRIMARY KEY NOT NULL,
          last INTEGER NOT NULL
        ) WITHOUT ROWID;

        CREATE TABLE record (
          record_no TEXT PRIMARY KEY NOT NULL,
          division TEXT NOT NULL,
          name TEXT NOT NULL,
          sex INTEGER NOT NULL,
          birth_date TEXT NOT NULL,
          id_number TEXT,
          birth_cert_no TEXT,
          mother_id_number TEXT,
          managing_org TEXT NOT NULL,
          managing_district TEXT NOT NULL,
          status TEXT NOT NULL CHECK (status IN ('active', 'archived', 'purging')),
          archive_reason TEXT CHECK (archive_reason IN ('lost', 'deceased', 'moved_out')),
          archived_on TEXT,
          death_date TEXT,
          phone TEXT,
          current_address TEXT,
          registered_address TEXT,
          ethnicity TEXT,
          work_unit TEXT,
          emergency_contact TEXT,
          responsible_doctor TEXT,
          past_history TEXT,
          family_history TEXT,
          blood_type TEXT,
          payment_methods TEXT,
          restricted INTEGER NOT NULL DEFAULT 0,
          last_contact TEXT NOT NULL,
          protected_until TEXT,
          created_on TEXT NOT NULL,
          created_by TEXT NOT NULL,
          created_at TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX record_by_org ON record(managing_org, status);
        CREATE INDEX record_by_district ON record(managing_district, status);
        CREATE INDEX record_by_last_contact ON record(status, last_contact);
        CREATE INDEX record_by_person ON record(name, birth_date);
        CREATE INDEX record_by_mother ON record(mother_id_number, birth_date) WHERE mother_id_number IS NOT NULL;

        -- Every identifier a record ever had; the primary key is the duplicate check (查验).
        CREATE TABLE identifier (
          kind TEXT NOT NULL,
          value TEXT NOT NULL,
          record_no TEXT NOT NULL REFERENCES record(record_no) ON DELETE CASCADE,
          current INTEGER NOT NULL DEFAULT 1,
          added_on TEXT NOT NULL,
          PRIMARY KEY (kind, value)
        ) WITHOUT ROWID;
        CREATE INDEX identifier_by_record ON identifier(record_no);

        -- Basic information is changed, never overwritten without trace.
        CREATE TABLE record_history (
          id INTEGER PRIMARY KEY,
          record_no TEXT NOT NULL REFERENCES record(record_no) ON DELETE CASCADE,
          field TEXT NOT NULL,
          old_value TEXT,
          new_value TEXT,
          changed_on TEXT NOT NULL,
          changed_at TEXT NOT NULL,
          changed_by TEXT NOT NULL
        );
        CREATE INDEX record_history_by_record ON record_history(record_no, id);
        """)
    try appendOnly(db, table: "record_history")
  }

  /// The audit trail: a SHA-256 hash chain that the store itself refuses to rewrite (hr(7) AUDIT TRAIL).
  private static func createAudit(_ db: Database) throws {
    try db.execute(
      sql: """
        CREATE TABLE audit_event (
          seq INTEGER PRIMARY KEY,
          at TEXT NOT NULL,
          operator TEXT NOT NULL,
          role TEXT NOT NULL,
          org TEXT,
          action TEXT NOT NULL,
          record_no TEXT,
          outcome TEXT NOT NULL CHECK (outcome IN ('ok', 'denied', 'rejected')),
          detail TEXT NOT NULL,
          prev_hash TEXT NOT NULL,
          hash TEXT NOT NULL
        );
        CREATE INDEX audit_by_record ON audit_event(record_no, seq) WHERE record_no IS NOT NULL;
        CREATE INDEX audit_by_operator ON audit_event(operator, seq);
        CREATE INDEX audit_by_action ON audit_event(action, seq);
        CREATE INDEX audit_by_time ON audit_event(at);
        CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
          BEGIN SELECT RAISE(ABORT, 'audit events are never modified'); END;
        CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event
          BEGIN SELECT RAISE(ABORT, 'audit events are never deleted'); END;
        """)
  }

  /// Service records, their amendments, tags, family-doctor contracts and contacts: all append-only
  /// (annex 1, 三(一)).
  private static func createServices(_ db: Database) throws {
    try db.execute(
      sql: """
        CREATE TABLE service (
          service_id INTEGER PRIMARY KEY AUTOINCREMENT,
          record_no TEXT NOT NULL REFERENCES record(record_no) ON DELETE CASCADE,
          type TEXT NOT NULL,
          date TEXT NOT NULL,
          org TEXT NOT NULL,
          free INTEGER NOT NULL DEFAULT 0,
          summary TEXT NOT NULL DEFAULT '{}',
          restricted INTEGER NOT NULL DEFAULT 0,
          late INTEGER NOT NULL DEFAULT 0,
          off_site INTEGER NOT NULL DEFAULT 0,
          entered_on TEXT NOT NULL,
          entered_at TEXT NOT NULL,
          entered_by TEXT NOT NULL
        );
        CREATE INDEX service_by_record ON service(record_no, date);
        CREATE INDEX service_free_by_type ON service(record_no, type, date) WHERE free = 1;
        CREATE INDEX service_by_org ON service(org, date);
        CREATE INDEX service_by_date ON service(date);

        CREATE TABLE amendment (
          amendment_id INTEGER PRIMARY KEY AUTOINCREMENT,
          service_id INTEGER NOT NULL REFERENCES service(service_id) ON DELETE CASCADE,
          record_no TEXT NOT NULL REFERENCES record(record_no) ON DELETE CASCADE,
          changes TEXT NOT NULL,
          reason TEXT NOT NULL,
          approved_by TEXT NOT NULL,
          entered_on TEXT NOT NULL,
          entered_at TEXT NOT NULL,
          entered_by TEXT NOT NULL
        );
        CREATE INDEX amendment_by_service ON amendment(service_id);
        CREATE INDEX amendment_by_record ON amendment(record_no);

        CREATE TABLE tag (
          tag_id INTEGER PRIMARY KEY AUTOINCREMENT,
          record_no TEXT NOT NULL REFERENCES record(record_no) ON DELETE CASCADE,
          code TEXT NOT NULL,
          source TEXT,
          since TEXT,
          ended TEXT,
          entered_on TEXT NOT NULL,
          entered_at TEXT NOT NULL,
          entered_by TEXT NOT NULL
        );
        CREATE INDEX tag_by_record ON tag(record_no, code);
        CREATE INDEX tag_by_code ON tag(code);

        CREATE TABLE contract (
          contract_id INTEGER PRIMARY KEY AUTOINCREMENT,
          record_no TEXT NOT NULL REFERENCES record(record_no) ON DELETE CASCADE,
          doctor TEXT NOT NULL,
          team TEXT,
          signed_on TEXT NOT NULL,
          entered_on TEXT NOT NULL,
          entered_at TEXT NOT NULL,
          entered_by TEXT NOT NULL
        );
        CREATE INDEX contract_by_record ON contract(record_no, signed_on);

        CREATE TABLE contact (
          contact_id INTEGER PRIMARY KEY AUTOINCREMENT,
          record_no TEXT NOT NULL REFERENCES record(record_no) ON DELETE CASCADE,
          date TEXT NOT NULL,
          method TEXT NOT NULL,
          entered_on TEXT NOT NULL,
          entered_at TEXT NOT NULL,
          entered_by TEXT NOT NULL
        );
        CREATE INDEX contact_by_record ON contact(record_no, date);
        """)
    for table in ["service", "amendment", "tag", "contract", "contact"] {
      try appendOnly(db, table: table)
    }
  }

  /// Transfers between managing organisations, with their consent and decision (annex 1, 四).
  private static func createTransfers(_ db: Database) throws {
    try db.execute(
      sql: """
        CREATE TABLE transfer (
          transfer_id INTEGER PRIMARY KEY AUTOINCREMENT,
          record_no TEXT NOT NULL REFERENCES record(record_no) ON DELETE CASCADE,
          from_org TEXT NOT NULL,
          to_org TEXT NOT NULL,
          from_district TEXT NOT NULL,
          to_district TEXT NOT NULL,
          kind TEXT NOT NULL CHECK (kind IN ('cross_district', 'intra_district')),
          reason TEXT NOT NULL,
          consent_method TEXT NOT NULL,
          consent_ref TEXT NOT NULL,
          status TEXT NOT NULL CHECK (status IN ('pending', 'completed', 'rejected', 'cancelled')),
          requested_on TEXT NOT NULL,
          requested_at TEXT NOT NULL,
          requested_by TEXT NOT NULL,
          due TEXT,
          decided_on TEXT,
          decided_at TEXT,
          decided_by TEXT,
          decision_reason TEXT,
          late INTEGER NOT NULL DEFAULT 0,
          -- The first day a new request is accepted after this transfer completed (annex 1, 四(三)6);
          -- kept with the transfer so a later change of a district's period does not rewrite history.
          protected_until TEXT
        );
        CREATE UNIQUE INDEX transfer_one_pending ON transfer(record_no) WHERE status = 'pending';
        CREATE INDEX transfer_by_record ON transfer(record_no, transfer_id);
        CREATE INDEX transfer_by_status ON transfer(status, due);
        CREATE INDEX transfer_by_from ON transfer(from_org, status);
        CREATE INDEX transfer_by_to ON transfer(to_org, status);
        CREATE INDEX transfer_by_requested ON transfer(requested_on);
        """)
  }

  /// Archive and reactivation events, kept as the record's archive history (annex 1, 六).
  private static func createArchive(_ db: Database) throws {
    try db.execute(
      sql: """
        CREATE TABLE archive_event (
          event_id INTEGER PRIMARY KEY AUTOINCREMENT,
          record_no TEXT NOT NULL REFERENCES record(record_no) ON DELETE CASCADE,
          action TEXT NOT NULL CHECK (action IN ('lost', 'deceased', 'moved_out', 'reactivated', 'death_corrected')),
          effective_on TEXT NOT NULL,
          evidence TEXT,
          death_date TEXT,
          death_cause TEXT,
          reported_on TEXT,
          left_on TEXT,
          contact_date TEXT,
          correction TEXT,
          late INTEGER NOT NULL DEFAULT 0,
          entered_on TEXT NOT NULL,
          entered_at TEXT NOT NULL,
          entered_by TEXT NOT NULL
        );
        CREATE INDEX archive_event_by_record ON archive_event(record_no, event_id);

        -- The purge walks archived records oldest first (annex 1, 六(二)4: kept at least 15 years).
        CREATE INDEX record_by_archived_on ON record(status, archived_on);
        """)
    try appendOnly(db, table: "archive_event")
  }

  /// Refuses an INSERT that would replace a row of the audit trail or of an append-only table.
  ///
  /// `INSERT OR REPLACE` deletes the row it conflicts with, and SQLite fires no delete trigger for
  /// that unless recursive triggers are on: without this, `REPLACE INTO audit_event …` rewrites an
  /// event while the update and delete triggers stand.
  private static func refuseReplace(_ db: Database) throws {
    let tables = [
      ("audit_event", "seq", "audit events are never modified"),
      ("record_history", "id", "record_history rows are never modified"),
      ("service", "service_id", "service rows are never modified"),
      ("amendment", "amendment_id", "amendment rows are never modified"),
      ("tag", "tag_id", "tag rows are never modified"),
      ("contract", "contract_id", "contract rows are never modified"),
      ("contact", "contact_id", "contact rows are never modified"),
      ("archive_event", "event_id", "archive_event rows are never modified"),
    ]
    for (table, key, message) in tables {
      try db.execute(
        sql: """
          CREATE TRIGGER \(table)_no_replace BEFORE INSERT ON \(table)
            WHEN EXISTS (SELECT 1 FROM \(table) WHERE \(key) = NEW.\(key))
            BEGIN SELECT RAISE(ABORT, '\(message)'); END;
          """)
    }
  }

  /// The late entries `hr-audit quality` lists, so that it reads those rows only rather than every
  /// service and archive event of the city (hr(7) AUDIT TRAIL: `late_service_entry`, `late_death_entry`).
  private static func indexLateEntries(_ db: Database) throws {
    try db.execute(
      sql: """
        CREATE INDEX service_late ON service(record_no, service_id) WHERE late = 1;
        CREATE INDEX archive_event_late_death ON archive_event(record_no, event_id) WHERE action = 'deceased' AND late = 1;
        """)
  }

  /// Drops what every creation paid for and no query reads: `record_by_mother`, which nothing
  /// searches (a mother link is looked up through `identifier`), and the entry every active record
  /// had in `record_by_archived_on`, which only the purge reads and only for archived records
  /// (`archived_on < ?` implies `archived_on IS NOT NULL`, so the purge keeps its index).
  private static func slimRecordIndexes(_ db: Database) throws {
    try db.execute(
      sql: """
        DROP INDEX record_by_mother;
        DROP INDEX record_by_archived_on;
        CREATE INDEX record_by_archived_on ON record(status, archived_on) WHERE archived_on IS NOT NULL;
        """)
  }

  /// Refuses UPDATE on `table` always, and DELETE unless the owning record is being purged after
  /// its retention period (annex 1, 六).
  private static func appendOnly(_ db: Database, table: String) throws {
    try db.execute(
      sql: """
        CREATE TRIGGER \(table)_no_update BEFORE UPDATE ON \(table)
          BEGIN SELECT RAISE(ABORT, '\(table) rows are never modified'); END;
        CREATE TRIGGER \(table)_no_delete BEFORE DELETE ON \(table)
          WHEN EXISTS (SELECT 1 FROM record WHERE record_no = OLD.record_no AND status <> 'purging')
          BEGIN SELECT RAISE(ABORT, '\(table) rows are never deleted'); END;
        """)
  }
}
