import Foundation
import Ridgeline
import RidgelineTraining

/// Stage 2 of the training model (`StepModel.evaluate`) on one core: layouts per second, for
/// the planner's budget (≥ 1,000,000 per second per core). Stage 1 is computed once outside
/// the timed loop, as the planner caches it per kernel-settings key.
func benchStepModel() throws {
    let store = ProfileStore.locate()
    let model = try store.model("llama2-70b")
    let profile = try store.hardware("h100-sxm5-80gb")
    let costs = try LayerCosts.compute(model: model, profile: profile, settings: KernelSettings(tp: 8, microBatch: 1, seq: 4096))
    var layouts: [Layout] = []
    for pp in [1, 2, 4, 5, 8, 10, 16, 20] {
        for dp in [1, 2, 4, 8, 16, 32, 64, 128] {
            for zero in 0...3 {
                for v in [1, 2] where (80 / pp) % v == 0 {
                    layouts.append(
                        Layout(
                            devices: 8 * pp * dp, tp: 8, pp: pp, dp: dp, schedule: v > 1 ? .interleaved(chunks: v) : .oneFOneB,
                            zero: zero, globalBatch: 1024 * dp, microBatch: 1))
                }
            }
        }
    }
    var sink = 0.0
    let rounds = 4000
    let start = DispatchTime.now().uptimeNanoseconds
    for _ in 0..<rounds {
        for layout in layouts {
            let e = StepModel.evaluate(costs, layout: layout)
            sink += e.stepSeconds + e.memory.total
        }
    }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    let evaluations = Double(rounds * layouts.count)
    print(
        String(
            format: "StepModel.evaluate: %.0f evaluations in %.3f s = %.2f M layouts/s on one core (checksum %.3g)",
            evaluations, seconds, evaluations / seconds / 1e6, sink))
}
