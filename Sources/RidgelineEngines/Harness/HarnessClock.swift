import RidgelineProbe

/// Where the harness reads time: the monotonic wall clock it times repetitions with, and the
/// calling thread's CPU time. The loop's decisions (warm-up, when the median is known, the time
/// cap) follow from what it reads here; `MonotonicClock` is the machine's, and a test drives the
/// loop with a scripted clock (`FakeClock` in Tests/RidgelineFakes) to check those decisions exactly.
public protocol HarnessClock {
    /// Seconds on a monotonic clock.
    func now() -> Double
    /// CPU time the calling thread has run, in seconds: its time on a core, without the time it
    /// waited descheduled.
    func threadCPUTime() -> Double
}

/// `clock_gettime(CLOCK_MONOTONIC)` and `clock_gettime(CLOCK_THREAD_CPUTIME_ID)`.
public struct MonotonicClock: HarnessClock {
    public init() {}
    @inlinable public func now() -> Double { monotonicSeconds() }
    @inlinable public func threadCPUTime() -> Double { threadCPUSeconds() }
}
