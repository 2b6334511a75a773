import Foundation
import Ridgeline

/// Turns a detected topology (and, with `--measure`, the measured ceilings) into a hardware profile
/// in the schema of the shipped ones, so that `--hardware host` predicts for this machine.
public struct HostProfileBuilder: Sendable {
    public let topology: HostTopology
    public let ceilings: MeasuredCeilings?
    /// The fixed cost of a kernel: one near-empty call into the CPU engine, measured with the
    /// ceilings; the benchmark team's fork-join where that call could not be timed.
    public var launchSeconds: Double? { ceilings?.engineCall?.seconds ?? ceilings?.forkJoinSeconds }

    public init(topology: HostTopology, ceilings: MeasuredCeilings?) {
        self.topology = topology; self.ceilings = ceilings
    }

    /// The clock the nominal peak is quoted at: cpufreq's maximum, else /proc/cpuinfo's MHz
    /// (on a VM that is the TSC rate), else 2 GHz, which the summary then calls a guess.
    public var nominalClockHz: Double {
        if let mhz = topology.cpu.maxMHz, mhz > 0 { return mhz * 1e6 }
        if let mhz = topology.cpu.reportedMHz, mhz > 0 { return mhz * 1e6 }
        return 2e9
    }

    /// Nominal peak per dtype, all cores: cores × clock × FLOPs/cycle (fp64, fp32; bf16 where the
    /// CPU has bf16 dot products or AMX).
    public func nominalPeaks(clockHz: Double) -> [DType: Double] {
        let cores = Double(topology.cores)
        var peaks: [DType: Double] = [:]
        for (dtype, perCycle) in nominalFlopsPerCycle { peaks[dtype] = cores * clockHz * perCycle }
        return peaks
    }

    /// FLOPs per cycle per core by dtype, from the SIMD units.
    public var nominalFlopsPerCycle: [DType: Double] {
        let simd = topology.simd
        var result: [DType: Double] = [.fp64: simd.flopsPerCycle(bytesPerElement: 8), .fp32: simd.flopsPerCycle(bytesPerElement: 4)]
        if simd.has("amx_bf16") {
            // AMX TMUL: 1024 bf16 FLOPs per cycle per core (Intel, "Accelerate AI with Intel AMX", 2023).
            result[.bf16] = 1024
        } else if simd.has("avx512_bf16") || simd.has("neon_bf16") {
            // VDPBF16PS / BFDOT: two bf16 products per fp32 lane at the fp32 FMA rate.
            result[.bf16] = 2 * result[.fp32]!
        }
        return result
    }

    /// The profile: measured figures where `ceilings` has them, nominal ones otherwise.
    public func profile() -> HardwareProfile {
        let t = topology
        let cores = t.cores
        let measured = ceilings
        let clock = measured?.clockAllHz ?? nominalClockHz
        var sources: [String] = [
            "hwloc (API \(hwlocVersionString)): topology (packages, cores, caches, NUMA memory)",
            "/proc/cpuinfo flags: \(t.simd.features.joined(separator: " ")); \(t.simd.basis)",
        ]
        let peak = peaks(clock: clock, sources: &sources)
        var perClock: [DType: Double] = [:]
        for (dtype, p) in peak { perClock[dtype] = p / (Double(cores) * clock) }
        let memory = memoryLevels(clock: clock, measured: measured, sources: &sources)
        var profile = HardwareProfile(
            id: "host", name: "\(t.cpu.model) (this host)", kind: .cpu, vendor: t.cpu.vendorName,
            architecture: architecture,
            compute: Compute(
                units: cores, unitName: "core", clockHz: clock, peak: peak,
                flopsPerClockPerUnit: perClock, simdBits: t.simd.registerBits,
                threadsPerUnit: min(16, t.threadsPerCore)),
            memory: memory, launchLatency: launchSeconds ?? 2e-6, dispatchLatency: 5e-6, scaleUp: nil, scaleOut: nil,
            powerWatts: 3.75 * Double(cores), pricePerHourUSD: nil, calibration: nil, fingerprint: fingerprint,
            origin: measured == nil ? .detected : .measured,
            sources: sources + [
                "latency: launch \(launchSource); eager dispatch 5 us (estimate: framework per-op floor on CPU)",
                "power: estimate, 3.75 W per core (EPYC 9654: 360 W / 96 cores); not measurable from user space here",
            ])
        if let m = measured { addCoreMeasurements(m, to: &profile) }
        addSpecialFunctionFlops(to: &profile)
        return profile
    }

    /// Each dtype's peak at `clock`: measured where the FMA chains ran, else nominal (a bf16 peak
    /// without a bf16 kernel scales the measured fp32 one); `sources` says which.
    private func peaks(clock: Double, sources: inout [String]) -> [DType: Double] {
        let nominal = nominalPeaks(clockHz: clock)
        var peak = nominal
        guard let m = ceilings else {
            sources.append(
                "nominal: clock \(Quantity.format(clock, .hertz)) from \(topology.cpu.maxMHz != nil ? "cpufreq cpuinfo_max_freq" : "/proc/cpuinfo cpu MHz"); peaks = cores × clock × FLOPs/cycle; run `ridgeline detect --measure` for measured ceilings"
            )
            return peak
        }
        for p in m.peaks where p.allCores { peak[p.dtype] = p.flopsPerSecond.best }
        if m.peak(.bf16) == nil, let bf16 = nominal[.bf16], let nominal32 = nominal[.fp32], let fp32 = peak[.fp32] {
            peak[.bf16] = bf16 / nominal32 * fp32
            sources.append(
                "bf16 peak: derived, not measured — measured fp32 peak × the nominal bf16/fp32 ratio (no bf16 kernel for this CPU's units: AMX and NEON BFDOT are not driven yet)"
            )
        }
        sources.append(
            "measured by ridgeline detect --measure in \(formatSignificant(m.elapsedSeconds, digits: 3)) s: FMA-chain peaks, dependent-add clock, STREAM-style bandwidth sweep (\(m.threads) threads bound to cores, best of \(m.sweep.first?.bytesPerSecond.samples ?? 0) samples)"
        )
        if !m.cuts.isEmpty { sources.append("cut from the measurement: " + m.cuts.joined(separator: "; ")) }
        return peak
    }

    /// What one core measured on its own: its peaks, the dependent vector add's latency and the
    /// engine call's cost on one thread.
    private func addCoreMeasurements(_ m: MeasuredCeilings, to profile: inout HardwareProfile) {
        if topology.cores > 1 {
            for p in m.peaks where p.threads == 1 && profile.compute.peak[p.dtype] != nil {
                profile.compute.singleUnitPeak[p.dtype] = p.flopsPerSecond.best
            }
            if !profile.compute.singleUnitPeak.isEmpty {
                profile.sources.append(
                    "single_unit_peak: the FMA chains' peaks with one core busy alone (what a kernel on one core reaches)")
            }
        }
        if let cycles = m.vectorAddLatencyCycles {
            profile.compute.vectorAddLatencyCycles = cycles
            profile.sources.append(
                "vector_add_latency: \(formatSignificant(cycles, digits: 3)) cycles from one vector add to the next that depends on it, a chain of dependent fp32 vector adds on one core at its measured clock"
            )
        }
        if let one = m.engineCallOneThread {
            profile.singleUnitLaunchLatency = one.seconds
            profile.sources.append("latency: single_unit_launch measured: the same call on one thread (what a kernel run on one core pays)")
        }
    }

    /// FLOPs an evaluation of each special function costs, from its timing through the engine.
    private func addSpecialFunctionFlops(to profile: inout HardwareProfile) {
        let cores = topology.cores
        guard let perCore = profile.compute.peak[.fp32].map({ $0 / Double(cores) }),
            let timings = ceilings?.specialFunctions, !timings.isEmpty
        else { return }
        let call = ceilings?.engineCallOneThread ?? (cores == 1 ? ceilings?.engineCall : nil)
        for t in timings {
            guard let f = SpecialFunction(rawValue: t.function),
                let flops = t.flopsPerEvaluation(flopsPerSecond: perCore, call: call?.fastestSeconds ?? call?.seconds ?? 0)
            else { continue }
            profile.compute.specialFunctionFlops[f] = Double(formatSignificant(flops, digits: 3)) ?? flops
        }
        let costs = profile.compute.specialFunctionFlops.sorted { $0.key < $1.key }.map {
            "\($0.key.rawValue) \(formatSignificant($0.value, digits: 3))"
        }
        profile.sources.append(
            "special_function_flops: each function timed through \(ceilings?.engineCall?.engine ?? "oneDNN") on one thread over \(SpecialFunctionTiming.elements) fp32 elements in L2 (fastest repetition, less the one-thread call), at the fp32 peak per core: "
                + costs.joined(separator: ", ") + " FLOPs an evaluation")
    }

    private var launchSource: String {
        if let call = ceilings?.engineCall {
            return "measured: one near-empty call into \(call.engine) with \(call.threads) threads (16-element relu)"
        }
        return launchSeconds == nil
            ? "2 us (estimate: thread-pool wake-up)"
            : "measured fork-join of the benchmark threads (the engine's own call could not be timed)"
    }

    private func memoryLevels(clock: Double, measured: MeasuredCeilings?, sources: inout [String]) -> [MemoryLevel] {
        let t = topology
        let cores = Double(t.cores)
        var levels: [MemoryLevel] = []
        var nominalNotes: [String] = []
        var capacityNotes: [String] = []
        for cache in t.dataCaches {
            let name = "l\(cache.level)"
            let bandwidth: Double
            var single: Double?
            let (capacity, nominal) = Self.capacity(
                of: cache, measured: measured?.level(name)?.effectiveCapacity,
                above: levels.last?.capacityBytes ?? 0, note: &capacityNotes)
            if let m = measured?.level(name) {
                bandwidth = m.allThreads
                single = m.singleThread
            } else {
                // Bytes per cycle per core: L1 two loads of the datapath width; L2 32 (64 on Intel
                // AVX-512 cores); L3 16 — the port widths in the vendors' optimization manuals.
                let perCycle: Double =
                    switch cache.level {
                    case 1: 2 * Double(t.simd.datapathBits / 8)
                    case 2: t.cpu.vendor == "GenuineIntel" && t.simd.registerBits == 512 ? 64 : 32
                    default: 16
                    }
                bandwidth = perCycle * clock * cores
                nominalNotes.append("\(name) \(Int(perCycle)) B/clk/core")
            }
            levels.append(
                MemoryLevel(
                    name: name, capacityBytes: capacity,
                    sharedByUnits: min(t.cores, max(1, cache.sharedByCores)), bandwidth: bandwidth,
                    singleUnitBandwidth: single,
                    associativity: cache.associativity.map { min($0, MemoryLevel.associativityRange.upperBound) },
                    nominalCapacityBytes: nominal,
                    latencySeconds: measured?.latency(name).map(\.seconds).flatMap { MemoryLevel.latencyRange.contains($0) ? $0 : nil }))
        }
        if let chased = measured?.cacheLatencies, !chased.isEmpty {
            let each = chased.map {
                "\($0.level) \(Quantity.format($0.seconds, .seconds)) (over \(Quantity.format(Double($0.workingSetBytes), .bytes)))"
            }
            sources.append(
                "latency (memory levels): load-to-use, a dependent pointer chase over a random cycle of lines on one core: "
                    + each.joined(separator: ", "))
        }
        let dram: Double
        var dramSingle: Double?
        var storeCost: Double?, singleStoreCost: Double?
        if let m = measured?.level("dram") {
            dram = m.allThreads
            dramSingle = m.singleThread
            storeCost = m.storeCost
            singleStoreCost = m.singleThreadStoreCost
            sources.append(Self.dramConvention(m))
            if let note = measured?.placementNote { sources.append("dram: \(note)") }
        } else {
            // Little's law: a core sustains (outstanding L1 misses × line size) / memory latency;
            // with ~16 misses in flight, 64 B lines and ~100 ns, about 10 GB/s per core. The channel
            // count that caps the total is not visible from user space.
            dram = cores * 16 * 64 / 100e-9
            nominalNotes.append("dram: Little's law, 16 misses in flight × 64 B / 100 ns per core")
        }
        if !nominalNotes.isEmpty { sources.append("nominal bandwidths (estimates): " + nominalNotes.joined(separator: "; ")) }
        if !capacityNotes.isEmpty { sources.append("cache capacities: " + capacityNotes.joined(separator: "; ")) }
        levels.append(
            MemoryLevel(
                name: "dram", capacityBytes: max(t.memoryBytes, 1), sharedByUnits: t.cores, bandwidth: dram,
                singleUnitBandwidth: dramSingle, storeCost: storeCost, singleUnitStoreCost: singleStoreCost))
        return levels
    }

    /// The `sources` line that says what the DRAM figure counts (`StoreCost`).
    static func dramConvention(_ m: LevelBandwidth) -> String {
        guard let cost = m.storeCost else {
            return
                "dram: no store kernel ran at DRAM sizes; the figure (\(m.allThreadsKernel)) counts every byte read or written once, as STREAM does"
        }
        let one = m.singleThreadStoreCost.map { ", one thread \(formatSignificant($0, digits: 3))" } ?? ""
        return
            "dram: the read kernel's figure, counting bytes read (loads and the lines stores fill first); a stored byte costs \(formatSignificant(cost, digits: 3))\(one) bytes of it (fill and write-back), fitted to the write, copy and triad plateaus"
    }

    /// A cache's capacity in the profile: where its measured plateau ends, when the sweep found
    /// that end (`BandwidthCurve.modelCapacity`: the capacity that makes `Roofline.hitFraction`
    /// bend where the read curve does), with hwloc's size beside it (`nominal`, which sets the
    /// cache's geometry); hwloc's size alone where no end was found, or it reads inside the level
    /// below, or below the least share of its size a core can be left (`leastShare`). A plateau
    /// may end past hwloc's size: prefetchers and an adaptive replacement keep a streamed set
    /// beyond the capacity (Zen 3 guest: oneDNN's relu, add and copy streamed at the L3 rate up to
    /// 16 MiB and at 35-41 GB/s, not DRAM's 25, at 32 MiB), and the model should bend where the
    /// kernels do. `note` gets one line per measured level, with hwloc's size beside it.
    static func capacity(
        of cache: CacheLevel, measured: EffectiveCapacity?, above inner: Double, note: inout [String]
    ) -> (bytes: Double, nominal: Double?) {
        let nominal = Double(cache.sizeBytes)
        let label = "\(cache.name) hwloc nominal \(Quantity.format(nominal, .bytes))"
        guard let measured else { return (nominal, nil) }
        let plateau =
            "the \(measured.threads)-thread read plateau ends at \(Quantity.format(measured.crossingPerThread, .bytes)) per thread"
        guard measured.bytes >= nominal * leastShare(cache), measured.bytes > inner else {
            note.append("\(label) kept: \(plateau), which reads as \(Quantity.format(measured.bytes, .bytes)), out of range")
            return (nominal, nil)
        }
        note.append("\(label), effective \(Quantity.format(measured.bytes, .bytes)) (\(plateau)); uses the effective size")
        return (measured.bytes, nominal)
    }

    /// The least share of a cache's size a core can be left: half of a cache private to one core
    /// (on a VM the only other user of a core's L1 or L2 is the host's other hardware thread on
    /// that core), a sixteenth of a shared one (a guest may see its host's whole L3 and get a
    /// slice). A plateau that ends earlier was cut by a disturbed sample (a 32 KiB L1d once read
    /// as 12 KiB on a Zen 3 guest), not by the cache.
    static func leastShare(_ cache: CacheLevel) -> Double { cache.sharedByCores <= 1 ? 1.0 / 2 : 1.0 / 16 }

    public var architecture: String {
        let c = topology.cpu
        var parts = [c.architecture]
        if let f = c.family, let m = c.modelNumber { parts.append("family \(f) model \(m)") }
        parts.append("\(topology.simd.registerBits)-bit SIMD")
        if let h = c.hypervisor { parts.append("\(h) guest") }
        return parts.joined(separator: ", ")
    }

    /// Identifies the host: CPU model, counts, caches and a hash of the feature flags. Two hosts
    /// with the same fingerprint give the same ceilings, within noise.
    public var fingerprint: String {
        let t = topology
        let caches = t.dataCaches.map { "\($0.name) \($0.sizeBytes / 1024)K/\($0.sharedByCores)" }.joined(separator: " ")
        return "\(t.cpu.model); \(t.packages)P \(t.cores)C \(t.threads)T; \(caches); flags \(t.cpu.flagsHash)"
    }
}

/// FNV-1a, 64-bit (Fowler, Noll, Vo): a stable hash, unlike Swift's seeded `hashValue`.
func fnv1a(_ text: String) -> String {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in text.utf8 { h = (h ^ UInt64(byte)) &* 0x100_0000_01b3 }
    return String(h, radix: 16)
}

var hwlocVersionString: String {
    let v = hwlocRuntimeVersion()
    return "\(v >> 16).\(v >> 8 & 0xff).\(v & 0xff)"
}
