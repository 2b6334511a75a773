import Ridgeline

/// The JSON `ridgeline detect --json` prints: the contract fields (`cores`, `threads`, `caches`,
/// `simd`; with `--measure` `peak_flops_per_s`, `bandwidth_bytes_per_s`, `clock_hz`) and details.
public struct HostReport: Encodable, Sendable {
    public struct Cache: Encodable, Sendable {
        var level: Int
        var type: String
        var size_bytes: Int
        var line_bytes: Int
        var shared_by_cores: Int
        var instances: Int
    }
    public struct Nominal: Encodable, Sendable {
        var clock_hz: Double
        var flops_per_cycle_per_core: [String: Double]
        var peak_flops_per_s: [String: Double]
        var basis: String
    }
    var cpu: String
    var vendor: String
    var hypervisor: String?
    var packages: Int
    var cores: Int
    var threads: Int
    var numa_nodes: Int
    var memory_bytes: Double
    var caches: [Cache]
    var instruction_caches: [Cache]
    var simd: [String]
    var simd_register_bits: Int
    var fingerprint: String
    var origin: String
    var profile_path: String?
    var nominal: Nominal
    var clock_hz: Double?
    var clock_hz_one_core: Double?
    var peak_flops_per_s: [String: Double]?
    var peak_flops_per_s_one_core: [String: Double]?
    var bandwidth_bytes_per_s: [String: Double]?
    var bandwidth_bytes_per_s_one_thread: [String: Double]?
    var triad_bytes_per_s: [String: Double]?
    var fork_join_s: Double?
    var dram_visits: [DRAMVisit]?
    var placement_moved: Bool?
    var elapsed_s: Double?
    /// Per cache level: where the measured plateau ends (`EffectiveCapacity`), hwloc's size beside it.
    var effective_capacity: [String: EffectiveCapacity]?
    /// What the budget or the sweep's curve left out.
    var cut: [String]?
    var sweep: [BandwidthPoint]?
    /// With --measure: the checks the measurement failed (`CeilingsAssessment`); empty when it may
    /// stand for the machine.
    var unreliable: [String]?

    public init(_ d: HostDetection, profilePath: String?) {
        let t = d.topology
        let builder = HostProfileBuilder(topology: t, ceilings: d.ceilings)
        func cache(_ c: CacheLevel) -> Cache {
            Cache(
                level: c.level, type: c.kind.rawValue, size_bytes: c.sizeBytes, line_bytes: c.lineBytes,
                shared_by_cores: c.sharedByCores, instances: c.instances)
        }
        func keyed(_ map: [DType: Double]) -> [String: Double] {
            Dictionary(uniqueKeysWithValues: map.map { ($0.key.rawValue, $0.value) })
        }
        cpu = t.cpu.model; vendor = t.cpu.vendorName; hypervisor = t.cpu.hypervisor
        packages = t.packages; cores = t.cores; threads = t.threads
        numa_nodes = t.numaNodes.count; memory_bytes = t.memoryBytes
        caches = t.dataCaches.map(cache)
        instruction_caches = t.caches.filter { $0.kind == .instruction }.map(cache)
        simd = t.simd.features; simd_register_bits = t.simd.registerBits
        fingerprint = builder.fingerprint; origin = d.profile.origin.rawValue; profile_path = profilePath
        nominal = Nominal(
            clock_hz: builder.nominalClockHz, flops_per_cycle_per_core: keyed(builder.nominalFlopsPerCycle),
            peak_flops_per_s: keyed(builder.nominalPeaks(clockHz: builder.nominalClockHz)), basis: t.simd.basis)
        if let m = d.ceilings {
            clock_hz = m.clockAllHz; clock_hz_one_core = m.clockSingleHz
            peak_flops_per_s = Dictionary(
                uniqueKeysWithValues: m.peaks.filter(\.allCores).map { ($0.dtype.rawValue, $0.flopsPerSecond.best) })
            peak_flops_per_s_one_core = Dictionary(
                uniqueKeysWithValues: m.peaks.filter { $0.threads == 1 }.map { ($0.dtype.rawValue, $0.flopsPerSecond.best) })
            bandwidth_bytes_per_s = Dictionary(uniqueKeysWithValues: m.levels.map { ($0.level, $0.allThreads) })
            bandwidth_bytes_per_s_one_thread = Dictionary(uniqueKeysWithValues: m.levels.map { ($0.level, $0.singleThread) })
            triad_bytes_per_s = Dictionary(uniqueKeysWithValues: m.levels.map { ($0.level, $0.triadAllThreads) })
            fork_join_s = m.forkJoinSeconds
            dram_visits = m.dramVisits
            placement_moved = m.placementMoved
            elapsed_s = m.elapsedSeconds
            effective_capacity = Dictionary(uniqueKeysWithValues: m.levels.compactMap { l in l.effectiveCapacity.map { (l.level, $0) } })
            cut = m.cuts
            sweep = m.sweep
            unreliable = d.assessment?.findings.map(\.text)
        }
    }
}
