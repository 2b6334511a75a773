import Ridgeline

/// A run of global batches that differ in nothing else: one unit, ZeRO stage, sequence parallel,
/// recompute, micro-batch and interleave, at `first + g × perStep` for g in 0..<count
/// (interleaving: only those whose micro-batches per pipeline are a multiple of pp).
struct BatchRun {
    var unit: Int, hardware: Int, costs: Int
    var zero: Int, sp: Int, recompute: Int, microBatch: Int, chunks: Int
    var first: Int, count: Int
    /// The layout at `first`; each batch changes its global batch only.
    var layout: Layout
    var price: Double, capacity: Double
}

extension PlanSearch {
    /// Below this many batches in a run, evaluating each costs less than bounding them.
    static let boundedRunMinimum = 32

    /// Evaluates the batches of `run` that could change the answer, and counts the others as
    /// fitting and `bounded`. What makes this exact:
    ///
    /// - Memory depends on the batch only through the micro-batches in flight, min(m, pp − i) on
    ///   stage i (`MemoryRules`): from m = pp micro-batches per pipeline on, every batch of the
    ///   run needs the same bytes, so evaluating the first tells whether all of them fit.
    /// - Step time is affine in the batch: each micro-batch adds its compute, tensor-parallel and
    ///   pipeline traffic (and ZeRO-3 gathers), while the bubble, the gradient reduction and the
    ///   optimizer step are paid once per step (`StepModel.evaluate`). Two evaluations give the
    ///   line; every later evaluation is checked against it, and a run that leaves it is
    ///   evaluated batch by batch.
    /// - Train time = ⌈tokens / tokens per step⌉ × step time, so a lower bound on it follows for
    ///   every batch from the line, with margins far wider than rounding.
    ///
    /// Within a run, the devices, price and power are fixed, so cost and energy rise with train
    /// time: a batch whose bound exceeds the fastest evaluated batch of the run is beaten by it in
    /// time and cost (so it is on no Pareto front, and no hardware's fastest, cheapest, cheapest in
    /// time or fastest in budget), and if its bound cannot enter the best list either (the list
    /// is full and scores better, or the bound misses the deadline or budget), nothing it could
    /// be would change the answer. `PlanSearchTests` compares the result with the unbounded search.
    func evaluateBatches(_ run: BatchRun, into acc: inout PlanAccumulator) {
        let c = costs[run.costs]!, assumptions = request.assumptions, tokens = request.tokens
        let pp = run.layout.pp, v = run.layout.schedule.chunks
        let perStep = run.layout.microBatch * run.layout.dp
        let h = run.hardware
        // Interleaving needs the micro-batches per pipeline to be a multiple of pp.
        let m0 = run.first / perStep
        let start = v > 1 ? (pp - m0 % pp) % pp : 0, stride = v > 1 ? pp : 1
        guard start < run.count else { return }
        let n = (run.count - 1 - start) / stride + 1
        func g(_ j: Int) -> Int { start + j * stride }
        func batch(_ j: Int) -> Int { run.first + g(j) * perStep }
        func layout(_ j: Int) -> Layout { var l = run.layout; l.globalBatch = batch(j); return l }
        func index(_ j: Int) -> UInt64 {
            planIndex(
                unit: run.unit, zero: run.zero, sp: run.sp, recompute: run.recompute, microBatch: run.microBatch, batch: g(j),
                chunks: run.chunks)
        }
        @discardableResult
        func evaluate(_ j: Int) -> StepEstimate {
            let l = layout(j)
            let step = StepModel.evaluate(c, layout: l, assumptions: assumptions)
            record(step, layout: l, index: index(j), hardware: h, costs: run.costs, price: run.price, capacity: run.capacity, into: &acc)
            return step
        }
        // Fewer than pp micro-batches: memory still grows with the batch; each is evaluated.
        var tail = 0
        while tail < n && m0 + g(tail) < pp { evaluate(tail); tail += 1 }
        guard n - tail >= Self.boundedRunMinimum else {
            for j in tail..<n { evaluate(j) }
            return
        }
        // The first and last of the rest: whether they fit, and the line through their step times.
        let low = evaluate(tail)
        guard low.memory.fits else {
            // The rest need the same bytes as this one, which does not fit (and, at a higher
            // index, none would be the closest fit instead of it).
            if request.pruneByMemory { acc.hardware[h].pruned += n - tail - 1 } else { for j in (tail + 1)..<n { evaluate(j) } }
            return
        }
        let high = evaluate(n - 1)
        let (bLow, bHigh) = (Double(batch(tail)), Double(batch(n - 1)))
        let slope = (high.stepSeconds - low.stepSeconds) / (bHigh - bLow)
        let intercept = low.stepSeconds - slope * bLow
        let tokensPerSequence = high.tokensPerStep / bHigh
        func line(_ j: Int) -> Double { slope * Double(batch(j)) + intercept }
        func estimate(_ j: Int) -> Double { (tokens / (tokensPerSequence * Double(batch(j)))).rounded(.up) * line(j) }
        func lowerBound(_ j: Int) -> Double {
            (tokens / (tokensPerSequence * Double(batch(j))) * (1 - 1e-12)).rounded(.up) * line(j) * (1 - 1e-9)
        }
        func onLine(_ j: Int, _ step: StepEstimate) -> Bool { abs(step.stepSeconds - line(j)) <= 1e-10 * step.stepSeconds }
        // (A free device ties every cost at zero, where the lowest index wins: no bound then.)
        guard high.memory.fits, run.price > 0, onLine(n - 1, high) else {
            for j in (tail + 1)..<(n - 1) { evaluate(j) }
            return
        }
        // The fastest batch of the run by the line, evaluated: the one every bound is held against.
        var guess = tail
        var guessSeconds = Double.infinity
        for j in (tail + 1)..<(n - 1) {
            let e = estimate(j)
            if e < guessSeconds { guessSeconds = e; guess = j }
        }
        var fastest = TrainingEstimate.trainSeconds(tokens: tokens, step: low), fastestStep = low
        let highSeconds = TrainingEstimate.trainSeconds(tokens: tokens, step: high)
        if highSeconds < fastest { fastest = highSeconds; fastestStep = high }
        if guess != tail {
            let step = evaluate(guess)
            guard onLine(guess, step) else {
                for j in (tail + 1)..<(n - 1) where j != guess { evaluate(j) }
                return
            }
            let seconds = TrainingEstimate.trainSeconds(tokens: tokens, step: step)
            if seconds < fastest { fastest = seconds; fastestStep = step }
        }
        let deadline = request.deadlineSeconds, budget = request.budgetUSD, objective = request.objective
        let devices = run.layout.devices
        var bounded = 0
        var trusted = true
        for j in (tail + 1)..<(n - 1) where j != guess {
            if trusted {
                let bound = lowerBound(j)
                if bound > fastest * (1 + 1e-9) {
                    let cost = run.price * TrainingEstimate.deviceHours(trainSeconds: bound, devices: devices)
                    let outOfBest: Bool
                    if deadline.map({ bound > $0 }) ?? false || budget.map({ cost > $0 }) ?? false {
                        outOfBest = true
                    } else if let worst = acc.best.worstScore {
                        let score: Double
                        switch objective {
                        case .time: score = bound
                        case .cost: score = cost
                        case .energy: score = TrainingEstimate.energyKWh(trainSeconds: bound, step: fastestStep)
                        }
                        outOfBest = score > worst
                    } else {
                        outOfBest = false
                    }
                    if outOfBest { bounded += 1; continue }
                }
            }
            let step = evaluate(j)
            if trusted && !onLine(j, step) { trusted = false }
            let seconds = TrainingEstimate.trainSeconds(tokens: tokens, step: step)
            if seconds < fastest { fastest = seconds; fastestStep = step }
        }
        acc.hardware[h].fitting += bounded
        acc.hardware[h].bounded += bounded
    }
}
