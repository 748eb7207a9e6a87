import GRDB

extension Store {
  /// The indexes the evaluation indicators of `hr-metrics` read (第二十六条; annex 1 四(四)), so
  /// that a city's yearly figures come from index ranges rather than from every row of the store.
  static func indexMetrics(_ db: Database) throws {
    try db.execute(
      sql: """
        -- Services of the period by date with what timely_entry_rate and off_site_services count,
        -- so the year's services are read from the index alone.
        CREATE INDEX service_metrics ON service(date, org, late, off_site);

        -- Services whose date an amendment corrected: they count at the corrected date. Read per
        -- service (services of the period) and per record (usage_rate, signed_contact_timely_rate,
        -- deceased_with_service_in_year).
        CREATE INDEX amendment_redated ON amendment(service_id, amendment_id)
          WHERE json_extract(changes, '$.date') IS NOT NULL;
        CREATE INDEX amendment_redated_by_record ON amendment(record_no)
          WHERE json_extract(changes, '$.date') IS NOT NULL;

        -- Records archived or reactivated after the as-of day: their status as of that day is
        -- read from their archive history (records_active, records_archived of a past year).
        CREATE INDEX archive_event_by_effective ON archive_event(effective_on, record_no);

        -- Transfers decided in the period (transfers, transfer_response_timely_rate) and records
        -- handed to another organisation after the as-of day (the managing organisation then).
        CREATE INDEX transfer_by_decided ON transfer(decided_on, status);

        -- The refusals of the audit trail, for off_site_refused (already_served).
        CREATE INDEX audit_rejected ON audit_event(action, seq) WHERE outcome = 'rejected';
        """)
  }

  /// Replaces `service_metrics` (date first) with the same columns ordered by serving
  /// organisation, so that the services of the period are summed one organisation's date range at
  /// a time, where the index holds them in order, instead of being sorted by organisation: the
  /// same one index entry a service, so writing a service costs what it did.
  static func indexMetricsByOrg(_ db: Database) throws {
    try db.execute(
      sql: """
        DROP INDEX service_metrics;
        CREATE INDEX service_metrics_by_org ON service(org, date, late, off_site);
        """)
  }

  /// The condition of `record_incomplete`: `CoverField.anyEmptySQL(alias: "record")` as it stood
  /// when the index was made. A migration never changes, so this text does not follow the cover
  /// fields: when they change, a new migration makes the index again with their new condition
  /// (a test compares the two).
  static let incompleteCondition = """
    ((CASE WHEN record.name IS NULL THEN 1 WHEN record.name >= '!' AND (record.name < char(12288) OR record.name \
    >= char(12289)) THEN 0 ELSE NOT (record.name GLOB '*[^' || char(32, 9, 10, 13, 12288) || ']*') END) OR \
    (record.sex IS NULL OR trim(record.sex) = '' OR record.sex = 0) OR (CASE WHEN record.birth_date IS NULL THEN \
    1 WHEN record.birth_date >= '!' AND (record.birth_date < char(12288) OR record.birth_date >= char(12289)) \
    THEN 0 ELSE NOT (record.birth_date GLOB '*[^' || char(32, 9, 10, 13, 12288) || ']*') END) OR ((CASE WHEN \
    record.id_number IS NULL THEN 1 WHEN record.id_number >= '!' AND (record.id_number < char(12288) OR \
    record.id_number >= char(12289)) THEN 0 ELSE NOT (record.id_number GLOB '*[^' || char(32, 9, 10, 13, 12288) \
    || ']*') END) AND (CASE WHEN record.birth_cert_no IS NULL THEN 1 WHEN record.birth_cert_no >= '!' AND \
    (record.birth_cert_no < char(12288) OR record.birth_cert_no >= char(12289)) THEN 0 ELSE NOT \
    (record.birth_cert_no GLOB '*[^' || char(32, 9, 10, 13, 12288) || ']*') END) AND (CASE WHEN \
    record.mother_id_number IS NULL THEN 1 WHEN record.mother_id_number >= '!' AND (record.mother_id_number < \
    char(12288) OR record.mother_id_number >= char(12289)) THEN 0 ELSE NOT (record.mother_id_number GLOB '*[^' || \
    char(32, 9, 10, 13, 12288) || ']*') END)) OR (CASE WHEN record.division IS NULL THEN 1 WHEN record.division \
    >= '!' AND (record.division < char(12288) OR record.division >= char(12289)) THEN 0 ELSE NOT (record.division \
    GLOB '*[^' || char(32, 9, 10, 13, 12288) || ']*') END) OR (CASE WHEN record.current_address IS NULL THEN 1 \
    WHEN record.current_address >= '!' AND (record.current_address < char(12288) OR record.current_address >= \
    char(12289)) THEN 0 ELSE NOT (record.current_address GLOB '*[^' || char(32, 9, 10, 13, 12288) || ']*') END) \
    OR (CASE WHEN record.registered_address IS NULL THEN 1 WHEN record.registered_address >= '!' AND \
    (record.registered_address < char(12288) OR record.registered_address >= char(12289)) THEN 0 ELSE NOT \
    (record.registered_address GLOB '*[^' || char(32, 9, 10, 13, 12288) || ']*') END) OR (CASE WHEN record.phone \
    IS NULL THEN 1 WHEN record.phone >= '!' AND (record.phone < char(12288) OR record.phone >= char(12289)) THEN \
    0 ELSE NOT (record.phone GLOB '*[^' || char(32, 9, 10, 13, 12288) || ']*') END) OR (CASE WHEN \
    record.responsible_doctor IS NULL THEN 1 WHEN record.responsible_doctor >= '!' AND (record.responsible_doctor \
    < char(12288) OR record.responsible_doctor >= char(12289)) THEN 0 ELSE NOT (record.responsible_doctor GLOB \
    '*[^' || char(32, 9, 10, 13, 12288) || ']*') END) OR (CASE WHEN record.created_on IS NULL THEN 1 WHEN \
    record.created_on >= '!' AND (record.created_on < char(12288) OR record.created_on >= char(12289)) THEN 0 \
    ELSE NOT (record.created_on GLOB '*[^' || char(32, 9, 10, 13, 12288) || ']*') END))
    """

  /// The records with an empty cover field (第十二条), so that the completeness rate of
  /// `hr-metrics` reads those few records instead of testing ten fields of every record of the
  /// city. A record enters the index only while a field is empty: writing a complete record costs
  /// the test of its fields and no index entry.
  static func indexIncompleteRecords(_ db: Database) throws {
    try db.execute(sql: "CREATE INDEX record_incomplete ON record(managing_org) WHERE \(incompleteCondition)")
  }

  /// ``incompleteCondition`` with its characters written as they are rather than made by `char()`:
  /// the same text for every value, so the same condition, which SQLite evaluated with 33 function
  /// calls for every record written. `CoverField.anyEmptySQL(alias: "record")` as it stands since
  /// `v5-incomplete-without-calls`.
  static let incompleteConditionWithoutCalls =
    incompleteCondition
    .replacing("'*[^' || char(32, 9, 10, 13, 12288) || ']*'", with: "'*[^ \t\n\r\u{3000}]*'")
    .replacing("char(12288)", with: "'\u{3000}'")
    .replacing("char(12289)", with: "'\u{3001}'")

  /// Writes the condition of `record_incomplete` as ``incompleteConditionWithoutCalls`` without
  /// making the index again: it holds exactly the records it held, since both conditions hold for
  /// the same records (the procedure of ``compareInsteadOfListing(_:)``). A store whose index does
  /// not have the condition expected is not changed and the migration fails, rolling back.
  static func incompleteWithoutCalls(_ db: Database) throws {
    let made = "CREATE INDEX record_incomplete ON record(managing_org) WHERE \(incompleteCondition)"
    let stored = try String.fetchOne(
      db, sql: "SELECT sql FROM main.sqlite_master WHERE type = 'index' AND name = 'record_incomplete'")
    guard stored == made else {
      throw DatabaseError(message: "index record_incomplete does not have the condition it was made with")
    }
    try rewriteSchema(
      db, type: "index", name: "record_incomplete",
      sql: "CREATE INDEX record_incomplete ON record(managing_org) WHERE \(incompleteConditionWithoutCalls)")
  }
}
