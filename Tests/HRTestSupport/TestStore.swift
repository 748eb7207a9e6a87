import Foundation
import GRDB
import HRCore

/// The repository's own files the tests read: the example configuration and the man pages.
package enum Repository {
  /// The root of the repository, found from this file's place in it.
  package static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

  /// `examples/hr.yaml`: the organisations and operators of every role the tests act as.
  package static let exampleConfiguration: String =
    (try? String(contentsOf: root.appendingPathComponent("examples/hr.yaml"), encoding: .utf8)) ?? ""
}

/// A migrated store on a file in a scratch directory and a parsed configuration, both removed when
/// the test is done: what every suite's fixture is built on, so that each builds them one way.
open class TestStore {
  /// The scratch directory, removed with everything in it.
  package let directory: URL
  /// The store's file, `hr.sqlite` in the directory.
  package let path: String
  /// The store, migrated to the newest schema.
  package let store: Store
  /// The configuration the sessions are opened under.
  package let configuration: HRCore.Configuration

  /// Creates the directory, migrates a new store in it and parses `yaml` (by default the example
  /// configuration of the repository).
  package init(yaml: String = Repository.exampleConfiguration) throws {
    directory = FileManager.default.temporaryDirectory.appendingPathComponent("hr-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    path = directory.appendingPathComponent("hr.sqlite").path
    store = try Store(path: path)
    configuration = try HRCore.Configuration.parse(yaml: yaml, file: "hr.yaml")
  }

  deinit {
    try? FileManager.default.removeItem(at: directory)
  }

  /// A session of a declared operator on a day given as text.
  package func session(_ operatorID: String = "admin-city", today: String = "2026-11-26") throws -> Session {
    guard let day = LocalDate(today) else { throw TestStoreError("'\(today)' is not a date") }
    return try Session(configuration: configuration, operatorID: operatorID, today: day)
  }

  /// The first column of the first row of a query, if any.
  package func scalar<T: DatabaseValueConvertible>(_ sql: String, _ arguments: StatementArguments = []) throws -> T? {
    try store.read { db in try T.fetchOne(db, sql: sql, arguments: arguments) }
  }

  /// A count (or any integer) a query gives; 0 when it gives none.
  package func count(_ sql: String, _ arguments: StatementArguments = []) throws -> Int {
    try scalar(sql, arguments) ?? 0
  }
}

/// A fixture that cannot be built as asked.
package struct TestStoreError: Error, CustomStringConvertible {
  package let description: String
  package init(_ description: String) { self.description = description }
}
