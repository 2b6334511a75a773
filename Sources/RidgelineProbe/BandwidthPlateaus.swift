import Foundation
import Ridgeline
import RidgelineKernels

/// Picks each memory level's bandwidth plateau from a working-set sweep.
///
/// A level serves a working set that fits in the thread's share of it but not in the level
/// below. Near either edge the plateau bends (the set partly spills, or partly fits the inner
/// level), so the window for level k is [2 × share(k−1), share(k) / 2] (L1: up to 3/4), with
/// share = capacity / threads sharing one instance; DRAM is every point at least four times the
/// working set where the read curve left the last-level cache's plateau (`BandwidthCurve`:
/// STREAM's rule for array sizes, applied to the cache the cores really get), or, where the curve
/// shows no such end, four times the nominal last-level cache.
struct BandwidthPlateaus {
    let topology: HostTopology
    let settings: ProbeSettings

    func levels(sweep: [BandwidthPoint], threads: Int) -> [LevelBandwidth] {
        var result: [LevelBandwidth] = []
        let caches = topology.dataCaches
        for (index, cache) in caches.enumerated() {
            let name = "l\(cache.level)"
            let privateLevel = cache.sharedByCores == 1
            guard let all = plateau(sweep, threads: threads, window: window(caches, index, threads: threads), privateLevel: privateLevel),
                let one = plateau(sweep, threads: 1, window: window(caches, index, threads: 1), privateLevel: privateLevel)
            else { continue }
            result.append(
                LevelBandwidth(
                    level: name, allThreads: all.rate, allThreadsKernel: all.kernel, singleThread: one.rate,
                    singleThreadKernel: one.kernel, window: all.window, triadAllThreads: all.triad))
        }
        let reached = { (n: Int) in
            sweep.contains { $0.threads == n && self.dramWindow(sweep, threads: n).contains($0.workingSetPerThread) }
        }
        let dramAll = plateau(sweep, threads: threads, window: dramWindow(sweep, threads: threads), privateLevel: false)
        let dramOne = plateau(sweep, threads: 1, window: dramWindow(sweep, threads: 1), privateLevel: false)
        if let allPlateau = dramAll ?? largest(sweep, threads: threads), let onePlateau = dramOne ?? largest(sweep, threads: 1) {
            // DRAM counts bytes read (loads and write-allocate fills): the read kernel's figure,
            // with what a store costs beside it (`StoreCost`).
            var all = Self.readFigure(allPlateau), one = Self.readFigure(onePlateau)
            // An all-thread sweep cut before DRAM (the budget) would read a cache as DRAM; what
            // one thread draws alone is a floor for all of them, and says where it came from.
            if threads > 1 && !reached(threads) && reached(1) {
                all = one
                all.kernel = "\(one.kernel), one thread (the all-thread sweep stopped before DRAM)"
            }
            var dram = LevelBandwidth(
                level: "dram", allThreads: all.rate, allThreadsKernel: all.kernel, singleThread: one.rate,
                singleThreadKernel: one.kernel, window: allPlateau.window, triadAllThreads: allPlateau.triad)
            dram.storeCost = all.storeCost
            dram.singleThreadStoreCost = one.storeCost
            result.append(dram)
        }
        // Both curves measure the same cache: one thread has the whole of a shared level to
        // itself, all threads split it. A neighbour's data (another guest's, on a VM) leaves less
        // than either curve alone may show, so the smaller of the two capacities stands.
        for k in result.indices.dropLast() {
            guard let index = caches.firstIndex(where: { "l\($0.level)" == result[k].level }) else { continue }
            let next = result[k + 1].level
            let measured = Set([threads, 1]).sorted(by: >).compactMap { n -> EffectiveCapacity? in
                let lower =
                    next == "dram"
                    ? dramWindow(sweep, threads: n) : caches.firstIndex { "l\($0.level)" == next }.map { window(caches, $0, threads: n) }
                guard let lower else { return nil }
                return effectiveCapacity(
                    sweep, caches: caches, index: index, threads: n, upper: window(caches, index, threads: n), lower: lower)
            }
            result[k].effectiveCapacity = measured.min { $0.bytes < $1.bytes }
        }
        return result
    }

    /// The read kernel's curve for `threads` (the sweep's lead kernel: it has every size), each
    /// point at the rate its level is judged by.
    func curve(_ sweep: [BandwidthPoint], threads: Int) -> BandwidthCurve {
        BandwidthCurve(
            sweep.filter { $0.threads == threads && $0.kernel == StreamKernel.read.rawValue }.map {
                .init(bytes: $0.workingSetPerThread, rate: $0.rate(privateLevel: $0.workingSetPerThread <= topology.privateCacheBytes).best)
            })
    }

    /// Per-thread working sets counted as DRAM (see the type's comment).
    func dramWindow(_ sweep: [BandwidthPoint], threads: Int) -> ClosedRange<Int> {
        let caches = topology.dataCaches
        let from = caches.count >= 2 ? window(caches, caches.count - 1, threads: threads).lowerBound : 0
        if let first = curve(sweep, threads: threads).dramPoints(cacheFrom: from).first { return first.bytes...Int.max }
        let floor = settings.dramFloorBytes(lastLevelCacheBytes: topology.lastLevelCacheBytes ?? 0)
        return Int(floor / Double(threads))...Int.max
    }

    /// Where cache level `index`'s plateau really ends, from the read curve's fall to the next
    /// level (`BandwidthCurve.crossing`), as the capacity of one instance the roofline's cache
    /// model needs to bend there (`BandwidthCurve.modelCapacity`): the per-thread crossing times
    /// the threads that share one instance. nil where the curve shows no distinct step.
    func effectiveCapacity(
        _ sweep: [BandwidthPoint], caches: [CacheLevel], index: Int, threads: Int,
        upper: ClosedRange<Int>, lower: ClosedRange<Int>
    ) -> EffectiveCapacity? {
        let c = curve(sweep, threads: threads)
        func best(_ w: ClosedRange<Int>) -> Double? { c.points.filter { w.contains($0.bytes) }.map(\.rate).max() }
        guard let up = best(upper), let down = best(lower),
            let crossing = c.crossing(
                from: index == 0 ? 0 : self.window(caches, index, threads: threads).lowerBound, upper: up, lower: down)
        else { return nil }
        let sharing = Double(max(1, min(caches[index].sharedByCores, threads)))
        let bytes = BandwidthCurve.modelCapacity(crossing: crossing * sharing, upper: up, lower: down)
        return EffectiveCapacity(bytes: bytes, crossingPerThread: crossing, threads: threads, nominalBytes: caches[index].sizeBytes)
    }

    private func share(_ cache: CacheLevel, threads: Int) -> Int {
        cache.sizeBytes / max(1, min(cache.sharedByCores, threads))
    }

    /// Each cache level's plateau window for `threads`, innermost first.
    func windows(threads: Int) -> [ClosedRange<Int>] {
        let caches = topology.dataCaches
        return caches.indices.map { window(caches, $0, threads: threads) }
    }

    private func window(_ caches: [CacheLevel], _ index: Int, threads: Int) -> ClosedRange<Int> {
        // L1 goes to 3/4 of its size: below that, a pass is so short that call and loop overhead,
        // not the cache, set the rate.
        let upper = index == 0 ? share(caches[index], threads: threads) * 3 / 4 : share(caches[index], threads: threads) / 2
        let lower = index == 0 ? 0 : 2 * share(caches[index - 1], threads: threads)
        return lower <= upper ? lower...upper : upper...upper
    }

    /// DRAM's figure from a plateau: the read kernel's rate and the store cost the other kernels
    /// fit (`StoreCost`); the plateau's best kernel, as for a cache, where no store kernel ran.
    static func readFigure(_ p: Plateau) -> (rate: Double, kernel: String, storeCost: Double?) {
        var rates: [StreamKernel: Double] = [:]
        for (name, rate) in p.byKernel { if let k = StreamKernel(rawValue: name) { rates[k] = rate } }
        guard let cost = StoreCost.fit(rates: rates), let read = rates[.read] else { return (p.rate, p.kernel, nil) }
        return (read, StreamKernel.read.rawValue, cost)
    }

    typealias Plateau = (rate: Double, kernel: String, window: ClosedRange<Int>, triad: Double, byKernel: [String: Double])

    /// Per kernel, the best rate over the window's points; the level's figure is the kernel with
    /// the highest plateau (the roofline's ceiling is the best a level delivers). Inside the window
    /// no point can borrow speed from a faster level, and interference only slows a point down,
    /// so the upper envelope is the plateau. Falls back to the point nearest the window when the
    /// window holds none.
    private func plateau(_ sweep: [BandwidthPoint], threads: Int, window: ClosedRange<Int>, privateLevel: Bool) -> Plateau? {
        let points = sweep.filter { $0.threads == threads }
        guard !points.isEmpty else { return nil }
        var inside = points.filter { window.contains($0.workingSetPerThread) }
        if inside.isEmpty {
            let target = Double(max(1, window.upperBound == Int.max ? window.lowerBound : window.upperBound))
            let nearest = points.min {
                abs(log2(Double($0.workingSetPerThread) / target)) < abs(log2(Double($1.workingSetPerThread) / target))
            }!
            inside = points.filter { $0.workingSetPerThread == nearest.workingSetPerThread }
        }
        var byKernel: [String: Double] = [:]
        for kernel in Set(inside.map(\.kernel)) {
            byKernel[kernel] = inside.filter { $0.kernel == kernel }.map { $0.rate(privateLevel: privateLevel).best }.max() ?? 0
        }
        guard let best = byKernel.max(by: { $0.value < $1.value }) else { return nil }
        let sizes = inside.map(\.workingSetPerThread)
        return (best.value, best.key, sizes.min()!...sizes.max()!, byKernel["triad"] ?? 0, byKernel)
    }

    private func largest(_ sweep: [BandwidthPoint], threads: Int) -> Plateau? {
        guard let size = sweep.filter({ $0.threads == threads }).map(\.workingSetPerThread).max() else { return nil }
        return plateau(sweep, threads: threads, window: size...size, privateLevel: false)
    }
}
