import Foundation
import PropertyBased
import Ridgeline
import RidgelineTraining
import Testing

/// Random layouts, kernel settings and planner requests, huge and negative counts among them, at
/// `Layout.validate`, `TrainingPredictor.predict` and `PlanRequest.validate`: never a trap (an
/// integer overflow ends the test process), every answer finite, every refusal naming its field.
@Suite struct TrainingProperties {
    /// Counts a hostile or careless user gives: the edges of `CountBounds` and of `Int`, zero and negatives.
    static let hostileCounts = [
        0, -1, -5, 3, 12, 96, 65_536, 65_537, 1_048_576, 1_048_577, 67_108_864, 1 << 40,
        1_000_000_000_000, 4_611_686_018_427_387_904, Int.max, Int.min,
    ]
    /// Small counts, drawn nine times in ten so that many random layouts are valid.
    static let plausibleCounts = [1, 1, 1, 1, 1, 1, 2, 4]
    static let count = Gen.int(in: 0...99).map {
        $0 < 90 ? plausibleCounts[$0 % plausibleCounts.count] : hostileCounts[$0 % hostileCounts.count]
    }
    static let numbers: [Double] = [1, 1e9, 2e12, 1e18, 1.1e18, 0, -5, .nan, .infinity, -.infinity, 1e300, 1e308, 0.5, 1e6, 1e6 + 1]
    static let store = shippedProfiles
    static let models = ["gpt2-124m", "llama3-8b", "mixtral-8x7b", "deepseek-v3", "resnet-50", "vit-b16"].map { try! store.model($0) }
    static let profile = try! store.hardware("h100-sxm5-80gb")

    static let values = count.array(of: 14)
    static let reals = Gen.int(in: 0...(numbers.count - 1)).map { numbers[$0] }

    /// A LayoutError or RidgelineError that says which field; anything else is a failure.
    static func expectNamed(_ error: any Error, _ context: String) {
        switch error {
        case let e as LayoutError:
            #expect(!e.field.isEmpty && !e.detail.isEmpty, "\(context): \(e)")
        case let e as RidgelineError:
            #expect(namesTheField(e.description), "\(context): \(e)")
        default:
            Issue.record("\(context): not a LayoutError or RidgelineError: \(error)")
        }
    }

    /// How many random layouts were valid and predicted (the test asks for some, so it tests more than refusals).
    final class Counter: @unchecked Sendable {
        private let lock = NSLock(); private var n = 0
        func add() { lock.lock(); n += 1; lock.unlock() }
        var value: Int { lock.lock(); defer { lock.unlock() }; return n }
    }
    static let predicted = Counter()

    @Test func randomLayoutsPredictFinitelyOrNameTheField() async {
        await propertyCheck(count: 10_000, input: Self.values, Gen.int(in: 0...(Self.models.count - 1)), Gen.bool, Self.reals) {
            v, m, consistent, tokens in
            let model = Self.models[m]
            let tp = v[1], pp = v[2], cp = v[3], dp = v[4]
            // Half the cases with devices = tp·pp·cp·dp (when that does not overflow), so that many layouts are valid.
            let product = Double(tp) * Double(pp) * Double(cp) * Double(dp)
            let devices = consistent && product >= 1 && product <= 1e12 ? Int(product) : v[0]
            let layout = Layout(
                devices: devices, tp: tp, pp: pp, cp: cp, dp: dp, ep: v[5],
                schedule: v[6] > 1 ? .interleaved(chunks: v[6]) : .oneFOneB, zero: v[7] & 3,
                globalBatch: v[8] == 1 ? 256 : v[8], microBatch: v[9], firstStageLayers: v[10] == 1 ? nil : v[10],
                lastStageLayers: v[11] == 1 ? nil : v[11], expertTP: v[12] == 1 ? nil : v[12])
            let settings = KernelSettings(
                tp: tp, microBatch: v[9], seq: v[13] == 1 ? 1024 : v[13], flashAttention: v[7] & 4 == 0, cp: cp, ep: v[5],
                expertTP: layout.expertTP)
            let context = "\(model.name) \(layout) seq \(v[13]) tokens \(tokens)"
            do {
                let e = try TrainingPredictor.predict(
                    model: model, profile: Self.profile, settings: settings, layout: layout, tokens: tokens)
                let s = e.step
                let numbers = [
                    s.stepSeconds, s.tokensPerSecond, s.mfu, s.hfu, s.memory.total, e.trainSeconds, e.deviceHours, e.energyKWh,
                    s.tensorParallelBytes, s.dataParallelBytes, s.pipelineBytes,
                ]
                #expect(numbers.allSatisfy { $0.isFinite && $0 >= 0 } && s.stepSeconds > 0, "\(context): \(numbers)")
                Self.predicted.add()
            } catch {
                Self.expectNamed(error, context)
            }
        }
        print("TrainingProperties: \(Self.predicted.value) of 10000 random layouts predicted")
        #expect(Self.predicted.value >= 200)
    }

    @Test func randomPlanRequestsValidateOrNameTheField() async {
        let gpt2 = Self.models[0]
        await propertyCheck(count: 6000, input: Self.values, Self.reals, Self.reals, Gen.int(in: 0...2)) { v, tokens, money, kind in
            let batch: GlobalBatchChoice = kind == 0 ? .fixed(v[0]) : kind == 1 ? .range(v[0], v[1]) : .around(v[0])
            let request = PlanRequest(
                model: gpt2, hardware: [Self.profile], tokens: tokens, deadlineSeconds: money, budgetUSD: money,
                minDevices: v[2], maxDevices: v[3], top: v[4], globalBatch: batch, seq: v[5],
                maxMicroBatch: v[6], threads: v[7])
            do {
                try request.validate()
                #expect(CountBounds.devices.contains(request.maxDevices) && CountBounds.seq.contains(request.seq))
            } catch {
                Self.expectNamed(error, "plan \(v) tokens \(tokens) money \(money) batch \(batch)")
            }
        }
    }
}
