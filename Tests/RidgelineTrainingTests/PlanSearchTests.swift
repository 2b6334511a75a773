import Foundation
import Ridgeline
import Testing

@testable import RidgelineTraining

/// The planner against a brute-force search, itself unpruned, `TrainingPredictor`, and other thread counts.
@Suite struct PlanSearchTests {
    /// GPT-2 124M on up to 16 A100s or H100s: small enough to enumerate by brute force.
    func smallRequest(pruned: Bool = true, threads: Int? = nil, top: Int = 8) throws -> PlanRequest {
        PlanRequest(
            model: try Fixtures.model("gpt2-124m"),
            hardware: [try Fixtures.hardware("a100-sxm4-80gb"), try Fixtures.hardware("h100-sxm5-80gb")],
            tokens: 2.5e9, maxDevices: 16, top: top, globalBatch: .range(248, 272), maxMicroBatch: 4,
            threads: threads, pruneByMemory: pruned)
    }

    struct Point: Hashable { let hardware: String; let time: Double; let cost: Double }

    /// Every layout the model allows, generated and rejected by `Layout.validate` (a different
    /// route from the planner's divisor enumeration), each priced by stage 1 and stage 2.
    func bruteForce(_ r: PlanRequest) throws -> (valid: Int, fitting: [Point]) {
        guard case .transformer(let t) = r.model, case .range(let lo, let hi) = r.globalBatch else {
            fatalError("transformer with a range")
        }
        var valid = 0
        var fitting: [Point] = []
        var cache: [KernelSettings: LayerCosts] = [:]
        for profile in r.hardware {
            for devices in [1, 2, 4, 8, 16] {
                for tp in 1...8 where t.heads % tp == 0 {
                    // The planner enumerates even pipeline splits (uneven ones are valid layouts too).
                    for pp in 1...t.layers where t.layers % pp == 0 {
                        for v in 1...t.layers where v == 1 || pp > 1 {
                            for mb in [1, 2, 4] {
                                // The planner's global batches are multiples of micro-batch × dp
                                // (a smaller last micro-batch is valid too, but not searched).
                                for batch in lo...hi where batch % (mb * max(1, devices / (tp * pp))) == 0 {
                                    for zero in 0...3 where zero == 0 || devices / (tp * pp) > 1 {
                                        let layout = Layout(
                                            devices: devices, tp: tp, pp: pp, dp: devices / (tp * pp),
                                            schedule: v > 1 ? .interleaved(chunks: v) : .oneFOneB, zero: zero,
                                            globalBatch: batch, microBatch: mb)
                                        guard (try? layout.validate(model: r.model)) != nil else { continue }
                                        for sp in tp > 1 ? [false, true] : [false] {
                                            for rc in Recompute.allCases {
                                                valid += 1
                                                let settings = KernelSettings(
                                                    tp: tp, sequenceParallel: sp, microBatch: mb, seq: r.seq, recompute: rc)
                                                let costs =
                                                    try cache[settings]
                                                    ?? LayerCosts.compute(model: r.model, profile: profile, settings: settings)
                                                cache[settings] = costs
                                                let step = StepModel.evaluate(costs, layout: layout)
                                                guard step.memory.fits else { continue }
                                                let e = TrainingEstimate(
                                                    model: t.name, parameters: t.parameterCount, hardware: profile.id, layout: layout,
                                                    settings: settings, step: step, tokens: r.tokens,
                                                    pricePerDeviceHour: profile.pricePerHourUSD)
                                                fitting.append(Point(hardware: profile.id, time: e.trainSeconds, cost: e.costUSD!))
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            cache = [:]
        }
        return (valid, fitting)
    }

    @Test func agreesWithBruteForce() throws {
        let request = try smallRequest()
        let plan = try Planner.plan(request)
        let brute = try bruteForce(request)
        #expect(brute.valid > 10_000 && brute.fitting.count > 1_000)
        #expect(plan.configurationsSearched == brute.valid)
        #expect(plan.configurationsFitting == brute.fitting.count)
        // The best times, in order.
        let times = brute.fitting.map(\.time).sorted()
        #expect(plan.best.map(\.estimate.trainSeconds) == Array(times.prefix(request.top)))
        // The Pareto front: the brute-force points no other is both faster and cheaper than.
        var front: [Point] = []
        for p in brute.fitting.sorted(by: { ($0.time, $0.cost) < ($1.time, $1.cost) }) where front.last.map({ p.cost < $0.cost }) ?? true {
            front.append(p)
        }
        #expect(
            plan.pareto.map { Point(hardware: $0.estimate.hardware, time: $0.estimate.trainSeconds, cost: $0.estimate.costUSD!) } == front)
        for h in plan.hardware {
            let mine = brute.fitting.filter { $0.hardware == h.id }
            #expect(h.fastest?.estimate.trainSeconds == mine.map(\.time).min())
            #expect(h.cheapest?.estimate.costUSD == mine.map(\.cost).min())
        }
    }

    @Test func pruningNeverDropsAConfigurationThatFits() throws {
        // Llama 2 13B on 40 GB A100s: most small layouts cannot hold it, so the bounds prune a lot.
        func request(_ pruned: Bool, _ batches: GlobalBatchChoice?) throws -> PlanRequest {
            PlanRequest(
                model: try Fixtures.model("llama2-13b"),
                hardware: [try Fixtures.hardware("a100-sxm4-40gb"), try Fixtures.hardware("h100-sxm5-80gb")],
                tokens: 1e11, maxDevices: 32, top: 20, globalBatch: batches, maxMicroBatch: 8, pruneByMemory: pruned)
        }
        for batches: GlobalBatchChoice? in [nil, .range(480, 520)] {
            let pruned = try Planner.plan(request(true, batches)), full = try Planner.plan(request(false, batches))
            #expect(pruned.configurationsPruned > pruned.configurationsEvaluated / 10)
            #expect(full.configurationsPruned == 0)
            #expect(full.configurationsSearched == pruned.configurationsSearched)
            #expect(full.configurationsFitting == pruned.configurationsFitting)
            #expect(full.best.map(\.index) == pruned.best.map(\.index))
            #expect(full.pareto.map(\.index) == pruned.pareto.map(\.index))
            for (a, b) in zip(full.hardware, pruned.hardware) {
                #expect(a.configurationsFitting == b.configurationsFitting)
                #expect(a.cheapest?.index == b.cheapest?.index && a.fastest?.index == b.fastest?.index)
            }
        }
    }

    /// A wide --global-batch-range evaluates only the batches a train-time bound cannot rule out
    /// (PlanBatchBound.swift): the answers must be those of evaluating every batch, for every
    /// objective, with a deadline and a budget that bind, and where memory is tight.
    @Test func boundingBatchRunsLosesNothing() throws {
        func compare(_ request: PlanRequest) throws {
            var full = request
            full.boundByTime = false
            let exact = try Planner.plan(full), fast = try Planner.plan(request)
            #expect(exact.configurationsBounded == 0)
            #expect(fast.configurationsBounded > fast.configurationsEvaluated)
            #expect(fast.configurationsSearched == exact.configurationsSearched)
            #expect(fast.configurationsFitting == exact.configurationsFitting)
            #expect(fast.best.map(\.index) == exact.best.map(\.index))
            #expect(fast.best.map(\.estimate.trainSeconds) == exact.best.map(\.estimate.trainSeconds))
            #expect(fast.pareto.map(\.index) == exact.pareto.map(\.index))
            for (a, b) in zip(fast.hardware, exact.hardware) {
                #expect(a.configurationsFitting == b.configurationsFitting)
                #expect(a.fastest?.index == b.fastest?.index && a.cheapest?.index == b.cheapest?.index)
                #expect(a.cheapestMeetingDeadline?.index == b.cheapestMeetingDeadline?.index)
                #expect(a.fastestWithinBudget?.index == b.fastestWithinBudget?.index)
                #expect(a.closestFit?.neededBytes == b.closestFit?.neededBytes)
            }
            #expect(fast.explanation == exact.explanation)
        }
        let hardware = [try Fixtures.hardware("a100-sxm4-80gb"), try Fixtures.hardware("h100-sxm5-80gb")]
        var request = PlanRequest(
            model: try Fixtures.model("gpt2-124m"), hardware: hardware, tokens: 2.5e9, maxDevices: 8,
            top: 8, globalBatch: .range(1, 300), maxMicroBatch: 4)
        let open = try Planner.plan(request)
        let times = open.pareto.map(\.estimate.trainSeconds), costs = open.pareto.map { $0.estimate.costUSD! }
        for objective in PlanObjective.allCases {
            request.objective = objective
            try compare(request)
        }
        // A deadline and a budget that each leave part of the front.
        request.objective = .cost
        request.deadlineSeconds = times[times.count / 2]
        try compare(request)
        request.deadlineSeconds = nil
        request.objective = .time
        request.budgetUSD = costs[costs.count / 2]
        try compare(request)
        // Llama 2 13B on 40 GB: most runs of batches do not fit.
        try compare(
            PlanRequest(
                model: try Fixtures.model("llama2-13b"), hardware: [try Fixtures.hardware("a100-sxm4-40gb")],
                tokens: 1e11, maxDevices: 16, top: 5, globalBatch: .range(1, 200), maxMicroBatch: 2))
    }

    @Test func everyReportedConfigurationIsWhatTrainPredicts() throws {
        let request = try smallRequest()
        let plan = try Planner.plan(request)
        #expect(!plan.best.isEmpty)
        let reported = plan.best + plan.pareto + plan.hardware.flatMap { [$0.fastest, $0.cheapest].compactMap { $0 } }
        for c in reported {
            let e = c.estimate
            let profile = try #require(request.hardware.first { $0.id == e.hardware })
            let train = try TrainingPredictor.predict(
                model: request.model, profile: profile, settings: e.settings, layout: e.layout, tokens: request.tokens)
            #expect(train.step == e.step)
            #expect(train.trainSeconds == e.trainSeconds && train.costUSD == e.costUSD && train.energyKWh == e.energyKWh)
        }
    }

    /// A mixture of experts at 8,192 tokens: the planner searches ep (divisors of the experts that
    /// divide dp·cp) and cp (1 and 2), and what it reports is what `train` predicts.
    @Test func expertAndContextAxesAreSearchedAndMatchTrain() throws {
        let request = PlanRequest(
            model: try Fixtures.model("mixtral-8x7b"), hardware: [try Fixtures.hardware("h100-sxm5-80gb")],
            tokens: 1e11, minDevices: 8, maxDevices: 64, top: 20, seq: 8192, maxMicroBatch: 2)
        let axes = PlanAxes(model: request.model, profile: request.hardware[0], request: request)
        #expect(axes.cps == [1, 2] && axes.eps == [1, 2, 4, 8])
        let plan = try Planner.plan(request)
        #expect(!plan.best.isEmpty)
        let reported = plan.best + plan.pareto
        #expect(reported.contains { $0.estimate.layout.ep > 1 })
        for c in reported {
            let e = c.estimate, l = e.layout
            #expect((l.dp * l.cp) % l.ep == 0 && l.devices == l.tp * l.pp * l.cp * l.dp)
            let train = try TrainingPredictor.predict(
                model: request.model, profile: request.hardware[0], settings: e.settings, layout: l,
                tokens: request.tokens)
            #expect(train.step == e.step && train.stageLayers == e.stageLayers && train.activeParameters == e.activeParameters)
        }
    }

    @Test func sameAnswerOnAnyNumberOfThreads() throws {
        let one = try Planner.plan(try smallRequest(threads: 1))
        for threads in [2, 3, 8] {
            let many = try Planner.plan(try smallRequest(threads: threads))
            #expect(many.threads == threads)
            #expect(many.best.map(\.index) == one.best.map(\.index))
            #expect(many.best.map(\.estimate.trainSeconds) == one.best.map(\.estimate.trainSeconds))
            #expect(many.pareto.map(\.index) == one.pareto.map(\.index))
            #expect(many.configurationsEvaluated == one.configurationsEvaluated && many.configurationsPruned == one.configurationsPruned)
            for (a, b) in zip(many.hardware, one.hardware) {
                #expect(a.fastest?.index == b.fastest?.index && a.cheapest?.index == b.cheapest?.index)
            }
        }
    }

    @Test func objectivesRankByTheirOwnNumber() throws {
        for objective in PlanObjective.allCases {
            var r = try smallRequest(top: 5)
            r.objective = objective
            let plan = try Planner.plan(r)
            let scores = plan.best.map { c -> Double in
                switch objective {
                case .time: return c.estimate.trainSeconds
                case .cost: return c.estimate.costUSD!
                case .energy: return c.estimate.energyKWh
                }
            }
            #expect(scores == scores.sorted() && scores.count == 5)
        }
    }

    @Test func aModelThatFitsNowhereIsExplained() throws {
        let r = PlanRequest(model: try Fixtures.model("gpt3-175b"), hardware: [try Fixtures.hardware("a100-sxm4-40gb")], maxDevices: 16)
        let plan = try Planner.plan(r)
        #expect(plan.best.isEmpty && plan.pareto.isEmpty && plan.configurationsFitting == 0)
        let miss = try #require(plan.hardware[0].closestFit)
        #expect(miss.neededBytes > miss.capacityBytes)
        let text = plan.explanation.joined(separator: " ")
        #expect(text.contains("fits on none of a100-sxm4-40gb") && text.contains("short"))
    }

    @Test func aDeadlineNothingMeetsSaysByHowMuch() throws {
        var r = try smallRequest()
        r.deadlineSeconds = 60
        let plan = try Planner.plan(r)
        #expect(plan.best.isEmpty)
        #expect(plan.pareto.allSatisfy { !$0.meetsDeadline })
        for h in plan.hardware {
            let miss = try #require(h.deadlineMissSeconds)
            #expect(h.cheapestMeetingDeadline == nil)
            #expect(abs(miss - (h.fastest!.estimate.trainSeconds - 60)) < 1e-9)
        }
        #expect(plan.explanation.contains { $0.hasPrefix("No configuration meets the deadline") && $0.contains("late") })
    }

    @Test func aBudgetNothingMeetsSaysByHowMuch() throws {
        var r = try smallRequest()
        r.budgetUSD = 0.01
        let plan = try Planner.plan(r)
        #expect(plan.best.isEmpty)
        #expect(plan.explanation.contains { $0.hasPrefix("No configuration fits the budget") && $0.contains("over") })
    }

    @Test func aDeadlineSomeMeetGivesTheCheapestInTime() throws {
        var r = try smallRequest()
        let fastest = try Planner.plan(r).hardware.map { $0.fastest!.estimate.trainSeconds }
        r.deadlineSeconds = fastest.max()! * 1.5
        let plan = try Planner.plan(r)
        #expect(plan.explanation.isEmpty && !plan.best.isEmpty)
        #expect(plan.best.allSatisfy { $0.meetsDeadline })
        for h in plan.hardware {
            let c = try #require(h.cheapestMeetingDeadline)
            #expect(c.estimate.trainSeconds <= r.deadlineSeconds!)
            #expect(c.estimate.costUSD! >= h.cheapest!.estimate.costUSD!)
        }
    }

    @Test func inputErrorsNameTheOption() throws {
        let model = try Fixtures.model("gpt2-124m"), a100 = try Fixtures.hardware("a100-sxm4-80gb")
        var unpriced = a100
        unpriced.pricePerHourUSD = nil
        let cases: [(PlanRequest, String)] = [
            (PlanRequest(model: model, hardware: [a100], minDevices: 9, maxDevices: 8), "--max-devices"),
            (PlanRequest(model: model, hardware: [a100], globalBatch: .range(10, 5)), "--global-batch-range"),
            (PlanRequest(model: model, hardware: [a100], top: 0), "--top"),
            (PlanRequest(model: model, hardware: [a100], deadlineSeconds: -1), "--deadline"),
            (PlanRequest(model: model, hardware: [unpriced]), "price_per_hour_usd"),
            (PlanRequest(model: model, hardware: [a100, a100]), "--hardware"),
        ]
        for (request, option) in cases {
            #expect { try Planner.plan(request) } throws: { "\($0)".contains(option) }
        }
    }

    @Test func enumerationAxes() throws {
        #expect(PlanAxes.deviceCounts(node: 8, min: 1, max: 32) == [1, 2, 4, 8, 16, 24, 32])
        #expect(PlanAxes.deviceCounts(node: 8, min: 9, max: 32) == [16, 24, 32])
        #expect(PlanAxes.deviceCounts(node: 8, min: 1, max: 3) == [1, 2])
        #expect(GlobalBatchChoice.range(100, 130).choices(perStep: 16) == (112, 2))
        #expect(GlobalBatchChoice.fixed(96).choices(perStep: 64) == (0, 0))
        // Around 1024: the nearest multiple, within half to twice the target.
        #expect(GlobalBatchChoice.around(1024).choices(perStep: 248 * 4) == (992, 1))
        #expect(GlobalBatchChoice.around(1024).choices(perStep: 3000) == (0, 0))
        let axes = PlanAxes(
            model: try Fixtures.model("gpt3-175b"), profile: try Fixtures.hardware("h100-sxm5-80gb"),
            request: PlanRequest(model: try Fixtures.model("gpt3-175b"), hardware: []))
        #expect(axes.tps == [1, 2, 3, 4, 6, 8])
        #expect(axes.pps.count == 12 && axes.chunks[axes.pps.firstIndex(of: 8)!] == [1, 2, 3, 4, 6, 12])
    }
}
