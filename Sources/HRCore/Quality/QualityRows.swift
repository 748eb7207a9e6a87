import GRDB

// The rows the quality checks read, each by column name. Dates are read as the text stored: a
// date the store should never hold is itself what some checks report.

/// A newborn's record without an ID number.
struct NewbornRow: Decodable, StoredRecord {
  static let storedTable = "record"
  let recordNo, birthDate: String
  let byCertificate: Bool

}

/// A service entered late.
struct LateServiceRow: Decodable, StoredRecord {
  static let storedTable = "service"
  let recordNo, type, date, org, enteredOn: String
  let serviceID: Int

}

/// A signed record's latest contract, service and contact.
struct SignedRow: Decodable, StoredRecord {
  static let storedTable = "contract"
  let recordNo, signedOn: String
  let lastService, lastContact: String?

}

/// A death entered late.
struct LateDeathRow: Decodable, StoredRecord {
  static let storedTable = "archive_event"
  let recordNo, enteredOn: String
  let eventID: Int
  let deathDate, reportedOn: String?

}

/// A pending transfer past its due day.
struct OverdueRow: Decodable, StoredRecord {
  static let storedTable = "transfer"
  let recordNo, fromOrg, toOrg, requestedOn, due: String
  let transferID: Int

}
