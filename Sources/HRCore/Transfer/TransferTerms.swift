extension RejectionCode {
  /// The receiving organisation already manages the record.
  package static let sameOrg = RejectionCode("same_org")
  /// The record already has a pending transfer; it must be decided or cancelled first.
  package static let transferPending = RejectionCode("transfer_pending")
  /// A record archived because of death is no longer served or transferred (annex 1, 四(三)3).
  package static let deceased = RejectionCode("deceased")
  /// The record is inside its protection period after a transfer (转迁保护期, annex 1, 四(三)6).
  package static let protected = RejectionCode("protected")
  /// The transfer was already completed, rejected or cancelled: only a pending one can be decided.
  package static let notPending = RejectionCode("not_pending")
}

/// 转迁原因: why a resident's record moves, from the regulation's closed list (annex 1, 四(三)5).
package enum TransferReason: String, Sendable, CaseIterable, Codable {
  /// 居民主动提出
  case ownRequest = "own_request"
  /// 居住地变更
  case residenceChange = "residence_change"
  /// 外嫁
  case marriage
  /// 服兵役
  case militaryService = "military_service"
  /// 外出上学
  case schooling
  /// 服务不满意
  case dissatisfied
  /// 流动人员
  case floating

  /// The codes, in the regulation's order, for messages and the man page.
  package static var codes: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

/// 确认方式: how the resident or guardian confirmed the transfer (annex 1, 四(三)4).
package enum ConsentMethod: String, Sendable, CaseIterable, Codable {
  /// 现场签署知情同意书
  case signedForm = "signed_form"
  /// 生物识别确认
  case biometric
  /// 短信或电话确认
  case smsPhone = "sms_phone"
  /// 视频确认
  case video

  /// The codes, in the regulation's order, for messages and the man page.
  package static var codes: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

/// The resident's informed consent to a transfer (知情同意, annex 1, 四(二)): how it was given and
/// the reference by which it can be found again (a form number, a call log, a message id).
package struct Consent: Sendable, Equatable {
  package var method: ConsentMethod
  package var ref: String
}

extension Consent: Decodable {
  /// The columns of `transfer` that hold a consent.
  enum CodingKeys: String, CodingKey {
    case method = "consent_method"
    case ref = "consent_ref"
  }
}

/// Whether a transfer crosses a district boundary, which decides its protection period.
package enum TransferKind: String, Sendable, CaseIterable, Codable {
  /// 跨区县域转迁: between organisations of two districts.
  case crossDistrict = "cross_district"
  /// 区县域内转迁: between organisations of one district.
  case intraDistrict = "intra_district"

  /// The kind of a transfer between organisations of these two districts.
  package init(from fromDistrict: String, to toDistrict: String) {
    self = fromDistrict == toDistrict ? .intraDistrict : .crossDistrict
  }
}

/// Where a transfer stands. Nothing moves it on by itself: only a decision, a cancellation or a
/// direct transfer of an archived record completes or ends it (annex 1, 四(三)1).
package enum TransferStatus: String, Sendable, CaseIterable, Codable {
  case pending
  case completed
  case rejected
  case cancelled
}
