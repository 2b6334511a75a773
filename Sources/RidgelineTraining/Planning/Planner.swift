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
        // Stage 1: every kernel-settings key, in parallel.
        var offsets: [Int] = [], keys: [(slot: Int, hardware: Int, settings: KernelSettings)] = [], slots = 0
        for (h, a) in axes.enumerated() {
            offsets.append(slots)
            for cp in a.cps {
                for ep in a.eps {
                    for tp in a.tps {
                        for sp in [false, true] {
                            for rc in a.recomputes {
                                for mb in a.microBatches {
                                    if !sp || tp > 1 {
                                        keys.append(
                                            (
                                                slots, h,
                                                KernelSettings(
                                                    tp: tp, sequenceParallel: sp, microBatch: mb, seq: request.seq,
                                                    precision: request.precision, recompute: rc, cp: cp, ep: ep)
                                            ))
                                    }
                                    slots += 1
                                }
                            }
                        }
                    }
                }
            }
        }
        costsOffset = offsets
        let model = request.model, hardware = request.hardware, assumptions = request.assumptions
        let keyList = keys
        let done = DoneCounter(), progress = request.progress
        let computed: [Result<LayerCosts, any Error>] = parallelMap(keyList.count, threads: threads) { i in
            let key = keyList[i]
            defer { if let progress { progress("layer costs", done.add(1), keyList.count) } }
            return Result {
                try LayerCosts.compute(model: model, profile: hardware[key.hardware], settings: key.settings, assumptions: assumptions)
            }
        }
        var table = [LayerCosts?](repeating: nil, count: slots)
        var reasons = [String?](repeating: nil, count: axes.count)
        for (i, r) in computed.enumerated() {
            let slot = keyList[i].slot, h = keyList[i].hardware
            switch r {
            case .success(let c): table[slot] = c
            case .failure(let e as RidgelineError):
                // A device that cannot run this precision: report it, plan on the others.
                if reasons[h] == nil { reasons[h] = e.description }
            case .failure(let e): throw e
            }
        }
        costs = table
        unavailable = reasons
        var units: [PlanUnit] = []
        for (h, a) in axes.enumerated() where reasons[h] == nil {
            for d in a.deviceCounts {
                for (ti, tp) in a.tps.enumerated() where d % tp == 0 {
                    for (pi, pp) in a.pps.enumerated() where (d / tp) % pp == 0 {
                        for (ci, cp) in a.cps.enumerated() where (d / (tp * pp)) % cp == 0 {
                            // Megatron-core: ep·tp·pp divides the devices (ep from the dp·cp ranks).
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
        self.units = units
    }

    var layerCostComputations: Int { costs.reduce(0) { $0 + ($1 == nil ? 0 : 1) } }

    @inline(__always)
    func costsIndex(hardware h: Int, cp: Int = 0, ep: Int = 0, tp: Int, sp: Int, recompute: Int, microBatch: Int) -> Int {
        let a = axes[h]
        let parallel = (cp * a.eps.count + ep) * a.tps.count + tp
        return costsOffset[h] + ((parallel * 2 + sp) * a.recomputes.count + recompute) * a.microBatches.count + microBatch
    }

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

    /// Every configuration of one unit (hardware, devices, tp, pp, cp, ep): ZeRO stage (0 alone when dp is 1) × sequence
    /// parallel × recompute × micro-batch × global batch × interleave, with two memory bounds:
    /// weights, gradients, optimizer states and buffers alone (per ZeRO stage, before any
    /// activation), then per micro-batch the smallest activation footprint (1F1B, fewest
    /// micro-batches in flight). Activations grow with the micro-batch, so once one does not fit,
    /// no larger one does.
    func evaluate(unit u: Int, into acc: inout PlanAccumulator) {
        let unit = units[u]
        let h = Int(unit.hardware), a = axes[h]
        let tpIndex = Int(unit.tpIndex), ppIndex = Int(unit.ppIndex), cpIndex = Int(unit.cpIndex), epIndex = Int(unit.epIndex)
        let devices = Int(unit.devices), tp = a.tps[tpIndex], pp = a.pps[ppIndex], cp = a.cps[cpIndex], ep = a.eps[epIndex]
        let dp = devices / (tp * pp * cp)
        let chunkList = a.chunks[ppIndex]
        let mbs = a.microBatches
        let batches = request.globalBatch
        let price = request.hardware[h].pricePerHourUSD ?? 0
        let assumptions = request.assumptions
        let prune = request.pruneByMemory, boundByTime = request.boundByTime
        let spList = a.sequenceParallel(tp: tp)
        let rcCount = a.recomputes.count

        let (usable, perMicroBatch) = batchCounts(unit: u)
        guard usable > 0 else { return }
        var suffix = perMicroBatch
        for i in stride(from: usable - 2, through: 0, by: -1) { suffix[i] += suffix[i + 1] }
        let stopAtFirstMiss = batches.firstChoiceGrowsWithStep

        let base = costs[costsIndex(hardware: h, cp: cpIndex, ep: epIndex, tp: tpIndex, sp: 0, recompute: 0, microBatch: 0)]!
        let capacity = base.deviceMemoryBytes
        // ZeRO shards over the data-parallel ranks: with dp 1 every stage is plain training.
        for zero in 0...(dp > 1 ? 3 : 0) {
            if prune {
                // Bound 1: the memory that does not depend on activations.
                let (first, count) = batches.choices(perStep: mbs[0] * dp)
                let layout = Layout(
                    devices: devices, tp: tp, pp: pp, cp: cp, dp: dp, ep: ep, zero: zero,
                    globalBatch: count > 0 ? first : mbs[0] * dp, microBatch: mbs[0])
                let m = StepModel.memory(base, layout: layout, assumptions: assumptions)
                let fixed = m.total - m.activations
                if fixed > capacity {
                    acc.hardware[h].pruned += suffix[0] * spList.count * rcCount
                    acc.hardware[h].offerMiss(
                        index: planIndex(unit: u, zero: zero, sp: 0, recompute: 0, microBatch: 0, batch: 0, chunks: 0),
                        costs: costsIndex(hardware: h, cp: cpIndex, ep: epIndex, tp: tpIndex, sp: 0, recompute: 0, microBatch: 0),
                        layout: layout, needed: fixed, capacity: capacity, lowerBound: true)
                    continue
                }
            }
            for (spIndex, _) in spList.enumerated() {
                for rc in 0..<rcCount {
                    for mbIndex in 0..<usable {
                        let mb = mbs[mbIndex], perStep = mb * dp
                        let (first, count) = batches.choices(perStep: perStep)
                        if count == 0 { continue }
                        let ci = costsIndex(
                            hardware: h, cp: cpIndex, ep: epIndex, tp: tpIndex, sp: spIndex, recompute: rc, microBatch: mbIndex)
                        let c = costs[ci]!
                        if prune {
                            // Bound 2: the smallest activation footprint of this micro-batch.
                            let layout = Layout(
                                devices: devices, tp: tp, pp: pp, cp: cp, dp: dp, ep: ep, zero: zero, globalBatch: first, microBatch: mb)
                            let m = StepModel.memory(c, layout: layout, assumptions: assumptions)
                            if !m.fits {
                                acc.hardware[h].offerMiss(
                                    index: planIndex(
                                        unit: u, zero: zero, sp: spIndex, recompute: rc, microBatch: mbIndex, batch: 0, chunks: 0),
                                    costs: ci, layout: layout, needed: m.total, capacity: capacity, lowerBound: false)
                                // Activations grow with the micro-batch (Korthikanti's s·b·h terms are linear in b,
                                // and b × micro-batches in flight cannot shrink when the smallest batch does not).
                                if stopAtFirstMiss { acc.hardware[h].pruned += suffix[mbIndex]; break }
                                acc.hardware[h].pruned += perMicroBatch[mbIndex]
                                continue
                            }
                        }
                        // A long run of batches: only those a train-time bound cannot rule out (PlanBatchBound.swift).
                        if boundByTime && count >= Self.boundedRunMinimum {
                            for vIndex in chunkList.indices {
                                evaluateBatches(
                                    BatchRun(
                                        unit: u, hardware: h, costs: ci, zero: zero, sp: spIndex, recompute: rc,
                                        microBatch: mbIndex, chunks: vIndex, first: first, count: count,
                                        layout: Layout(
                                            devices: devices, tp: tp, pp: pp, cp: cp, dp: dp, ep: ep,
                                            schedule: chunkList[vIndex] > 1 ? .interleaved(chunks: chunkList[vIndex]) : .oneFOneB,
                                            zero: zero, globalBatch: first, microBatch: mb),
                                        price: price, capacity: capacity),
                                    into: &acc)
                            }
                            continue
                        }
                        for g in 0..<count {
                            let batch = first + g * perStep
                            let micro = batch / perStep
                            for (vIndex, v) in chunkList.enumerated() {
                                if v > 1 && micro % pp != 0 { break }
                                let layout = Layout(
                                    devices: devices, tp: tp, pp: pp, cp: cp, dp: dp, ep: ep,
                                    schedule: v > 1 ? .interleaved(chunks: v) : .oneFOneB, zero: zero,
                                    globalBatch: batch, microBatch: mb)
                                let step = StepModel.evaluate(c, layout: layout, assumptions: assumptions)
                                let index = planIndex(
                                    unit: u, zero: zero, sp: spIndex, recompute: rc, microBatch: mbIndex, batch: g, chunks: vIndex)
                                record(
                                    step, layout: layout, index: index, hardware: h, costs: ci, price: price, capacity: capacity, into: &acc
                                )
                            }
                        }
                    }
                }
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
