import Foundation
import Ridgeline

/// Issue 12, item 5: calibrations that transfer. The shipped H100 block (fitted on the real H100
/// kernels under the transfer rule) is applied to the H200 and the A100 profiles; per op class,
/// the predicted speed-up of the reference kernels of at least 100 µs (median) against the ratio
/// of the ceilings that bind them (median). Target: within 10% for every class.
struct TransferSection: BenchSection {
    let name = "transfer"
    let summary = "H100 calibration on H200/A100: per-class speed-up vs binding-ceiling ratio"

    func run(_ context: BenchContext) throws -> [BenchFigure] {
        let store = ProfileStore.locate()
        let h100 = try store.hardware("h100-sxm5-80gb")
        let reference = try ReferenceFile.load(path: try DataRoot.locate().reference("gpu-measurements/h100-sxm5-kernels.jsonl"))
        let kernels = reference.measurements.filter { $0.medianSeconds >= 100e-6 }.flatMap(\.kernels)
        var figures: [BenchFigure] = []
        for id in ["h200-sxm-141gb", "a100-sxm4-80gb"] {
            let target = CalibrationTransfer.transferred(h100.calibration, to: try store.hardware(id))
            for r in CalibrationTransfer.compare(kernels: kernels, source: h100, target: target) {
                figures.append(
                    BenchFigure(
                        name: "h100 -> \(id): \(r.kernelClass.rawValue) (\(r.kernels) kernels) speed-up vs binding ceilings",
                        value: String(format: "%.3fx vs %.3fx", r.predicted, r.ceiling), target: "within 10%",
                        pass: abs(r.deviation) <= 0.10))
            }
        }
        return figures
    }
}
