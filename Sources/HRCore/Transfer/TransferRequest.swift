/// What one `hr-transfer request` line asks for, once the options have filled what it left out:
/// the receiving organisation, the reason and the resident's consent (annex 1, 四(二), 四(三)4–5).
package struct TransferRequest: Sendable, Equatable {
  /// The receiving organisation (拟管档机构).
  package var toOrg: Organisation
  package var reason: TransferReason
  package var consent: Consent

  /// The values of `--to`, `--reason`, `--consent-method` and `--consent-ref`, used for every
  /// field a line leaves out, so that a plain list of record numbers can be piped in (annex 1 四).
  package struct Defaults: Sendable, Equatable {
    package var toOrg: String?
    package var reason: TransferReason?
    package var consentMethod: ConsentMethod?
    package var consentRef: String?

    package init(
      toOrg: String? = nil, reason: TransferReason? = nil, consentMethod: ConsentMethod? = nil, consentRef: String? = nil
    ) {
      self.toOrg = toOrg
      self.reason = reason
      self.consentMethod = consentMethod
      self.consentRef = consentRef
    }
  }

  /// Reads `to_org`, `reason` and `consent` from a selecting line where present, else from the
  /// defaults; a field present in neither is `missing_field`, a value outside the regulation's
  /// closed lists `invalid_value`, an organisation the configuration does not know `not_found`.
  package init(_ fields: Fields, defaults: Defaults, configuration: Configuration) throws(LineRejection) {
    guard let orgCode = try fields.code("to_org") ?? defaults.toOrg else { throw fields.missing("to_org") }
    guard let org = configuration.orgs[orgCode] else {
      throw LineRejection(.notFound, "unknown organisation '\(orgCode)'", details: ["field": "to_org"])
    }
    toOrg = org

    if let text = try fields.text("reason", maxLength: 40) {
      guard let reason = TransferReason(rawValue: text) else {
        throw fields.invalid("reason", "'\(text)' is not a transfer reason; expected one of \(TransferReason.codes)")
      }
      self.reason = reason
    } else if let reason = defaults.reason {
      self.reason = reason
    } else {
      throw fields.missing("reason")
    }

    var method = defaults.consentMethod
    var ref = defaults.consentRef
    if let object = try fields.object("consent") {
      let consent = try Fields(object, allowed: ["method", "ref"], path: "consent.")
      if let text = try consent.text("method", maxLength: 40) {
        guard let given = ConsentMethod(rawValue: text) else {
          throw consent.invalid("method", "'\(text)' is not a consent method; expected one of \(ConsentMethod.codes)")
        }
        method = given
      }
      ref = try consent.text("ref", maxLength: Self.maximumReferenceLength) ?? ref
    }
    // 知情同意 is required: a transfer is never requested without the resident's confirmation.
    guard let method else { throw fields.missing("consent.method") }
    guard let ref else { throw fields.missing("consent.ref") }
    consent = Consent(method: method, ref: ref)
  }

  /// The longest consent reference kept.
  package static let maximumReferenceLength = 100
}
