/// Which configuration a run read and how it was chosen: named in the refusal of an unknown
/// operator and printed by `--show-config`, so that a forgotten `$HR_CONFIG` is seen for what it
/// is rather than taken for a missing operator (第二十八条: the operator's authority comes from
/// the configuration, so the configuration that gave it must be plain).
package enum ConfigurationSource: Sendable, Equatable, CustomStringConvertible {
  /// A file, with how it was named: "--config", "$HR_CONFIG" or "./hr.yaml".
  case file(path: String, chosenBy: String)
  /// No file: neither `--config` nor `$HR_CONFIG` was given and there is no `./hr.yaml`.
  case builtInDefaults

  /// "'hr.yaml' (from ./hr.yaml)" or "the built-in defaults (no --config, no $HR_CONFIG, no ./hr.yaml)".
  package var description: String {
    switch self {
    case .file(let path, let chosenBy): "'\(path)' (from \(chosenBy))"
    case .builtInDefaults: "the built-in defaults (no --config, no $HR_CONFIG, no ./hr.yaml)"
    }
  }
}
