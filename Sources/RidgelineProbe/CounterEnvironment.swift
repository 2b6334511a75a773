import Foundation

/// What the operating system says about counting: the PMUs the kernel exposes, the
/// perf_event_paranoid level, and whether we run under a hypervisor. Used to explain, in words a
/// user can act on, why an event is missing.
public struct CounterEnvironment: Sendable, Equatable {
    /// Entries of /sys/bus/event_source/devices (cpu, software, tracepoint, …).
    public var eventSources: [String]
    /// /proc/sys/kernel/perf_event_paranoid; nil when unreadable.
    public var paranoid: Int?
    public var hypervisor: String?

    public init(eventSources: [String], paranoid: Int?, hypervisor: String?) {
        self.eventSources = eventSources; self.paranoid = paranoid; self.hypervisor = hypervisor
    }

    public static func current(hypervisor: String?) -> CounterEnvironment {
        let sources = ((try? FileManager.default.contentsOfDirectory(atPath: "/sys/bus/event_source/devices")) ?? []).sorted()
        let paranoid = (try? String(contentsOfFile: "/proc/sys/kernel/perf_event_paranoid", encoding: .utf8))
            .flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        return CounterEnvironment(eventSources: sources, paranoid: paranoid, hypervisor: hypervisor)
    }

    /// This machine's environment, the hypervisor read through hwloc.
    public static func probed() -> CounterEnvironment {
        current(hypervisor: (try? Hwloc.shared())?.hostTopology().cpu.hypervisor)
    }

    /// A core PMU: "cpu" on x86, "cpu_core"/"cpu_atom" on hybrid Intel, "armv8_*" on Arm.
    public var hasCorePMU: Bool {
        eventSources.contains { $0 == "cpu" || $0.hasPrefix("cpu_") || $0.hasPrefix("armv8") || $0.hasPrefix("armv9") }
    }

    /// Why a hardware event cannot be counted when PAPI says it does not exist.
    public var missingHardwareReason: String {
        if !hasCorePMU {
            let listed = eventSources.isEmpty ? "nothing" : eventSources.joined(separator: ", ")
            let vm =
                hypervisor.map { "this is a virtual machine (\($0)) that exposes no virtual PMU" }
                ?? "the kernel exposes no CPU PMU"
            return "no hardware PMU: \(vm) (/sys/bus/event_source/devices lists \(listed))"
        }
        return "not supported on this CPU: PAPI maps it to no native event of this PMU"
    }

    /// Whether this process may count kernel-mode events: perf_event_paranoid ≤ 1, or root
    /// (CAP_PERFMON is not checked; a refusal then surfaces as a permission error per event).
    public var kernelModeCountingAllowed: Bool { (paranoid ?? 2) <= 1 || geteuid() == 0 }

    /// Why an event that only fires in kernel mode cannot be counted.
    public var kernelModeReason: String {
        let level = paranoid.map(String.init) ?? "unreadable"
        return
            "it only counts in kernel mode, which /proc/sys/kernel/perf_event_paranoid = \(level) forbids (kernel-mode counting needs ≤ 1, root, or CAP_PERFMON)"
    }

    /// Why counting was refused for permissions.
    public var permissionReason: String {
        let level = paranoid.map(String.init) ?? "unreadable"
        return "permission denied: /proc/sys/kernel/perf_event_paranoid = \(level) (user-space counting needs ≤ 2, or CAP_PERFMON)"
    }
}
