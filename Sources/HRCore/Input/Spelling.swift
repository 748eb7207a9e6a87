/// The one nearest-match rule behind every "did you mean" hint: for a misspelt field, a
/// configuration key or an operator id, so that a slip is answered with the name that was meant
/// rather than with a bare refusal (hr(7) COMMON BEHAVIOUR).
package enum Spelling {
  /// The candidate nearest to a misspelt `name`: at most two edits away (one for a name of up to
  /// four characters, where two edits make any name another), the first in sorted order on a tie;
  /// case is ignored in `name`.
  package static func nearest(to name: String, in candidates: some Sequence<String>) -> String? {
    if let field = headings[name.trimmingWhitespace()], candidates.contains(field) { return field }
    let typed = Array(name.lowercased())
    let limit = typed.count <= 4 ? 1 : 2
    var best: (name: String, distance: Int)?
    for candidate in candidates.sorted() where candidate != name {
      let distance = editDistance(typed, Array(candidate.lowercased()))
      if distance <= limit, distance < best?.distance ?? limit + 1 { best = (candidate, distance) }
    }
    return best?.name
  }

  /// The headings a Chinese spreadsheet gives its columns (个人基本信息表, annex 1), with the field
  /// each stands for: a CSV whose header row keeps them is answered with the field names to use.
  static let headings: [String: String] = [
    "身份证号": "id_number", "身份证号码": "id_number", "居民身份证号": "id_number", "公民身份号码": "id_number",
    "出生医学证明编号": "birth_cert_no", "出生证编号": "birth_cert_no", "母亲身份证号": "mother_id_number",
    "姓名": "name", "性别": "sex", "出生日期": "birth_date", "区划代码": "division", "村（居）委会": "division",
    "管理机构": "org", "管理责任单位": "org", "联系电话": "phone", "本人电话": "phone", "电话": "phone", "手机号": "phone",
    "现住址": "current_address", "户籍地址": "registered_address", "工作单位": "work_unit", "民族": "ethnicity",
    "责任医生": "responsible_doctor", "血型": "blood_type", "建档日期": "created_on", "档案编号": "record_no",
  ]

  /// "; did you mean 'x'?" naming the candidate nearest to `name` with `prefix` before it, or ""
  /// when none is near.
  package static func suggestion(for name: String, in candidates: some Sequence<String>, prefix: String = "") -> String {
    nearest(to: name, in: candidates).map { "; did you mean '\(prefix)\($0)'?" } ?? ""
  }

  /// The edit distance between two strings by characters, a swap of two neighbours counting as
  /// one edit (optimal string alignment).
  static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
    guard !a.isEmpty, !b.isEmpty else { return Swift.max(a.count, b.count) }
    var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
    for i in 0...a.count { d[i][0] = i }
    for j in 0...b.count { d[0][j] = j }
    for i in 1...a.count {
      for j in 1...b.count {
        let cost = a[i - 1] == b[j - 1] ? 0 : 1
        d[i][j] = Swift.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
        if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { d[i][j] = Swift.min(d[i][j], d[i - 2][j - 2] + 1) }
      }
    }
    return d[a.count][b.count]
  }
}
