import Foundation

/// One stream kernel's bandwidth over growing per-thread working sets, and what the sweep learns
/// from its shape: where a cache's plateau ends, and when the DRAM plateau beyond the last cache is
/// established, so that the sweep can stop. Pure functions of the points; `detect --measure`
/// feeds them as it goes, the tests feed synthetic curves.
///
/// Why not hwloc's sizes alone: a VM may see its host's whole L3 (260 MiB on a 2-vCPU Intel
/// guest) while the cache its cores really get ends far earlier (there, at 64 MiB per thread).
/// A sweep to 4 × that nominal L3 took 155 s; its DRAM figure and the L3 capacity the model uses
/// should both come from where the curve bends.
public struct BandwidthCurve: Sendable, Equatable {
    public struct Point: Sendable, Equatable {
        public var bytes: Int
        public var rate: Double
        public init(bytes: Int, rate: Double) { self.bytes = bytes; self.rate = rate }
    }

    /// Ascending working sets.
    public var points: [Point]

    public init(_ points: [Point]) { self.points = points.sorted { $0.bytes < $1.bytes } }

    /// A point more than this fraction below a plateau's best rate has left the plateau. Levels
    /// differ by 1.5–3× (L1 to L2, L3 to DRAM on one core), noise by a few percent.
    public static let drop = 0.25
    /// Points within this fraction of each other lie on one plateau.
    public static let flat = 0.10
    /// DRAM points hold at least this many times the last working set the cache plateau kept:
    /// STREAM's rule (arrays 4 × the cache), applied to the cache the cores really get. Caches
    /// with adaptive insertion keep part of a stream twice their size.
    public static let dramMultiple = 4

    /// The plateau that starts at working sets of `from` bytes: its best rate and the last working
    /// set still on it, once a later point has fallen `drop` below the best. nil while the curve
    /// has not left it (then the plateau may go on).
    public func plateauEnd(from: Int) -> (rate: Double, end: Int)? {
        var top = 0.0, end = 0
        for p in points where p.bytes >= from {
            if top > 0 && p.rate < (1 - Self.drop) * top { return (top, end) }
            end = p.bytes
            top = max(top, p.rate)
        }
        return nil
    }

    /// The DRAM plateau beyond the cache plateau that starts at `cacheFrom` bytes (the last-level
    /// cache's window): the trailing run of points, all at least `dramMultiple` × that plateau's
    /// end, within `flat` of the slowest of them. A cache whose rate sinks slowly towards its end
    /// (a victim L3 shared by the cores) leaves points still above the floor: they are not DRAM.
    public func dramPoints(cacheFrom: Int) -> [Point] {
        guard let cache = plateauEnd(from: cacheFrom) else { return [] }
        // Below the cache plateau too: a point slowed by a neighbour can fake an end, and the
        // plateau's own points after it must not pass for DRAM.
        let beyond = points.filter { $0.bytes >= Self.dramMultiple * cache.end && $0.rate < (1 - Self.drop) * cache.rate }
        var run: [Point] = []
        for p in beyond.reversed() {
            let floor = min(p.rate, run.map(\.rate).min() ?? p.rate)
            let ceiling = max(p.rate, run.map(\.rate).max() ?? p.rate)
            guard ceiling <= (1 + Self.flat) * floor else { break }
            run.insert(p, at: 0)
        }
        return run
    }

    /// Whether DRAM is established: at least two points on the DRAM plateau. The sweep stops
    /// growing the working set there.
    public func dramEstablished(cacheFrom: Int) -> Bool {
        dramPoints(cacheFrom: cacheFrom).count >= 2
    }

    /// Working sets at which the other stream kernels need measuring once this (lead) curve is
    /// known: in each window (a level's plateau window), the `perWindow` sizes where this curve is
    /// fastest — a plateau's figure is its best points, and the kernels' plateaus lie at the same
    /// sizes — and the first of `dram`. The rest of an established plateau teaches nothing new.
    public func plateauSizes(windows: [ClosedRange<Int>], dram: [Int], perWindow: Int = 2) -> [Int] {
        var chosen = Set(dram.prefix(1))
        for window in windows {
            let inside = points.filter { window.contains($0.bytes) }.sorted { $0.rate > $1.rate }
            chosen.formUnion(inside.prefix(perWindow).map(\.bytes))
        }
        return chosen.sorted()
    }

    /// Where the curve, going down from a plateau at `upper` to the next at `lower`, crosses their
    /// geometric mean, searching from `from` bytes: log-interpolated between the points either side.
    /// The curve has crossed where it stays below after it was above: a point slowed by another
    /// process, with the next one back above the mean or before the curve reached the plateau,
    /// is not the plateau's end. nil when the two plateaus are not distinct (less than `drop`
    /// apart) or the curve never crosses.
    public func crossing(from: Int, upper: Double, lower: Double) -> Double? {
        guard upper > 0, lower > 0, lower < (1 - Self.drop) * upper else { return nil }
        let mid = (upper * lower).squareRoot()
        let inWindow = points.filter { $0.bytes >= from }
        guard let onPlateau = inWindow.firstIndex(where: { $0.rate >= mid }) else { return nil }
        let candidates = Array(inWindow[onPlateau...])
        for (i, p) in candidates.enumerated() where p.rate < mid && (i + 1 == candidates.count || candidates[i + 1].rate < mid) {
            guard i > 0 else { return Double(p.bytes) }
            let q = candidates[i - 1]
            // Interpolate log(size) linearly in log(rate) between q (above mid) and p (below).
            let t = log(q.rate / mid) / log(q.rate / p.rate)
            return exp(log(Double(q.bytes)) + t * log(Double(p.bytes) / Double(q.bytes)))
        }
        return nil
    }

    /// The capacity that makes the roofline's cache model bend where the measurement does.
    /// `Roofline.hitFraction` keeps a working set whole up to a quarter of the capacity and none of
    /// it at the capacity; streaming at `upper` from the cache and `lower` beyond, the model's rate
    /// falls to √(upper · lower) where the missed share is √(lower / upper), at
    /// C · (1 − 0.75 · (1 − √(lower/upper))). Solved for C with the measured crossing.
    public static func modelCapacity(crossing: Double, upper: Double, lower: Double) -> Double {
        crossing / (1 - 0.75 * (1 - (lower / upper).squareRoot()))
    }
}
