/// A device as the roofline engine sees it: compute units at a clock with a dense peak per dtype,
/// a memory hierarchy, fixed latencies, links to other devices, power and price.
///
/// All quantities are SI doubles (FLOP/s, bytes, bytes/s, seconds, watts). Profiles are written in
/// YAML with explicit units; see `HardwareProfile+YAML.swift` and `profiles/hardware/`.
public struct HardwareProfile: Sendable, Equatable {
    public enum Kind: String, CaseIterable, Sendable { case gpu, cpu }

    public var id: String
    public var name: String
    public var kind: Kind
    public var vendor: String
    public var architecture: String
    public var compute: Compute
    /// Innermost level first (registers/L1 … DRAM/HBM); the last level is device memory.
    public var memory: [MemoryLevel]
    /// Time from issue to start of a kernel on the device (kernel mode floor).
    public var launchLatency: Double
    /// Per-op floor of an eager framework (PyTorch dispatch): no op completes faster.
    public var dispatchLatency: Double
    /// CPUs: the launch cost of a kernel run on one core (no fork-join of the engine's threads),
    /// where measured; `restricted(toUnits: 1)` uses it.
    public var singleUnitLaunchLatency: Double?
    public var scaleUp: Link?
    public var scaleOut: Link?
    public var powerWatts: Double
    public var pricePerHourUSD: Double?
    public var calibration: Calibration?
    /// Where the host came from: a hwloc/CPU-flags fingerprint, for detected profiles.
    public var fingerprint: String?
    /// How the numbers were obtained (`origin:`).
    public var origin: Origin
    /// For a calibrated profile, the origin of the ceilings its calibration scales (`calibrated_from:`):
    /// a fraction of a datasheet ceiling is at most 1, of a measured one up to
    /// `CalibrationFit.measuredCeiling`. Nil for profiles that are not calibrated.
    public var calibratedFrom: Origin?
    public var sources: [String]

    public init(
        id: String, name: String, kind: Kind, vendor: String, architecture: String, compute: Compute,
        memory: [MemoryLevel], launchLatency: Double, dispatchLatency: Double, scaleUp: Link?, scaleOut: Link?,
        powerWatts: Double, pricePerHourUSD: Double?, calibration: Calibration?, fingerprint: String?,
        origin: Origin, calibratedFrom: Origin? = nil, sources: [String]
    ) {
        self.id = id; self.name = name; self.kind = kind; self.vendor = vendor; self.architecture = architecture
        self.compute = compute; self.memory = memory; self.launchLatency = launchLatency
        self.dispatchLatency = dispatchLatency; self.scaleUp = scaleUp; self.scaleOut = scaleOut
        self.powerWatts = powerWatts; self.pricePerHourUSD = pricePerHourUSD; self.calibration = calibration
        self.fingerprint = fingerprint; self.origin = origin; self.calibratedFrom = calibratedFrom; self.sources = sources
    }

    /// Where the peaks and bandwidths come from: the origin, or for a calibrated profile the origin
    /// of the profile it was calibrated from (a file without `calibrated_from` counts as datasheet,
    /// the stricter cap).
    public var ceilingOrigin: Origin { origin == .calibrated ? calibratedFrom ?? .datasheet : origin }

    /// Marks the profile as fitted to measurements, remembering where its ceilings came from.
    public mutating func markCalibrated() {
        calibratedFrom = ceilingOrigin
        origin = .calibrated
    }

    /// Device memory: the outermost level, whose capacity bounds what a training job may hold.
    public var deviceMemory: MemoryLevel { memory[memory.count - 1] }

    /// The dense peak for matrix math in `dtype` (tensor cores where the device has them).
    /// A dtype the device lacks falls back to the next wider one it has, as frameworks do. A CPU
    /// with bf16 dot-product units runs bf16 GEMMs on them even where they are slower than its
    /// fp32 FMAs: oneDNN (PyTorch's CPU GEMMs) dispatches by ISA (avx512_core_bf16, AMX), never
    /// by speed; without them it converts to fp32, the fallback. MFU's denominator is `mfuPeak`.
    public func matrixPeak(_ dtype: DType) -> (dtype: DType, flopsPerSecond: Double) {
        for candidate in Self.fallbacks(dtype) {
            if let p = compute.peak[candidate] { return (candidate, p) }
        }
        let widest = compute.peak.max { $0.value < $1.value }!
        return (widest.key, widest.value)
    }

    /// The denominator of MFU for a step whose GEMMs run in `dtype`: the highest dense peak the
    /// device has for that precision. On a GPU that is `matrixPeak` (tensor cores are never slower
    /// than the fp32 units). A CPU's bf16 dot-product units can be (175 against 353 GFLOP/s
    /// measured on an AVX-512 Intel guest): its fp32 FMAs take bf16 operands exactly, so a
    /// utilisation against the slower bf16 peak would read near 100% for a step that leaves half
    /// the machine unused.
    public func mfuPeak(_ dtype: DType) -> (dtype: DType, flopsPerSecond: Double) {
        let matrix = matrixPeak(dtype)
        guard kind == .cpu else { return matrix }
        return Self.fallbacks(dtype).compactMap { d in compute.peak[d].map { (dtype: d, flopsPerSecond: $0) } }
            .max { $0.flopsPerSecond < $1.flopsPerSecond } ?? matrix
    }

    /// The peak for element-wise math (CUDA cores / SIMD), which is fp32 unless the op is fp64.
    public func vectorPeak(_ dtype: DType) -> Double {
        let key: DType = dtype == .fp64 ? .fp64 : .fp32
        return compute.vectorPeak[key] ?? compute.peak[key] ?? matrixPeak(key).flopsPerSecond
    }

    static func fallbacks(_ dtype: DType) -> [DType] {
        switch dtype {
        case .fp4: return [.fp4, .fp8, .bf16, .fp16, .fp32]
        case .fp8: return [.fp8, .bf16, .fp16, .fp32]
        case .int8: return [.int8, .fp16, .bf16, .fp32]
        case .bf16: return [.bf16, .fp16, .fp32]
        case .fp16: return [.fp16, .bf16, .fp32]
        case .tf32: return [.tf32, .fp32]
        case .fp32: return [.fp32]
        case .fp64: return [.fp64]
        }
    }
}

public struct Compute: Sendable, Equatable {
    /// SMs, CUs or cores.
    public var units: Int
    public var unitName: String
    /// The clock the matrix peaks are quoted at.
    public var clockHz: Double
    /// Dense matrix peak per dtype, whole device (tensor cores on GPUs, SIMD FMA on CPUs).
    public var peak: [DType: Double]
    /// Non-tensor (CUDA core / SIMD) peak per dtype; empty means "same as `peak`".
    public var vectorPeak: [DType: Double]
    /// Optional per-unit rate used to cross-check `peak`: units × clock × rate ≈ peak.
    public var flopsPerClockPerUnit: [DType: Double]
    /// GPU GEMM output tiles (rows × columns) the library may choose from; empty for CPUs.
    public var gemmTiles: [GEMMTile]
    /// Rows of every tile of a grouped GEMM (one GEMM per expert of a mixture-of-experts layer)
    /// where the libraries' grouped kernels have fewer tile shapes than their dense ones: 128 on
    /// Hopper, whose TMA warp-specialized grouped GEMMs (CUTLASS, TensorRT-LLM) have M tiles of 128
    /// and 256 only. nil: the rows of the smallest of `gemmTiles`.
    public var groupedGEMMTileRows: Int?
    /// CPU SIMD width in bits (lanes = bits / 8 / element size); nil on GPUs.
    public var simdBits: Int?
    /// Hardware threads per unit (SMT), for CPUs.
    public var threadsPerUnit: Int
    /// CPUs: FLOPs (at the fp32 vector peak) one evaluation of each special function costs in the
    /// CPU engine's SIMD code, measured on a host (`SpecialFunction`); empty: the assumption.
    public var specialFunctionFlops: [SpecialFunction: Double] = [:]
    /// CPUs: the FMA peak per dtype of one core busy alone, where measured (a lone core may run
    /// a faster clock than all together); `restricted(toUnits:)` uses it.
    public var singleUnitPeak: [DType: Double] = [:]
    /// CPUs: cycles from one vector floating-point add to the next that depends on it, where
    /// measured (`vector_add_latency`); a sum kept in one register advances one vector per this
    /// many cycles (`Roofline.accumulationChainSeconds`). nil: `KernelAssumptions`.
    public var vectorAddLatencyCycles: Double?
    /// Bounds of `vector_add_latency` (cycles).
    public static let vectorAddLatencyRange: ClosedRange<Double> = 1...64
    /// Bounds of `special_function_flops`.
    public static let specialFunctionFlopsRange: ClosedRange<Double> = 1...100_000

    public init(
        units: Int, unitName: String, clockHz: Double, peak: [DType: Double], vectorPeak: [DType: Double] = [:],
        flopsPerClockPerUnit: [DType: Double] = [:], gemmTiles: [GEMMTile] = [], groupedGEMMTileRows: Int? = nil,
        simdBits: Int? = nil, threadsPerUnit: Int = 1
    ) {
        self.units = units; self.unitName = unitName; self.clockHz = clockHz; self.peak = peak
        self.vectorPeak = vectorPeak; self.flopsPerClockPerUnit = flopsPerClockPerUnit; self.gemmTiles = gemmTiles
        self.groupedGEMMTileRows = groupedGEMMTileRows; self.simdBits = simdBits; self.threadsPerUnit = threadsPerUnit
    }
}

public struct GEMMTile: Sendable, Equatable, Hashable {
    public var m: Int
    public var n: Int
    public init(m: Int, n: Int) { self.m = m; self.n = n }
}

public struct MemoryLevel: Sendable, Equatable {
    /// l1, l2, l3, hbm, dram …
    public var name: String
    /// Capacity of one instance of this level (one core's L1, the whole L2, all of HBM).
    public var capacityBytes: Double
    /// Units sharing one instance: 1 for a private L1, all units for a shared L2 or DRAM.
    public var sharedByUnits: Int
    /// Bandwidth of the whole device at this level (summed over instances).
    public var bandwidth: Double
    /// Bandwidth one unit reaches alone, where measured: one core can draw far more than its
    /// share of a shared level (DRAM, L3), so a profile cut down to fewer cores needs it.
    public var singleUnitBandwidth: Double?
    /// CPU device memory: what a stored byte costs in bytes of `bandwidth`, which then counts
    /// bytes read (loads and write-allocate fills): 2 where each stored line is read in first and
    /// written back at the read rate; measured on a host (`Roofline.deviceMemoryBytes`). nil:
    /// `bandwidth` counts every byte read or written once, as STREAM does.
    public var storeCost: Double?
    /// The same with one unit streaming alone (a lone core is bound by its misses in flight,
    /// where write-backs ride along, not by the channels).
    public var singleUnitStoreCost: Double?
    /// Ways of a set-associative cache (hwloc's `associativity`, or the vendor's manual): where a
    /// strided read's lines can go (`linesHeld(strideBytes:lineBytes:)`). nil: not stated, no
    /// set conflicts modelled.
    public var associativity: Int?
    /// The cache's size as hwloc or the vendor states it, where `capacityBytes` is what a
    /// measurement found it holds (`detect --measure`: where the read plateau ends). The cache's
    /// geometry — its sets — follows from this size (`linesHeld`); how much of a streamed working
    /// set stays follows from `capacityBytes` (`Roofline.hitFraction`). nil: one size for both.
    public var nominalCapacityBytes: Double?
    /// Load-to-use latency of one line from this level, in seconds: what a dependent pointer
    /// chase measures (`detect --measure`, `CeilingProbe.cacheLatencies`). Reported, not yet
    /// priced: reads past the prefetchers are priced by bandwidth (`Roofline.cpuStridedReadSeconds`;
    /// a latency rule for them was tried and not kept, README "oneDNN's no-copy GEMMs on AVX2").
    public var latencySeconds: Double?

    public init(
        name: String, capacityBytes: Double, sharedByUnits: Int, bandwidth: Double, singleUnitBandwidth: Double? = nil,
        storeCost: Double? = nil, singleUnitStoreCost: Double? = nil, associativity: Int? = nil,
        nominalCapacityBytes: Double? = nil, latencySeconds: Double? = nil
    ) {
        self.name = name; self.capacityBytes = capacityBytes; self.sharedByUnits = sharedByUnits
        self.bandwidth = bandwidth; self.singleUnitBandwidth = singleUnitBandwidth
        self.storeCost = storeCost; self.singleUnitStoreCost = singleUnitStoreCost
        self.associativity = associativity; self.nominalCapacityBytes = nominalCapacityBytes
        self.latencySeconds = latencySeconds
    }

    /// Bounds of `latency`: 0.1 ns (under one cycle of any clock) to 10 µs (a thousand times a
    /// DRAM access: a unit slip).
    public static let latencyRange: ClosedRange<Double> = 0.1e-9...10e-6

    /// Bounds of `associativity`: a direct-mapped cache has one way; none ships more than 256.
    public static let associativityRange: ClosedRange<Int> = 1...256

    /// Bounds of `store_cost`: a store never costs more than a fill and a write-back at a
    /// quarter of the read rate.
    public static let storeCostRange: ClosedRange<Double> = 0...4

    /// Total capacity across the device's instances of this level.
    public func totalCapacity(units: Int) -> Double {
        capacityBytes * Double(max(1, units / max(1, sharedByUnits)))
    }
}

/// A link between devices: the scale-up fabric inside a node, or the network between nodes.
public struct Link: Sendable, Equatable {
    public var name: String
    /// Per device, per direction.
    public var bandwidth: Double
    public var latency: Double
    /// Devices one scale-up domain (node) holds; nil for the scale-out network.
    public var domainSize: Int?
    /// How collectives perform on this link (fitted by `ridgeline calibrate-network`); nil: the
    /// datasheet defaults of `CollectiveParameters` (latency per ring step, no floor).
    public var collective: CollectiveParameters?

    public init(name: String, bandwidth: Double, latency: Double, domainSize: Int?, collective: CollectiveParameters? = nil) {
        self.name = name; self.bandwidth = bandwidth; self.latency = latency; self.domainSize = domainSize
        self.collective = collective
    }
}

/// The family a kernel belongs to, for achievable fractions that differ by family.
public enum KernelClass: String, CaseIterable, Sendable, Codable, Comparable {
    /// Softmax and the norms are separate classes: softmax is bound by its exponentials and its
    /// extra pass over the row, and reaches a different share of the ceilings than layer or RMS norm
    /// does (on the H100 reference rows and on oneDNN alike).
    case gemm, conv, attention, elementwise, reduction, softmax, norm, embedding, optimizer, copy

    public static func < (a: KernelClass, b: KernelClass) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// Achieved fractions of the datasheet ceilings, fitted on measurements (`ridgeline calibrate`).
public struct Calibration: Sendable, Equatable {
    /// Fraction of the compute peak each kernel class reaches.
    public var compute: [KernelClass: Double]
    /// A matrix class's fraction of one dtype's own datasheet matrix peak, where that dtype had
    /// enough rows to be fitted apart (`CalibrationFit.minimumDTypeSamples`); other dtypes take
    /// the class's `compute`. On the H100 reference GEMMs fp8 reaches 0.78–0.91 (median 0.88) of
    /// the bf16 share at the same shape (4096³: 0.576 vs 0.729). Those ran through PyTorch's
    /// `_scaled_mm`, whose default (`use_fast_accum=False`) has cuBLASLt promote the fp8 tensor
    /// cores' partial sums to FP32 on the CUDA cores every few k-blocks; turning the promotion off
    /// buys 1.1–1.2× (pytorch/ao#2377), the gap between the two fitted shares (0.747 / 0.650 =
    /// 1.15). So the fp8 share is that of promoting GEMMs, and a GEMM that accumulates fast
    /// (`GEMM.fastAccumulation`) takes the 16-bit share (`Kernel.computeShareDType`).
    public var computeByDType: [KernelClass: [DType: Double]]
    /// Fraction of the memory bandwidth each kernel class reaches.
    public var memory: [KernelClass: Double]
    /// Measured fixed cost per kernel, replacing the profile's launch latency when present.
    public var launchLatency: Double?
    /// Share of the shorter of compute and memory time that overlap does not hide (0: the
    /// roofline's perfect max; 1: the two add). Absent means 0.
    public var overlapLeak: Double?
    /// Measured eager per-op floor (fitted on eager framework timings), replacing the profile's
    /// dispatch latency when present.
    public var dispatchLatency: Double?
    /// How much more (above 1) or less of the device memory's bandwidth every class reaches than
    /// of the caches', on top of its class fraction; absent means 1. Fitted on CPUs, whose
    /// ceilings are the probe's own best kernels per level (a one-thread DRAM read, an L1 triad):
    /// a library's share of them differs by level, not only by class. oneDNN on the Zen 4 VM
    /// reached 0.8–0.9 of its cache share on DRAM.
    public var deviceMemoryFactor: Double?
    /// What the fractions were fitted on.
    public var source: String

    public init(
        compute: [KernelClass: Double], memory: [KernelClass: Double], launchLatency: Double?,
        overlapLeak: Double? = nil, dispatchLatency: Double? = nil, deviceMemoryFactor: Double? = nil, source: String,
        computeByDType: [KernelClass: [DType: Double]] = [:]
    ) {
        self.compute = compute; self.memory = memory; self.launchLatency = launchLatency
        self.computeByDType = computeByDType
        self.overlapLeak = overlapLeak; self.dispatchLatency = dispatchLatency
        self.deviceMemoryFactor = deviceMemoryFactor; self.source = source
    }

    /// A class's fraction of the compute peak of `dtype`: the dtype's own where fitted, else the class's.
    public func computeFraction(_ cls: KernelClass, _ dtype: DType) -> Double? {
        computeByDType[cls]?[dtype] ?? compute[cls]
    }

    /// A class's fraction of a memory level's bandwidth: its memory fraction, times the device
    /// memory factor on the device memory, there never above `CalibrationFit.measuredCeiling`
    /// (the factor is fitted on measured profiles only, whose fractions go up to that).
    public func memoryFraction(_ cls: KernelClass, deviceMemory: Bool) -> Double {
        let base = memory[cls] ?? 1
        return deviceMemory ? Self.deviceMemoryFraction(base, factor: deviceMemoryFactor) : base
    }

    /// A memory fraction on the device memory: times the factor, at most the measured ceiling.
    static func deviceMemoryFraction(_ fraction: Double, factor: Double?) -> Double {
        guard let factor else { return fraction }
        return min(CalibrationFit.measuredCeiling, fraction * factor)
    }
}
