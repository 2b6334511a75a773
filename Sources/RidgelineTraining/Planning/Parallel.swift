import Dispatch
import Foundation

/// Cores this process may use.
public func availableCores() -> Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

/// `body(i)` for every i in 0..<count on `threads` workers (worker w takes w, w + threads, …),
/// each result in its own slot: the output is in index order whatever the threads did.
public func parallelMap<T: Sendable>(_ count: Int, threads: Int, _ body: @Sendable (Int) -> T) -> [T] {
    guard count > 0 else { return [] }
    let slots = UnsafeMutablePointer<T?>.allocate(capacity: count)
    slots.initialize(repeating: nil, count: count)
    defer { slots.deinitialize(count: count); slots.deallocate() }
    // Each index is written by exactly one worker and read only after all have finished.
    nonisolated(unsafe) let shared = slots
    let workers = min(max(1, threads), count)
    if workers == 1 {
        for i in 0..<count { shared[i] = body(i) }
    } else {
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            var i = w
            while i < count { shared[i] = body(i); i += workers }
        }
    }
    return (0..<count).map { shared[$0]! }
}

/// A count the workers add to (progress reports).
final class DoneCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    /// Adds `n` and returns the new total.
    func add(_ n: Int) -> Int { lock.lock(); defer { lock.unlock() }; value += n; return value }
}
