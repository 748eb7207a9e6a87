import GRDB

extension LocalDate: DatabaseValueConvertible {
  /// Dates are stored as `YYYY-MM-DD` text, so SQLite compares them in calendar order.
  package var databaseValue: DatabaseValue { description.databaseValue }

  package static func fromDatabaseValue(_ dbValue: DatabaseValue) -> LocalDate? {
    String.fromDatabaseValue(dbValue).flatMap(LocalDate.init)
  }
}

extension LocalDate: Codable {
  package init(from decoder: any Decoder) throws {
    let text = try decoder.singleValueContainer().decode(String.self)
    guard let date = LocalDate(text) else {
      throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a date: \(text)"))
    }
    self = date
  }

  package func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(description)
  }
}
