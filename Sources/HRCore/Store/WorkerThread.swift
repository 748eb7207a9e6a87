import Foundation

/// A thread of its own for work that runs beside the caller's (checking the audit chain while it
/// is read, copying the write-ahead log while the next batch runs), joined once its work is done.
struct WorkerThread {
  private let thread: pthread_t

  /// The work, handed to the new thread through a pointer.
  private final class Work {
    let run: () -> Void
    init(_ run: @escaping () -> Void) { self.run = run }
  }

  /// Starts `work` on a new thread; nil when none can be started, and the caller then does the
  /// work itself.
  init?(_ work: @escaping () -> Void) {
    let context = Unmanaged.passRetained(Work(work)).toOpaque()
    #if canImport(Glibc)
    var thread = pthread_t()
    #else
    var thread: pthread_t?
    #endif
    let started = pthread_create(
      &thread, nil,
      { context in
        guard let context else { return nil }
        Unmanaged<Work>.fromOpaque(context).takeRetainedValue().run()
        return nil
      }, context)
    guard started == 0 else {
      Unmanaged<Work>.fromOpaque(context).release()
      return nil
    }
    #if canImport(Glibc)
    self.thread = thread
    #else
    guard let thread else { return nil }
    self.thread = thread
    #endif
  }

  /// Waits for the work to end.
  func join() { pthread_join(thread, nil) }
}
