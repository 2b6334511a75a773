import CPerfEvent
import Foundation
import Ridgeline

/// The last resort: the calling thread's own account from `getrusage(RUSAGE_THREAD)`, which every
/// Linux kernel answers, perf_event_paranoid, PMU and PAPI notwithstanding.
///
/// It gives the thread's CPU time (microsecond resolution), its context switches and its page
/// faults — enough to tell a repetition that another thread disturbed from a clean one. It has no
/// CPU-migration count and no hardware events; `unavailable` says so.
public struct RusageCounters: CounterSource {
    public static let counted: [CounterEvent] = [
        CounterEvent("rusage::CPU-TIME", hardware: false, "user + system CPU time of the thread, ns (µs resolution)"),
        CounterEvent("rusage::CONTEXT-SWITCHES", hardware: false, "voluntary + involuntary context switches of the thread"),
        CounterEvent("rusage::PAGE-FAULTS", hardware: false, "minor + major page faults of the thread"),
    ]

    public var source: String { "rusage" }
    public var events: [String] { Self.counted.map(\.name) }
    public var unavailable: [String: String] {
        ["CPU-MIGRATIONS": "getrusage counts no CPU migrations", "hardware events": "getrusage reads no PMU"]
    }
    private var begin = rusage()

    /// Throws only where the kernel refuses RUSAGE_THREAD (Linux before 2.6.26).
    public init() throws { _ = try Self.read() }

    public mutating func start() throws { begin = try Self.read() }

    public mutating func stop() throws -> [String: Int64] {
        let end = try Self.read()
        return [
            "rusage::CPU-TIME": Self.nanoseconds(end.ru_utime) + Self.nanoseconds(end.ru_stime)
                - Self.nanoseconds(begin.ru_utime) - Self.nanoseconds(begin.ru_stime),
            "rusage::CONTEXT-SWITCHES": Int64(end.ru_nvcsw + end.ru_nivcsw - begin.ru_nvcsw - begin.ru_nivcsw),
            "rusage::PAGE-FAULTS": Int64(end.ru_minflt + end.ru_majflt - begin.ru_minflt - begin.ru_majflt),
        ]
    }

    static func read() throws -> rusage {
        var usage = rusage()
        let r = ridgeline_thread_rusage(&usage)
        guard r == 0 else { throw RidgelineError.unavailable(what: "getrusage(RUSAGE_THREAD)", reason: "\(Errno(-r))") }
        return usage
    }

    static func nanoseconds(_ t: timeval) -> Int64 { Int64(t.tv_sec) * 1_000_000_000 + Int64(t.tv_usec) * 1_000 }
}
