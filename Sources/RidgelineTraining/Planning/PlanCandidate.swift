/// One evaluated configuration that fits in memory, in the few numbers the search ranks by;
/// the full estimate is rebuilt for the ones that are reported.
struct PlanCandidate: Sendable {
    var index: UInt64
    var hardware: Int
    /// Into the planner's table of stage-1 costs (which fixes tp, sequence parallel, recompute, micro-batch).
    var costs: Int
    var layout: Layout
    var trainSeconds: Double
    var costUSD: Double
    var energyKWh: Double

    @inline(__always)
    func score(_ objective: PlanObjective) -> Double {
        switch objective {
        case .time: return trainSeconds
        case .cost: return costUSD
        case .energy: return energyKWh
        }
    }
}

/// The `k` lowest scores, ties broken by enumeration index: a total order, so the result does
/// not depend on the order candidates arrive in.
struct TopK: Sendable {
    let k: Int
    let objective: PlanObjective
    private(set) var items: [PlanCandidate] = []
    private(set) var scores: [Double] = []

    init(k: Int, objective: PlanObjective) {
        self.k = k; self.objective = objective
        items.reserveCapacity(min(k, 64) + 1); scores.reserveCapacity(min(k, 64) + 1)
    }

    @inline(__always)
    mutating func offer(_ c: PlanCandidate) {
        let s = c.score(objective)
        if items.count == k {
            let ls = scores[k - 1]
            if s > ls || (s == ls && c.index > items[k - 1].index) { return }
        }
        var i = items.count
        while i > 0 && (scores[i - 1] > s || (scores[i - 1] == s && items[i - 1].index > c.index)) { i -= 1 }
        items.insert(c, at: i); scores.insert(s, at: i)
        if items.count > k { items.removeLast(); scores.removeLast() }
    }

    mutating func merge(_ other: TopK) { for c in other.items { offer(c) } }

    /// The score a candidate must beat to enter, once the list is full; nil while it is not.
    var worstScore: Double? { items.count == k ? scores[k - 1] : nil }
}

/// The configurations no other beats on both time and cost. Kept sorted by time with cost
/// strictly falling; of equal (time, cost) points only the lowest enumeration index stays, so
/// the front is the same however the candidates are split and merged.
struct ParetoFront: Sendable {
    private(set) var items: [PlanCandidate] = []

    @inline(__always)
    private static func before(_ a: PlanCandidate, _ b: PlanCandidate) -> Bool {
        if a.trainSeconds != b.trainSeconds { return a.trainSeconds < b.trainSeconds }
        if a.costUSD != b.costUSD { return a.costUSD < b.costUSD }
        return a.index < b.index
    }

    @inline(__always)
    mutating func offer(_ c: PlanCandidate) {
        // Position of the first point that comes after c in (time, cost, index) order.
        var lo = 0, hi = items.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if Self.before(items[mid], c) { lo = mid + 1 } else { hi = mid }
        }
        // The point just before c is the cheapest of those at least as fast: c is dominated if
        // it costs no less.
        if lo > 0 && items[lo - 1].costUSD <= c.costUSD { return }
        // Points after c that cost no less are dominated by c.
        var end = lo
        while end < items.count && items[end].costUSD >= c.costUSD { end += 1 }
        items.replaceSubrange(lo..<end, with: CollectionOfOne(c))
    }

    mutating func merge(_ other: ParetoFront) { for c in other.items { offer(c) } }
}
