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
}
