import CPerfEvent
import Foundation
import Ridgeline

/// Counts the kernel's perf events around a region with `perf_event_open` itself, without PAPI.
///
/// PAPI reaches these same events through libpfm4, and where libpfm4 recognises no PMU (a guest
/// whose CPU model it does not know) PAPI disables its whole perf_event component — software
/// events included — although the kernel still counts them. This source asks the kernel directly.
/// Counts cover the calling thread (pid 0, any CPU), as PAPI's do.
public struct PerfEventCounters: CounterSource {
    /// An event and its perf_event_open(2) address.
    public struct Event: Sendable, Equatable {
        public var event: CounterEvent
        public var type: UInt32
        public var config: UInt64
    }

    /// Hardware events first (where the kernel has a CPU PMU), then the software events the
    /// kernel keeps on every machine; names follow libpfm4's `perf::` names, the ones PAPI reports.
    public static let preferred: [Event] = [
        Event(
            event: CounterEvent("perf::CYCLES", hardware: true, "core cycles"),
            type: PERF_TYPE_HARDWARE.rawValue, config: UInt64(PERF_COUNT_HW_CPU_CYCLES.rawValue)),
        Event(
            event: CounterEvent("perf::INSTRUCTIONS", hardware: true, "instructions retired"),
            type: PERF_TYPE_HARDWARE.rawValue, config: UInt64(PERF_COUNT_HW_INSTRUCTIONS.rawValue)),
        Event(
            event: CounterEvent("perf::TASK-CLOCK", hardware: false, "CPU time of the thread, ns"),
            type: PERF_TYPE_SOFTWARE.rawValue, config: UInt64(PERF_COUNT_SW_TASK_CLOCK.rawValue)),
        Event(
            event: CounterEvent("perf::CONTEXT-SWITCHES", hardware: false, "times the thread was descheduled", needsKernelMode: true),
            type: PERF_TYPE_SOFTWARE.rawValue, config: UInt64(PERF_COUNT_SW_CONTEXT_SWITCHES.rawValue)),
        Event(
            event: CounterEvent("perf::CPU-MIGRATIONS", hardware: false, "moves to another core", needsKernelMode: true),
            type: PERF_TYPE_SOFTWARE.rawValue, config: UInt64(PERF_COUNT_SW_CPU_MIGRATIONS.rawValue)),
        Event(
            event: CounterEvent("perf::PAGE-FAULTS", hardware: false, "page faults (first touch of memory)"),
            type: PERF_TYPE_SOFTWARE.rawValue, config: UInt64(PERF_COUNT_SW_PAGE_FAULTS.rawValue)),
    ]

    public var source: String { "perf_event" }
    public let events: [String]
    public let unavailable: [String: String]
    public let candidates: [CounterEvent]
    private let descriptors: Descriptors

    /// Opens every candidate; throws when the kernel counts none of them, with each reason.
    public init(candidates: [Event] = PerfEventCounters.preferred, environment: CounterEnvironment) throws {
        var opened: [Int32] = [], names: [String] = [], missing: [String: String] = [:]
        for candidate in candidates {
            switch Self.open(candidate) {
            case .success(let fd): opened.append(fd); names.append(candidate.event.name)
            case .failure(let errno): missing[candidate.event.name] = Self.reason(errno, candidate, environment)
            }
        }
        descriptors = Descriptors(opened)
        events = names
        unavailable = missing
        self.candidates = candidates.map(\.event)
        guard !names.isEmpty else {
            let reasons = Set(missing.values).sorted().joined(separator: "; ")
            throw RidgelineError.unavailable(what: "perf_event_open counting", reason: reasons)
        }
    }

    public mutating func start() throws {
        for (fd, name) in zip(descriptors.fds, events) {
            let r = ridgeline_perf_event_reset_enable(fd)
            guard r == 0 else { throw Self.failure("starting \(name)", r) }
        }
    }

    public mutating func stop() throws -> [String: Int64] {
        var values: [String: Int64] = [:]
        for (fd, name) in zip(descriptors.fds, events) {
            var value: UInt64 = 0
            let r = ridgeline_perf_event_disable_read(fd, &value)
            guard r == 0 else { throw Self.failure("reading \(name)", r) }
            values[name] = Int64(clamping: value)
        }
        return values
    }

    /// Counting in kernel and user mode first (scheduler events happen in the kernel); user mode
    /// only where perf_event_paranoid forbids the kernel, unless the event means nothing there.
    static func open(_ candidate: Event) -> Result<Int32, Errno> {
        var lastError = Errno(EINVAL)
        for userOnly in [false, true] {
            if userOnly && candidate.event.needsKernelMode { break }
            var attr = perf_event_attr()
            attr.type = candidate.type
            attr.size = UInt32(MemoryLayout<perf_event_attr>.size)
            attr.config = candidate.config
            attr.disabled = 1
            attr.exclude_hv = 1
            attr.exclude_kernel = userOnly ? 1 : 0
            let fd = ridgeline_perf_event_open(&attr, 0, -1, -1, 0)
            if fd >= 0 { return .success(fd) }
            lastError = Errno(-fd)
            guard lastError.code == EACCES || lastError.code == EPERM else { break }
        }
        return .failure(lastError)
    }

    /// An errno from perf_event_open, in words a user can act on.
    static func reason(_ error: Errno, _ candidate: Event, _ env: CounterEnvironment) -> String {
        switch error.code {
        case ENOENT, EOPNOTSUPP, ENODEV:
            return candidate.event.hardware
                ? env.missingHardwareReason
                : "this kernel's software PMU does not count it (perf_event_open: \(error))"
        case EACCES, EPERM:
            return candidate.event.needsKernelMode ? env.kernelModeReason : env.permissionReason
        case ENOSYS:
            return "this kernel has no perf_event_open (built without CONFIG_PERF_EVENTS, or a seccomp filter refuses it)"
        default:
            return "perf_event_open: \(error)"
        }
    }

    static func failure(_ what: String, _ code: Int32) -> RidgelineError {
        .unavailable(what: "perf_event counting", reason: "\(what): \(Errno(-code))")
    }
}

/// An errno value with the C library's words for it.
struct Errno: Error, CustomStringConvertible, Equatable {
    let code: Int32
    init(_ code: Int32) { self.code = code }
    var description: String { String(cString: strerror(code)) }
}

/// The open perf event descriptors, closed with their owner.
private final class Descriptors {
    let fds: [Int32]
    init(_ fds: [Int32]) { self.fds = fds }
    deinit { for fd in fds { close(fd) } }
}
