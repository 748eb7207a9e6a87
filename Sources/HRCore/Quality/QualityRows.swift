import GRDB

// The rows the quality checks read, each by column name. Dates are read as the text stored: a
// date the store should never hold is itself what some checks report.

/// A newborn's record without an ID number.
struct NewbornRow: Decodable, StoredRecord {
  static let storedTable = "record"
  let recordNo: String
  let birthDate: String
  let byCertificate: Bool

  enum CodingKeys: String, CodingKey {
    case recordNo = "record_no"
    case birthDate = "birth_date"
    case byCertificate = "by_certificate"
  }
}

/// A service entered late.
struct LateServiceRow: Decodable, StoredRecord {
  static let storedTable = "service"
  let recordNo: String
  let serviceID: Int
  let type: String
  let date: String
  let org: String
  let enteredOn: String

  enum CodingKeys: String, CodingKey {
    case recordNo = "record_no"
    case serviceID = "service_id"
    case type, date, org
    case enteredOn = "entered_on"
  }
}

/// A signed record's latest contract, service and contact.
struct SignedRow: Decodable, StoredRecord {
  static let storedTable = "contract"
  let recordNo: String
  let signedOn: String
  let lastService: String?
  let lastContact: String?

  enum CodingKeys: String, CodingKey {
    case recordNo = "record_no"
    case signedOn = "signed_on"
    case lastService = "last_service"
    case lastContact = "last_contact"
  }
}

/// A death entered late.
struct LateDeathRow: Decodable, StoredRecord {
  static let storedTable = "archive_event"
  let recordNo: String
  let eventID: Int
  let deathDate: String?
  let reportedOn: String?
  let enteredOn: String

  enum CodingKeys: String, CodingKey {
    case recordNo = "record_no"
    case eventID = "event_id"
    case deathDate = "death_date"
    case reportedOn = "reported_on"
    case enteredOn = "entered_on"
  }
}

/// A pending transfer past its due day.
struct OverdueRow: Decodable, StoredRecord {
  static let storedTable = "transfer"
  let recordNo: String
  let transferID: Int
  let fromOrg: String
  let toOrg: String
  let requestedOn: String
  let due: String

  enum CodingKeys: String, CodingKey {
    case recordNo = "record_no"
    case transferID = "transfer_id"
    case fromOrg = "from_org"
    case toOrg = "to_org"
    case requestedOn = "requested_on"
    case due
  }
}
