import GRDB
import HRLines

extension RejectionCode {
  /// The viewer table asks for an `authorization` the line does not give: a guardian's application
  /// reference, a court judgment, the resident's dynamic code (第十五条, 第十六条).
  package static let authorizationRequired = RejectionCode("authorization_required")
  /// A `public_health` or `emergency` viewing without the `reason` it must state (第十六条).
  package static let reasonRequired = RejectionCode("reason_required")
}

/// Who a record is opened for, one row of the viewer table of hr-export(1) (第十五条, 第十六条).
package enum ViewerKind: String, Sendable, CaseIterable {
  /// The resident in person (向居民本人开放), identified by an ID number the record holds.
  case resident = "self"
  /// A legal guardian (法定监护人): of a minor, or of an adult without capacity, by the record's age.
  case guardian
  /// A minor, with the guardian's authorisation (经未成年人法定监护人申请同意).
  case minor
  /// A voluntary guardian (意定监护人) named by a court judgment.
  case voluntaryGuardian = "voluntary_guardian"
  /// A clinician treating the resident, with the resident's dynamic code (第十六条, annex 2 四).
  case clinician
  /// A health administration consulting records for health management (依法依规调阅).
  case publicHealth = "public_health"
  /// An emergency to protect the resident's life (紧急情况): break-the-glass.
  case emergency
}

/// How much of a record a viewer sees.
package enum Disclosure: String, Sendable {
  /// The whole record.
  case full
  /// Everything but the restricted services and tags (第十五条: the guardian of an adult without
  /// capacity sees the ordinary illnesses, not the mental-disorder information).
  case withholdingRestricted = "withholding_restricted"
}

/// The viewer a line of `hr-export record` names: `{"kind", "id_number"?, "authorization"?, "reason"?}`.
package struct Viewer: Sendable {
  /// The row of the viewer table the viewing claims.
  package var kind: ViewerKind
  /// The viewer's own ID number, normalised (a `self` viewing needs one the record holds).
  package var idNumber: String?
  /// References of the authorisation: a guardian's application, court judgments, a dynamic code.
  package var authorization: [String]
  /// Why the record is opened (`public_health`, `emergency`).
  package var reason: String?

  /// The fields of the `viewer` object.
  package static let fields: Set<String> = ["kind", "id_number", "authorization", "reason"]
  /// The longest authorisation reference and reason kept.
  static let maximumReferenceLength = 200
  static let maximumReasonLength = 500
  /// At most this many court judgments or other references in one authorisation.
  static let maximumReferences = 10

  /// Options that fill what a line's viewer leaves out, so a plain list of record numbers
  /// (`hr-export roster`) can be piped in.
  package struct Defaults: Sendable {
    /// `--viewer`.
    package var kind: ViewerKind?
    /// `--authorization`.
    package var authorization: String?
    /// `--reason`.
    package var reason: String?

    /// Defaults for the lines' viewers.
    package init(kind: ViewerKind? = nil, authorization: String? = nil, reason: String? = nil) {
      self.kind = kind
      self.authorization = authorization
      self.reason = reason
    }
  }

  /// Creates a viewer.
  package init(kind: ViewerKind, idNumber: String? = nil, authorization: [String] = [], reason: String? = nil) {
    self.kind = kind
    self.idNumber = idNumber
    self.authorization = authorization
    self.reason = reason
  }

  /// Reads the `viewer` object of a line, filled from `defaults`; unknown fields are refused, as a
  /// misspelt `authorisation` must not read as a missing one.
  package init(line: JSONObject, defaults: Defaults, today: LocalDate) throws(LineRejection) {
    let outer = Fields(selecting: line)
    let object = try outer.object("viewer") ?? JSONObject()
    let fields = try Fields(object, allowed: Self.fields, path: "viewer.")
    if let text = try fields.text("kind", maxLength: 40) {
      guard let kind = ViewerKind(rawValue: text) else {
        throw fields.invalid(
          "kind", "'\(text)' is not a viewer kind; expected one of \(ViewerKind.allCases.map(\.rawValue).joined(separator: ", "))"
        )
      }
      self.kind = kind
    } else if let kind = defaults.kind {
      self.kind = kind
    } else {
      throw LineRejection(.missingField, "missing field 'viewer.kind' (or give --viewer)", details: ["field": "viewer.kind"])
    }
    if let text = try fields.text("id_number", maxLength: 40) {
      do {
        idNumber = try ResidentID(text, today: today).value
      } catch {
        throw LineRejection(.invalidID, error.description, details: ["field": "viewer.id_number"])
      }
    }
    authorization = try Self.references(fields) ?? defaults.authorization.map { [$0] } ?? []
    reason = try fields.text("reason", maxLength: Self.maximumReasonLength) ?? defaults.reason
  }

  /// `authorization` as one reference or an array of them (two court judgments, 第十五条).
  private static func references(_ fields: Fields) throws(LineRejection) -> [String]? {
    guard let value = fields.value("authorization") else { return nil }
    if value.stringValue != nil { return [try fields.requiredText("authorization", maxLength: maximumReferenceLength)] }
    guard let items = value.arrayValue, !items.isEmpty, items.count <= maximumReferences else {
      throw fields.invalid("authorization", "must be a reference or an array of 1 to \(maximumReferences) references")
    }
    var references: [String] = []
    for item in items {
      let one = try Fields(selecting: ["authorization": item]).requiredText("authorization", maxLength: maximumReferenceLength)
      references.append(one)
    }
    return references
  }

  /// The viewer as the audit event and the output keep it: `{"kind", "authorization"?, "reason"?}`.
  /// The viewer's ID number is not repeated: for `self` it is one the record already holds.
  package var json: JSONObject {
    var out: JSONObject = ["kind": .string(kind.rawValue)]
    switch authorization.count {
    case 0: break
    case 1: out["authorization"] = .string(authorization[0])
    default: out["authorization"] = .array(authorization.map(JSONValue.string))
    }
    if let reason { out["reason"] = .string(reason) }
    return out
  }
}

extension Viewer {
  /// Decides whether this viewer may see `record` and how much, by the viewer table of
  /// hr-export(1); a refusal names the missing condition and carries the denied audit event.
  ///
  /// A `guardian` is the guardian of a minor while the resident is under 18 on `today`, and the
  /// guardian of an adult without capacity from 18 on, who sees everything but the restricted
  /// services and tags (第十五条).
  package func disclosure(of record: ResidentRecord, session: Session, in db: Database) throws -> Disclosure {
    let age = record.birthDate.age(on: session.today)
    func refuse(_ code: RejectionCode, _ condition: String) -> LineRejection {
      var detail = json
      detail["code"] = .string(code.rawValue)
      return LineRejection(
        code, "viewer '\(kind.rawValue)' may not see record '\(record.recordNo)': \(condition)",
        details: ["record_no": .string(record.recordNo)],
        audit: AuditEntry(action: RecordView.auditAction(for: kind), recordNo: record.recordNo, outcome: .denied, detail: detail))
    }
    func requireAuthorization(_ what: String) throws(LineRejection) {
      if authorization.isEmpty { throw refuse(.authorizationRequired, "'viewer.authorization' (\(what)) is missing") }
    }
    func requireReason() throws(LineRejection) {
      if reason == nil { throw refuse(.reasonRequired, "'viewer.reason' is missing") }
    }

    var disclosure = Disclosure.full
    switch kind {
    case .resident:
      guard let idNumber else {
        throw refuse(.forbidden, "'viewer.id_number' is missing; the resident shows an ID number the record holds")
      }
      guard try Self.holds(record.recordNo, idNumber: idNumber, in: db) else {
        throw refuse(.forbidden, "the ID number '\(idNumber)' is not one the record holds")
      }
      guard age >= 18 else {
        throw refuse(.forbidden, "the resident is \(age), under 18: a minor views as 'minor', with the guardian's authorization")
      }
    case .guardian:
      try requireAuthorization("the guardian's application reference")
      if age >= 18 { disclosure = .withholdingRestricted }
    case .minor:
      guard age < 18 else { throw refuse(.forbidden, "the resident is \(age), not under 18: an adult views as 'self'") }
      if let idNumber, try !Self.holds(record.recordNo, idNumber: idNumber, in: db) {
        throw refuse(.forbidden, "the ID number '\(idNumber)' is not one the record holds")
      }
      try requireAuthorization("the guardian's consent")
    case .voluntaryGuardian:
      try requireAuthorization("the court judgment reference(s)")
    case .clinician:
      try requireAuthorization("the resident's dynamic code")
    case .publicHealth, .emergency:
      try requireReason()
    }

    let staff = session.staff
    guard staff.mayOpenRecord(in: record.scope, for: kind) else {
      let who = "operator '\(staff.id)' (\(staff.role.rawValue))"
      let condition =
        switch kind {
        case .clinician: "\(who) is not a clinician; a resident's dynamic code authorises the clinician treating them"
        case .publicHealth where staff.role == .districtAdmin || staff.role == .cityAdmin:
          "\(who) does not reach records managed by '\(record.managingOrg)' (district '\(record.managingDistrict)')"
        case .publicHealth: "\(who) is not a district or city administrator"
        default: "\(who) may not open records"
        }
      throw refuse(.forbidden, condition)
    }
    return disclosure
  }

  /// Whether `idNumber` is an ID number the record holds now or held before an upgrade.
  static func holds(_ recordNo: String, idNumber: String, in db: Database) throws -> Bool {
    try Bool.fetchOne(
      db.cachedStatement(sql: "SELECT 1 FROM identifier WHERE kind = 'id_number' AND value = ? AND record_no = ?"),
      arguments: [idNumber, recordNo]) ?? false
  }
}
