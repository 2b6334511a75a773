import Foundation
import Ridgeline
import RidgelineTraining

/// The collective model fitted on the shipped all-reduce tables (reference/collectives, 2-8 GPUs,
/// 1 MiB-1 GiB) by the fit `calibrate-network` runs, on the even-indexed sizes, and judged on the
/// odd ones. Target: held-out median error ≤ 10% per GPU generation.
struct CollectivesSection: BenchSection {
    let name = "collectives"
    let summary = "collective model fitted on reference/collectives all-reduce tables: held-out error"

    func run(_ context: BenchContext) throws -> [BenchFigure] {
        let store = ProfileStore.locate()
        var figures: [BenchFigure] = []
        for (gpu, id) in [("a100", "a100-sxm4-80gb"), ("v100", "v100-sxm2-32gb")] {
            benchProgress("collectives: \(gpu)")
            let samples = try (2...8).flatMap {
                try NCCLTestsOutput.loadReferenceTable(path: try DataRoot.locate().reference("collectives/allreduce-\(gpu)-\($0)gpu.csv"))
            }
            let (fitSet, heldOut) = NetworkFit.split(samples)
            var profile = try store.hardware(id)
            let result = try NetworkFit.fit(fitSet, profile: profile, source: "bench")
            profile.scaleUp = result.scaleUp
            let judged = NetworkFit.judge(heldOut, network: Network(profile: profile, assumptions: TrainingAssumptions()))
            let small = NetworkFit.judge(
                heldOut.filter { $0.bytes <= 32 * 1_048_576 }, network: Network(profile: profile, assumptions: TrainingAssumptions()))
            figures.append(
                BenchFigure(
                    name: "\(gpu) all-reduce 2-8 GPUs: held-out median error (\(judged.count) timings)",
                    value: formatPercent(judged.medianAPE), target: "≤ 10%", pass: judged.medianAPE <= 0.10))
            figures.append(BenchFigure(name: "\(gpu): held-out p90 error", value: formatPercent(judged.p90APE), target: "", pass: nil))
            figures.append(
                BenchFigure(
                    name: "\(gpu): held-out median / p90 at ≤ 32 MiB (\(small.count) timings)",
                    value: "\(formatPercent(small.medianAPE)) / \(formatPercent(small.p90APE))", target: "", pass: nil))
        }
        return figures
    }
}
