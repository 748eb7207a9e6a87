import HRCore
import HRLines

/// A deterministic generator of plausible residents, for the demo, the tests and the benchmarks.
///
/// The same seed gives the same people; every ID number passes GB 11643 and every person lies in
/// the division of an organisation the caller names.
package struct Population: Sequence, IteratorProtocol {
  /// Where generated residents live: an organisation and its district.
  package struct Place: Sendable {
    package let org: String
    package let district: String
    package init(org: String, district: String) {
      self.org = org
      self.district = district
    }
  }

  private var random: SplitMix64
  private let places: [Place]
  private let today: LocalDate
  private let birthCertificateShare: Double
  private let townships: Int
  private var index = 0
  /// The ID numbers issued so far, by their 17 digits before the check character: a number, not
  /// a string, so that ten million of them fit in some 200 MiB.
  private var issued: Set<UInt64> = []
  private let count: Int

  private static let surnames = Array(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
  private static let givenCharacters = Array("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏飞燕云辉建国志文斌宇浩然欣怡子涵梓轩雨泽思琪佳琪俊杰晨曦婷雪梅海波春林")
  private static let streets = ["民族路", "邹容路", "八一路", "中山一路", "沙坪坝正街", "小龙坎新街", "龙溪路", "新牌坊一路", "葛城大道"]

  /// Creates a generator of `count` residents spread over `places`, in `townships` townships of
  /// each place's district (more of them for a large population: a division gives at most 99,999
  /// record numbers).
  package init(
    count: Int, seed: UInt64, places: [Place], today: LocalDate, birthCertificateShare: Double = 0.02, townships: Int = 3
  ) {
    precondition(!places.isEmpty && (1...999).contains(townships))
    self.count = count
    self.townships = townships
    self.random = SplitMix64(seed: seed)
    self.places = places
    self.today = today
    self.birthCertificateShare = birthCertificateShare
  }

  /// The next resident as an `hr-create` input object.
  package mutating func next() -> JSONObject? {
    guard index < count else { return nil }
    index += 1
    let place = places[random.next(below: places.count)]
    let township = 1 + random.next(below: townships)
    let committee = random.next(below: 4) == 0 ? 101 + random.next(below: 3) : 1 + random.next(below: 5)
    let division = place.district + pad(township, 3) + pad(committee, 3)
    let isChild = random.nextDouble() < birthCertificateShare
    let age = isChild ? random.next(below: 60) : random.next(below: 95)
    // Ages of at most 95 years from a present-day `today` stay within the calendar.
    let birth =
      (isChild
        ? today.adding(days: -(1 + age))
        : today.adding(years: -age)?.adding(days: -random.next(below: 365))) ?? today
    let female = random.next(below: 2) == 0
    let name =
      String(Population.surnames[random.next(below: Population.surnames.count)])
      + String(
        (0..<(1 + random.next(below: 2))).map { _ in
          Population.givenCharacters[random.next(below: Population.givenCharacters.count)]
        })

    var person = JSONObject()
    if isChild {
      person["birth_cert_no"] = .string(String(UnicodeScalar(UInt8(65 + random.next(below: 26)))) + pad(Int(index), 9))
      person["sex"] = .int(female ? 2 : 1)
      person["birth_date"] = .string(birth.description)
    } else {
      person["id_number"] = .string(residentID(birth: birth, female: female))
    }
    person["name"] = .string(name)
    person["division"] = .string(division)
    person["org"] = .string(place.org)
    person["phone"] = .string("1" + String(3 + random.next(below: 7)) + pad(random.next(below: 1_000_000_000), 9))
    let address = "重庆市\(Population.streets[random.next(below: Population.streets.count)])\(1 + random.next(below: 300))号"
    person["current_address"] = .string(address)
    person["registered_address"] = .string(address)
    person["responsible_doctor"] = .string("家庭医生团队\(1 + random.next(below: 9))")
    return person
  }

  /// A GB 11643 number not issued before in this run (two people never share one).
  private mutating func residentID(birth: LocalDate, female: Bool) -> String {
    let regions = ["500103", "500106", "500112", "500229", "510104", "110105", "440304", "420106"]
    let birthDigits = pad(birth.year, 4) + pad(birth.month, 2) + pad(birth.day, 2)
    while true {
      let region = regions[random.next(below: regions.count)]
      // Three sequence digits, the last odd for men and even for women.
      let sequence = random.next(below: 500) * 2 + (female ? 0 : 1)
      let body = region + birthDigits + pad(sequence, 3)
      guard issued.insert(UInt64(body)!).inserted else { continue }
      return body + String(ResidentID.checkCharacter(body.utf8.map { Int($0 - 48) }))
    }
  }

  private func pad(_ value: Int, _ width: Int) -> String {
    let text = String(value)
    return String(repeating: "0", count: Swift.max(0, width - text.count)) + text
  }
}

/// A small, fast, seedable generator (SplitMix64), so generated data is the same on every machine.
package struct SplitMix64 {
  private var state: UInt64

  package init(seed: UInt64) { state = seed }

  package mutating func nextUInt64() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  package mutating func next(below bound: Int) -> Int {
    Int(nextUInt64() % UInt64(bound))
  }

  package mutating func nextDouble() -> Double {
    Double(nextUInt64() >> 11) / Double(1 << 53)
  }
}
