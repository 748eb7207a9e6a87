import Foundation
import HRFixtures

/// The seed of a test that draws random values: `HR_TEST_SEED` when it is set, so that a failure
/// can be run again exactly, otherwise a new one. Every failure message of such a test names it.
package struct TestSeed: CustomStringConvertible, Sendable {
  /// The seed itself.
  package let value: UInt64

  /// The seed for this run.
  package init() {
    if let text = ProcessInfo.processInfo.environment["HR_TEST_SEED"], let value = UInt64(text) {
      self.value = value
    } else {
      value = UInt64.random(in: 0...UInt64.max)
    }
  }

  /// A generator that gives the same values for the same seed.
  package var generator: SeededGenerator { SeededGenerator(seed: value) }

  /// How a failure names the seed: `seed 123 (HR_TEST_SEED=123 reruns it)`.
  package var description: String { "seed \(value) (HR_TEST_SEED=\(value) reruns it)" }
}

/// `SplitMix64` as a `RandomNumberGenerator`, for the standard library's `random(in:using:)`.
package struct SeededGenerator: RandomNumberGenerator {
  private var source: SplitMix64

  package init(seed: UInt64) { source = SplitMix64(seed: seed) }

  package mutating func next() -> UInt64 { source.nextUInt64() }
}
