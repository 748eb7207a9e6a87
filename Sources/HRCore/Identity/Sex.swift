/// 性别 (GB/T 2261.1): the four codes the record may carry.
package enum Sex: Int, Sendable, Codable, CaseIterable {
  case unknown = 0
  case male = 1
  case female = 2
  case unspecified = 9
}
