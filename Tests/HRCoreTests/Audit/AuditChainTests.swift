import Testing
@testable import HRCore
