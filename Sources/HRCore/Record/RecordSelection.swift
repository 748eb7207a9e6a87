import GRDB
import HRLines

/// The record a line names, read and validated once: by `record_no`, or by `id_number` (any
/// identifier the record ever had), or by both, which must then name the same record.
package struct RecordSelection: Sendable {
  /// The record number the line gives.
  package let recordNumber: RecordNumber?
  /// The identifiers the line gives, read when it gives an id number.
  package let identifiers: IdentifierFields?
  /// The id number as the line wrote it, for the message that finds no record.
  fileprivate let idNumberText: String?

  /// Reads the record number or, when the line gives none, the identifiers: the selection of tools
  /// that take whichever the line names first.
  package init(either fields: Fields, today: LocalDate) throws(LineRejection) {
    recordNumber = try fields.recordNumber()
    let byIdentifier = recordNumber == nil && fields.value("id_number") != nil
    identifiers = byIdentifier ? try IdentifierFields(fields, today: today) : nil
    idNumberText = byIdentifier ? fields.value("id_number")?.stringValue : nil
  }

  /// Reads the record number and the id number beside it, so that a line giving both is checked
  /// for agreement (`hr-update`): a mix-up of two lists never changes the wrong person.
  package init(both fields: Fields, today: LocalDate) throws(LineRejection) {
    recordNumber = try fields.recordNumber()
    identifiers = fields.value("id_number") != nil ? try IdentifierFields(fields, today: today) : nil
    idNumberText = fields.value("id_number")?.stringValue
  }
}

/// A record as a line selects it: whole, or the part of it the line's rules read, which always
/// says where the record is managed.
package protocol SelectedRecord {
  var recordNo: String { get }
  var managingOrg: String { get }
  var managingDistrict: String { get }
}

extension SelectedRecord {
  /// Where the record is managed, for the role checks (hr(7) ROLES).
  package var scope: Scope { Scope(org: managingOrg, district: managingDistrict) }
}

extension Registry {
  /// Finds the record a selecting line names by `record_no`, or by `id_number` (any identifier it
  /// ever had); `not_found` when there is none.
  package static func record(selectedBy fields: Fields, session: Session, in db: Database) throws -> ResidentRecord {
    try record(selectedBy: RecordSelection(either: fields, today: session.today), in: db)
  }

  /// Finds the selected record: `not_found` when there is none, `id_mismatch` when the line's id
  /// number is not an identifier of the record its record number names.
  package static func record(selectedBy selection: RecordSelection, in db: Database) throws -> ResidentRecord {
    try record(selectedBy: selection, in: db, find: ResidentRecord.find)
  }

  /// Finds the selected record as `find` reads it: whole, or the part of it a line's rules read.
  static func record<Record: SelectedRecord>(
    selectedBy selection: RecordSelection, in db: Database, find: (String, Database) throws -> Record?
  ) throws -> Record {
    if let number = selection.recordNumber {
      guard let record = try find(number.value, db) else {
        throw LineRejection(.notFound, "no record '\(number)'", details: ["record_no": .string(number.value)])
      }
      if let id = selection.identifiers?.residentID {
        guard try holder(of: .residentID(id), in: db)?.recordNo == record.recordNo else {
          throw LineRejection(
            .idMismatch, "id number '\(id)' is not an identifier of record '\(record.recordNo)'",
            details: ["field": "id_number"])
        }
      }
      return record
    }
    guard let identifiers = selection.identifiers else {
      throw LineRejection(.missingField, "missing field 'record_no'", details: ["field": "record_no"])
    }
    guard let existing = try holder(of: identifiers, in: db), let record = try find(existing.recordNo, db)
    else { throw LineRejection(.notFound, "no record holds id number '\(selection.idNumberText ?? "")'") }
    return record
  }
}
