import Dispatch
import Ridgeline

/// The capacity planner: every valid configuration of the request, evaluated with the training
/// model (`LayerCosts` once per kernel-settings key, `StepModel` per layout), ranked by the
/// objective, with the time-vs-cost Pareto front and a per-hardware deadline answer.
public enum Planner {
    public static func plan(_ request: PlanRequest) throws -> PlanResult {
        try request.validate()
        let start = DispatchTime.now().uptimeNanoseconds
        let threads = request.threads ?? availableCores()
        var search = try PlanSearch(request: request, threads: threads)
        let stage1End = DispatchTime.now().uptimeNanoseconds
        let total = search.run(threads: threads)
        let end = DispatchTime.now().uptimeNanoseconds
        search.timing = (Double(stage1End - start) / 1e9, Double(end - stage1End) / 1e9)
        var result = search.result(total, threads: threads)
        // Everything, including rebuilding the reported estimates.
        result.elapsedSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return result
    }
}

/// The search state shared read-only by the workers: the axes, the stage-1 costs, the units.
///
/// Built in three stages (`costKeys`, `layerCosts`, `units`); searched in stage 2
/// (`run`, `evaluate(unit:into:)`), whose stages are the memory bounds, the step model and the
/// ranking (`record`).
struct PlanSearch: Sendable {
    let request: PlanRequest
    let axes: [PlanAxes]
    /// Stage-1 costs, per hardware from `costsOffset[h]`, keyed by (cp, ep, tp, sequence parallel,
    /// recompute, micro-batch); nil where the key does not exist (sequence parallel with tp 1).
    let costs: [LayerCosts?]
    let costsOffset: [Int]
    /// Why a hardware profile was left out (no fp8 peak for --precision fp8, …).
    let unavailable: [String?]
    let units: [PlanUnit]
    var timing: (stage1: Double, stage2: Double) = (0, 0)

    init(request: PlanRequest, threads: Int) throws {
        self.request = request
        let axes = request.hardware.map { PlanAxes(model: request.model, profile: $0, request: request) }
        self.axes = axes
        let keys = Self.costKeys(axes: axes, request: request)
        costsOffset = keys.offsets
        let stage1 = try Self.layerCosts(keys.keys, slots: keys.slots, hardwareCount: axes.count, request: request, threads: threads)
        costs = stage1.costs
        unavailable = stage1.unavailable
        units = Self.units(axes: axes, unavailable: stage1.unavailable)
    }

    // MARK: Stage 1: layer costs per kernel-settings key

    /// A stage-1 key: its slot in `costs` (`costsIndex`), its hardware and its kernel settings.
    typealias CostKey = (slot: Int, hardware: Int, settings: KernelSettings)

    /// Every kernel-settings key, hardware by hardware from `offsets[h]`, in `costsIndex` order:
    /// (cp, ep, tp) × sequence parallel × recompute × micro-batch. Sequence parallel with tp 1
    /// does not exist: it keeps its slot, so that the index stays a product, but gets no key.
    static func costKeys(axes: [PlanAxes], request: PlanRequest) -> (keys: [CostKey], offsets: [Int], slots: Int) {
        var offsets: [Int] = [], keys: [CostKey] = [], slots = 0
        for (h, a) in axes.enumerated() {
            offsets.append(slots)
            for cp in a.cps {
                for ep in a.eps {
                    for tp in a.tps {
                        for settings in kernelSettings(a, tp: tp, cp: cp, ep: ep, request: request) {
                            if let settings { keys.append((slots, h, settings)) }
                            slots += 1
                        }
                    }
                }
            }
        }
        return (keys, offsets, slots)
    }

    /// The kernel settings of one (tp, cp, ep), sequence parallel × recompute × micro-batch in
    /// slot order; nil for sequence parallel with tp 1.
    static func kernelSettings(_ a: PlanAxes, tp: Int, cp: Int, ep: Int, request: PlanRequest) -> [KernelSettings?] {
        var settings: [KernelSettings?] = []
        for sp in [false, true] {
            for rc in a.recomputes {
                for mb in a.microBatches {
                    settings.append(
                        !sp || tp > 1
                            ? KernelSettings(
                                tp: tp, sequenceParallel: sp, microBatch: mb, seq: request.seq,
                                precision: request.precision, recompute: rc, cp: cp, ep: ep)
                            : nil)
                }
            }
        }
        return settings
    }

    /// Stage 1: the layer costs of every key, in parallel. A hardware profile that cannot run the
    /// request (a `RidgelineError`: no fp8 peak, …) is left out with the first reason, and the
    /// plan goes on with the others; any other error is thrown.
    static func layerCosts(
        _ keys: [CostKey], slots: Int, hardwareCount: Int, request: PlanRequest, threads: Int
    ) throws -> (costs: [LayerCosts?], unavailable: [String?]) {
        let model = request.model, hardware = request.hardware, assumptions = request.assumptions
        let done = DoneCounter(), progress = request.progress
        let computed: [Result<LayerCosts, any Error>] = parallelMap(keys.count, threads: threads) { i in
            let key = keys[i]
            defer { if let progress { progress("layer costs", done.add(1), keys.count) } }
            return Result {
                try LayerCosts.compute(model: model, profile: hardware[key.hardware], settings: key.settings, assumptions: assumptions)
            }
        }
        var table = [LayerCosts?](repeating: nil, count: slots)
        var reasons = [String?](repeating: nil, count: hardwareCount)
        for (i, r) in computed.enumerated() {
            let slot = keys[i].slot, h = keys[i].hardware
            switch r {
            case .success(let c): table[slot] = c
            case .failure(let e as RidgelineError):
                if reasons[h] == nil { reasons[h] = e.description }
            case .failure(let e): throw e
            }
        }
        return (table, reasons)
    }

    /// The units stage 2 searches: every (hardware, devices, tp, pp, cp, ep) whose sizes divide
    /// the devices, on every hardware that can run the request. Megatron-core: ep·tp·pp divides
    /// the devices (ep from the dp·cp ranks).
    static func units(axes: [PlanAxes], unavailable: [String?]) -> [PlanUnit] {
        var units: [PlanUnit] = []
        for (h, a) in axes.enumerated() where unavailable[h] == nil {
            for d in a.deviceCounts {
                for (ti, tp) in a.tps.enumerated() where d % tp == 0 {
                    for (pi, pp) in a.pps.enumerated() where (d / tp) % pp == 0 {
                        for (ci, cp) in a.cps.enumerated() where (d / (tp * pp)) % cp == 0 {
                            for (ei, ep) in a.eps.enumerated() where (d / (tp * pp)) % ep == 0 {
                                units.append(
                                    PlanUnit(
                                        hardware: Int32(h), devices: Int32(d), tpIndex: Int16(ti), ppIndex: Int16(pi),
                                        cpIndex: Int16(ci), epIndex: Int16(ei)))
                            }
                        }
                    }
                }
            }
        }
        return units
    }

    var layerCostComputations: Int { costs.reduce(0) { $0 + ($1 == nil ? 0 : 1) } }

    @inline(__always)
    func costsIndex(hardware h: Int, cp: Int = 0, ep: Int = 0, tp: Int, sp: Int, recompute: Int, microBatch: Int) -> Int {
        let a = axes[h]
        let parallel = (cp * a.eps.count + ep) * a.tps.count + tp
        return costsOffset[h] + ((parallel * 2 + sp) * a.recomputes.count + recompute) * a.microBatches.count + microBatch
    }

    /// The stage-1 costs of one of `unit`'s (sequence parallel, recompute, micro-batch).
    @inline(__always)
    func costsIndex(_ unit: ResolvedUnit, sp: Int, recompute: Int, microBatch: Int) -> Int {
        costsIndex(
            hardware: unit.hardware, cp: unit.cpIndex, ep: unit.epIndex, tp: unit.tpIndex, sp: sp, recompute: recompute,
            microBatch: microBatch)
    }

    // MARK: Stage 2: every configuration of every unit

    /// Stage 2 over all units, split into slices merged in slice order.
    func run(threads: Int) -> PlanAccumulator {
        let sliceCount = min(units.count, max(1, threads) * 32)
        let deadline = request.deadlineSeconds, budget = request.budgetUSD
        let done = DoneCounter(), unitCount = units.count, progress = request.progress
        let stage = progress == nil ? "" : "layouts (\(configurationCount()) configurations in all)"
        let parts: [PlanAccumulator] = parallelMap(sliceCount, threads: threads) { s in
            var acc = PlanAccumulator(hardwareCount: axes.count, top: request.top, objective: request.objective)
            let lo = units.count * s / sliceCount, hi = units.count * (s + 1) / sliceCount
            for u in lo..<hi {
                evaluate(unit: u, into: &acc)
                if let progress { progress(stage, done.add(1), unitCount) }
            }
            return acc
        }
        var total = PlanAccumulator(hardwareCount: axes.count, top: request.top, objective: request.objective)
        for p in parts { total.merge(p, deadline: deadline, budget: budget) }
        return total
    }

    /// Configurations (global batch × interleave) per micro-batch of one unit, for counting what is
    /// pruned; `usable`: how many micro-batches fit the largest global batch.
    func batchCounts(unit u: Int) -> (usable: Int, perMicroBatch: [Int]) {
        let unit = units[u]
        let a = axes[Int(unit.hardware)], ppIndex = Int(unit.ppIndex)
        let tp = a.tps[Int(unit.tpIndex)], pp = a.pps[ppIndex], cp = a.cps[Int(unit.cpIndex)]
        let dp = Int(unit.devices) / (tp * pp * cp)
        let chunkList = a.chunks[ppIndex], mbs = a.microBatches, batches = request.globalBatch
        var usable = 0
        var perMicroBatch = [Int](repeating: 0, count: mbs.count)
        for (i, mb) in mbs.enumerated() where mb * dp <= batches.upperBound {
            let (first, count) = batches.choices(perStep: mb * dp)
            usable = i + 1
            guard count > 0 else { continue }
            var n = count
            if pp > 1 && chunkList.count > 1 {
                // Interleaving needs the micro-batches per pipeline to be a multiple of pp.
                let m0 = first / (mb * dp), m1 = m0 + count - 1
                n += (m1 / pp - (m0 - 1) / pp) * (chunkList.count - 1)
            }
            perMicroBatch[i] = n
        }
        return (usable, perMicroBatch)
    }

    /// Configurations the search will consider (evaluated or ruled out by memory), before it runs:
    /// what `plan` states on its progress line.
    func configurationCount() -> Int {
        var total = 0
        for u in units.indices {
            let unit = units[u], a = axes[Int(unit.hardware)]
            let tp = a.tps[Int(unit.tpIndex)], pp = a.pps[Int(unit.ppIndex)], cp = a.cps[Int(unit.cpIndex)]
            let dp = Int(unit.devices) / (tp * pp * cp)
            let perZero = batchCounts(unit: u).perMicroBatch.reduce(0, +) * a.sequenceParallel(tp: tp).count * a.recomputes.count
            total += perZero * (dp > 1 ? 4 : 1)
        }
        return total
    }

    /// Every configuration of one unit (hardware, devices, tp, pp, cp, ep): ZeRO stage (0 alone
    /// when dp is 1) × sequence parallel × recompute × micro-batch × global batch × interleave,
    /// with two memory bounds: weights, gradients, optimizer states and buffers alone (per ZeRO
    /// stage, before any activation: `fitsWithoutActivations`), then per micro-batch the smallest
    /// activation footprint (`fitsSmallestActivations`). Activations grow with the micro-batch,
    /// so once one does not fit, no larger one does.
    func evaluate(unit u: Int, into acc: inout PlanAccumulator) {
        guard var unit = ResolvedUnit(self, unit: u) else { return }
        // The costs at the smallest settings: the device's memory, and bound 1's weights and states.
        let base = costs[costsIndex(unit, sp: 0, recompute: 0, microBatch: 0)]!
        unit.capacity = base.deviceMemoryBytes
        // ZeRO shards over the data-parallel ranks: with dp 1 every stage is plain training.
        for zero in 0...(unit.dp > 1 ? 3 : 0) {
            if request.pruneByMemory && !fitsWithoutActivations(unit, base, zero: zero, into: &acc) { continue }
            for sp in 0..<unit.spCount {
                for rc in 0..<unit.rcCount {
                    evaluateMicroBatches(unit, zero: zero, sp: sp, recompute: rc, into: &acc)
                }
            }
        }
    }

    /// Bound 1: the memory that does not depend on activations, at the smallest micro-batch. When
    /// it does not fit, no configuration of this ZeRO stage does: all are counted as pruned and
    /// the miss is offered as the closest fit (a lower bound of what they need).
    @inline(__always)
    func fitsWithoutActivations(_ unit: ResolvedUnit, _ base: LayerCosts, zero: Int, into acc: inout PlanAccumulator) -> Bool {
        let mb = unit.microBatches[0]
        let (first, count) = request.globalBatch.choices(perStep: mb * unit.dp)
        let layout = unit.layout(zero: zero, globalBatch: count > 0 ? first : mb * unit.dp, microBatch: mb)
        let ci = costsIndex(unit, sp: 0, recompute: 0, microBatch: 0)
        let m = StepModel.memory(base, layout: layout, assumptions: request.assumptions)
        let fixed = m.total - m.activations
        guard fixed > unit.capacity else { return true }
        acc.hardware[unit.hardware].pruned += unit.suffix[0] * unit.spCount * unit.rcCount
        acc.hardware[unit.hardware].offerMiss(
            index: planIndex(unit: unit.unit, zero: zero, sp: 0, recompute: 0, microBatch: 0, batch: 0, chunks: 0),
            costs: ci, layout: layout, needed: fixed, capacity: unit.capacity, lowerBound: true)
        return false
    }

    /// The micro-batches of one (ZeRO stage, sequence parallel, recompute), smallest first: each
    /// checked against bound 2, then its global batches evaluated one by one, or, for a long run
    /// of them, only those a train-time bound cannot rule out (`PlanBatchBound.swift`).
    @inline(__always)
    func evaluateMicroBatches(_ unit: ResolvedUnit, zero: Int, sp: Int, recompute rc: Int, into acc: inout PlanAccumulator) {
        let h = unit.hardware
        let stopAtFirstMiss = request.globalBatch.firstChoiceGrowsWithStep
        for mbIndex in 0..<unit.usable {
            let mb = unit.microBatches[mbIndex]
            let (first, count) = request.globalBatch.choices(perStep: mb * unit.dp)
            if count == 0 { continue }
            let group = BatchGroup(
                zero: zero, sp: sp, recompute: rc, microBatchIndex: mbIndex, microBatch: mb, first: first, count: count,
                costs: costsIndex(unit, sp: sp, recompute: rc, microBatch: mbIndex))
            let c = costs[group.costs]!
            if request.pruneByMemory && !fitsSmallestActivations(unit, group, c, into: &acc) {
                // Activations grow with the micro-batch (Korthikanti's s·b·h terms are linear in b,
                // and b × micro-batches in flight cannot shrink when the smallest batch does not).
                if stopAtFirstMiss { acc.hardware[h].pruned += unit.suffix[mbIndex]; break }
                acc.hardware[h].pruned += unit.perMicroBatch[mbIndex]
                continue
            }
            if request.boundByTime && count >= Self.boundedRunMinimum {
                evaluateBoundedRuns(unit, group, into: &acc)
            } else {
                evaluateEachBatch(unit, group, c, into: &acc)
            }
        }
    }

    /// Bound 2: the smallest activation footprint of this micro-batch (its smallest global batch,
    /// 1F1B). A miss is offered as the closest fit; the caller counts what it rules out.
    @inline(__always)
    func fitsSmallestActivations(_ unit: ResolvedUnit, _ group: BatchGroup, _ c: LayerCosts, into acc: inout PlanAccumulator) -> Bool {
        let layout = unit.layout(zero: group.zero, globalBatch: group.first, microBatch: group.microBatch)
        let m = StepModel.memory(c, layout: layout, assumptions: request.assumptions)
        guard !m.fits else { return true }
        acc.hardware[unit.hardware].offerMiss(
            index: group.index(unit: unit.unit, batch: 0, chunks: 0), costs: group.costs, layout: layout, needed: m.total,
            capacity: unit.capacity, lowerBound: false)
        return false
    }

    /// A long run of global batches, one run per interleave, through the train-time bound.
    @inline(__always)
    func evaluateBoundedRuns(_ unit: ResolvedUnit, _ group: BatchGroup, into acc: inout PlanAccumulator) {
        for (vIndex, v) in unit.chunkList.enumerated() {
            evaluateBatches(
                BatchRun(
                    unit: unit.unit, hardware: unit.hardware, costs: group.costs, zero: group.zero, sp: group.sp,
                    recompute: group.recompute, microBatch: group.microBatchIndex, chunks: vIndex, first: group.first,
                    count: group.count,
                    layout: unit.layout(zero: group.zero, globalBatch: group.first, microBatch: group.microBatch, chunks: v),
                    price: unit.price, capacity: unit.capacity),
                into: &acc)
        }
    }

    /// Each global batch of the group and each interleave its micro-batches per pipeline allow
    /// (a multiple of pp), through the step model, then ranked (`record`).
    @inline(__always)
    func evaluateEachBatch(_ unit: ResolvedUnit, _ group: BatchGroup, _ c: LayerCosts, into acc: inout PlanAccumulator) {
        let perStep = group.microBatch * unit.dp, assumptions = request.assumptions
        for g in 0..<group.count {
            let batch = group.first + g * perStep
            let micro = batch / perStep
            for (vIndex, v) in unit.chunkList.enumerated() {
                if v > 1 && micro % unit.pp != 0 { break }
                let layout = unit.layout(zero: group.zero, globalBatch: batch, microBatch: group.microBatch, chunks: v)
                let step = StepModel.evaluate(c, layout: layout, assumptions: assumptions)
                record(
                    step, layout: layout, index: group.index(unit: unit.unit, batch: g, chunks: vIndex), hardware: unit.hardware,
                    costs: group.costs, price: unit.price, capacity: unit.capacity, into: &acc)
            }
        }
    }

    /// Ranks one evaluated configuration: the hardware's tally and, when it fits, the Pareto front
    /// and (within the deadline and budget) the best list; a miss goes to the closest fit.
    @inline(__always)
    func record(
        _ step: StepEstimate, layout: Layout, index: UInt64, hardware h: Int, costs ci: Int, price: Double,
        capacity: Double, into acc: inout PlanAccumulator
    ) {
        acc.hardware[h].evaluated += 1
        guard step.memory.fits else {
            acc.hardware[h].offerMiss(
                index: index, costs: ci, layout: layout, needed: step.memory.total, capacity: capacity, lowerBound: false)
            return
        }
        let deadline = request.deadlineSeconds, budget = request.budgetUSD
        let seconds = TrainingEstimate.trainSeconds(tokens: request.tokens, step: step)
        let candidate = PlanCandidate(
            index: index, hardware: h, costs: ci, layout: layout, trainSeconds: seconds,
            costUSD: price * TrainingEstimate.deviceHours(trainSeconds: seconds, devices: layout.devices),
            energyKWh: TrainingEstimate.energyKWh(trainSeconds: seconds, step: step))
        acc.hardware[h].offer(candidate, deadline: deadline, budget: budget)
        acc.pareto.offer(candidate)
        if (deadline.map { seconds <= $0 } ?? true) && (budget.map { candidate.costUSD <= $0 } ?? true) {
            acc.best.offer(candidate)
        }
    }
}

/// A unit with its axis indices resolved to sizes, and what every one of its configurations
/// shares: price, device memory, and how many configurations each micro-batch stands for.
struct ResolvedUnit {
    let unit: Int, hardware: Int
    let tpIndex: Int, cpIndex: Int, epIndex: Int
    let devices: Int, tp: Int, pp: Int, cp: Int, ep: Int, dp: Int
    /// Interleaves (model chunks per stage) allowed at this pp, and the micro-batches tried.
    let chunkList: [Int], microBatches: [Int]
    let price: Double
    /// The device's memory, as the stage-1 costs carry it (set by `PlanSearch.evaluate(unit:into:)`,
    /// which reads those costs once per unit).
    var capacity = 0.0
    let spCount: Int, rcCount: Int
    /// Micro-batches that fit the largest global batch, the configurations (global batch ×
    /// interleave) of each, and of each with every larger one: what a memory miss rules out.
    let usable: Int
    let perMicroBatch: [Int]
    let suffix: [Int]

    /// nil when no micro-batch fits the largest global batch: the unit has no configuration.
    init?(_ search: PlanSearch, unit u: Int) {
        let unit = search.units[u]
        let h = Int(unit.hardware), a = search.axes[h]
        let (usable, perMicroBatch) = search.batchCounts(unit: u)
        guard usable > 0 else { return nil }
        self.unit = u; hardware = h
        tpIndex = Int(unit.tpIndex); cpIndex = Int(unit.cpIndex); epIndex = Int(unit.epIndex)
        let ppIndex = Int(unit.ppIndex)
        devices = Int(unit.devices); tp = a.tps[tpIndex]; pp = a.pps[ppIndex]; cp = a.cps[cpIndex]; ep = a.eps[epIndex]
        dp = devices / (tp * pp * cp)
        chunkList = a.chunks[ppIndex]
        microBatches = a.microBatches
        price = search.request.hardware[h].pricePerHourUSD ?? 0
        spCount = a.sequenceParallel(tp: tp).count
        rcCount = a.recomputes.count
        self.usable = usable
        self.perMicroBatch = perMicroBatch
        var suffix = perMicroBatch
        for i in stride(from: usable - 2, through: 0, by: -1) { suffix[i] += suffix[i + 1] }
        self.suffix = suffix
    }

    /// The layout of one configuration; `chunks` > 1 is the interleaved schedule.
    @inline(__always)
    func layout(zero: Int, globalBatch: Int, microBatch: Int, chunks: Int = 1) -> Layout {
        Layout(
            devices: devices, tp: tp, pp: pp, cp: cp, dp: dp, ep: ep, schedule: chunks > 1 ? .interleaved(chunks: chunks) : .oneFOneB,
            zero: zero, globalBatch: globalBatch, microBatch: microBatch)
    }
}

/// The configurations of a unit that share one stage-1 cost entry: a ZeRO stage, sequence
/// parallel, recompute and micro-batch, at global batches `first + g × micro-batch × dp` for
/// g < `count`, and every interleave.
struct BatchGroup {
    var zero: Int, sp: Int, recompute: Int
    var microBatchIndex: Int, microBatch: Int
    var first: Int, count: Int
    /// Index of the group's stage-1 costs.
    var costs: Int

    @inline(__always)
    func index(unit: Int, batch: Int, chunks: Int) -> UInt64 {
        planIndex(unit: unit, zero: zero, sp: sp, recompute: recompute, microBatch: microBatchIndex, batch: batch, chunks: chunks)
    }
}
