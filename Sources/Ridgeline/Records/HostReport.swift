/// `ridgeline detect --json`: the host's topology and SIMD units, the nominal peaks they promise,
/// and with `--measure` the ceilings measured on it. Written by `detect` (`RidgelineProbe` fills
/// it from a detection), read back by `ridgeline report --ceilings`. The fields DESIGN.md
/// promises (`cores`, `threads`, `caches`, `simd`; with `--measure` `peak_flops_per_s`,
/// `bandwidth_bytes_per_s`, `clock_hz`) are the required ones, or optional only because an
/// unmeasured host has none; the rest are optional so that a file with the contract's fields reads.
public struct HostReport: Codable, Sendable, Equatable {
    public var cores: Int
    public var threads: Int
    /// Data and unified caches, L1 first.
    public var caches: [Cache]
    /// SIMD feature names (`avx2`, `avx512f`, `neon`…).
    public var simd: [String]
    /// Measured (`--measure`): the sustained all-core clock, the best FMA rate per dtype on all
    /// cores, the streaming-read bandwidth per level (`l1` … `dram`) with all threads.
    public var clockHz: Double?
    public var peakFlopsPerS: [String: Double]?
    public var bandwidthBytesPerS: [String: Double]?

    public var cpu: String?
    public var vendor: String?
    public var hypervisor: String?
    public var packages: Int?
    public var numaNodes: Int?
    public var memoryBytes: Double?
    public var instructionCaches: [Cache]?
    public var simdRegisterBits: Int?
    public var fingerprint: String?
    /// Where the profile's figures come from (`HardwareProfile.Origin`).
    public var origin: String?
    /// Where `detect` wrote the profile.
    public var profilePath: String?
    /// What the clock and the SIMD units promise.
    public var nominal: Nominal?
    public var clockHzOneCore: Double?
    public var peakFlopsPerSOneCore: [String: Double]?
    public var bandwidthBytesPerSOneThread: [String: Double]?
    /// STREAM triad bandwidth per level, all threads.
    public var triadBytesPerS: [String: Double]?
    /// Seconds to wake the thread team and wait for it.
    public var forkJoinS: Double?
    /// The all-thread DRAM visits, with the core hand-off latency measured before each.
    public var dramVisits: [DRAMVisit]?
    /// Whether some DRAM visits were made with the cores elsewhere than the nearest placement.
    public var placementMoved: Bool?
    public var elapsedS: Double?
    /// Per cache level: where the measured plateau ends, hwloc's size beside it.
    public var effectiveCapacity: [String: EffectiveCapacity]?
    /// Per cache level: the load-to-use latency on one core (a dependent pointer chase), seconds.
    public var latencyS: [String: Double]?
    /// What the budget or the sweep's curve left out.
    public var cut: [String]?
    /// Every point of the bandwidth sweep.
    public var sweep: [SweepPoint]?
    /// With --measure: the checks the measurement failed (`CeilingsAssessment`); empty when it may
    /// stand for the machine.
    public var unreliable: [String]?

    public init(cores: Int, threads: Int, caches: [Cache], simd: [String]) {
        self.cores = cores; self.threads = threads; self.caches = caches; self.simd = simd
    }

    public struct Cache: Codable, Sendable, Equatable {
        public var level: Int
        public var sizeBytes: Int
        public var sharedByCores: Int
        /// `data`, `unified` or `instruction`.
        public var type: String?
        public var lineBytes: Int?
        public var instances: Int?

        public init(level: Int, sizeBytes: Int, sharedByCores: Int, type: String?, lineBytes: Int?, instances: Int?) {
            self.level = level; self.sizeBytes = sizeBytes; self.sharedByCores = sharedByCores; self.type = type
            self.lineBytes = lineBytes; self.instances = instances
        }
    }

    public struct Nominal: Codable, Sendable, Equatable {
        public var clockHz: Double
        /// FLOPs per cycle per core and peak FLOP/s, all cores, by dtype.
        public var flopsPerCyclePerCore: [String: Double]
        public var peakFlopsPerS: [String: Double]
        /// Where the clock and the SIMD width were read.
        public var basis: String

        public init(clockHz: Double, flopsPerCyclePerCore: [String: Double], peakFlopsPerS: [String: Double], basis: String) {
            self.clockHz = clockHz; self.flopsPerCyclePerCore = flopsPerCyclePerCore; self.peakFlopsPerS = peakFlopsPerS
            self.basis = basis
        }
    }

    public struct DRAMVisit: Codable, Sendable, Equatable {
        public var coreHandOffS: Double
        public var bytesPerS: Double
        public init(coreHandOffS: Double, bytesPerS: Double) { self.coreHandOffS = coreHandOffS; self.bytesPerS = bytesPerS }
    }

    public struct EffectiveCapacity: Codable, Sendable, Equatable {
        /// Capacity of one instance where the measured plateau ends.
        public var effectiveBytes: Double
        /// Per-thread working set where the read curve crossed midway to the next level.
        public var crossingPerThreadBytes: Double
        public var threads: Int
        /// hwloc's size of one instance.
        public var nominalBytes: Int

        public init(effectiveBytes: Double, crossingPerThreadBytes: Double, threads: Int, nominalBytes: Int) {
            self.effectiveBytes = effectiveBytes; self.crossingPerThreadBytes = crossingPerThreadBytes; self.threads = threads
            self.nominalBytes = nominalBytes
        }
    }

    /// One point of the bandwidth sweep: a kernel on a team at a working set per thread.
    public struct SweepPoint: Codable, Sendable, Equatable {
        public var kernel: String
        public var threads: Int
        public var workingSetPerThreadBytes: Int
        /// The team's rate, and the sum of each thread's own rate.
        public var bytesPerS: Rate
        public var perThreadSumBytesPerS: Rate
        public var undisturbedSamples: Int

        public init(
            kernel: String, threads: Int, workingSetPerThreadBytes: Int, bytesPerS: Rate, perThreadSumBytesPerS: Rate,
            undisturbedSamples: Int
        ) {
            self.kernel = kernel; self.threads = threads; self.workingSetPerThreadBytes = workingSetPerThreadBytes
            self.bytesPerS = bytesPerS; self.perThreadSumBytesPerS = perThreadSumBytesPerS; self.undisturbedSamples = undisturbedSamples
        }
    }

    /// Repeated samples of a rate: best, median, worst and how many.
    public struct Rate: Codable, Sendable, Equatable {
        public var best, median, worst: Double
        public var samples: Int
        public init(best: Double, median: Double, worst: Double, samples: Int) {
            self.best = best; self.median = median; self.worst = worst; self.samples = samples
        }
    }
}
