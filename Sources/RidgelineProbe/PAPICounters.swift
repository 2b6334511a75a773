import CPAPI
import Foundation
import Ridgeline

/// Counts PAPI events around a region: the most informative set this machine can count together.
///
/// Construction probes every candidate event once and builds one event set; `start()`/`stop()`
/// then cost two system calls each, cheap enough to wrap every repetition of a kernel. Counts
/// cover the thread that created the source (perf_event counts per thread by default).
public struct PAPICounters: CounterSource {
    public var source: String { "papi" }
    public typealias Candidate = CounterEvent

    /// Most informative first: cycles and instructions (IPC, clock), FP work (attained FLOP/s),
    /// cache misses (DRAM traffic); then the software events perf keeps on every Linux machine.
    public static let preferred: [Candidate] = [
        Candidate("PAPI_TOT_CYC", hardware: true, "core cycles"),
        Candidate("PAPI_TOT_INS", hardware: true, "instructions retired"),
        Candidate("PAPI_FP_OPS", hardware: true, "floating-point operations"),
        Candidate("PAPI_SP_OPS", hardware: true, "single-precision operations, vectors counted by lane"),
        Candidate("PAPI_DP_OPS", hardware: true, "double-precision operations, vectors counted by lane"),
        Candidate("PAPI_VEC_SP", hardware: true, "single-precision vector instructions"),
        Candidate("PAPI_VEC_DP", hardware: true, "double-precision vector instructions"),
        Candidate("PAPI_FP_INS", hardware: true, "floating-point instructions"),
        Candidate("PAPI_L3_TCM", hardware: true, "last-level cache misses"),
        Candidate("PAPI_L2_TCM", hardware: true, "L2 misses"),
        Candidate("PAPI_L1_DCM", hardware: true, "L1 data misses"),
        Candidate("perf::TASK-CLOCK", hardware: false, "CPU time of the thread, ns"),
        Candidate("perf::CONTEXT-SWITCHES", hardware: false, "times the thread was descheduled", needsKernelMode: true),
        Candidate("perf::CPU-MIGRATIONS", hardware: false, "moves to another core", needsKernelMode: true),
        Candidate("perf::PAGE-FAULTS", hardware: false, "page faults (first touch of memory)"),
    ]

    public let events: [String]
    public let unavailable: [String: String]
    /// The candidates that were considered, in order.
    public let candidates: [Candidate]
    public let environment: CounterEnvironment
    private let set: EventSet

    /// Probes `candidates` and builds the event set. Throws only when PAPI itself cannot start.
    public init(candidates: [Candidate] = PAPICounters.preferred, environment: CounterEnvironment? = nil) throws {
        try PAPILibrary.ensureInitialized()
        let env = environment ?? CounterEnvironment.probed()
        // PAPI counts user mode only by default, where the scheduler's events never fire: count
        // the kernel too where perf_event_paranoid allows it.
        let kernelMode = env.kernelModeCountingAllowed && PAPI_set_domain(PAPI_DOM_USER | PAPI_DOM_KERNEL) == PAPI_OK
        let set = try EventSet()
        var chosen: [String] = []
        var missing: [String: String] = [:]
        for candidate in candidates {
            if candidate.needsKernelMode && !kernelMode {
                missing[candidate.name] = env.kernelModeReason
                continue
            }
            var code: Int32 = 0
            let lookup = PAPI_event_name_to_code(candidate.name, &code)
            if lookup != PAPI_OK {
                missing[candidate.name] = Self.reason(lookup, candidate: candidate, env: env, chosen: chosen)
                continue
            }
            if candidate.name.hasPrefix("PAPI_"), ridgeline_papi_preset_native_count(code) == 0 {
                missing[candidate.name] = Self.reason(PAPI_ENOEVNT, candidate: candidate, env: env, chosen: chosen)
                continue
            }
            let added = PAPI_add_event(set.handle, code)
            guard added == PAPI_OK else {
                missing[candidate.name] = Self.reason(added, candidate: candidate, env: env, chosen: chosen)
                continue
            }
            // An event can be accepted into the set and still fail when counting starts
            // (perf_event_open runs at start): try it now, so `events` only lists what counts.
            let started = PAPI_start(set.handle)
            if started == PAPI_OK {
                var values = [Int64](repeating: 0, count: chosen.count + 1)
                _ = PAPI_stop(set.handle, &values)
                chosen.append(candidate.name)
            } else {
                _ = PAPI_remove_event(set.handle, code)
                missing[candidate.name] = Self.reason(started, candidate: candidate, env: env, chosen: chosen)
            }
        }
        self.events = chosen
        self.unavailable = missing
        self.candidates = candidates
        self.environment = env
        self.set = set
        set.count = chosen.count
    }

    public mutating func start() throws {
        let r = PAPI_start(set.handle)
        guard r == PAPI_OK else {
            throw RidgelineError.unavailable(what: "PAPI counting", reason: "PAPI_start: \(PAPILibrary.errorString(r))")
        }
    }

    public mutating func stop() throws -> [String: Int64] {
        var values = [Int64](repeating: 0, count: max(1, set.count))
        let r = PAPI_stop(set.handle, &values)
        guard r == PAPI_OK else {
            throw RidgelineError.unavailable(what: "PAPI counting", reason: "PAPI_stop: \(PAPILibrary.errorString(r))")
        }
        var result: [String: Int64] = [:]
        for (i, name) in events.enumerated() { result[name] = values[i] }
        return result
    }

    /// The words for a PAPI refusal, with the machine's side of the story.
    static func reason(_ code: Int32, candidate: Candidate, env: CounterEnvironment, chosen: [String]) -> String {
        switch code {
        case PAPI_ENOEVNT, PAPI_ENOCNTR, PAPI_ENOTPRESET:
            return candidate.hardware
                ? env.missingHardwareReason
                : "not offered by this kernel's perf_event software PMU (\(PAPILibrary.errorString(code)))"
        case PAPI_EPERM:
            return env.permissionReason
        case PAPI_ECNFLCT, PAPI_ECOMBO, PAPI_ECOUNT, PAPI_EMULPASS:
            return
                "cannot be counted together with \(chosen.joined(separator: ", ")): the PMU has too few counters (\(PAPILibrary.errorString(code)))"
        case PAPI_ECMP_DISABLED:
            return "its PAPI component is disabled (\(PAPILibrary.errorString(code)))"
        case PAPI_ESYS:
            return "the perf_event_open system call failed (\(String(cString: strerror(errno)))); "
                + env.permissionReason.replacingOccurrences(of: "permission denied: ", with: "")
        default:
            return "PAPI: \(PAPILibrary.errorString(code))"
        }
    }
}

/// A PAPI event set, destroyed with its owner.
final class EventSet {
    let handle: Int32
    var count = 0

    init() throws {
        var es = ridgeline_papi_null()
        let r = PAPI_create_eventset(&es)
        guard r == PAPI_OK else {
            throw RidgelineError.unavailable(what: "PAPI event set", reason: PAPILibrary.errorString(r))
        }
        handle = es
    }

    deinit {
        var values = [Int64](repeating: 0, count: max(1, count))
        var state: Int32 = 0
        if PAPI_state(handle, &state) == PAPI_OK, state & PAPI_RUNNING != 0 { _ = PAPI_stop(handle, &values) }
        _ = PAPI_cleanup_eventset(handle)
        var es = handle
        _ = PAPI_destroy_eventset(&es)
    }
}
