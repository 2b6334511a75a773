import Foundation
import Ridgeline

/// Where one replica settles under a load: the figures that depend on how requests arrive. Each
/// load kind (`ServingLoad`) has its own function that returns one; `estimate` adds what follows
/// from it (end-to-end latency, cost, energy, memory at that batch).
struct OperatingPoint {
    var ttft: Double
    var tpot: Double
    /// Sequences in flight (fractional under a request rate: the mean).
    var batch: Double
    /// Output tokens per second.
    var throughput: Double
    var queueing = 0.0
    /// Share of the replica's time busy (below 1 only under a request rate).
    var utilization = 1.0
    var decode: ServingPhase
    /// The prefill the estimate shows: the whole batch's for a static batch, else one request's.
    var prefill: ServingPhase
    var notes: [String] = []
}

extension ServingPredictor {
    /// Mean context over a request's decode: input + half the output.
    public var meanContext: Int { config.inputTokens + config.outputTokens / 2 }

    /// Most sequences in flight: what the KV cache holds, capped at the engine's largest batch.
    var inFlightLimit: Int { min(maxConcurrency, config.assumptions.maxBatch) }

    public func estimate(_ load: ServingLoad) throws -> ServingEstimate {
        try checkFits()
        let point: OperatingPoint
        switch load {
        case .batch(let b): point = try staticBatch(b)
        case .concurrency(let c): point = try clients(c)
        case .maxLoad: point = try maxLoad(requests: nil)
        case .requests(let n): point = try maxLoad(requests: n)
        case .rate(let qps): point = try arrivals(perSecond: qps)
        }
        return estimate(at: point)
    }

    /// The estimate at an operating point: end-to-end latency, requests/s, cost and energy per
    /// million output tokens, and memory at the point's batch.
    func estimate(at point: OperatingPoint) -> ServingEstimate {
        let i = config.inputTokens, o = config.outputTokens
        let e2e = point.ttft + Double(o - 1) * point.tpot
        let requests = point.throughput / Double(o)
        let devices = Double(config.devices)
        let price = config.price ?? config.profile.pricePerHourUSD
        let cost = price.map { $0 * devices / 3600 / point.throughput * 1e6 }
        let energy = config.profile.powerWatts * devices / point.throughput * 1e6 / 3.6e6
        let mem = memory(batch: max(1, Int(point.batch.rounded(.up))))
        return ServingEstimate(
            model: model.name, hardware: config.profile.id, devices: config.devices, tp: t, pp: config.pp, ep: config.ep,
            precision: config.precision.rawValue, kvPrecision: config.kvServingPrecision.rawValue,
            inputTokens: i, outputTokens: o, ttft: point.ttft, tpot: point.tpot, e2eLatency: e2e,
            outputTokensPerSecond: point.throughput, requestsPerSecond: requests, batch: point.batch,
            maxConcurrency: maxConcurrency, kvCacheBytesPerToken: kvBytesPerToken,
            kvCacheBytesPerTokenPerDevice: kvBytesPerTokenPerDevice,
            pagingOverheadFraction: paddedTokensPerSequence / Double(i + o) - 1,
            memory: mem, prefill: point.prefill, decode: point.decode, queueingSeconds: point.queueing,
            utilization: point.utilization, costPerMillionTokens: cost, energyPerMillionTokensKWh: energy,
            stepOverhead: config.assumptions.stepOverhead, notes: point.notes)
    }

    /// A static batch of `b` requests started together: TTFT is the batch's prefill, then `b`
    /// decode steps until the last token.
    func staticBatch(_ b: Int) throws -> OperatingPoint {
        guard b >= 1 else { throw ServingError.invalid("--batch must be at least 1 (got \(b))") }
        guard b <= maxConcurrency else {
            throw ServingError.doesNotFit(
                "--batch \(b) needs KV cache for \(b) sequences of \(config.inputTokens + config.outputTokens) tokens; \(maxConcurrency) fit on \(config.profile.id) (\(config.devices) device(s))"
            )
        }
        let p = prefill(requests: b)
        let decode = decodeStep(batch: b, context: meanContext)
        let ttft = p.timeSeconds, tpot = decode.timeSeconds
        let e2e = ttft + Double(config.outputTokens - 1) * tpot
        return OperatingPoint(
            ttft: ttft, tpot: tpot, batch: Double(b), throughput: Double(b * config.outputTokens) / e2e, decode: decode, prefill: p)
    }

    /// Closed loop with `c` sequences in flight: per "generation" the engine runs c prefills and o
    /// decode steps; others' prefills stall every sequence's decode (no overlap assumed).
    /// `firstPrefill` is one request's prefill, the wait of a request admitted mid-generation.
    func closedLoop(_ c: Int, firstPrefill: ServingPhase) -> OperatingPoint {
        let o = config.outputTokens
        let d = decodeStep(batch: c, context: meanContext)
        let p = prefill(requests: c)
        let cycle = p.timeSeconds + Double(o) * d.timeSeconds
        return OperatingPoint(
            ttft: firstPrefill.timeSeconds + d.timeSeconds / 2 + config.assumptions.requestOverhead, tpot: cycle / Double(o),
            batch: Double(c), throughput: Double(c * o) / cycle, decode: d, prefill: firstPrefill)
    }

    /// `c` clients, each sending its next request when the last one finishes: a closed loop of as
    /// many as the KV cache holds; the rest wait in the queue.
    func clients(_ c: Int) throws -> OperatingPoint {
        guard c >= 1 else { throw ServingError.invalid("--concurrency must be at least 1 (got \(c))") }
        let maxC = inFlightLimit
        let cc = min(c, maxC)
        var point = closedLoop(cc, firstPrefill: prefill(requests: 1))
        if cc < c {
            point.notes.append("concurrency \(c) exceeds the \(maxC) sequences the KV cache holds: \(c - cc) wait in the queue")
            // Waiting clients queue for a free slot: about (c − cc)/cc generations.
            point.queueing = Double(c - cc) / Double(cc) * Double(cc * config.outputTokens) / point.throughput
            point.ttft += point.queueing
        }
        return point
    }

    /// Every request at once (`requests` nil: an endless supply): the closed loop whose batch
    /// maximises output tokens/s within memory; with `requests`, a run of that many.
    func maxLoad(requests: Int?) throws -> OperatingPoint {
        if let n = requests, n < 1 { throw ServingError.invalid("--requests must be at least 1 (got \(n))") }
        let o = config.outputTokens
        let firstPrefill = prefill(requests: 1)
        // The engine fills its memory, never more sequences than there are requests.
        let limit = min(inFlightLimit, requests ?? inFlightLimit)
        var best = closedLoop(1, firstPrefill: firstPrefill), bestC = 1
        var c = 1
        while c < limit {
            c = min(limit, max(c + 1, Int(Double(c) * 1.25)))
            let r = closedLoop(c, firstPrefill: firstPrefill)
            if r.throughput > best.throughput { best = r; bestC = c }
        }
        var point = best
        point.notes.append(
            "max load: every request issued at once; the batch that maximises output tokens/s within memory is \(bestC) (KV cache holds \(maxConcurrency))"
        )
        if let n = requests {
            // Identical requests issued together start and finish in generations of bestC; the
            // last holds the remainder and still takes o decode steps, at a smaller batch whose
            // step reads the same weights.
            let (full, rest) = n.quotientAndRemainder(dividingBy: bestC)
            let run = Double(o) * (Double(full) * best.tpot + (rest > 0 ? closedLoop(rest, firstPrefill: firstPrefill).tpot : 0))
            point.throughput = Double(n) * Double(o) / run
            if rest > 0 {
                point.notes.append(
                    "\(n) requests: \(full) generation(s) of \(bestC) and a last one of \(rest); output tokens/s is over the whole run"
                )
            }
        }
        return point
    }

    /// Poisson arrivals at `qps` requests per second (open loop, continuous batching): the batch
    /// settles where Little's law holds, and a new request queues for the prefill slot.
    func arrivals(perSecond qps: Double) throws -> OperatingPoint {
        guard qps > 0, qps.isFinite else { throw ServingError.invalid("--rate must be a positive number (got \(qps))") }
        let o = config.outputTokens
        let firstPrefill = prefill(requests: 1)
        let prefillShare = qps * firstPrefill.timeSeconds
        guard prefillShare < 1 else {
            throw ServingError.doesNotFit(
                "at \(qps) requests/s prefill alone needs \(String(format: "%.2f", prefillShare))x the replica's time (prefill \(String(format: "%.1f ms", firstPrefill.timeSeconds * 1e3)) each); the rate exceeds what \(config.devices) device(s) serve"
            )
        }
        guard let settled = steadyBatch(qps: qps, firstPrefill: firstPrefill) else {
            let r = closedLoop(inFlightLimit, firstPrefill: firstPrefill)
            throw ServingError.doesNotFit(
                "at \(qps) requests/s the batch does not settle within the \(inFlightLimit) sequences that fit; the replica sustains about \(String(format: "%.2f", r.throughput / Double(o))) requests/s at that load"
            )
        }
        // Queueing for the prefill slot (M/D/1 on the engine's iteration loop): a new request waits
        // for the running iteration (half a step) and for prefills ahead of it.
        let b = settled.batch, d = settled.decode
        let rho = min(0.99, prefillShare)
        let queueing = d.timeSeconds / 2 + rho / (2 * (1 - rho)) * firstPrefill.timeSeconds
        return OperatingPoint(
            ttft: firstPrefill.timeSeconds + queueing + config.assumptions.requestOverhead, tpot: d.timeSeconds / (1 - prefillShare),
            batch: b, throughput: qps * Double(o), queueing: queueing,
            utilization: prefillShare + qps * Double(o) * d.timeSeconds / b, decode: d, prefill: firstPrefill)
    }

    /// The mean batch at `qps` requests per second and its decode step, or nil when it does not
    /// settle within the sequences that fit. Steady state (Little's law):
    /// B = λ · (TTFT + o · TPOT(B)), TPOT(B) = decode(B) / (1 − λ·prefill), solved by damped
    /// fixed-point iteration from the batch-1 step.
    func steadyBatch(qps: Double, firstPrefill: ServingPhase) -> (batch: Double, decode: ServingPhase)? {
        let o = Double(config.outputTokens), maxC = Double(inFlightLimit)
        let prefillShare = qps * firstPrefill.timeSeconds
        var b = max(1.0, qps * (firstPrefill.timeSeconds + o * decodeStep(batch: 1, context: meanContext).timeSeconds))
        for _ in 0..<60 {
            let d = decodeStep(batch: max(1, Int(b.rounded(.up))), context: meanContext)
            let step = d.timeSeconds / (1 - prefillShare)
            let next = qps * (firstPrefill.timeSeconds + o * step)
            if abs(next - b) < 0.01 * b { return next <= maxC ? (next, d) : nil }
            b = 0.5 * (b + next)
            if b > maxC { return nil }
        }
        return nil
    }
}
