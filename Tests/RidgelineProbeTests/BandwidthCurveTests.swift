import Foundation
import Ridgeline
import RidgelineKernels
import Testing

@testable import RidgelineProbe

/// The adaptive sweep's decisions (where a plateau ends, when DRAM is established, where a cache
/// really ends) on synthetic curves whose shape is known, and on one measured curve.
@Suite struct BandwidthCurveTests {
    static let mib = 1 << 20

    /// Points at every power of two from 8 KiB to `to`, rates from `rate`, in GB/s.
    static func curve(to: Int, _ rate: (Int) -> Double) -> BandwidthCurve {
        BandwidthCurve(sequence(first: 8 << 10) { $0 * 2 }.prefix { $0 <= to }.map { .init(bytes: $0, rate: rate($0) * 1e9) })
    }

    /// A 2-vCPU Intel guest as issue 14 saw it, one thread: hwloc says a 260 MiB L3, the L3 plateau
    /// (60 GB/s) ends at 64 MiB, DRAM (15 GB/s) beyond, 25 GB/s on the way down.
    static func intelGuest(_ bytes: Int) -> Double {
        bytes <= 32 << 10 ? 200 : bytes <= 1 * mib ? 100 : bytes <= 64 * mib ? 60 : bytes <= 128 * mib ? 25 : 15
    }

    @Test func dramIsEstablishedBeyondTheCacheTheCoresReallyGet() {
        let from = 4 * Self.mib  // twice the 2 MiB L2 share: where the L3 window starts
        // The sweep walks up and stops at the first size where DRAM is established: two points at
        // least 4 x the plateau's end (64 MiB), not 4 x hwloc's 260 MiB.
        var stop: Int?
        for size in sequence(first: 8 << 10, next: { $0 * 2 }).prefix(while: { $0 <= 1040 * Self.mib }) {
            let seen = Self.curve(to: size, Self.intelGuest)
            if seen.dramEstablished(cacheFrom: from) { stop = size; break }
        }
        #expect(stop == 512 * Self.mib)
        let whole = Self.curve(to: 512 * Self.mib, Self.intelGuest)
        #expect(whole.plateauEnd(from: from)?.end == 64 * Self.mib)
        #expect(whole.dramPoints(cacheFrom: from).map(\.bytes) == [256 * Self.mib, 512 * Self.mib])
    }

    @Test func aPlateauThatGoesOnIsNotLeft() {
        let flat = Self.curve(to: 256 * Self.mib) { _ in 60 }
        #expect(flat.plateauEnd(from: 0) == nil)
        #expect(!flat.dramEstablished(cacheFrom: 0))
        // One slowed point on the plateau fakes an end, but the plateau's later points are not DRAM.
        let outlier = Self.curve(to: 256 * Self.mib) { $0 == 8 * Self.mib ? 40 : 60 }
        #expect(outlier.plateauEnd(from: 0)?.end == 4 * Self.mib)
        #expect(!outlier.dramEstablished(cacheFrom: 0))
    }

    /// The all-thread read curve this Zen 4 guest measured (GB/s, per-thread working sets): the
    /// shared victim L3 sinks slowly from 4 to 16 MiB per thread, so 16 MiB (81 GB/s) is not DRAM.
    @Test func aSlowlySinkingCacheIsNotDRAM() {
        let measured: [(Int, Double)] = [(2, 167.5), (3, 187.6), (4, 161.9), (8, 135.8), (16, 81.4), (32, 51.3), (64, 52.9), (96, 54.4)]
        let curve = BandwidthCurve(measured.map { .init(bytes: $0.0 * Self.mib, rate: $0.1 * 1e9) })
        #expect(curve.dramPoints(cacheFrom: 2 * Self.mib).map(\.bytes) == [32, 64, 96].map { $0 * Self.mib })
        let upTo32 = BandwidthCurve(Array(curve.points.prefix(6)))
        #expect(!upTo32.dramEstablished(cacheFrom: 2 * Self.mib), "one DRAM point is not a plateau")
    }

    @Test func crossingIsWhereTheCurvePassesMidway() throws {
        let curve = Self.curve(to: 512 * Self.mib, Self.intelGuest)
        // Midway between 60 and 15 is 30 GB/s: between 64 MiB (60) and 128 MiB (25).
        let x = try #require(curve.crossing(from: 4 * Self.mib, upper: 60e9, lower: 15e9))
        #expect(x > 64 * Double(Self.mib) && x < 128 * Double(Self.mib))
        #expect(curve.crossing(from: 4 * Self.mib, upper: 60e9, lower: 50e9) == nil, "levels less than `drop` apart are not distinct")
        // A point at 16 MiB slowed to 20 GB/s by another process, the plateau going on after it.
        let slowed = Self.curve(to: 512 * Self.mib) { $0 == 16 * Self.mib ? 20 : Self.intelGuest($0) }
        let y = try #require(slowed.crossing(from: 4 * Self.mib, upper: 60e9, lower: 15e9))
        #expect(y > 64 * Double(Self.mib) && y < 128 * Double(Self.mib), "\(y / Double(Self.mib)) MiB")
        // The first points of a curve slowed (a pass so short that the call sets its rate, or a
        // disturbed sample): the plateau has not started, so it has not ended there either.
        let slowStart = Self.curve(to: 512 * Self.mib) { $0 <= 16 << 10 ? 40 : Self.intelGuest($0) }
        let z = try #require(slowStart.crossing(from: 0, upper: 200e9, lower: 100e9))
        #expect(z > 32 * 1024 && z < 64 * 1024, "\(z / 1024) KiB")
    }

    /// `modelCapacity` inverts the roofline's cache model: a profile with that capacity predicts
    /// a stream of the crossing's size at the midway rate.
    @Test func modelCapacityMakesTheRooflineBendWhereTheSweepDid() throws {
        let (upper, lower, crossing) = (60e9, 15e9, 110.0 * Double(Self.mib))
        let capacity = BandwidthCurve.modelCapacity(crossing: crossing, upper: upper, lower: lower)
        let profile = HardwareProfile(
            id: "t", name: "t", kind: .cpu, vendor: "t", architecture: "t",
            compute: Compute(
                units: 1, unitName: "core", clockHz: 1e9, peak: [.fp32: 1e12], flopsPerClockPerUnit: [:], simdBits: 512, threadsPerUnit: 1),
            memory: [
                MemoryLevel(name: "l3", capacityBytes: capacity, sharedByUnits: 1, bandwidth: upper),
                MemoryLevel(name: "dram", capacityBytes: 1e12, sharedByUnits: 1, bandwidth: lower),
            ],
            launchLatency: 0, dispatchLatency: 0, scaleUp: nil, scaleOut: nil, powerWatts: 1, pricePerHourUSD: nil,
            calibration: nil, fingerprint: nil, origin: .datasheet, sources: [])
        // A copy reads and writes each fp32 element: 8 bytes per element.
        let kernel = Kernel.copy(Copy(elements: Int(crossing / 8), dtype: .fp32))
        let p = Roofline(profile).predict(kernel)
        let rate = kernel.bytes / p.timeSeconds
        #expect(abs(rate / (upper * lower).squareRoot() - 1) < 0.01, "\(rate)")
    }
}

/// A second CPU family: an Intel AVX-512 guest whose hwloc L3 is its host's 260 MiB, as issue 14
/// found it. The profile's L3 is what the sweep shows the cores get, hwloc's size kept beside it.
@Suite struct VirtualL3Tests {
    static let mib = 1 << 20
    let topology = HostTopology(
        packages: 1, cores: 2, threads: 2,
        caches: [
            CacheLevel(level: 1, kind: .data, sizeBytes: 48 << 10, lineBytes: 64, sharedByCores: 1, instances: 2),
            CacheLevel(level: 2, kind: .unified, sizeBytes: 2 << 20, lineBytes: 64, sharedByCores: 1, instances: 2),
            CacheLevel(level: 3, kind: .unified, sizeBytes: 260 << 20, lineBytes: 64, sharedByCores: 2, instances: 1),
        ],
        numaNodes: [NUMANode(index: 0, memoryBytes: 16e9, cores: 2)],
        cpu: CPUIdentity(
            vendor: "GenuineIntel", model: "Intel Xeon (test)", family: 6, modelNumber: 207, architecture: "x86_64", hypervisor: "KVM",
            reportedMHz: 2100, maxMHz: nil),
        simd: SIMDCapabilities(
            features: ["avx2", "fma", "avx512f", "avx512_bf16"], registerBits: 512, datapathBits: 512, fmaUnits: 2, basis: ""))

    /// GB/s per thread-count: L1 300, L2 150, L3 60 up to 64 MiB per thread (one thread) or 32
    /// MiB (two), DRAM 15 per thread beyond, 25 on the way down.
    func rate(_ bytes: Int, threads: Int) -> Double {
        let l3End = 64 * Self.mib / threads
        let perThread = bytes <= 32 << 10 ? 300.0 : bytes <= 1 * Self.mib ? 150 : bytes <= l3End ? 60 : bytes <= 2 * l3End ? 25 : 15
        return perThread * Double(threads) * 1e9
    }

    @Test func theProfileUsesTheL3TheCoresGet() throws {
        var sweep: [BandwidthPoint] = []
        for threads in [1, 2] {
            for size in sequence(first: 8 << 10, next: { $0 * 2 }).prefix(while: { $0 <= 512 * Self.mib / threads }) {
                let r = RateSummary(rates: [rate(size, threads: threads)])
                sweep.append(
                    BandwidthPoint(
                        kernel: "read", threads: threads, workingSetPerThread: size, bytesPerSecond: r, perThreadSum: r,
                        undisturbedSamples: 1))
            }
        }
        let levels = BandwidthPlateaus(topology: topology, settings: .standard).levels(sweep: sweep, threads: 2)
        #expect(levels.map(\.level) == ["l1", "l2", "l3", "dram"])
        #expect(levels.map(\.allThreads) == [600e9, 300e9, 120e9, 30e9])
        // DRAM from the curve: 4 x the 32 MiB per thread the two-thread L3 plateau kept.
        #expect(levels[3].window.lowerBound == 128 * Self.mib)
        let l3 = try #require(levels[2].effectiveCapacity)
        #expect(l3.nominalBytes == 260 << 20)
        // Midway (60 GB/s per thread) at 55 MiB per thread, 111 MiB for the two threads sharing
        // the instance; the model's ramp reaches no hits at 177 MiB.
        #expect(l3.bytes > 150 * Double(Self.mib) && l3.bytes < 200 * Double(Self.mib), "\(l3.bytes / Double(Self.mib)) MiB")
        let ceilings = MeasuredCeilings(
            clockSingleHz: 3e9, clockAllHz: 3e9,
            peaks: [PeakMeasurement(dtype: .fp32, allCores: true, threads: 2, flopsPerSecond: RateSummary(rates: [353e9]), kernel: "t")],
            sweep: sweep, levels: levels, threads: 2, forkJoinSeconds: 2e-5, elapsedSeconds: 30)
        let profile = HostProfileBuilder(topology: topology, ceilings: ceilings).profile()
        let memory = try #require(profile.memory.first { $0.name == "l3" })
        #expect(memory.capacityBytes == l3.bytes)
        #expect(profile.sources.contains { $0.contains("L3 hwloc nominal 260.0 MiB, effective") }, "\(profile.sources)")
        try profile.checkConsistency(file: nil)
        // A 128 MiB copy (64 MiB per thread, 50 GB/s on the curve) is predicted from DRAM within
        // 10%, not at the L3's 120 GB/s as with hwloc's 260 MiB.
        let copy = Kernel.copy(Copy(elements: 16 << 20, dtype: .fp32))
        let predicted = Roofline(profile).predict(copy)
        #expect(predicted.bound == .memory("dram"))
        #expect(abs(copy.bytes / predicted.timeSeconds / 50e9 - 1) < 0.1, "\(copy.bytes / predicted.timeSeconds / 1e9) GB/s")
    }
}

extension BandwidthCurveTests {
    /// A private cache keeps at least half its size whatever its plateau says (the host's other
    /// hardware thread is its only other user); a shared one may really be a sixteenth of what
    /// hwloc reports. Below that, hwloc's size stands, and the note says why.
    @Test func aPrivateCacheIsNeverReadBelowHalfItsSize() {
        let l1 = CacheLevel(level: 1, kind: .data, sizeBytes: 32 << 10, lineBytes: 64, sharedByCores: 1, instances: 2)
        let l3 = CacheLevel(level: 3, kind: .unified, sizeBytes: 260 << 20, lineBytes: 64, sharedByCores: 2, instances: 1)
        func used(_ cache: CacheLevel, _ bytes: Int) -> (Double, [String]) {
            var notes: [String] = []
            let measured = EffectiveCapacity(
                bytes: Double(bytes), crossingPerThread: Double(bytes), threads: 1, nominalBytes: cache.sizeBytes)
            return (HostProfileBuilder.capacity(of: cache, measured: measured, above: 0, note: &notes).bytes, notes)
        }
        #expect(used(l1, 12 << 10).0 == Double(32 << 10))
        #expect(used(l1, 12 << 10).1.first?.contains("out of range") == true)
        #expect(used(l1, 20 << 10).0 == Double(20 << 10))
        #expect(used(l3, 20 << 20).0 == Double(20 << 20))
        #expect(used(l3, 12 << 20).0 == Double(260 << 20))
        // A plateau that ends past hwloc's size stands, hwloc's size beside it for the geometry.
        var notes: [String] = []
        let past = EffectiveCapacity(bytes: Double(48 << 10), crossingPerThread: Double(38 << 10), threads: 1, nominalBytes: 32 << 10)
        let kept = HostProfileBuilder.capacity(of: l1, measured: past, above: 0, note: &notes)
        #expect(kept.bytes == Double(48 << 10) && kept.nominal == Double(32 << 10))
    }

    /// Once the read curve is known, the other kernels run at each plateau's two best sizes and
    /// the first DRAM point: an established plateau's other points teach nothing new.
    @Test func otherKernelsRunAtThePlateausBestSizes() {
        let curve = Self.curve(to: 512 * Self.mib, Self.intelGuest)
        let windows = [0...(24 << 10), (64 << 10)...(512 << 10), (4 * Self.mib)...(130 * Self.mib)]
        let sizes = curve.plateauSizes(windows: windows, dram: [256 * Self.mib, 512 * Self.mib])
        #expect(sizes.count == 7)
        #expect(sizes.contains(256 * Self.mib) && !sizes.contains(512 * Self.mib))
        #expect(
            sizes.filter { (4 * Self.mib...130 * Self.mib).contains($0) }.allSatisfy { $0 <= 64 * Self.mib },
            "L3 points on its plateau, not past its end")
    }
}

extension VirtualL3Tests {
    /// The budget stopped the all-thread sweep at 3 MiB per thread, inside the L3: its largest
    /// point is no DRAM figure. The one-thread DRAM rate stands in, and says so.
    @Test func aSweepCutBeforeDRAMDoesNotCallTheL3DRAM() {
        var sweep: [BandwidthPoint] = []
        for threads in [1, 2] {
            let top = threads == 1 ? 512 * Self.mib : 3 * Self.mib
            for size in sequence(first: 8 << 10, next: { $0 * 2 }).prefix(while: { $0 <= top }) {
                let r = RateSummary(rates: [rate(size, threads: threads)])
                sweep.append(
                    BandwidthPoint(
                        kernel: "read", threads: threads, workingSetPerThread: size, bytesPerSecond: r, perThreadSum: r,
                        undisturbedSamples: 1))
            }
        }
        let levels = BandwidthPlateaus(topology: topology, settings: .standard).levels(sweep: sweep, threads: 2)
        let dram = levels.last!
        #expect(dram.level == "dram" && dram.singleThread == 15e9)
        #expect(dram.allThreads == 15e9 && dram.allThreadsKernel.contains("one thread"))
    }
}

/// What a DRAM figure counts, and what stores cost against it (`StoreCost`,
/// `Roofline.deviceMemoryBytes`): the probe's kernels store through the cache, so STREAM's count
/// is the bytes read from memory (loads and fills), and the write-back is what a store costs on
/// top. A profile built from a sweep predicts each of the sweep's own kernels at its own plateau.
@Suite struct StoreCostTests {
    static let mib = 1 << 20

    /// The Intel guest of `VirtualL3Tests` with every stream kernel measured: reads as there; each
    /// store kernel, from DRAM, at the rate a store cost of `cost` gives it; in the caches all four
    /// at the read rate.
    static func sweep(cost: Double) -> [BandwidthPoint] {
        var points: [BandwidthPoint] = []
        let l3 = VirtualL3Tests()
        for threads in [1, 2] {
            for size in sequence(first: 8 << 10, next: { $0 * 2 }).prefix(while: { $0 <= 512 * Self.mib / threads }) {
                let read = l3.rate(size, threads: threads)
                let dram = size > 2 * 64 * Self.mib / threads
                for kernel in StreamKernel.allCases {
                    let rate = dram ? StoreCost.predictedRate(kernel, read: read, cost: cost) : read
                    let r = RateSummary(rates: [rate])
                    points.append(
                        BandwidthPoint(
                            kernel: kernel.rawValue, threads: threads, workingSetPerThread: size, bytesPerSecond: r, perThreadSum: r,
                            undisturbedSamples: 1))
                }
            }
        }
        return points
    }

    func profile(_ sweep: [BandwidthPoint]) -> HardwareProfile {
        let topology = VirtualL3Tests().topology
        let levels = BandwidthPlateaus(topology: topology, settings: .standard).levels(sweep: sweep, threads: 2)
        let ceilings = MeasuredCeilings(
            clockSingleHz: 3e9, clockAllHz: 3e9,
            peaks: [PeakMeasurement(dtype: .fp32, allCores: true, threads: 2, flopsPerSecond: RateSummary(rates: [353e9]), kernel: "t")],
            sweep: sweep, levels: levels, threads: 2, forkJoinSeconds: 2e-6, elapsedSeconds: 30)
        return HostProfileBuilder(topology: topology, ceilings: ceilings).profile()
    }

    /// The kernels' counted rates from the read rate and a store cost: write 1/c, copy 2/(1+c),
    /// triad 3/(2+c) of the read; the fit gives the cost back.
    @Test func theFitReturnsTheStoreCostTheKernelsRanAt() {
        for cost in [1.0, 1.17, 2.0, 2.6] {
            let rates = Dictionary(
                uniqueKeysWithValues: StreamKernel.allCases.map { ($0, StoreCost.predictedRate($0, read: 30e9, cost: cost)) })
            #expect(StoreCost.fit(rates: rates) == cost, "\(cost)")
        }
        #expect(StoreCost.predictedRate(.copy, read: 30e9, cost: 2) == 20e9, "a copy at 2/3 of the read rate where stores cost 2")
        #expect(StoreCost.fit(rates: [.read: 30e9]) == nil, "no store kernel: no cost")
    }

    /// Where write-backs share the channels (a store costs 2) and where a lone core posts them
    /// nearly free (1.17): a DRAM-sized copy, a store-only kernel and a read-only one are each
    /// predicted at their own plateau of the sweep the profile came from, not a third slow or fast.
    @Test func aProfilePredictsTheSweepsOwnKernelsAtTheirPlateaus() throws {
        for cost in [2.0, 1.17] {
            let sweep = Self.sweep(cost: cost)
            let p = profile(sweep)
            let dram = try #require(p.memory.last)
            #expect(dram.bandwidth == 30e9 && dram.storeCost == cost && dram.singleUnitStoreCost == cost)
            #expect(p.sources.contains { $0.hasPrefix("dram: the read kernel's figure") }, "\(p.sources)")
            try p.checkConsistency(file: nil)
            let engine = Roofline(p)
            // 512 MiB per array: far beyond the 177 MiB the L3 keeps.
            let n = 1 << 27
            let kernels: [(Kernel, StreamKernel)] = [
                (.copy(Copy(elements: n, dtype: .fp32)), .copy),
                (.elementwise(Elementwise(name: "fill", elements: n, inputs: 0, outputs: 1, dtype: .fp32)), .write),
                (.reduction(Reduction(elements: n, dtype: .fp32)), .read),
            ]
            for (kernel, stream) in kernels {
                let plateau = try #require(
                    sweep.filter { $0.kernel == stream.rawValue && $0.threads == 2 && $0.workingSetPerThread >= 128 * Self.mib }.map(
                        \.bytesPerSecond.best
                    ).max())
                let predicted = engine.predict(kernel)
                #expect(predicted.bound == .memory("dram"), "\(kernel.label)")
                let rate = kernel.bytes / predicted.timeSeconds
                #expect(
                    abs(rate / plateau - 1) < 0.01, "\(kernel.label) at store cost \(cost): \(rate / 1e9) against \(plateau / 1e9) GB/s")
            }
        }
    }

    /// A sweep without store kernels at DRAM sizes (the budget left them out) keeps STREAM's count
    /// and says so.
    @Test func withoutStoreKernelsTheFigureCountsAsSTREAMDoes() throws {
        let p = profile(Self.sweep(cost: 2).filter { $0.kernel == "read" })
        #expect(p.memory.last?.storeCost == nil)
        #expect(p.sources.contains { $0.hasPrefix("dram: no store kernel ran at DRAM sizes") }, "\(p.sources)")
    }
}

extension VirtualL3Tests {
    /// One thread's read plateau ends at 32 MiB, and two threads' at 32 MiB each (64 MiB of the
    /// shared L3): neighbours held part of it while one thread ran. The profile keeps the
    /// smaller capacity, which a one-core kernel of 48 MiB would otherwise be predicted inside.
    @Test func theSmallerOfTheTwoCurvesCapacitiesStands() throws {
        var sweep: [BandwidthPoint] = []
        for threads in [1, 2] {
            for size in sequence(first: 8 << 10, next: { $0 * 2 }).prefix(while: { $0 <= 512 * Self.mib / threads }) {
                let l3End = 32 * Self.mib
                let perThread = size <= 32 << 10 ? 300.0 : size <= 1 * Self.mib ? 150 : size <= l3End ? 60 : size <= 2 * l3End ? 25 : 15
                let r = RateSummary(rates: [perThread * Double(threads) * 1e9])
                sweep.append(
                    BandwidthPoint(
                        kernel: "read", threads: threads, workingSetPerThread: size, bytesPerSecond: r, perThreadSum: r,
                        undisturbedSamples: 1))
            }
        }
        let levels = BandwidthPlateaus(topology: topology, settings: .standard).levels(sweep: sweep, threads: 2)
        let l3 = try #require(levels[2].effectiveCapacity)
        #expect(l3.threads == 1, "the one-thread curve's capacity is the smaller")
        // Midway at about 55 MiB for the one thread alone, against 2 × 55 MiB for the pair.
        #expect(l3.bytes > 75 * Double(Self.mib) && l3.bytes < 100 * Double(Self.mib), "\(l3.bytes / Double(Self.mib)) MiB")
    }
}
