import Foundation

/// The roofline engine: time = max(compute time, memory time at each level) + fixed costs.
///
/// - Compute time divides FLOPs by the achievable peak, with the quantization real hardware has:
///   on GPUs, output tiles run in waves over the SMs (133 tiles on 132 SMs take two waves); on
///   CPUs, SIMD lanes and cores that a shape cannot fill stay idle.
/// - Memory time is charged at every level from the innermost out to the level that holds the
///   working set (a kernel whose data fits L2 is served from L2: the hierarchical roofline of
///   Ilic et al., 2014). GEMM-like kernels re-read tiles: the traffic a level serves is at least
///   2·m·n·k/√S elements for an inner cache of S elements (Hong & Kung 1981; Irony et al. 2004).
/// - Fixed costs: kernel launch in `kernel` mode; in `eager` mode no op finishes faster than the
///   framework's dispatch floor (measured at 12–16 µs for PyTorch on H100: reference `launch`).
///
/// Calibration fractions from the profile scale each ceiling per kernel class when present.
public struct Roofline: Sendable {
    public let profile: HardwareProfile
    /// Tile shapes, blocking and special-function costs of the libraries (`KernelAssumptions`).
    public let assumptions: KernelAssumptions

    public init(_ profile: HardwareProfile, assumptions: KernelAssumptions = KernelAssumptions()) {
        self.profile = profile
        self.assumptions = assumptions
    }

    public func predict(_ kernel: Kernel, mode: ExecutionMode = .kernel) -> Prediction {
        let cls = kernel.kernelClass
        let (arithmeticSeconds, computeDType) = computeTime(kernel)
        let levels = memoryTraffic(kernel)
        var memorySeconds = 0.0
        var memoryLevel = profile.deviceMemory.name
        for (level, bytes) in levels {
            let t = bytes / (level.bandwidth * memoryFraction(cls, level))
            if t > memorySeconds { memorySeconds = t; memoryLevel = level.name }
        }
        // The output tile's store after the main loop keeps the tensor cores idle: it adds to
        // the compute side of the roof (see `epilogueTraffic`), as a no-copy CPU GEMM's strided
        // reads of B do (`cpuStridedReadSeconds`).
        let epilogue = epilogueTraffic(kernel).map { $0.bytes / ($0.level.bandwidth * memoryFraction(cls, $0.level)) }.max() ?? 0
        let computeSeconds = max(arithmeticSeconds, accumulationChainSeconds(kernel)) + epilogue + cpuStridedReadSeconds(kernel)
        let launch = profile.calibration?.launchLatency ?? profile.launchLatency
        let roof = Self.combine(compute: computeSeconds, memory: memorySeconds, leak: overlapLeak(kernel))
        var time = roof + launch
        var overhead = launch
        let floor = profile.calibration?.dispatchLatency ?? profile.dispatchLatency
        if mode == .eager, time < floor {
            overhead = floor - roof
            time = floor
        }
        let bound: Prediction.Bound
        if overhead > roof {
            bound = .latency
        } else if computeSeconds >= memorySeconds {
            bound = .compute(computeDType)
        } else {
            bound = .memory(memoryLevel)
        }
        var byLevel: [String: Double] = [:]
        for (level, bytes) in levels { byLevel[level.name] = bytes }
        var prediction = Prediction(
            kernel: kernel, hardware: profile.id, timeSeconds: time, flops: kernel.flops, bytes: kernel.bytes,
            bytesByLevel: byLevel, computeSeconds: computeSeconds, memorySeconds: memorySeconds,
            overheadSeconds: overhead, bound: bound, calibrated: profile.calibration != nil, computeDType: computeDType)
        if Self.runsOnMatrixUnits(kernel), profile.compute.peak[kernel.dtype] == nil {
            prediction.warnings.append(
                "\(profile.id) has no \(kernel.dtype.rawValue) peak: \(kernel.label) is predicted at its \(computeDType.rawValue) rate, as frameworks fall back"
            )
        }
        return prediction
    }

    /// GEMMs, convolutions and attention: the kernels whose dtype picks a tensor-core (or matrix
    /// SIMD) peak.
    static func runsOnMatrixUnits(_ kernel: Kernel) -> Bool {
        switch kernel {
        case .gemm, .conv2d, .attention: return true
        default: return false
        }
    }

    /// Compute and memory time overlap, but rarely perfectly: a calibration may say what share
    /// (`leak`) of the shorter of the two still shows. 0 is the roofline's max; 1 adds them.
    static func combine(compute: Double, memory: Double, leak: Double) -> Double {
        max(compute, memory) + leak * min(compute, memory)
    }

    /// What share of the shorter of compute and memory time shows (`combine`). CPU softmax and
    /// norms make two or three passes over each row, one row at a time (oneDNN: max, exp-and-sum,
    /// scale in jit_uni_softmax.cpp; mean, variance, normalise in
    /// jit_uni_layer_normalization_kernels.cpp): the first pass pulls the row in, the others
    /// compute on it from L1, and no demand miss runs ahead to the next row meanwhile, so the two
    /// times add. Elsewhere the calibration's leak (0 uncalibrated).
    func overlapLeak(_ kernel: Kernel) -> Double {
        fixedOverlapLeak(kernel) ?? profile.calibration?.overlapLeak ?? 0
    }

    /// The leak a kernel's structure fixes, which no calibration chooses (CPU row passes: 1).
    func fixedOverlapLeak(_ kernel: Kernel) -> Double? {
        if profile.kind == .cpu, case .rowwise = kernel { return 1 }
        return nil
    }

    // MARK: Compute

    private func computeFraction(_ kernel: Kernel) -> Double {
        profile.calibration?.computeFraction(kernel.kernelClass, kernel.computeShareDType) ?? 1
    }

    /// A class's calibrated fraction of `level`'s bandwidth (1 uncalibrated).
    func memoryFraction(_ cls: KernelClass, _ level: MemoryLevel) -> Double {
        profile.calibration?.memoryFraction(cls, deviceMemory: level.name == profile.deviceMemory.name) ?? 1
    }

    /// Seconds of arithmetic and the dtype whose peak bound it.
    func computeTime(_ kernel: Kernel) -> (Double, DType) {
        let fraction = computeFraction(kernel)
        switch kernel {
        case .gemm(let g):
            let (dtype, peak) = profile.matrixPeak(g.dtype)
            // A one-row product runs as gemv, along B's columns: no rows to pad.
            let rows = g.m == 1 ? 1 : cpuNoCopy(kernel) ? assumptions.cpuNoCopyRows : assumptions.cpuMicroKernelRows
            return (
                matrixTime(
                    m: Double(g.m), n: Double(g.n), k: Double(g.k), batch: Double(g.batch),
                    dtype: g.dtype, peak: peak * fraction, cpuBlockRows: rows), dtype
            )
        case .conv2d(let c):
            let (dtype, peak) = profile.matrixPeak(c.dtype)
            if c.isDepthwise(lanes: simdLanes(c.dtype)) {
                // Too few channels per group to fill a GEMM micro-kernel or a tensor-core MMA:
                // libraries run depthwise convolutions as direct loops on the vector units.
                let vector: DType = c.dtype == .fp64 ? .fp64 : .fp32
                return (c.flops / (profile.vectorPeak(c.dtype) * fraction), vector)
            }
            var (m, n, k) = c.implicitGEMM
            if profile.kind == .gpu {
                // Implicit GEMM gathers the activations one filter tap at a time, each tap's
                // channels in chunks of the tile's K depth (32 elements of 16-bit data on tensor
                // cores, as in CUTLASS's implicit-GEMM iterators): a 3-channel input layer pads
                // each tap to a full chunk. The taps' channels are the reduction of fwd (C/g) and
                // bwd_data (K/g) and the output columns (C/g·R·S) of bwd_weights.
                let chunk = Double(assumptions.convolutionChunkBytes) / c.dtype.bytes
                let channels = Double(max(1, c.pass == .bwdData ? c.k / c.groups : c.c / c.groups))
                let padding = (channels / chunk).rounded(.up) * chunk / channels
                if c.pass == .bwdWeights { n *= padding } else { k *= padding }
            }
            return (matrixTime(m: m, n: n, k: k, batch: 1, dtype: c.dtype, peak: peak * fraction), dtype)
        case .attention(let a):
            let (dtype, peak) = profile.matrixPeak(a.dtype)
            let vector = profile.vectorPeak(.fp32)
            // GPUs evaluate the exponentials on their special-function units at the hardware rate;
            // CPUs in vector code at the calibrated vector rate.
            let special = profile.kind == .gpu ? gpuSpecialFunctionRate : vector * fraction / cpuSpecialFunctionCost(.exp)
            return (attentionTime(a, matrixPeak: peak * fraction, vectorPeak: vector * fraction, specialFunctionRate: special), dtype)
        default:
            let dtype: DType = kernel.dtype == .fp64 ? .fp64 : .fp32
            guard profile.kind == .gpu else {
                // A CPU sum's adds are its accumulation chain (`accumulationChainSeconds`).
                if case .reduction = kernel { return (0, dtype) }
                let work = kernel.flops + cpuSpecialFunctionFlops(kernel)
                return (work / (profile.vectorPeak(kernel.dtype) * fraction), dtype)
            }
            return (kernel.flops / (profile.vectorPeak(kernel.dtype) * fraction) + specialFunctionSeconds(kernel), dtype)
        }
    }

    /// Seconds a GPU's special-function units spend on the kernel's exponentials (and tanh, erf,
    /// log): a hardware rate, `gpuSpecialFunctionRate`, that no calibration scales —
    /// the SFUs' throughput is fixed by the SM, whatever share of the FMA peak a library reaches.
    /// 0 on CPUs, where the polynomial runs on the vector units and counts as their FLOPs.
    func specialFunctionSeconds(_ kernel: Kernel) -> Double {
        guard profile.kind == .gpu else { return 0 }
        let rate = gpuSpecialFunctionRate
        if case .attention(let a) = kernel {
            return attentionTime(a, matrixPeak: .infinity, vectorPeak: .infinity, specialFunctionRate: rate)
        }
        return kernel.cost.transcendentals / rate
    }

    /// FLOPs of a CPU kernel's special functions: each evaluation at its function's cost
    /// (`cpuSpecialFunctionCost`); kernels that do not split theirs by function at
    /// `KernelAssumptions.cpuTranscendentalCost` each.
    func cpuSpecialFunctionFlops(_ kernel: Kernel) -> Double {
        let functions = kernel.cost.specialFunctions
        guard !functions.isEmpty else { return kernel.cost.transcendentals * assumptions.cpuTranscendentalCost }
        return functions.reduce(0) { $0 + $1.value * cpuSpecialFunctionCost($1.key) }
    }

    /// FLOPs one evaluation of `function` costs a CPU: measured on a host (the profile's
    /// `special_function_flops`), else its default evaluations × `KernelAssumptions.cpuTranscendentalCost`.
    func cpuSpecialFunctionCost(_ function: SpecialFunction) -> Double {
        profile.compute.specialFunctionFlops[function] ?? function.defaultEvaluations * assumptions.cpuTranscendentalCost
    }

    /// A CPU reduction's adds: with `cpuReductionAccumulators` registers, each add of `lanes`
    /// elements waits the add latency for the one before, however fast the pipes are (a 3-cycle
    /// add and 8 lanes: 2.7 elements a cycle, under half of what two add pipes could do); with
    /// enough registers, the pipes' rate. Outputs are shared out over the cores, so a sum into
    /// fewer outputs than cores leaves cores idle. A latency and a peak of the hardware, not a
    /// library's efficiency: no calibration scales it. 0 on GPUs and for kernels that are not sums.
    func accumulationChainSeconds(_ kernel: Kernel) -> Double {
        guard profile.kind == .cpu, case .reduction(let r) = kernel else { return 0 }
        let latency = profile.compute.vectorAddLatencyCycles ?? assumptions.cpuVectorAddLatencyCycles
        let lanes = simdLanes(r.dtype)
        let adds = Double(r.elements) / (lanes * Double(assumptions.cpuReductionAccumulators))
        let cores = Double(max(1, min(profile.compute.units, r.outputs)))
        let chain = adds * latency / profile.compute.clockHz / cores
        let pipes = r.flops / (profile.vectorPeak(r.dtype) / Double(profile.compute.units) * cores)
        return max(chain, pipes)
    }

    /// Exponentials (tanh, erf, log) a GPU's special-function units return per second: the FP32
    /// vector peak × special-function results / FP32 FLOPs an SM issues per clock, 16 / (2 ×
    /// `gpuFP32LanesPerUnit`), both at the clock the vector peak is quoted at — i.e. SMs × FP32
    /// clock × 16 (`KernelAssumptions.gpuSpecialFunctionResultsPerClock`, CUDA C Programming
    /// Guide). An exponential costs 16 FP32 FLOPs' worth on Hopper, Ada and GA10x (128 lanes) and
    /// 8 on A100 and V100 (64 lanes).
    var gpuSpecialFunctionRate: Double {
        profile.vectorPeak(.fp32) / (2 * gpuFP32LanesPerUnit / assumptions.gpuSpecialFunctionResultsPerClock)
    }

    /// FP32 FMA lanes of one SM (CU): the vector peak over 2 × units × clock, to the nearest power
    /// of two. Datapaths are a power of two wide (64 on V100/A100, 128 on GA10x, Ada, Hopper,
    /// Blackwell, CDNA 3 with packed FP32), but a profile's clock is the one its matrix peaks are
    /// quoted at, which may not be the FP32 boost clock: H100 SXM lists 1830 MHz (tensor) against
    /// an FP32 peak at 1980 MHz, a quotient of 139.
    var gpuFP32LanesPerUnit: Double {
        let quotient = profile.vectorPeak(.fp32) / (2 * Double(profile.compute.units) * profile.compute.clockHz)
        return pow(2, log2(quotient).rounded())
    }

    /// SIMD lanes of `dtype` on a CPU; on a GPU the channel granularity of a tensor-core MMA.
    func simdLanes(_ dtype: DType) -> Double {
        guard profile.kind == .cpu else { return Double(assumptions.gpuChannelGranularity) }
        return Double((profile.compute.simdBits ?? assumptions.defaultSIMDBits) / 8) / dtype.bytes
    }

    /// Attention: the two (fwd) or five (bwd) matrix products at the matrix peak, plus one
    /// exponential per computed score (`gpuSpecialFunctionRate` on a GPU). FlashAttention-2/3 do not hide the exponentials behind
    /// the GEMMs, so the two add. Causal masks skip blocks above the diagonal but compute the
    /// diagonal blocks whole (`Attention.executedDensity`) for blocks of
    /// `KernelAssumptions.attentionBlockRows` rows. Flash on a GPU runs one such query tile per
    /// SM at a time, so tiles quantize into waves over the SMs.
    func attentionTime(_ a: Attention, matrixPeak: Double, vectorPeak: Double, specialFunctionRate: Double) -> Double {
        let blocks = (Double(a.seq) / Double(assumptions.attentionBlockRows)).rounded(.up)
        let density = a.executedDensity(blocks: blocks)
        let scores = Double(a.batch) * Double(a.heads) * Double(a.seq) * Double(a.seqKV) * density
        let matmulFlops = 4 * scores * Double(a.headDim) * (a.pass == .fwd ? 1 : Attention.backwardFlopsFactor)
        var time = matmulFlops / matrixPeak + scores / specialFunctionRate
        if a.impl == .unfused {
            // Unfused: a separate softmax pass over the score matrix (RowWise's FLOPs a score).
            time += scores * RowWise.softmaxForwardFlopsPerElement / vectorPeak
        } else if profile.kind == .gpu {
            let tiles = Double(a.batch * a.heads) * blocks
            let units = Double(profile.compute.units)
            time /= tiles / ((tiles / units).rounded(.up) * units)
        }
        // The backward kernels reach a lower fraction of peak than the forward: recomputation of
        // P, atomic or split accumulation of dQ, more shared-memory traffic (Dao 2023 reports
        // 73% vs 63% of peak on A100; the even-indexed fwd+bwd rows of the H100 reference show
        // backward at about 0.6 of the forward kernel's rate per FLOP).
        return a.pass == .fwd ? time : time / assumptions.attentionBackwardEfficiency
    }

    /// Time of a (batched) matrix product at `peak` FLOP/s with the device's quantization; on a
    /// CPU rows are paid for in blocks of `cpuBlockRows` (default `KernelAssumptions.cpuMicroKernelRows`).
    func matrixTime(m: Double, n: Double, k: Double, batch: Double, dtype: DType, peak: Double, cpuBlockRows: Int? = nil) -> Double {
        let units = Double(profile.compute.units)
        switch profile.kind {
        case .gpu:
            let tiles = profile.compute.gemmTiles.isEmpty ? [assumptions.defaultGEMMTile] : profile.compute.gemmTiles
            let perUnit = peak / units
            return tiles.map { tile in
                gpuTiledTime(m: m, n: n, k: k, batch: batch, tile: tile, units: units, perUnitRate: perUnit)
            }.min()!
        case .cpu:
            // SIMD lanes run along n; a remainder still costs a whole vector. Cores split the rows
            // in micro-kernel blocks and the batch: the busiest core's share is the critical path.
            let lanes = simdLanes(dtype)
            let blockRows = Double(cpuBlockRows ?? assumptions.cpuMicroKernelRows)
            let paddedN = (n / lanes).rounded(.up) * lanes
            let rowBlocks = (m / blockRows).rounded(.up) * batch
            let blocksPerCore = (rowBlocks / units).rounded(.up)
            return 2 * blocksPerCore * blockRows * paddedN * k / (peak / units)
        }
    }

    /// Output tiles of `tile` in waves over the SMs. A grid smaller than the GPU may split k
    /// (cuBLAS split-K) into s slices of whole k-tiles (`KernelAssumptions.gemmKTileDepth`) so that more SMs have work; the
    /// library picks the best s. Allowing every s up to units/tiles, whatever k, keeps the time
    /// monotonic in every dimension.
    func gpuTiledTime(m: Double, n: Double, k: Double, batch: Double, tile: GEMMTile, units: Double, perUnitRate: Double) -> Double {
        let tiles = (m / Double(tile.m)).rounded(.up) * (n / Double(tile.n)).rounded(.up) * batch
        let kDepth = Double(assumptions.gemmKTileDepth)
        let kTiles = (k / kDepth).rounded(.up)
        let maxSplit = max(1, (units / tiles).rounded(.down))
        var best = Double.infinity
        var split = 1.0
        while split <= maxSplit {
            let waves = (tiles * split / units).rounded(.up)
            let depth = min(k, (kTiles / split).rounded(.up) * kDepth)
            best = min(best, waves * 2 * Double(tile.m) * Double(tile.n) * depth / perUnitRate)
            split *= 2
        }
        return best
    }

    // MARK: Memory

    /// Each memory level with the share of a working set's traffic that comes from it or from
    /// beyond, innermost first: all of it reaches the innermost level, and a share comes from
    /// further out as far as the working set misses the caches on the way (`hitFraction`).
    /// Levels no traffic reaches are left out.
    func levelShares(workingSet: Double) -> [(level: MemoryLevel, share: Double)] {
        let levels = profile.memory
        var result: [(level: MemoryLevel, share: Double)] = []
        var reaching = 1.0
        for (index, level) in levels.enumerated() {
            guard reaching > 0 else { break }
            result.append((level, reaching))
            if index < levels.count - 1 { reaching *= 1 - hitFraction(workingSet: workingSet, level: level) }
        }
        return result
    }

    /// Bytes each memory level serves, innermost first (`levelShares`). A GEMM-like kernel
    /// moves at least its re-read traffic; on a CPU the device memory charges stores what they
    /// cost there (`deviceMemoryBytes`).
    func memoryTraffic(_ kernel: Kernel) -> [(MemoryLevel, Double)] {
        let workingSet = kernel.bytes
        return levelShares(workingSet: workingSet).enumerated().map { index, entry in
            var bytes = workingSet
            if index > 0, let product = matrixProduct(kernel) {
                // Traffic into the inner cache from this level, blocked to the inner cache's size.
                let inner = profile.memory[index - 1]
                let elements = inner.capacityBytes / product.elementBytes
                let reread = 2 * product.m * product.n * product.k * product.batch / elements.squareRoot() * product.elementBytes
                bytes = max(workingSet, reread + cpuPackingBytes(kernel))
            }
            if index == profile.memory.count - 1 {
                bytes = deviceMemoryBytes(kernel, bytes: bytes, storeCost: entry.level.storeCost)
            }
            return (entry.level, bytes * entry.share)
        }
    }

    /// The output a GPU matrix product (GEMM, implicit-GEMM convolution) stores after its main
    /// loop, per memory level beyond the SM (the level the working set lives in, as for its other
    /// traffic). A cuBLAS/cuDNN tile runs its k-loop, then writes its m×n tile of C; with one
    /// large tile per SM nothing else runs on the tensor cores meanwhile, so the store adds to
    /// the compute time rather than hiding under it. On the H100 reference it is what separates
    /// shallow products from deep ones at the same FLOPs: 8192×50304×768 bf16 runs at 538 TFLOP/s
    /// against 700–750 for k ≥ 4096, and C (824 MB) takes 250 µs of its 1.18 ms at HBM speed.
    /// Being bandwidth, it transfers: a GPU with more bandwidth stores C faster. CPUs write C from
    /// registers between micro-kernel calls, under the next block's loads: none there.
    func epilogueTraffic(_ kernel: Kernel) -> [(level: MemoryLevel, bytes: Double)] {
        guard profile.kind == .gpu, let product = matrixProduct(kernel) else { return [] }
        let output = product.m * product.n * product.batch * product.elementBytes
        return levelShares(workingSet: kernel.bytes).dropFirst().map { ($0.level, output * $0.share) }
    }

    /// The share of a working set a cache keeps between launches: all of it up to a quarter of the
    /// capacity, none of it at the capacity, linearly in between (`KernelAssumptions.cacheFalloffFraction`). An LRU cache streaming a set
    /// near its size thrashes, and the other data of the program — on a shared or virtual machine,
    /// other tenants too — hold part of it (seen on the development VM: a 16 MiB stream on a
    /// 32 MiB L3 runs near DRAM speed). On GPUs per-SM L1 is not kept across kernels.
    func hitFraction(workingSet: Double, level: MemoryLevel) -> Double {
        if profile.kind == .gpu && level.sharedByUnits == 1 { return 0 }
        let capacity = level.totalCapacity(units: profile.compute.units)
        return min(1, max(0, (capacity - workingSet) / (assumptions.cacheFalloffFraction * capacity)))
    }

    /// CPU BLAS libraries pack B into a contiguous panel on every call (Goto & van de Geijn 2008):
    /// one more read and write of B, which matters when m is small and B is large. A product with
    /// one row is a matrix-vector product, which BLAS runs as gemv: each element of B is used once,
    /// so nothing is packed and B streams once (oneDNN's 1 × 4096 × 4096 fp32 ran at the one-thread
    /// DRAM read rate, 6 ms on the Zen 3 guest, where packing would have tripled B's traffic).
    /// oneDNN's AVX2 no-copy kernel packs nothing either (`cpuNoCopy`).
    func cpuPackingBytes(_ kernel: Kernel) -> Double {
        guard profile.kind == .cpu, case .gemm(let g) = kernel, g.m > 1, !cpuNoCopy(kernel) else { return 0 }
        return 2 * Double(g.batch) * Double(g.k) * Double(g.n) * g.dtype.bytes
    }

    /// Whether a CPU GEMM runs oneDNN's AVX2 no-copy kernel: fp32 on a 256-bit CPU, neither side
    /// 1 (that is a gemv), and 1/m + 1/n at least `KernelAssumptions.cpuNoCopyThreshold` (oneDNN
    /// v2.6 `nocopy_checker_avx2`). Such a product reads A and B in place, unpacked.
    func cpuNoCopy(_ kernel: Kernel) -> Bool {
        guard profile.kind == .cpu, case .gemm(let g) = kernel, g.dtype == .fp32, g.m > 1, g.n > 1 else { return false }
        guard (profile.compute.simdBits ?? assumptions.defaultSIMDBits) == 256 else { return false }
        return 1 / Double(g.m) + 1 / Double(g.n) >= assumptions.cpuNoCopyThreshold
    }

    /// Seconds a no-copy GEMM (`cpuNoCopy`) waits for its re-reads of B. With B not transposed,
    /// oneDNN's kernel walks B in 16-column strips, one cache line per row of K at B's row
    /// stride, in each six-row call of a block of C's rows (`cpuNoCopyRowBlocks`): the calls after
    /// a block's first re-read a strip (`cpuNoCopyStripLines` lines) from the first level that
    /// holds that many lines at that stride (`MemoryLevel.linesHeld`). A power-of-two stride
    /// crowds them into a few sets: 256 × 1024 × 1024 (4 KiB rows: 128 fit in a 512 KiB 8-way L2)
    /// re-reads from L3, 256³ (1 KiB rows: 512 fit) from L2, and a 5,344 B stride spreads over
    /// every set. L1 hits cost nothing; of the others, the lines the stride prefetcher keeps
    /// ahead in L1 cost nothing either (`cpuStridePrefetchMissedShare`), and the rest come at
    /// `cpuStridedReadShare` of the holding level's bandwidth while the micro-kernel waits,
    /// unscaled by calibration. A transposed B is read along its rows, and a block of one call
    /// (m <= 6) re-reads nothing: no wait.
    func cpuStridedReadSeconds(_ kernel: Kernel) -> Double {
        guard cpuNoCopy(kernel), case .gemm(let g) = kernel, !g.transB else { return 0 }
        let calls = cpuNoCopyRowBlocks(g.m).map { ($0 + assumptions.cpuNoCopyRows - 1) / assumptions.cpuNoCopyRows }
        let rereads = Double(calls.reduce(0) { $0 + $1 - 1 })
        guard rereads > 0 else { return 0 }
        let line = assumptions.cpuCacheLineBytes
        let stride = Int((Double(g.n) * g.dtype.bytes).rounded())
        let strip = Double(cpuNoCopyStripLines(g.k))
        let index = profile.memory.firstIndex { $0.linesHeld(strideBytes: stride, lineBytes: line) >= strip } ?? profile.memory.count - 1
        // L1 hits wait for nothing; of the other lines, those the stride prefetcher keeps in L1 neither.
        let missed = cpuStridePrefetchMissedShare(strideBytes: stride)
        guard index > 0, missed > 0 else { return 0 }
        let source = profile.memory[index]
        let bytes = Double(g.batch) * rereads * Double(g.k) * Double(g.n) * g.dtype.bytes
        return missed * bytes / (source.bandwidth * assumptions.cpuStridedReadShare)
    }

    /// The share of a strided read's lines the L1 stride prefetcher cannot keep ahead of the
    /// kernel: what L1 holds at that stride (`MemoryLevel.linesHeld`) against the run-ahead it
    /// needs (`KernelAssumptions.cpuStridePrefetchLines`). On a 64-set 8-way L1, rows a multiple of
    /// 4 KiB apart leave one set (8 lines: three quarters missed), 2 KiB two sets (half), and 1 KiB or
    /// any stride that is not a multiple of 2 KiB four sets or more (none).
    func cpuStridePrefetchMissedShare(strideBytes: Int) -> Double {
        guard let l1 = profile.memory.first else { return 1 }
        let room = l1.linesHeld(strideBytes: strideBytes, lineBytes: assumptions.cpuCacheLineBytes)
        return max(0, 1 - room / Double(assumptions.cpuStridePrefetchLines))
    }

    /// Rows of C in each block of oneDNN v2.6's `sgemm_nocopy_driver` (BN = 48,
    /// `KernelAssumptions.cpuNoCopyBlockRows`): blocks of 48 while 96 or more rows are left,
    /// then the rest as one block, halved if over 72.
    func cpuNoCopyRowBlocks(_ m: Int) -> [Int] {
        let bn = assumptions.cpuNoCopyBlockRows
        var blocks: [Int] = []
        var left = m
        while left > 0 {
            let size = left >= 2 * bn ? bn : left > bn + bn / 2 ? (left + 1) / 2 : left
            blocks.append(size)
            left -= size
        }
        return blocks
    }

    /// Rows of K in one strip of B (its first K block): BK = 256 in `sgemm_nocopy_driver`
    /// (`KernelAssumptions.cpuNoCopyDepth`), a remainder under twice that split in halves.
    func cpuNoCopyStripLines(_ k: Int) -> Int {
        let bk = assumptions.cpuNoCopyDepth
        return k >= 2 * bk ? bk : k > bk ? (k + 1) / 2 : k
    }

    private func matrixProduct(_ kernel: Kernel) -> (m: Double, n: Double, k: Double, batch: Double, elementBytes: Double)? {
        switch kernel {
        case .gemm(let g): return (Double(g.m), Double(g.n), Double(g.k), Double(g.batch), g.dtype.bytes)
        case .conv2d(let c):
            let v = c.implicitGEMM
            return (v.m, v.n, v.k, 1, c.dtype.bytes)
        default: return nil
        }
    }
}
