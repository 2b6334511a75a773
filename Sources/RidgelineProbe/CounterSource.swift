/// A back-end that counts events around a region of code. Counters are never invented: an event
/// that cannot be read is absent from the result, and `unavailable` says why.
///
/// There are three real back-ends, best first (`CounterLayers` picks one): PAPI, the kernel's
/// `perf_event_open` called directly (for when PAPI's perf_event component is disabled), and
/// `getrusage(RUSAGE_THREAD)`, which every Linux kernel answers.
public protocol CounterSource {
    /// Which back-end counts: "papi", "perf_event", "rusage" or "none". Records carry it as
    /// `counters.source`.
    var source: String { get }
    /// Event names this source will count, in the order it reports them.
    var events: [String] { get }
    /// Events the machine lacks, with the reason (no PMU in a VM, perf_event_paranoid, …), and
    /// better back-ends that were passed over, keyed by their name.
    var unavailable: [String: String] { get }
    /// Starts counting the events.
    mutating func start() throws
    /// Stops counting and returns the value of every event counted since `start()`.
    mutating func stop() throws -> [String: Int64]
}

/// An event a back-end would like to count, and why it is worth a counter.
public struct CounterEvent: Sendable, Equatable {
    public var name: String
    /// Counted by the CPU's PMU (cycles, instructions, cache misses), not by the kernel's software.
    public var hardware: Bool
    public var meaning: String
    /// Fires only in kernel mode (the scheduler's context switches and migrations): counted in
    /// user mode alone it would read a constant 0, so it is refused there instead.
    public var needsKernelMode: Bool
    public init(_ name: String, hardware: Bool, _ meaning: String, needsKernelMode: Bool = false) {
        self.name = name; self.hardware = hardware; self.meaning = meaning; self.needsKernelMode = needsKernelMode
    }
}

/// Counts nothing, for engines run without counters; it says so instead of pretending.
public struct NoCounters: CounterSource {
    public init() {}
    public var source: String { "none" }
    public var events: [String] { [] }
    public var unavailable: [String: String] { [:] }
    public mutating func start() throws {}
    public mutating func stop() throws -> [String: Int64] { [:] }
}

/// Which counted events show scheduler interference: a context switch or a CPU migration puts
/// another thread's time inside the counted interval (the harness leaves such repetitions out).
public enum Disturbance {
    /// Whether `event` counts context switches or CPU migrations, in any layer's spelling.
    public static func isDisturbance(event: String) -> Bool {
        let e = event.uppercased()
        return e.contains("CONTEXT-SWITCH") || e.contains("CONTEXT_SWITCH") || e.contains("CPU-MIGRATION")
            || e.contains("CPU_MIGRATION") || e == "PERF::CS" || e == "PERF::MIGRATIONS"
    }

    /// Whether any disturbance event of `counters` is non-zero.
    public static func isDisturbed(_ counters: [String: Int64]) -> Bool {
        counters.contains { isDisturbance(event: $0.key) && $0.value > 0 }
    }
}
