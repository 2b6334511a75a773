/// A back-end that counts events around a region of code: PAPI where the library and the events
/// exist, nothing where they do not. Counters are never invented: an event that cannot be read is
/// absent from the result, and `unavailable` says why.
public protocol CounterSource {
    /// Event names this source will count, in the order it reports them.
    var events: [String] { get }
    /// Events the machine lacks, with the reason (no PMU in a VM, perf_event_paranoid, …).
    var unavailable: [String: String] { get }
    /// Starts counting the events.
    mutating func start() throws
    /// Stops counting and returns the value of every event counted since `start()`.
    mutating func stop() throws -> [String: Int64]
}

/// Counts nothing, for engines run without counters; it says so instead of pretending.
public struct NoCounters: CounterSource {
    public init() {}
    public var events: [String] { [] }
    public var unavailable: [String: String] { [:] }
    public mutating func start() throws {}
    public mutating func stop() throws -> [String: Int64] { [:] }
}
