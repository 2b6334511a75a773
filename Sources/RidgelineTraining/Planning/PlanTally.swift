/// The smallest memory shortfall seen on one hardware: what a "fits nowhere" answer reports.
struct ClosestFit: Sendable {
    var index: UInt64
    var costs: Int
    var layout: Layout
    /// Bytes per device the configuration needs; when `lowerBound`, at least this (weights,
    /// gradients, optimizer states and buffers without activations).
    var neededBytes: Double
    var capacityBytes: Double
    var lowerBound: Bool
}

/// What the search keeps about one hardware profile.
struct HardwareTally: Sendable {
    var evaluated = 0
    var pruned = 0
    /// Fitting configurations a train-time bound showed could not change the answer (`PlanBatchBound.swift`).
    var bounded = 0
    var fitting = 0
    var fastest: PlanCandidate?
    var cheapest: PlanCandidate?
    /// The cheapest configuration that meets the deadline (when one is set).
    var cheapestInTime: PlanCandidate?
    /// The fastest configuration within the budget (when one is set).
    var fastestInBudget: PlanCandidate?
    var closest: ClosestFit?

    @inline(__always)
    static func better(_ a: Double, _ ai: UInt64, than b: PlanCandidate?, _ key: (PlanCandidate) -> Double) -> Bool {
        guard let b else { return true }
        let bv = key(b)
        return a < bv || (a == bv && ai < b.index)
    }

    @inline(__always)
    mutating func offer(_ c: PlanCandidate, deadline: Double?, budget: Double?) {
        fitting += 1
        if Self.better(c.trainSeconds, c.index, than: fastest, { $0.trainSeconds }) { fastest = c }
        if Self.better(c.costUSD, c.index, than: cheapest, { $0.costUSD }) { cheapest = c }
        if let deadline, c.trainSeconds <= deadline, Self.better(c.costUSD, c.index, than: cheapestInTime, { $0.costUSD }) {
            cheapestInTime = c
        }
        if let budget, c.costUSD <= budget, Self.better(c.trainSeconds, c.index, than: fastestInBudget, { $0.trainSeconds }) {
            fastestInBudget = c
        }
    }

    /// Records a configuration that does not fit, if it misses by less than the closest so far.
    @inline(__always)
    mutating func offerMiss(index: UInt64, costs: Int, layout: Layout, needed: Double, capacity: Double, lowerBound: Bool) {
        if let c = closest, !(needed < c.neededBytes || (needed == c.neededBytes && index < c.index)) { return }
        closest = ClosestFit(
            index: index, costs: costs, layout: layout, neededBytes: needed, capacityBytes: capacity, lowerBound: lowerBound)
    }

    mutating func merge(_ o: HardwareTally, deadline: Double?, budget: Double?) {
        evaluated += o.evaluated; pruned += o.pruned; bounded += o.bounded
        let count = fitting + o.fitting
        for c in [o.fastest, o.cheapest, o.cheapestInTime, o.fastestInBudget].compactMap({ $0 }) {
            offer(c, deadline: deadline, budget: budget)
        }
        fitting = count
        if let m = o.closest {
            offerMiss(
                index: m.index, costs: m.costs, layout: m.layout, needed: m.neededBytes, capacity: m.capacityBytes, lowerBound: m.lowerBound
            )
        }
    }
}

/// Everything one slice of the enumeration found; slices merge in any order to the same result.
struct PlanAccumulator: Sendable {
    var best: TopK
    var pareto = ParetoFront()
    var hardware: [HardwareTally]

    init(hardwareCount: Int, top: Int, objective: PlanObjective) {
        best = TopK(k: top, objective: objective)
        hardware = Array(repeating: HardwareTally(), count: hardwareCount)
    }

    mutating func merge(_ o: PlanAccumulator, deadline: Double?, budget: Double?) {
        best.merge(o.best)
        pareto.merge(o.pareto)
        for h in hardware.indices { hardware[h].merge(o.hardware[h], deadline: deadline, budget: budget) }
    }
}
