import Foundation

/// One measurement to fit against: the kernels whose times add up to it, and the time measured.
public struct CalibrationSample: Sendable {
    public var kernels: [Kernel]
    public var seconds: Double
    public init(kernels: [Kernel], seconds: Double) { self.kernels = kernels; self.seconds = seconds }
    public init(kernel: Kernel, seconds: Double) { self.init(kernels: [kernel], seconds: seconds) }
}

/// Fits a profile's calibration block — the achieved fraction of the compute peak and of the
/// memory bandwidth per kernel class, and the fixed cost per kernel — to measurements.
///
/// Calibrated time is `max(C/f_c, M/f_m) + λ·min(C/f_c, M/f_m) + L` per kernel, where C and M
/// are the datasheet compute and memory times (quantization included), λ the share of the
/// shorter one that overlap does not hide, and L the fixed cost. In eager mode no op takes less
/// than the framework's per-op floor D either (PyTorch's dispatch: 2–3 µs on a CPU, 12–16 µs on
/// an H100), and D is fitted too. The fit minimises the mean absolute log
/// ratio of predicted to measured time (a relative error that weighs a 2× over- and
/// under-prediction alike and is robust to a few outliers) by grid search: a coarse geometric
/// grid, then a finer one around the best point. Fractions of a datasheet profile are at most 1:
/// no kernel beats the datasheet. A measured profile's ceilings are what Ridgeline's own probe
/// kernels reached, which a library may beat (non-temporal stores skip the read-for-ownership a
/// probe's stores pay), so its fractions may reach 1.5. Classes are independent given L, so L is
/// searched outside and the per-class fractions inside. Classes without samples get the fractions
/// fitted on all samples together, so no ceiling is left at its unreachable datasheet value.
///
/// The stages, in order: the datasheet terms of every sample (`Search.init`); the fixed cost and
/// the overlap leak (`fitLaunchAndLeak`); on measured CPU profiles the device memory factor
/// (`fitDeviceMemoryFactor`); in eager mode the dispatch floor (`fitEagerFloor`); then the
/// classes' fractions at what was found, and those of the classes without samples (`calibration`);
/// on GPUs the matrix classes' compute fraction per dtype (`dtypeFractions`).
public enum CalibrationFit {
    public static func fit(
        samples: [CalibrationSample], profile: HardwareProfile, source: String,
        mode: ExecutionMode = .kernel
    ) -> Calibration {
        var search = Search(samples: samples, profile: profile)
        var shared = search.fitLaunchAndLeak()
        var deviceFactor: Double?
        if profile.kind == .cpu && maximumFraction(profile) == measuredCeiling {
            deviceFactor = search.fitDeviceMemoryFactor(&shared)
        }
        let floor = mode == .eager ? search.fitEagerFloor(&shared) : nil
        return search.calibration(shared, deviceMemoryFactor: deviceFactor, dispatchLatency: floor, source: source)
    }

    /// One kernel's seconds at datasheet ceilings, by the part each fitted fraction scales: the
    /// arithmetic (compute fraction), special functions (none: a hardware rate), the memory
    /// traffic and a GPU matrix product's output store (memory fraction) at the slowest cache
    /// level and at the device memory.
    struct Term {
        var c, special, cache, device, epilogueCache, epilogueDevice: Double
        /// A floor under the scaled arithmetic that no fraction moves (`Roofline.accumulationChainSeconds`).
        var chain = 0.0
        /// Waits added to the arithmetic that no fraction moves (`Roofline.cpuStridedReadSeconds`).
        var strided = 0.0
        /// The overlap leak the kernel's structure fixes (`Roofline.fixedOverlapLeak`); nil: the fit's.
        var leak: Double? = nil
    }

    /// The costs all classes share, and the summed loss of the classes' best fractions at them.
    struct SharedCosts {
        var launch: Double
        var leak: Double
        var total: Double
    }

    /// The fit's state: every sample's datasheet terms and measured time, and the shared costs
    /// being searched (`floor`, `deviceFactor`) that every loss evaluation reads.
    struct Search {
        let terms: [[Term]]
        let measured: [Double]
        let byClass: [KernelClass: [Int]]
        let classOfSample: [KernelClass]
        let dtypeOfSample: [DType]
        /// The largest fraction (`maximumFraction`).
        let ceiling: Double
        /// GPUs: memory-bound classes on their memory fraction, conv and attention at the GEMMs'.
        let transferRule: Bool
        /// The GEMM samples whose memory time at datasheet ceilings exceeds their compute time
        /// there (GEMVs): what the CPU GEMMs' memory fraction is fitted on (`gemmFractions`).
        let memoryBoundGEMMs: [Int]
        let datasheetLaunch: Double
        /// The eager floor, applied per kernel (kernel mode has none).
        var floor = 0.0
        var deviceFactor: Double?

        init(samples: [CalibrationSample], profile: HardwareProfile) {
            var datasheet = profile
            datasheet.calibration = nil
            let engine = Roofline(datasheet)
            let device = profile.deviceMemory
            // The slowest cache level's and the device memory's seconds for per-level bytes.
            func split(_ traffic: [(MemoryLevel, Double)]) -> (cache: Double, device: Double) {
                var cache = 0.0, onDevice = 0.0
                for (level, bytes) in traffic {
                    if level.name == device.name {
                        onDevice += bytes / level.bandwidth
                    } else {
                        cache = max(cache, bytes / level.bandwidth)
                    }
                }
                return (cache, onDevice)
            }
            terms = samples.map { sample in
                sample.kernels.map { k in
                    let special = engine.specialFunctionSeconds(k)
                    let memory = split(engine.memoryTraffic(k))
                    let epilogue = split(engine.epilogueTraffic(k).map { ($0.level, $0.bytes) })
                    return Term(
                        c: engine.computeTime(k).0 - special, special: special, cache: memory.cache, device: memory.device,
                        epilogueCache: epilogue.cache, epilogueDevice: epilogue.device,
                        chain: engine.accumulationChainSeconds(k), strided: engine.cpuStridedReadSeconds(k),
                        leak: engine.fixedOverlapLeak(k))
                }
            }
            measured = samples.map(\.seconds)
            classOfSample = samples.map { $0.kernels[0].kernelClass }
            dtypeOfSample = samples.map { $0.kernels[0].computeShareDType }
            byClass = Dictionary(grouping: samples.indices) { samples[$0].kernels[0].kernelClass }
            ceiling = maximumFraction(profile)
            transferRule = profile.kind == .gpu
            let sampleTerms = terms
            memoryBoundGEMMs = (byClass[.gemm] ?? []).filter { i in
                let memory = sampleTerms[i].reduce(0) { $0 + max($1.cache, $1.device) }
                let compute = sampleTerms[i].reduce(0) {
                    $0 + max($1.c, $1.chain) + $1.special + $1.strided + max($1.epilogueCache, $1.epilogueDevice)
                }
                return memory > compute
            }
            datasheetLaunch = profile.launchLatency
        }

        func loss(_ indices: [Int], _ fc: Double, _ fm: Double, _ launch: Double, _ leak: Double) -> Double {
            var total = 0.0
            let fd = Calibration.deviceMemoryFraction(fm, factor: deviceFactor)
            for i in indices {
                var t = 0.0
                for term in terms[i] {
                    let m = max(term.cache / fm, term.device / fd)
                    let unscaled = term.special + term.strided
                    let c = max(term.c / fc, term.chain) + unscaled + max(term.epilogueCache / fm, term.epilogueDevice / fd)
                    t += max(floor, Roofline.combine(compute: c, memory: m, leak: term.leak ?? leak) + launch)
                }
                total += abs(log(t / measured[i]))
            }
            return total
        }

        /// The coarse fraction grids, then the fine ones around their best point.
        /// `fixedCompute`/`fixedMemory`: a fraction the transfer rule does not let the data choose.
        func bestFractions(
            _ indices: [Int], launch: Double, leak: Double, fixedCompute: Double? = nil,
            fixedMemory: Double? = nil
        ) -> (fc: Double, fm: Double, loss: Double) {
            var best = (fc: 1.0, fm: 1.0, loss: Double.infinity)
            let computeGrid = CalibrationFit.computeFractionGrid(ceiling)
            // Descending, replacing only on strict improvement: a fraction the data cannot
            // constrain (the compute fraction of a copy) stays at 1, the datasheet value.
            func coarse(_ fixed: Double?, _ grid: GeometricGrid) -> [Double] {
                fixed.map { [$0] } ?? grid.points.reversed()
            }
            for fc in coarse(fixedCompute, computeGrid) {
                for fm in coarse(fixedMemory, CalibrationFit.memoryFractionGrid(ceiling)) {
                    let l = loss(indices, fc, fm, launch, leak)
                    if l < best.loss { best = (fc, fm, l) }
                }
            }
            // Both fine grids span one step of the coarse compute grid either side.
            func fine(_ fixed: Double?, _ center: Double, _ low: Double) -> [Double] {
                fixed.map { [$0] } ?? computeGrid.around(center, CalibrationFit.fineFractionPoints, within: low...ceiling).reversed()
            }
            for fc in fine(fixedCompute, best.fc, computeGrid.low) {
                for fm in fine(fixedMemory, best.fm, CalibrationFit.minimumMemoryFraction) {
                    let l = loss(indices, fc, fm, launch, leak)
                    if l < best.loss { best = (fc, fm, l) }
                }
            }
            return best
        }

        /// Every class's fractions at one fixed cost and leak, and their summed loss. Under the
        /// transfer rule (GPUs) a memory-bound class is fitted on its memory fraction alone, its
        /// compute side left at the hardware's vector and special-function rates; convolution and
        /// attention are fitted on their compute fraction, streaming their tiles at the GEMMs'
        /// memory fraction (the same tile loads). The GEMMs have both regimes in the data (GEMVs
        /// are bandwidth-bound): on GPUs both fractions are fitted on all of them, on CPUs each on
        /// the GEMMs it binds (`gemmFractions`). The H100 reference has GEMVs in either half, and
        /// both ways find the same memory fraction there (0.773); fitted apart, its compute
        /// fraction moved the shared fixed cost and the held-out median from 4.5% to 5.0%.
        func fitClasses(launch: Double, leak: Double) -> (total: Double, fractions: [KernelClass: (fc: Double, fm: Double)]) {
            var fractions: [KernelClass: (fc: Double, fm: Double)] = [:]
            var total = 0.0
            func record(_ cls: KernelClass, _ f: (fc: Double, fm: Double, loss: Double)) {
                fractions[cls] = (f.fc, f.fm)
                total += f.loss
            }
            for (cls, indices) in byClass where !CalibrationFit.matrixClasses.contains(cls) {
                record(cls, bestFractions(indices, launch: launch, leak: leak, fixedCompute: transferRule ? 1 : nil))
            }
            let gemm = byClass[.gemm].map {
                transferRule
                    ? bestFractions($0, launch: launch, leak: leak)
                    : gemmFractions(
                        $0, launch: launch, leak: leak,
                        streamingMemory: fractions.isEmpty ? nil : percentile(fractions.values.map(\.fm), 0.5))
            }
            if let gemm { record(.gemm, gemm) }
            for (cls, indices) in byClass where CalibrationFit.matrixClasses.contains(cls) && cls != .gemm {
                record(cls, bestFractions(indices, launch: launch, leak: leak, fixedMemory: transferRule ? gemm?.fm : nil))
            }
            return (total, fractions)
        }

        /// The GEMMs' fractions, each fitted on the samples it binds: the memory fraction on the
        /// GEMMs bound by memory at datasheet ceilings (`memoryBoundGEMMs`), then the compute
        /// fraction on all of them at that memory fraction. A compute-bound GEMM's time says
        /// nothing about bandwidth: fitted on both together, skinny products that run slower than
        /// their arithmetic (8 × 8192 × 2048 fp32, 32 × 4096 × 4096 on the Zen 3 guest) drove the
        /// memory fraction to its floor and the held-out 1 × 4096 × 4096 GEMV to 4.4× its time.
        /// Without a memory-bound GEMM, the median memory fraction of the streaming classes fitted
        /// (`streamingMemory`): a GEMM streams its operands as they do; 1 if there are none.
        func gemmFractions(
            _ indices: [Int], launch: Double, leak: Double, streamingMemory: Double?
        ) -> (fc: Double, fm: Double, loss: Double) {
            let fm =
                memoryBoundGEMMs.isEmpty
                ? streamingMemory ?? 1 : bestFractions(memoryBoundGEMMs, launch: launch, leak: leak).fm
            return bestFractions(indices, launch: launch, leak: leak, fixedMemory: fm)
        }

        /// Tries each fixed cost at `leak`, keeping the best. A larger leak than the best so far
        /// must earn its place: it has to cut the mean error by a percentage point, not by the
        /// rounding of the fraction grid.
        func tryLaunch(_ candidates: [Double], leak: Double, _ best: inout SharedCosts) {
            for launch in candidates {
                let total = fitClasses(launch: launch, leak: leak).total
                let required = leak > best.leak ? 0.01 * Double(measured.count) : 0
                if total < best.total - required { best = SharedCosts(launch: launch, leak: leak, total: total) }
            }
        }

        /// The fixed cost and the overlap leak, shared by all classes: searched outside the
        /// classes' fractions, the leak ascending so that a leak the data do not ask for stays 0
        /// (the plain roofline); then the fixed cost again on a finer grid.
        func fitLaunchAndLeak() -> SharedCosts {
            var best = SharedCosts(launch: datasheetLaunch, leak: 0, total: .infinity)
            for leak in CalibrationFit.overlapLeakCandidates {
                tryLaunch(CalibrationFit.launchCandidates, leak: leak, &best)
            }
            if best.launch > 0 {
                tryLaunch(CalibrationFit.launchGrid.around(best.launch, CalibrationFit.fineLaunchPoints), leak: best.leak, &best)
            }
            return best
        }

        /// The device memory factor, on measured (CPU) profiles, at the fixed cost and leak found
        /// without it (1 unless another value fits better); then the fixed cost again under it.
        /// Held out on the oneDNN suite it cut the p90 error in 5 of 6 runs (mean 24% → 22%);
        /// requiring it to cut the fit error by a point, as the leak must, kept it out of 5 of 6.
        mutating func fitDeviceMemoryFactor(_ best: inout SharedCosts) -> Double? {
            var factorTotal = best.total
            var bestFactor: Double?
            func tryFactors(_ candidates: [Double], _ search: inout Search) {
                for candidate in candidates where abs(log(candidate)) > 1e-9 {
                    search.deviceFactor = candidate
                    let total = search.fitClasses(launch: best.launch, leak: best.leak).total
                    if total < factorTotal { factorTotal = total; bestFactor = candidate }
                }
            }
            let grid = CalibrationFit.deviceMemoryFactorGrid
            tryFactors(grid.points, &self)
            if let coarse = bestFactor {
                tryFactors(grid.around(coarse, CalibrationFit.fineDeviceMemoryFactorPoints), &self)
            }
            deviceFactor = bestFactor
            if bestFactor != nil {
                best.total = .infinity
                tryLaunch(CalibrationFit.launchCandidates, leak: best.leak, &best)
            }
            return bestFactor
        }

        /// The eager floor and the fixed cost together (each can explain the smallest ops), at the
        /// leak found without a floor; then both again on a finer grid around the best.
        mutating func fitEagerFloor(_ best: inout SharedCosts) -> Double? {
            var bestFloor: Double?
            best.total = .infinity
            func tryFloors(_ floors: [Double], launches: [Double], _ search: inout Search) {
                for candidate in floors {
                    search.floor = candidate
                    let before = best.total
                    search.tryLaunch(launches, leak: best.leak, &best)
                    if best.total < before { bestFloor = candidate }
                }
            }
            tryFloors(CalibrationFit.floorCandidates, launches: CalibrationFit.launchCandidates, &self)
            if let coarse = bestFloor, coarse > 0 {
                let launchesNear =
                    best.launch > 0
                    ? CalibrationFit.launchGrid.around(best.launch, CalibrationFit.fineLaunchPointsWithFloor) : [0.0]
                tryFloors(CalibrationFit.floorGrid.around(coarse, CalibrationFit.fineFloorPoints), launches: launchesNear, &self)
            }
            floor = bestFloor ?? 0
            return bestFloor
        }

        /// The calibration block: each class's fractions at the shared costs found, and those of
        /// the classes without samples.
        func calibration(_ shared: SharedCosts, deviceMemoryFactor: Double?, dispatchLatency: Double?, source: String) -> Calibration {
            var compute: [KernelClass: Double] = [:]
            var memory: [KernelClass: Double] = [:]
            for (cls, f) in fitClasses(launch: shared.launch, leak: shared.leak).fractions {
                compute[cls] = f.fc
                memory[cls] = f.fm
            }
            let fitted = byClass.keys.sorted().map(\.rawValue).joined(separator: ", ")
            let all = Array(measured.indices)
            if transferRule {
                // Unmeasured classes: a matrix class takes the GEMMs' fractions, a memory-bound one
                // the memory fraction fitted on all memory-bound samples together (compute at 1).
                let streaming = all.filter { !CalibrationFit.matrixClasses.contains(classOfSample[$0]) }
                let stream = streaming.isEmpty ? nil : bestFractions(streaming, launch: shared.launch, leak: shared.leak, fixedCompute: 1)
                let overall = bestFractions(all, launch: shared.launch, leak: shared.leak)
                for cls in KernelClass.allCases where compute[cls] == nil {
                    if CalibrationFit.matrixClasses.contains(cls) {
                        compute[cls] = compute[.gemm] ?? overall.fc
                        memory[cls] = memory[.gemm] ?? overall.fm
                    } else {
                        compute[cls] = 1
                        memory[cls] = stream?.fm ?? overall.fm
                    }
                }
                let byDType = dtypeFractions(shared, memory: memory)
                let minimum = CalibrationFit.minimumDTypeSamples
                let split = byDType.isEmpty ? "" : "; matrix classes per dtype where a dtype has \(minimum)+ samples"
                return Calibration(
                    compute: compute, memory: memory, launchLatency: shared.launch, overlapLeak: shared.leak,
                    dispatchLatency: dispatchLatency,
                    deviceMemoryFactor: deviceMemoryFactor,
                    source:
                        "\(source); \(measured.count) samples; classes fitted: \(fitted); transfer rule: memory-bound classes on their memory fraction (compute at the hardware's rates), conv and attention at the GEMMs' memory fraction; others from the fitted classes\(split)",
                    computeByDType: byDType)
            }
            let overall = bestFractions(all, launch: shared.launch, leak: shared.leak)
            for cls in KernelClass.allCases where compute[cls] == nil {
                compute[cls] = overall.fc
                memory[cls] = overall.fm
            }
            return Calibration(
                compute: compute, memory: memory, launchLatency: shared.launch, overlapLeak: shared.leak, dispatchLatency: dispatchLatency,
                deviceMemoryFactor: deviceMemoryFactor,
                source: "\(source); \(measured.count) samples; classes fitted: \(fitted); others use the all-sample fit")
        }

        /// Each sampled matrix class's compute fraction of each dtype's own peak (`Calibration.computeByDType`),
        /// fitted on that dtype's samples at the class's memory fraction and the shared costs, for
        /// every dtype with `minimumDTypeSamples` samples that is not the class's only dtype (whose
        /// fraction the class's already is). A matrix class without samples takes the GEMMs', as it
        /// takes their class fraction.
        func dtypeFractions(_ shared: SharedCosts, memory: [KernelClass: Double]) -> [KernelClass: [DType: Double]] {
            var result: [KernelClass: [DType: Double]] = [:]
            for cls in CalibrationFit.matrixClasses.sorted() {
                guard let indices = byClass[cls] else {
                    result[cls] = cls == .gemm ? nil : result[.gemm]
                    continue
                }
                let groups = Dictionary(grouping: indices) { dtypeOfSample[$0] }
                guard groups.count > 1 else { continue }
                for (dtype, rows) in groups where rows.count >= CalibrationFit.minimumDTypeSamples {
                    let f = bestFractions(rows, launch: shared.launch, leak: shared.leak, fixedMemory: memory[cls])
                    result[cls, default: [:]][dtype] = f.fc
                }
            }
            return result
        }
    }

    /// Samples of one dtype a matrix class needs to be fitted apart: the compute fraction is one
    /// parameter (memory stays the class's), and a compute-bound GEMM pins it by itself, so two
    /// agreeing rows suffice; the H100 reference has two fp8 GEMMs of at least 100 µs among the
    /// rows fitted on. Fewer, and the dtype takes the class's fraction.
    static let minimumDTypeSamples = 2

    /// Classes that run on the matrix units (tensor cores): bound by compute unless too small.
    /// The rest are the memory-bound classes of the transfer rule.
    static let matrixClasses: Set<KernelClass> = [.gemm, .conv, .attention]

    /// Overlap leaks the fit tries, 0 first.
    static let overlapLeakCandidates = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]

    // MARK: Grids

    /// `count` points from `low` to `high`, equally spaced in log; `step` is the ratio of
    /// neighbours, the half-width of a finer grid `around` a coarse grid's best point.
    struct GeometricGrid {
        var low, high: Double
        var count: Int
        var points: [Double] { geometricGrid(low, high, count) }
        var step: Double { pow(high / low, 1 / Double(count - 1)) }
        /// `count` points from one step below `center` to one step above, clipped to `bounds`.
        func around(_ center: Double, _ count: Int, within bounds: ClosedRange<Double>? = nil) -> [Double] {
            let low = center / step, high = center * step
            guard let bounds else { return geometricGrid(low, high, count) }
            return geometricGrid(max(bounds.lowerBound, low), min(bounds.upperBound, high), count)
        }
    }

    /// Compute fractions, coarse: 0.02 up to the largest fraction, 48 points.
    static func computeFractionGrid(_ ceiling: Double) -> GeometricGrid { GeometricGrid(low: 0.02, high: ceiling, count: 48) }
    /// Memory fractions, coarse: `minimumMemoryFraction` up to the largest fraction, 32 points.
    static func memoryFractionGrid(_ ceiling: Double) -> GeometricGrid {
        GeometricGrid(low: minimumMemoryFraction, high: ceiling, count: 32)
    }
    /// Points of the fine fraction grids, one compute-grid step either side of the coarse best.
    static let fineFractionPoints = 13
    /// Fixed costs per kernel, 0.25–40 µs (and 0, `launchCandidates`).
    static let launchGrid = GeometricGrid(low: 0.25e-6, high: 40e-6, count: 24)
    static let launchCandidates = [0.0] + launchGrid.points
    /// Points of the fine fixed-cost grid, alone and beside the eager floor's fine grid.
    static let fineLaunchPoints = 9
    static let fineLaunchPointsWithFloor = 5
    /// Eager dispatch floors, 0.5–50 µs (and 0, `floorCandidates`), and the fine grid's points.
    static let floorGrid = GeometricGrid(low: 0.5e-6, high: 50e-6, count: 21)
    static let floorCandidates = [0.0] + floorGrid.points
    static let fineFloorPoints = 9
    /// Device memory factors, 0.5–2 (1 itself is skipped: no factor), and the fine grid's points.
    static let deviceMemoryFactorGrid = GeometricGrid(low: 0.5, high: 2, count: 13)
    static let fineDeviceMemoryFactorPoints = 7

    /// The largest fraction a fit may return: `measuredCeiling` for measured ceilings (those of a
    /// measured profile, or of a calibrated one made from it), 1 for every other origin.
    static func maximumFraction(_ profile: HardwareProfile) -> Double {
        profile.ceilingOrigin == .measured ? measuredCeiling : 1
    }

    /// The largest fraction of a measured ceiling a kernel may reach (see the type's comment).
    public static let measuredCeiling = 1.5

    /// A kernel that reaches less than this share of a memory level's bandwidth is not bound by
    /// that bandwidth but by something else (per-element work, latency): streaming kernels reach
    /// 80–95% (STREAM; the reference copies reach 89%). Bounding the memory fraction keeps the fit
    /// from explaining a slow compute-bound kernel with an implausibly slow memory.
    static let minimumMemoryFraction = 0.3

    /// `count` points from `low` to `high`, equally spaced in log.
    static func geometricGrid(_ low: Double, _ high: Double, _ count: Int) -> [Double] {
        let ratio = pow(high / low, 1 / Double(count - 1))
        return (0..<count).map { low * pow(ratio, Double($0)) }
    }
}
