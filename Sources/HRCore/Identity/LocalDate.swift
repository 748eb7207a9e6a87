import HRLines

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A calendar date without a time of day, the unit in which the regulation counts its periods.
///
/// Arithmetic goes through a day count since 1970-01-01 (proleptic Gregorian), so adding days,
/// comparing and counting full days never depend on a time zone.
package struct LocalDate: Hashable, Comparable, Sendable, CustomStringConvertible {
  package let year: Int
  package let month: Int
  package let day: Int

  /// The years a date may have. Every date given or derived stays within them, so that each is
  /// written as exactly `YYYY-MM-DD` and reads back from the store as it was written.
  package static let years = 1000...9999

  /// The first day a date may be, 1000-01-01.
  package static let earliest = LocalDate(checkedYear: 1000, month: 1, day: 1)
  /// The last day a date may be, 9999-12-31.
  package static let latest = LocalDate(checkedYear: 9999, month: 12, day: 31)

  /// Creates a date from its parts, or nil when the parts do not name a real day in years
  /// 1000–9999.
  package init?(year: Int, month: Int, day: Int) {
    guard LocalDate.years.contains(year), (1...12).contains(month),
      (1...LocalDate.daysIn(month: month, year: year)).contains(day)
    else { return nil }
    self.init(checkedYear: year, month: month, day: day)
  }

  /// Creates a date from parts already known to be valid.
  private init(checkedYear year: Int, month: Int, day: Int) {
    self.year = year
    self.month = month
    self.day = day
  }

  /// Parses exactly `YYYY-MM-DD`, or returns nil.
  package init?(_ text: String) {
    var text = text
    guard let date = text.withUTF8({ LocalDate(utf8: $0) }) else { return nil }
    self = date
  }

  /// Parses exactly `YYYY-MM-DD` from UTF-8 bytes, or returns nil: the text of a stored date is
  /// read in place, without making a `String` of it.
  package init?(utf8 bytes: UnsafeBufferPointer<UInt8>) {
    guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return nil }
    func number(_ range: Range<Int>) -> Int? {
      var value = 0
      for byte in bytes[range] {
        guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
        value = value * 10 + Int(byte - UInt8(ascii: "0"))
      }
      return value
    }
    guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10) else { return nil }
    self.init(year: year, month: month, day: day)
  }

  /// Creates the date that lies a number of days after 1970-01-01, or nil when it falls outside
  /// years 1000–9999.
  package init?(daysSinceEpoch: Int) {
    guard (LocalDate.earliest.daysSinceEpoch...LocalDate.latest.daysSinceEpoch).contains(daysSinceEpoch) else {
      return nil
    }
    self.init(civilDaysSinceEpoch: daysSinceEpoch)
  }

  /// Creates the date of a day count, whatever its year.
  fileprivate init(civilDaysSinceEpoch daysSinceEpoch: Int) {
    // Howard Hinnant's civil_from_days.
    let z = daysSinceEpoch + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let doe = z - era * 146_097
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let d = doy - (153 * mp + 2) / 5 + 1
    let m = mp < 10 ? mp + 3 : mp - 9
    self.year = yoe + era * 400 + (m <= 2 ? 1 : 0)
    self.month = m
    self.day = d
  }

  /// The number of days from 1970-01-01 to this date.
  package var daysSinceEpoch: Int {
    let y = month <= 2 ? year - 1 : year
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let mp = month > 2 ? month - 3 : month + 9
    let doy = (153 * mp + 2) / 5 + day - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    return era * 146_097 + doe - 719_468
  }

  /// The date a number of days later (or earlier, for a negative count), or nil when it would
  /// fall outside years 1000–9999.
  package func adding(days: Int) -> LocalDate? {
    let (sum, overflow) = daysSinceEpoch.addingReportingOverflow(days)
    return overflow ? nil : LocalDate(daysSinceEpoch: sum)
  }

  /// The same month and day some years later (or earlier), or nil when that year falls outside
  /// 1000–9999; 29 February becomes 28 February in a common year.
  package func adding(years: Int) -> LocalDate? {
    let (target, overflow) = year.addingReportingOverflow(years)
    guard !overflow, LocalDate.years.contains(target) else { return nil }
    return LocalDate(year: target, month: month, day: min(day, LocalDate.daysIn(month: month, year: target)))
  }

  /// Full days from `other` to this date (negative when `other` is later).
  package func days(since other: LocalDate) -> Int {
    daysSinceEpoch - other.daysSinceEpoch
  }

  /// Age in completed years on `date`.
  package func age(on date: LocalDate) -> Int {
    var age = date.year - year
    if (date.month, date.day) < (month, day) { age -= 1 }
    return age
  }

  /// The first day of this date's year.
  package var startOfYear: LocalDate { LocalDate(checkedYear: year, month: 1, day: 1) }

  /// Today's date in China Standard Time (UTC+8), the regulation's calendar.
  package static func todayInChina() -> LocalDate {
    let seconds = Int(time(nil)) + 8 * 3600
    return LocalDate(civilDaysSinceEpoch: Int((Double(seconds) / 86_400).rounded(.down)))
  }

  /// `YYYY-MM-DD`. Every stored date and every audit event writes some, so the digits are written
  /// into a small buffer rather than through string interpolation.
  package var description: String {
    guard (0...9999).contains(year), (0...99).contains(month), (0...99).contains(day) else {
      func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
      }
      return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }
    return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 10) { buffer in
      writeDate(to: buffer)
      return String(decoding: buffer, as: UTF8.self)
    }
  }

  /// Writes `YYYY-MM-DD` into the first ten bytes of `buffer`; the parts must fit their widths.
  func writeDate(to buffer: UnsafeMutableBufferPointer<UInt8>) {
    writeDigits(year, width: 4, to: buffer, at: 0)
    buffer[4] = UInt8(ascii: "-")
    writeDigits(month, width: 2, to: buffer, at: 5)
    buffer[7] = UInt8(ascii: "-")
    writeDigits(day, width: 2, to: buffer, at: 8)
  }

  package static func < (lhs: LocalDate, rhs: LocalDate) -> Bool {
    (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
  }

  static func daysIn(month: Int, year: Int) -> Int {
    switch month {
    case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
    case 4, 6, 9, 11: return 30
    default: return 31
    }
  }
}

extension LocalDate {
  /// The date a number of days later, or a `date_out_of_range` rejection saying what that date
  /// would have been for (`"the transfer's due date"`).
  package func adding(days: Int, for what: String, details: JSONObject = [:]) throws(LineRejection) -> LocalDate {
    guard let date = adding(days: days) else {
      let position =
        days < 0
        ? "\(-days) days before \(self), before \(LocalDate.earliest)" : "\(days) days after \(self), past \(LocalDate.latest)"
      throw LineRejection(
        .dateOutOfRange,
        "\(what) would be \(position): dates are limited to years \(LocalDate.years.lowerBound)–\(LocalDate.years.upperBound)",
        details: details)
    }
    return date
  }
}

/// An instant written as RFC 3339 in UTC with milliseconds, the form of every stored timestamp.
package enum Timestamp {
  /// The current instant, e.g. `2026-11-26T08:15:02.117Z`.
  package static func now() -> String {
    var spec = timespec()
    clock_gettime(CLOCK_REALTIME, &spec)
    let seconds = Int(spec.tv_sec)
    let days = Int((Double(seconds) / 86_400).rounded(.down))
    let date = LocalDate(civilDaysSinceEpoch: days)
    let inDay = seconds - days * 86_400
    let millis = Int(spec.tv_nsec) / 1_000_000
    guard (0...9999).contains(date.year) else {
      func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
      }
      return "\(date)T\(pad(inDay / 3600, 2)):\(pad(inDay / 60 % 60, 2)):\(pad(inDay % 60, 2)).\(pad(millis, 3))Z"
    }
    // Every change stores one: written into a small buffer rather than through interpolation.
    return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 24) { buffer in
      date.writeDate(to: buffer)
      buffer[10] = UInt8(ascii: "T")
      writeDigits(inDay / 3600, width: 2, to: buffer, at: 11)
      buffer[13] = UInt8(ascii: ":")
      writeDigits(inDay / 60 % 60, width: 2, to: buffer, at: 14)
      buffer[16] = UInt8(ascii: ":")
      writeDigits(inDay % 60, width: 2, to: buffer, at: 17)
      buffer[19] = UInt8(ascii: ".")
      writeDigits(millis, width: 3, to: buffer, at: 20)
      buffer[23] = UInt8(ascii: "Z")
      return String(decoding: buffer, as: UTF8.self)
    }
  }
}

/// Writes `value`, which must be below 10 to the `width`, as `width` decimal digits from `offset`.
private func writeDigits(_ value: Int, width: Int, to buffer: UnsafeMutableBufferPointer<UInt8>, at offset: Int) {
  var rest = value
  for position in stride(from: offset + width - 1, through: offset, by: -1) {
    buffer[position] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: rest % 10)
    rest /= 10
  }
}
