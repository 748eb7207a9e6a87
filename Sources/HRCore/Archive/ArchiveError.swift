import Foundation

extension RejectionCode {
  /// The waiting time of the rule has not passed yet: a record is never ended on a guess
  /// (annex 1, 六(二)3). The rejection names the first day the rule allows it (`possible_on`).
  package static let tooEarly = RejectionCode("too_early")
  /// `reactivate` named a record that is already in active management.
  package static let notArchived = RejectionCode("not_archived")
}

/// Why a whole `hr-archive` run stops before it changes anything.
package enum ArchiveError: Error, Equatable, Sendable, CustomStringConvertible {
  /// `purge --before` names a date inside the retention period: records archived on or after
  /// `latestAllowed` are still being kept (annex 1, 六(二)4).
  case withinRetention(before: LocalDate, latestAllowed: LocalDate, years: Int)

  /// The message for people: lower-case, user values quoted.
  package var description: String {
    switch self {
    case .withinRetention(let before, let latestAllowed, let years):
      "purge before '\(before)' would delete records kept less than \(years) years: the latest date allowed today is \(latestAllowed); nothing was deleted"
    }
  }
}

extension ArchiveError: LocalizedError {
  /// The same message, for `LocalizedError`.
  package var errorDescription: String? { description }
}
