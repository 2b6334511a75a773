import Foundation
import Testing

@testable import Ridgeline

/// Properties the roofline engine must keep on every shipped device, and the quantization effects
/// it models.
@Suite struct RooflineTests {
    static let kernels: [Kernel] = [
        .gemm(GEMM(m: 4096, n: 4096, k: 4096, dtype: .bf16)),
        .gemm(GEMM(m: 7, n: 1000, k: 333, batch: 3, dtype: .fp32)),
        .gemm(GEMM(m: 1, n: 28672, k: 8192, dtype: .bf16)),
        .conv2d(Conv2D(n: 32, c: 64, h: 56, w: 56, k: 64, r: 3, s: 3, pad: 1, dtype: .bf16)),
        .conv2d(Conv2D(n: 8, c: 3, h: 224, w: 224, k: 64, r: 7, s: 7, stride: 2, pad: 3, pass: .bwdWeights, dtype: .fp32)),
        .elementwise(Elementwise(name: "gelu", elements: 1 << 24, dtype: .bf16)),
        .copy(Copy(elements: 1 << 20, dtype: .fp32)),
        .reduction(Reduction(elements: 1 << 22, dtype: .fp32)),
        .rowwise(RowWise(.layernorm, rows: 4096, cols: 1024, pass: .bwd, dtype: .bf16)),
        .attention(Attention(batch: 2, heads: 16, kvHeads: 4, seq: 2048, headDim: 128, causal: true, dtype: .bf16)),
        .attention(Attention(batch: 1, heads: 8, seq: 512, headDim: 64, impl: .unfused, pass: .bwd, dtype: .fp16)),
        .embedding(Embedding(tokens: 8192, dModel: 4096, vocab: 50257, pass: .bwd, dtype: .bf16)),
        .optimizer(OptimizerUpdate(.adamw, params: 100_000_000)),
    ]

    @Test(arguments: shippedProfileIds())
    func timeIsPositiveAndFinite(id: String) throws {
        let engine = Roofline(try loadShippedProfile(id))
        for kernel in Self.kernels {
            for mode in ExecutionMode.allCases {
                let p = engine.predict(kernel, mode: mode)
                #expect(p.timeSeconds.isFinite && p.timeSeconds > 0, "\(kernel.label) on \(id)")
                #expect(p.timeSeconds >= max(p.computeSeconds, p.memorySeconds))
            }
        }
    }

    @Test(arguments: shippedProfileIds())
    func moreBandwidthIsNeverSlower(id: String) throws {
        let profile = try loadShippedProfile(id)
        var faster = profile
        faster.memory = faster.memory.map {
            var level = $0; level.bandwidth *= 2; return level
        }
        for kernel in Self.kernels {
            #expect(
                Roofline(faster).predict(kernel).timeSeconds <= Roofline(profile).predict(kernel).timeSeconds * (1 + 1e-12),
                "\(kernel.label) on \(id)")
        }
    }

    @Test(arguments: shippedProfileIds())
    func moreWorkIsNeverFaster(id: String) throws {
        let engine = Roofline(try loadShippedProfile(id))
        // Grow each dimension of a GEMM one step at a time across tile and wave boundaries.
        for base in [(m: 127, n: 255, k: 63), (m: 1000, n: 1000, k: 1000), (m: 8, n: 4096, k: 511)] {
            var previous = 0.0
            for step in 0..<70 {
                let g = GEMM(m: base.m + step * 3, n: base.n + step * 5, k: base.k + step * 7, dtype: .bf16)
                let t = engine.predict(.gemm(g)).timeSeconds
                #expect(t >= previous * (1 - 1e-12), "\(g.label) on \(id) got faster than the smaller shape")
                previous = t
            }
        }
        for dimension in 0..<3 {
            var previous = 0.0
            for size in stride(from: 1, to: 5000, by: 37) {
                let dims = [dimension == 0 ? size : 512, dimension == 1 ? size : 512, dimension == 2 ? size : 512]
                let t = engine.predict(.gemm(GEMM(m: dims[0], n: dims[1], k: dims[2], dtype: .fp32))).timeSeconds
                #expect(t >= previous * (1 - 1e-12), "gemm \(dims) on \(id)")
                previous = t
            }
        }
        var previous = 0.0
        for elements in stride(from: 1 << 10, to: 1 << 30, by: (1 << 30) / 64) {
            let t = engine.predict(.elementwise(Elementwise(name: "add", elements: elements, inputs: 2, dtype: .fp32))).timeSeconds
            #expect(t >= previous * (1 - 1e-12))
            previous = t
        }
    }

    @Test func gemmWithOneTileMoreThanSMsTakesASecondWave() throws {
        var profile = try loadShippedProfile("h100-sxm5-80gb")
        profile.compute.gemmTiles = [GEMMTile(m: 128, n: 128)]
        let units = profile.compute.units
        let engine = Roofline(profile)
        let oneWave = engine.computeTime(.gemm(GEMM(m: 128 * units, n: 128, k: 8192, dtype: .bf16))).0
        let twoWaves = engine.computeTime(.gemm(GEMM(m: 128 * (units + 1), n: 128, k: 8192, dtype: .bf16))).0
        #expect(abs(twoWaves / oneWave - 2) < 1e-9)
    }

    @Test func aThreeChannelLayerPadsEachTapInEveryPassThatGathersIt() throws {
        var profile = try loadShippedProfile("h100-sxm5-80gb")
        profile.compute.gemmTiles = [GEMMTile(m: 128, n: 128)]
        let engine = Roofline(profile)
        // A tap's channels pad to a 32-element chunk of 16-bit data: 3 channels cost as 32, in
        // the forward's reduction and in the weight gradient's output columns alike.
        func time(_ c: Int, _ pass: ConvPass) -> Double {
            engine.computeTime(.conv2d(Conv2D(n: 64, c: c, h: 224, w: 224, k: 64, r: 7, s: 7, stride: 2, pad: 3, pass: pass, dtype: .bf16)))
                .0
        }
        #expect(abs(time(3, .fwd) / time(32, .fwd) - 1) < 1e-9)
        #expect(abs(time(3, .bwdWeights) / time(32, .bwdWeights) - 1) < 1e-9)
        // 64 channels fill two chunks exactly: no padding.
        #expect(time(64, .bwdWeights) > time(32, .bwdWeights) * 1.5)
    }

    @Test func cpuSIMDRemainderCostsAWholeVector() throws {
        let profile = try loadShippedProfile("epyc-9654")
        let engine = Roofline(profile)
        let lanes = (profile.compute.simdBits ?? 256) / 32
        let full = engine.computeTime(.gemm(GEMM(m: 4096, n: 64 * lanes, k: 1024, dtype: .fp32))).0
        let oneMore = engine.computeTime(.gemm(GEMM(m: 4096, n: 64 * lanes + 1, k: 1024, dtype: .fp32))).0
        #expect(abs(oneMore / full - Double(65) / 64) < 1e-9)
    }

    @Test func workingSetThatFitsL2IsServedFromL2() throws {
        var profile = try loadShippedProfile("h100-sxm5-80gb")
        profile.calibration = nil
        let engine = Roofline(profile)
        let l2 = try #require(profile.memory.first { $0.name == "l2" })
        // A copy of e fp32 elements moves 8e bytes: a quarter of L2 stays whole in it, the whole
        // of L2 not at all, and half of it two thirds of the way.
        let small = engine.predict(.copy(Copy(elements: Int(l2.capacityBytes / 32), dtype: .fp32)))
        let large = engine.predict(.copy(Copy(elements: Int(l2.capacityBytes / 8), dtype: .fp32)))
        #expect(small.bytesByLevel["hbm"] == nil && small.bytesByLevel["l2"] == small.bytes)
        #expect(large.bound == .memory("hbm"))
        #expect(abs(small.memorySeconds - small.bytes / l2.bandwidth) < 1e-15)
        #expect(abs(engine.hitFraction(workingSet: l2.capacityBytes / 2, level: l2) - 2.0 / 3) < 1e-12)
        let half = engine.predict(.copy(Copy(elements: Int(l2.capacityBytes / 16), dtype: .fp32)))
        #expect(abs(half.bytesByLevel["hbm"]! - half.bytes / 3) < 1)
        #expect(half.memorySeconds >= small.memorySeconds * 2 * (1 - 1e-9) && half.memorySeconds < large.memorySeconds / 2)
    }

    @Test func tiledGEMMRereadsWhenOperandsExceedTheCache() throws {
        let profile = try loadShippedProfile("h100-sxm5-80gb")
        let big = GEMM(m: 32768, n: 32768, k: 32768, dtype: .bf16)
        let p = Roofline(profile).predict(.gemm(big))
        #expect(try #require(p.bytesByLevel["hbm"]) > big.bytes)
    }

    @Test func eagerModeFloorsSmallOpsAtTheDispatchLatency() throws {
        let profile = try loadShippedProfile("h100-sxm5-80gb")
        let tiny = Kernel.copy(Copy(elements: 16, dtype: .fp32))
        let p = Roofline(profile).predict(tiny, mode: .eager)
        #expect(p.timeSeconds == profile.dispatchLatency)
        #expect(p.bound == .latency)
        #expect(Roofline(profile).predict(tiny, mode: .kernel).timeSeconds < profile.dispatchLatency)
    }

    @Test func calibrationScalesTheCeilings() throws {
        var profile = try loadShippedProfile("h100-sxm5-80gb")
        profile.calibration = nil
        let gemm = Kernel.gemm(GEMM(m: 8192, n: 8192, k: 8192, dtype: .bf16))
        let datasheet = Roofline(profile).predict(gemm)
        profile.calibration = Calibration(compute: [.gemm: 0.5], memory: [:], launchLatency: 0, source: "test")
        let calibrated = Roofline(profile).predict(gemm)
        #expect(calibrated.calibrated && !datasheet.calibrated)
        // The arithmetic halves in speed; the output store (memory fraction unchanged) does not.
        #expect(abs(Roofline(profile).computeTime(gemm).0 / Roofline(datasheetProfile(profile)).computeTime(gemm).0 - 2) < 1e-9)
        #expect(calibrated.computeSeconds > datasheet.computeSeconds)
    }

    func datasheetProfile(_ profile: HardwareProfile) -> HardwareProfile {
        var p = profile
        p.calibration = nil
        return p
    }
}

/// What stores, special functions and a one-core call cost a CPU (`Roofline.deviceMemoryBytes`,
/// `SpecialFunction`, `singleUnitLaunchLatency`).
@Suite struct CPUCostTests {
    /// A datasheet CPU's DRAM figure is the channels' peak, which fills and write-backs share with
    /// loads (`store_cost: 2`): a copy from DRAM moves 3 bytes per element byte there, an in-place
    /// update what it reads and writes, a GPU its 2.
    @Test func storesFromDRAMCostTheirFillAndWriteBack() throws {
        let copy = Kernel.copy(Copy(elements: 1 << 28, dtype: .fp32))  // 2 GiB: DRAM everywhere
        for id in ["epyc-9654", "xeon-8480", "h100-sxm5-80gb"] {
            var profile = try loadShippedProfile(id)
            profile.calibration = nil
            let engine = Roofline(profile)
            let dram = try #require(engine.memoryTraffic(copy).last)
            let share = try #require(engine.levelShares(workingSet: copy.bytes).last).share
            #expect(profile.deviceMemory.storeCost == (profile.kind == .cpu ? 2 : nil), "\(id)")
            let expected = (profile.kind == .cpu ? 1.5 : 1) * copy.bytes * share
            #expect(abs(dram.1 - expected) <= 1e-9 * expected, "\(id)")
        }
        let epyc = Roofline(try loadShippedProfile("epyc-9654"))
        let adamw = Kernel.optimizer(OptimizerUpdate(.adamw, params: 1 << 28))
        #expect(
            epyc.deviceMemoryBytes(adamw, bytes: adamw.bytes, storeCost: 2) == adamw.bytes, "an in-place update's lines are read already")
        // Where a write-back costs 0.17 of a read (a lone core), the update's 3 written tensors of 7 cost that much.
        let lone = epyc.deviceMemoryBytes(adamw, bytes: adamw.bytes, storeCost: 1.17)
        #expect(abs(lone - adamw.bytes * (4 + 3 * 0.17) / 7) <= 1e-6 * lone)
        #expect(epyc.deviceMemoryBytes(copy, bytes: copy.bytes, storeCost: nil) == copy.bytes, "no store cost: STREAM's count")
    }

    /// A measured tanh cost prices gelu (tanh form) and tanh, and no other function; without one
    /// each evaluation costs the assumption's two exponentials.
    @Test func aMeasuredSpecialFunctionCostPricesItsKernels() throws {
        var profile = try loadShippedProfile("epyc-9654")
        profile.calibration = nil
        let n = 1 << 16  // in L2: compute-bound
        let gelu = Kernel.elementwise(Elementwise(name: "gelu", elements: n, dtype: .fp32))
        let exp = Kernel.elementwise(Elementwise(name: "exp", elements: n, dtype: .fp32))
        let peak = profile.vectorPeak(.fp32)
        let before = Roofline(profile)
        #expect(abs(before.computeTime(gelu).0 - Double(n) * (7 + 2 * 20) / peak) <= 1e-12)
        profile.compute.specialFunctionFlops[.tanh] = 400
        let after = Roofline(profile)
        #expect(abs(after.computeTime(gelu).0 - Double(n) * (7 + 400) / peak) <= 1e-12)
        #expect(after.computeTime(exp).0 == before.computeTime(exp).0)
        let softmax = Kernel.rowwise(RowWise(.softmax, rows: 64, cols: 1024, dtype: .fp32))
        profile.compute.specialFunctionFlops[.exp] = 30
        #expect(abs(Roofline(profile).computeTime(softmax).0 - 65536 * (5 + 30) / peak) <= 1e-12)
        #expect(SpecialFunction.of(elementwise: "gelu_erf") == .erf && SpecialFunction.of(elementwise: "silu") == .sigmoid)
        #expect(SpecialFunction.of(elementwise: "relu") == nil)
    }

    /// One core alone reaches its own measured peak (a lone core's clock), never more than the
    /// whole device; without a measurement it gets its share of the device's.
    @Test func oneCoreRunsAtItsOwnPeak() throws {
        var profile = try loadShippedProfile("epyc-9654")
        let all = try #require(profile.compute.peak[.fp32])
        func close(_ a: Double?, _ b: Double) -> Bool { a.map { abs($0 - b) <= 1e-9 * b } ?? false }
        #expect(close(profile.restricted(toUnits: 1).compute.peak[.fp32], all / 96))
        profile.compute.singleUnitPeak[.fp32] = all / 96 * 1.1
        #expect(close(profile.restricted(toUnits: 1).compute.peak[.fp32], all / 96 * 1.1))
        #expect(profile.restricted(toUnits: 95).compute.peak[.fp32] == all, "the device's peak bounds any number of cores")
        #expect(close(profile.restricted(toUnits: 1).compute.peak[.bf16], profile.compute.peak[.bf16]! / 96))
    }

    /// A one-row product is a matrix-vector product: B streams once, unpacked.
    @Test func aMatrixVectorProductPacksNothing() throws {
        var profile = try loadShippedProfile("epyc-9654")
        profile.calibration = nil
        let engine = Roofline(profile)
        #expect(engine.cpuPackingBytes(.gemm(GEMM(m: 1, n: 4096, k: 4096, dtype: .fp32))) == 0)
        #expect(engine.cpuPackingBytes(.gemm(GEMM(m: 2, n: 4096, k: 4096, dtype: .fp32))) == 2 * 4096 * 4096 * 4)
    }

    /// A one-row product runs as gemv along B's columns: it pays for one row, not a micro-kernel's
    /// block of eight.
    @Test func aMatrixVectorProductPaysForOneRow() throws {
        var profile = try loadShippedProfile("epyc-9654").restricted(toUnits: 1)
        profile.calibration = nil
        let engine = Roofline(profile)
        let one = engine.computeTime(.gemm(GEMM(m: 1, n: 4096, k: 4096, dtype: .fp32))).0
        let eight = engine.computeTime(.gemm(GEMM(m: 8, n: 4096, k: 4096, dtype: .fp32))).0
        #expect(abs(one * 8 / eight - 1) < 1e-12)
    }

    /// oneDNN's AVX2 sgemm runs products with a side under ~263 (or both under 526) without
    /// packing (`nocopy_checker_avx2`): nothing packed, rows paid for in sixes; a gemv, fp64, and
    /// AVX-512 CPUs (another rule) are left to the packed model.
    @Test func avx2NoCopyGEMMsPackNothingAndPayRowsInSixes() throws {
        var profile = try loadShippedProfile("epyc-9654").restricted(toUnits: 1)
        profile.calibration = nil
        profile.compute.simdBits = 256
        let engine = Roofline(profile)
        func gemm(_ m: Int, _ n: Int, _ k: Int, _ dtype: DType = .fp32) -> Kernel { .gemm(GEMM(m: m, n: n, k: k, dtype: dtype)) }
        #expect(engine.cpuNoCopy(gemm(512, 512, 512)) && engine.cpuNoCopy(gemm(32, 4096, 4096)))
        #expect(!engine.cpuNoCopy(gemm(1000, 1000, 1000)) && !engine.cpuNoCopy(gemm(1024, 1024, 1024)))
        #expect(!engine.cpuNoCopy(gemm(1, 4096, 4096)) && !engine.cpuNoCopy(gemm(32, 4096, 4096, .fp64)))
        #expect(engine.cpuPackingBytes(gemm(32, 4096, 4096)) == 0)
        #expect(engine.cpuPackingBytes(gemm(1000, 1000, 1000)) == 2 * 1000 * 1000 * 4)
        // 8 rows cost two six-row calls: 12 rows' worth, as 12 rows do.
        let eight = engine.computeTime(gemm(8, 4096, 4096)).0
        #expect(abs(eight / engine.computeTime(gemm(12, 4096, 4096)).0 - 1) < 1e-12)
        var avx512 = profile
        avx512.compute.simdBits = 512
        #expect(!Roofline(avx512).cpuNoCopy(gemm(512, 512, 512)))
        #expect(Roofline(avx512).cpuPackingBytes(gemm(32, 4096, 4096)) == 2 * 4096 * 4096 * 4)
    }

    /// Zen 3's caches (AMD Family 19h Software Optimization Guide): L1d 32 KiB and L2 512 KiB,
    /// 8-way; L3 32 MiB, 16-way; 64 B lines.
    static let zen3L1 = MemoryLevel(name: "l1", capacityBytes: 32 * 1024, sharedByUnits: 1, bandwidth: 205e9, associativity: 8)
    static let zen3L2 = MemoryLevel(name: "l2", capacityBytes: 512 * 1024, sharedByUnits: 1, bandwidth: 103e9, associativity: 8)
    static let zen3L3 = MemoryLevel(name: "l3", capacityBytes: 32 * 1024 * 1024, sharedByUnits: 2, bandwidth: 80e9, associativity: 16)

    /// Lines at a power-of-two stride crowd into sets / gcd(sets, stride in lines) sets; any
    /// other stride spreads over every set.
    @Test func setConflictsLimitTheLinesAStrideKeeps() {
        let (l1, l2) = (Self.zen3L1, Self.zen3L2)
        #expect(l1.linesHeld(strideBytes: 1024, lineBytes: 64) == 32)  // 4 of 64 sets
        #expect(l2.linesHeld(strideBytes: 1024, lineBytes: 64) == 512)  // 256³: 64 sets × 8 ≥ 256 lines
        #expect(l2.linesHeld(strideBytes: 2048, lineBytes: 64) == 256)  // 512³: 32 sets × 8
        #expect(l2.linesHeld(strideBytes: 8192, lineBytes: 64) == 64)  // 128 × 2048 × 512: 8 sets × 8
        #expect(l2.linesHeld(strideBytes: 5344, lineBytes: 64) == 8192)  // 32 × 1336 × 1752: not a line multiple
        #expect(l2.linesHeld(strideBytes: 7744, lineBytes: 64) == 8192)  // 121 lines, odd: every set
        #expect(Self.zen3L3.linesHeld(strideBytes: 16384, lineBytes: 64) == 2048)
        var unknown = l2
        unknown.associativity = nil
        #expect(unknown.linesHeld(strideBytes: 8192, lineBytes: 64) == 8192)
    }

    /// A no-copy GEMM's six-row calls after the first in each block re-read B's strip; they wait
    /// when the strip's stride leaves it no room in L1, for the share of lines the stride
    /// prefetcher cannot keep ahead there, at `cpuStridedReadShare` of the bandwidth of the level
    /// that holds the strip. A transposed B, a block of one call (m <= 6), or a stride that is no
    /// line multiple: no wait.
    @Test func noCopyGEMMsWaitForReReadsOfBThatMissL2() throws {
        var profile = try loadShippedProfile("epyc-9654").restricted(toUnits: 1)
        profile.calibration = nil
        profile.compute.simdBits = 256
        profile.memory = [Self.zen3L1, Self.zen3L2, Self.zen3L3, profile.deviceMemory]
        let engine = Roofline(profile)
        let a = engine.assumptions
        func wait(_ m: Int, _ n: Int, _ k: Int, transB: Bool = false) -> Double {
            engine.cpuStridedReadSeconds(.gemm(GEMM(m: m, n: n, k: k, transB: transB, dtype: .fp32)))
        }
        #expect(engine.cpuNoCopyRowBlocks(512) == Array(repeating: 48, count: 9) + [40, 40])
        #expect(engine.cpuNoCopyRowBlocks(80) == [40, 40] && engine.cpuNoCopyRowBlocks(100) == [48, 52])
        #expect(engine.cpuNoCopyStripLines(100) == 100 && engine.cpuNoCopyStripLines(384) == 192)
        #expect(engine.cpuNoCopyStripLines(4096) == 256)
        // 512³: 86 six-row calls in 11 blocks, 75 re-reads of B (1 MiB); its 256-line strips at
        // 2 KiB just fit L2, and L1 holds 16 lines at that stride: no room for the prefetcher's.
        // L1 keeps 16 of the 32 lines the prefetcher needs at 2 KiB: half the lines are waited for.
        #expect(engine.cpuStridePrefetchMissedShare(strideBytes: 2048) == 0.5)
        #expect(engine.cpuStridePrefetchMissedShare(strideBytes: 8192) == 0.75)
        #expect(engine.cpuStridePrefetchMissedShare(strideBytes: 1024) == 0)
        let expected = 0.5 * 75.0 * 512 * 512 * 4 / (Self.zen3L2.bandwidth * a.cpuStridedReadShare)
        #expect(abs(wait(512, 512, 512) / expected - 1) < 1e-9)
        let k = Kernel.gemm(GEMM(m: 512, n: 512, k: 512, dtype: .fp32))
        #expect(abs(engine.predict(k).computeSeconds - (engine.computeTime(k).0 + expected)) < 1e-12 * expected)
        // 8 KiB and 4 KiB rows: L2 holds 64 and 128 lines of a 256-line strip, L3 all of it.
        let l3 = 0.75 * 256 * 2048 * 4 / (Self.zen3L3.bandwidth * a.cpuStridedReadShare)
        #expect(abs(wait(128, 2048, 256) / (Double(7 + 6 + 6) * l3) - 1) < 1e-9)  // blocks 48, 40, 40
        #expect(wait(256, 1024, 1024) > 0 && wait(512, 512, 64) > 0)
        #expect(wait(256, 256, 256) == 0)  // 1 KiB rows: L2 holds the 256-line strip
        // Rows 2.5, 3 and 5 KiB apart: L2 holds the strip and L1 has four to eight sets (32+
        // lines) for the prefetcher's lines, so they wait for nothing (examples/gemm-l2-strips.jsonl).
        #expect(Self.zen3L1.linesHeld(strideBytes: 5120, lineBytes: 64) == 32)
        #expect(wait(230, 640, 696) == 0 && wait(82, 768, 1144) == 0 && wait(150, 1280, 1376) == 0)
        #expect(wait(32, 1336, 1752) == 0 && wait(56, 984, 568) == 0)  // no line multiple
        #expect(wait(32, 1936, 288) == 0)  // 121 lines apart: every set
        #expect(wait(4, 2048, 2048) == 0 && wait(6, 4096, 4096) == 0)  // one call: nothing re-read
        #expect(wait(32, 4096, 4096, transB: true) == 0)
        #expect(wait(1000, 1000, 1000) == 0)  // packed
    }

    /// A kernel run on one core pays the engine's one-thread call, where the profile has one.
    @Test func oneCoreRunsPayTheOneThreadCall() throws {
        var profile = try loadShippedProfile("epyc-9654")
        #expect(profile.restricted(toUnits: 1).launchLatency == profile.launchLatency)
        profile.singleUnitLaunchLatency = 0.7e-6
        #expect(profile.restricted(toUnits: 1).launchLatency == 0.7e-6)
        #expect(profile.restricted(toUnits: 2).launchLatency == profile.launchLatency)
    }

    /// A CPU sum kept in one register runs at one vector per add latency, whatever the pipes'
    /// throughput: 2^24 fp32 elements on 8 lanes at 3 cycles take 2^21 × 3 cycles on one core;
    /// a longer latency is slower, more outputs than cores share the work out, one output cannot.
    @Test func aCPUSumIsAChainOfDependentAdds() throws {
        var profile = try loadShippedProfile("epyc-9654").restricted(toUnits: 4)
        profile.calibration = nil
        profile.compute.vectorAddLatencyCycles = 3
        let lanes = Double(profile.compute.simdBits ?? 256) / 32
        let one = Kernel.reduction(Reduction(elements: 1 << 24, dtype: .fp32))
        let chain = Double(1 << 24) / lanes * 3 / profile.compute.clockHz
        #expect(abs(Roofline(profile).accumulationChainSeconds(one) - chain) <= 1e-12 * chain)
        #expect(Roofline(profile).predict(one).computeSeconds >= chain)
        let rows = Kernel.reduction(Reduction(elements: 1 << 24, outputs: 4096, dtype: .fp32))
        #expect(abs(Roofline(profile).accumulationChainSeconds(rows) - chain / 4) <= 1e-12 * chain)
        var slower = profile
        slower.compute.vectorAddLatencyCycles = 4
        #expect(Roofline(slower).accumulationChainSeconds(one) > Roofline(profile).accumulationChainSeconds(one))
        profile.compute.vectorAddLatencyCycles = nil
        #expect(
            abs(Roofline(profile).accumulationChainSeconds(one) - chain * 4 / 3) <= 1e-12 * chain, "unmeasured: the assumption's 4 cycles")
        let gpu = try loadShippedProfile("h100-sxm5-80gb")
        #expect(Roofline(gpu).accumulationChainSeconds(one) == 0)
    }

    /// CPU softmax and norms make several passes over each row, one row at a time: their memory
    /// and compute times add; an elementwise op's overlap (the roofline's max).
    @Test func cpuRowPassesAddComputeAndMemory() throws {
        var profile = try loadShippedProfile("epyc-9654").restricted(toUnits: 1)
        profile.calibration = nil
        let engine = Roofline(profile)
        let softmax = engine.predict(.rowwise(RowWise(.softmax, rows: 4096, cols: 4096, dtype: .fp32)))
        #expect(
            abs(softmax.timeSeconds - (softmax.computeSeconds + softmax.memorySeconds + softmax.overheadSeconds)) <= 1e-9
                * softmax.timeSeconds)
        let relu = engine.predict(.elementwise(Elementwise(name: "relu", elements: 1 << 24, dtype: .fp32)))
        #expect(abs(relu.timeSeconds - (max(relu.computeSeconds, relu.memorySeconds) + relu.overheadSeconds)) <= 1e-9 * relu.timeSeconds)
        let h100 = Roofline(try loadShippedProfile("h100-sxm5-80gb"))
        let gpu = h100.predict(.rowwise(RowWise(.softmax, rows: 4096, cols: 4096, dtype: .fp32)))
        #expect(gpu.timeSeconds < gpu.computeSeconds + gpu.memorySeconds + gpu.overheadSeconds)
    }

    /// A GPU's special-function rate is the CUDA C Programming Guide's (arithmetic instruction
    /// throughput): 16 results per clock per SM on compute capability 7.0 to 9.0, whatever the FP32
    /// rate beside it (64 lanes on 8.0, 128 on 9.0). An A100 evaluates 108 × 1410 MHz × 16
    /// exponentials a second, its FP32 peak / 8; an H100 SXM 132 × 1980 MHz (its FP32 boost; the
    /// profile's clock is the 1830 MHz tensor clock) × 16, its FP32 peak / 16.
    @Test func specialFunctionRateFollowsTheCUDATable() throws {
        let a100 = Roofline(try loadShippedProfile("a100-sxm4-80gb"))
        let h100 = Roofline(try loadShippedProfile("h100-sxm5-80gb"))
        #expect(abs(a100.gpuSpecialFunctionRate / (108 * 1410e6 * 16) - 1) < 0.01)
        #expect(abs(h100.gpuSpecialFunctionRate / (132 * 1980e6 * 16) - 1) < 0.01)
        #expect(a100.gpuSpecialFunctionRate == a100.profile.vectorPeak(.fp32) / 8)
        #expect(h100.gpuSpecialFunctionRate == h100.profile.vectorPeak(.fp32) / 16)
        let elements = Double(1 << 30)
        let exp = Kernel.elementwise(Elementwise(name: "exp", elements: 1 << 30, dtype: .fp32))
        #expect(abs(a100.specialFunctionSeconds(exp) * 108 * 1410e6 * 16 / elements - 1) < 0.01)
        #expect(abs(h100.specialFunctionSeconds(exp) * 132 * 1980e6 * 16 / elements - 1) < 0.01)
        // Flash attention pays one exponential per score at the same rate.
        let attention = Kernel.attention(Attention(batch: 8, heads: 16, seq: 4096, headDim: 64, dtype: .bf16))
        let scores = 8.0 * 16 * 4096 * 4096
        #expect(abs(a100.specialFunctionSeconds(attention) / (scores / (108 * 1410e6 * 16)) - 1) < 0.01)
    }

    /// Every shipped GPU profile carries what the special-function rate needs (units, clock, FP32
    /// vector peak), and its derived FP32 lanes per SM are its architecture's: 64 on Volta and
    /// GA100 (compute capability 7.0, 8.0), 128 on Ada (8.9), Hopper (9.0), Blackwell and on CDNA 3
    /// with packed FP32.
    @Test func everyShippedGPUHasItsArchitecturesFP32Lanes() throws {
        let lanes: [String: Double] = [
            "v100-sxm2-32gb": 64, "a100-pcie-80gb": 64, "a100-sxm4-40gb": 64, "a100-sxm4-80gb": 64,
            "l4": 128, "l40s": 128, "h100-pcie-80gb": 128, "h100-sxm5-80gb": 128, "h200-sxm-141gb": 128,
            "gh200-96gb": 128, "gh200-144gb": 128, "b200": 128, "gb200": 128, "mi300x": 128,
        ]
        let gpus = try shippedProfileIds().filter { try loadShippedProfile($0).kind == .gpu }
        #expect(Set(gpus) == Set(lanes.keys))
        for id in gpus {
            let profile = try loadShippedProfile(id)
            #expect(profile.compute.vectorPeak[.fp32] != nil, "\(id) states no FP32 vector peak")
            #expect(Roofline(profile).gpuFP32LanesPerUnit == lanes[id], "\(id)")
        }
    }
}
