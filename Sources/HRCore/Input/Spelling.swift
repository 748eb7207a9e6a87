/// The one nearest-match rule behind every "did you mean" hint: for a misspelt field, a
/// configuration key or an operator id, so that a slip is answered with the name that was meant
/// rather than with a bare refusal (hr(7) COMMON BEHAVIOUR).
package enum Spelling {
  /// The candidate nearest to a misspelt `name`: at most two edits away (one for a name of up to
  /// four characters, where two edits make any name another), the first in sorted order on a tie;
  /// case is ignored in `name`.
  package static func nearest(to name: String, in candidates: some Sequence<String>) -> String? {
    let typed = Array(name.lowercased())
    let limit = typed.count <= 4 ? 1 : 2
    var best: (name: String, distance: Int)?
    for candidate in candidates.sorted() where candidate != name {
      let distance = editDistance(typed, Array(candidate.lowercased()))
      if distance <= limit, distance < best?.distance ?? limit + 1 { best = (candidate, distance) }
    }
    return best?.name
  }

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
