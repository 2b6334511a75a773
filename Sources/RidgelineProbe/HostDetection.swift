import Foundation
import Ridgeline

/// `ridgeline detect`: topology (always) and ceilings (with `measure`), turned into a profile.
public struct HostDetection: Sendable {
    public var topology: HostTopology
    public var ceilings: MeasuredCeilings?
    public var profile: HardwareProfile

    /// Detects the host; with `measure`, runs the micro-benchmarks (within `settings.budgetSeconds`)
    /// and times `engineCall`, a near-empty call into the tensor engine, when given: the engines
    /// import the host side, never the other way round, so the caller hands it over
    /// (`EngineCallCost.measure` in RidgelineEngines). Without it the profile has no engine call.
    /// `specialFunctions` times exp, log, tanh, erf and sigmoid in the engine likewise
    /// (`SpecialFunctionTiming.measure`).
    public static func run(
        measure: Bool, settings: ProbeSettings = .standard, engineCall: ((_ threads: Int) throws -> EngineCallCost)? = nil,
        specialFunctions: (() throws -> [SpecialFunctionTiming])? = nil,
        progress: @escaping (String) -> Void = { _ in }
    ) throws -> HostDetection {
        let hwloc = try Hwloc.shared()
        let topology = hwloc.hostTopology()
        // The ceilings a profile needs are those the engines' buffers see: huge pages only where
        // the kernel gives them to every allocation (`TransparentHugePages`).
        var settings = settings
        let pages = TransparentHugePages.current
        if settings.hugePages && !pages.everyAllocation { settings.hugePages = false }
        var ceilings = measure ? try CeilingProbe(topology: topology, hwloc: hwloc, settings: settings, progress: progress).measure() : nil
        if measure, let engineCall {
            progress("engine call cost")
            ceilings?.engineCall = try? engineCall(topology.cores)
            if topology.cores > 1 { ceilings?.engineCallOneThread = try? engineCall(1) }
            if let specialFunctions {
                progress("special functions")
                ceilings?.specialFunctions = (try? specialFunctions()) ?? []
            }
        }
        var detection = HostDetection(
            topology: topology, ceilings: ceilings,
            profile: HostProfileBuilder(topology: topology, ceilings: ceilings).profile())
        if measure {
            detection.profile.sources.append(
                "bandwidth arrays on \(settings.hugePages ? "transparent huge pages" : "4 KiB pages"), as the engines' buffers get them (transparent huge pages: \(pages.mode))"
            )
        }
        if let a = detection.assessment, !a.usable {
            detection.profile.sources.append(
                "UNRELIABLE measurement (ridgeline detect kept it only with --keep-unreliable): "
                    + a.findings.map(\.text).joined(separator: "; "))
        }
        return detection
    }

    /// Whether the measured ceilings may stand for this machine (`CeilingsAssessment`); nil
    /// without `--measure`.
    public var assessment: CeilingsAssessment? { ceilings.map { CeilingsAssessment($0, topology: topology) } }

    public init(topology: HostTopology, ceilings: MeasuredCeilings?, profile: HardwareProfile) {
        self.topology = topology; self.ceilings = ceilings; self.profile = profile
    }

    /// The profile's YAML followed by a `host:` block with the topology and the measured details
    /// (the profile loader ignores the block; people and `ridgeline show` readers do not).
    public func yaml() -> String {
        let t = topology
        var lines = [
            "# Detected by `ridgeline detect\(ceilings == nil ? "" : " --measure")` on this host. origin: \(profile.origin.rawValue).",
            profile.yaml().trimmingCharacters(in: .newlines), "host:",
        ]
        lines.append("  packages: \(t.packages)")
        lines.append("  cores: \(t.cores)")
        lines.append("  threads: \(t.threads)")
        lines.append("  cpu: \"\(t.cpu.model)\"")
        if let h = t.cpu.hypervisor { lines.append("  hypervisor: \(h)") }
        lines.append("  simd: [\(t.simd.features.joined(separator: ", "))]")
        lines.append("  caches:")
        // size: hwloc's nominal size of one instance; effective_size: where the measured plateau
        // ends (the capacity the profile's memory levels use, see `sources`).
        for c in t.caches {
            let effective =
                ceilings?.level("l\(c.level)")?.effectiveCapacity.map { ", effective_size: \(Quantity.format($0.bytes, .bytes))" } ?? ""
            lines.append(
                "    - {level: \(c.level), type: \(c.kind.rawValue), size: \(Quantity.format(Double(c.sizeBytes), .bytes))\(c.kind == .instruction ? "" : effective), line: \(c.lineBytes), shared_by_cores: \(c.sharedByCores), instances: \(c.instances)}"
            )
        }
        lines.append("  numa:")
        for n in t.numaNodes {
            lines.append("    - {node: \(n.index), memory: \(Quantity.format(n.memoryBytes, .bytes)), cores: \(n.cores)}")
        }
        if let m = ceilings {
            lines.append("  measured:")
            lines.append(
                "    clock: {one_core: \(Quantity.format(m.clockSingleHz, .hertz)), all_cores: \(Quantity.format(m.clockAllHz, .hertz))}")
            lines.append("    peaks:")
            for p in m.peaks {
                lines.append(
                    "      - {dtype: \(p.dtype.rawValue), threads: \(p.threads), best: \(Quantity.format(p.flopsPerSecond.best, .flopsPerSecond)), median: \(Quantity.format(p.flopsPerSecond.median, .flopsPerSecond)), kernel: \"\(p.kernel)\"}"
                )
            }
            lines.append("    bandwidth:")
            for l in m.levels {
                lines.append(
                    "      - {level: \(l.level), all_threads: \(Quantity.format(l.allThreads, .bytesPerSecond)), all_threads_kernel: \"\(l.allThreadsKernel)\", one_thread: \(Quantity.format(l.singleThread, .bytesPerSecond)), one_thread_kernel: \"\(l.singleThreadKernel)\", triad_all_threads: \(Quantity.format(l.triadAllThreads, .bytesPerSecond))}"
                )
            }
            if !m.cacheLatencies.isEmpty {
                lines.append("    latency:")
                for l in m.cacheLatencies {
                    lines.append(
                        "      - {level: \(l.level), load_to_use: \(Quantity.format(l.seconds, .seconds)), working_set: \(Quantity.format(Double(l.workingSetBytes), .bytes))}"
                    )
                }
            }
            lines.append("    fork_join: \(Quantity.format(m.forkJoinSeconds, .seconds))")
            if !m.cuts.isEmpty {
                lines.append("    cut:")
                for cut in m.cuts { lines.append("      - \"\(cut.replacingOccurrences(of: "\"", with: "'"))\"") }
            }
            if let a = assessment, !a.usable {
                lines.append("    unreliable:")
                for f in a.findings { lines.append("      - \"\(f.text.replacingOccurrences(of: "\"", with: "'"))\"") }
            }
            if let call = m.engineCall {
                lines.append(
                    "    engine_call: {seconds: \(Quantity.format(call.seconds, .seconds)), engine: \"\(call.engine)\", threads: \(call.threads)}"
                )
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes the YAML whole (temporary file, then rename), creating the directory; never into
    /// the shipped profiles in `protected`.
    public func write(to path: String, protected: [String] = []) throws {
        try writeFileAtomically(yaml(), to: path, protected: protected)
    }
}
