import GRDB
import HRLines

/// Why a listing's `--org` or `--district` cannot be served: the one answer of every listing
/// (candidates, transfers, audit readings, rosters, indicators).
package enum ScopeError: Error, Equatable, Sendable, CustomStringConvertible {
  /// `--org` names an organisation the configuration does not declare.
  case unknownOrganisation(String)
  /// `--district` names a district the configuration does not declare.
  case unknownDistrict(String)
  /// The organisation or district lies beyond the operator's reach; `detail` is what the denied
  /// event keeps (分类授权: every denial is kept).
  case beyondReach(detail: JSONObject)

  /// The message for people: lower-case, user values quoted.
  package var description: String {
    switch self {
    case .unknownOrganisation(let org): "unknown organisation '\(org)'"
    case .unknownDistrict(let district): "unknown district '\(district)'"
    case .beyondReach(let detail): "beyond reach: \(JSONValue.object(detail).compact)"
    }
  }
}

extension Session {
  /// The records a listing for `action` covers: the organisation, or else the district, asked
  /// for, narrowed to what the operator reaches; with neither, all the operator reaches.
  ///
  /// A district is served to an operator who reaches part of it (an organisation admin asking for
  /// their own district sees their organisation); an organisation or district outside the reach
  /// altogether is `beyondReach`.
  package func coverage(for action: Action, org: String?, district: String?) throws(ScopeError) -> Coverage {
    let own = staff.coverage(for: action)
    if let org {
      guard let entry = configuration.orgs[org] else { throw .unknownOrganisation(org) }
      guard staff.may(action, in: Scope(org: org, district: entry.district)) else {
        throw .beyondReach(detail: ["org": .string(org)])
      }
      return .org(org)
    }
    guard let district else { return own }
    guard configuration.districts[district] != nil else { throw .unknownDistrict(district) }
    switch own {
    case .city: return .district(district)
    case .district(let reached) where reached == district: return own
    case .org(let reached) where configuration.district(ofOrg: reached) == district: return own
    default: throw .beyondReach(detail: ["district": .string(district)])
    }
  }
}

extension Coverage {
  /// An SQL condition, on the `record` table named `alias`, that holds for the records this
  /// coverage reaches, with its arguments.
  package func recordFilter(alias: String) -> (sql: String, arguments: StatementArguments) {
    switch self {
    case .nothing: ("0", [])
    case .org(let org): ("\(alias).managing_org = ?", [org])
    case .district(let district): ("\(alias).managing_district = ?", [district])
    case .city: ("1", [])
    }
  }
}

extension Coverage {
  /// The coverage as the detail of the event that records a listing.
  package var detail: JSONObject {
    switch self {
    case .nothing: ["scope": "none"]
    case .org(let org): ["org": .string(org)]
    case .district(let district): ["district": .string(district)]
    case .city: ["scope": "city"]
    }
  }
}
