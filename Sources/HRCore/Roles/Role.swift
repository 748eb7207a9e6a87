/// The role that decides what an operator may do (regulation: 分类授权).
package enum Role: String, Sendable, CaseIterable, Codable {
  case clinician
  case orgAdmin = "org_admin"
  case districtAdmin = "district_admin"
  case cityAdmin = "city_admin"
  case auditor
  case researcher
}
