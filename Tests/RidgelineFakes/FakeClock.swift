import RidgelineEngines

/// A clock that moves only when told: `FakeKernel` advances it by the time each run is scripted
/// to take, so the harness's loop sees exactly the timings a test chose.
public final class FakeClock: HarnessClock, @unchecked Sendable {
    public private(set) var wall: Double
    public private(set) var cpu: Double

    /// Starts away from zero, as a monotonic clock does.
    public init(start: Double = 1000) {
        wall = start
        cpu = start / 2
    }

    public func now() -> Double { wall }
    public func threadCPUTime() -> Double { cpu }

    /// Moves the wall clock by `seconds` and the thread's CPU time by `cpuShare` of it (below 1:
    /// the thread waited descheduled for the rest).
    public func advance(_ seconds: Double, cpuShare: Double = 1) {
        wall += seconds
        cpu += seconds * cpuShare
    }
}
