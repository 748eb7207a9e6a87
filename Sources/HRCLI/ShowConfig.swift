import ArgumentParser
import Foundation
import HRCore

/// `--show-config`: what a run would use and how each was chosen, as `git config --show-origin`
/// shows where a setting comes from. It opens no store and prints no resident data, only the
/// configuration's own declarations (第二十八条: who acts, and under which rules, must be plain).
extension CommonOptions {
  /// Prints the configuration file, store, operator and today this run resolves, each with how it
  /// was chosen, on standard output; the refusals a run would meet go to standard error. Exits 0
  /// when all resolve, else with the status the run would have (78 configuration, 77 operator).
  func showResolution() throws -> Never {
    let tool = ProcessInfo.processInfo.processName
    var status = ExitStatus.ok
    var configuration: Configuration?
    switch configurationSource {
    case .file(let path, let chosenBy): print("configuration: \(Self.absolute(path)) (from \(chosenBy))")
    case .builtInDefaults: print("configuration: built-in defaults (no --config, no $HR_CONFIG, no ./hr.yaml)")
    }
    do {
      configuration = try loadConfiguration()
    } catch {
      for line in "\(error)".split(separator: "\n") { StandardError.write("\(tool): \(line)\n") }
      status = ExitStatus(for: error)
    }
    let exists = FileManager.default.fileExists(atPath: storePath) ? "exists" : "does not exist yet"
    print("store: \(Self.absolute(storePath)) (\(storeChoice); \(exists))")
    let id = operatorID ?? environment("HR_OPERATOR")
    let idOrigin = operatorID != nil ? "--operator" : "$HR_OPERATOR"
    if let id, let configuration {
      do {
        let session = try Session(configuration: configuration, operatorID: id, today: resolvedToday, source: configurationSource)
        print("operator: \(id) \(session.staff.name) (\(Self.scope(of: session.staff, in: configuration))) (from \(idOrigin))")
      } catch {
        print("operator: \(id) (from \(idOrigin); not declared)")
        StandardError.write("\(tool): \(error)\n")
        if status == .ok { status = .noPermission }
      }
    } else if let id {
      print("operator: \(id) (from \(idOrigin); not looked up, as the configuration has errors)")
    } else {
      print("operator: none (no --operator, no $HR_OPERATOR)")
      StandardError.write("\(tool): \(SessionError.noOperator)\n")
      if status == .ok { status = .noPermission }
    }
    print("today: \(resolvedToday) (\(todayChoice))")
    throw ExitCode(status.rawValue)
  }

  /// Today's date for every date rule: `--today`, else `$HR_TODAY`, else today in China.
  var resolvedToday: LocalDate {
    today ?? environment("HR_TODAY").flatMap { LocalDate($0) } ?? LocalDate.todayInChina()
  }

  /// How the store path was chosen, as `--show-config` prints it.
  private var storeChoice: String {
    if let installation = try? Installation.current.get() { return "fixed by '\(installation.file)'" }
    if store != nil { return "from --store" }
    if environment("HR_STORE") != nil { return "from $HR_STORE" }
    return "the default ./hr.sqlite: no --store, no $HR_STORE"
  }

  /// How today's date was chosen, as `--show-config` prints it.
  private var todayChoice: String {
    if today != nil { return "from --today" }
    if environment("HR_TODAY") != nil { return "from $HR_TODAY" }
    return "the clock, in China Standard Time"
  }

  /// The role and reach of an operator: "clinician, org 500103001 解放碑社区卫生服务中心, district 500103 渝中区".
  private static func scope(of staff: OperatorEntry, in configuration: Configuration) -> String {
    var parts = [staff.role.rawValue]
    if let org = staff.org {
      parts.append(["org", org, configuration.orgs[org]?.name].compactMap { $0 }.joined(separator: " "))
    }
    if let district = staff.district {
      parts.append(["district", district, configuration.districts[district]?.name].compactMap { $0 }.joined(separator: " "))
    }
    if staff.role == .cityAdmin { parts.append("the whole city") }
    return parts.joined(separator: ", ")
  }

  /// The path made absolute against the working directory, so that it names one file wherever it is read.
  private static func absolute(_ path: String) -> String {
    path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
  }
}
