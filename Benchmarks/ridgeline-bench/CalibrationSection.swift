import Foundation
import Ridgeline
import RidgelineProbe

/// Issue 4's figures: the default suite measured with oneDNN on one thread (target: under 3
/// minutes), and a measured host profile calibrated on half of it predicting the other half
/// (targets: held-out median APE ≤ 10%, p90 ≤ 25%). Issue 14's: the same measured profile,
/// uncalibrated, on the whole suite (targets: median ≤ 25%, p90 ≤ 60%). Runs the real commands, as
/// `scripts/calibration-benchmark.sh` does (which also reports the `min` statistic).
struct CalibrationSection: BenchSection {
    let name = "calibration"
    let summary = "ridgeline measure (default suite, oneDNN, 1 thread) + calibrate: held-out error"

    func run(_ context: BenchContext) throws -> [BenchFigure] {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ridgeline-bench-calibration-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let profile = dir.appendingPathComponent("host-measured.yaml").path
        let records = dir.appendingPathComponent("default-suite.jsonl").path
        let calibrated = dir.appendingPathComponent("host-calibrated.yaml").path

        benchProgress("calibration: detect --measure")
        _ = try context.ridgeline(["detect", "--measure", "-o", profile])
        benchProgress("calibration: measure --suite default --threads 1")
        let measured = try context.ridgeline(["measure", "--suite", "default", "--threads", "1", "-o", records])
        benchProgress("calibration: validate (uncalibrated)")
        // Both print a `ValidationRecord` on stdout; the commands' stderr lines come before it.
        func record(_ output: String, _ command: String) throws -> ValidationRecord {
            guard let brace = output.firstIndex(of: "{") else {
                throw RidgelineError.unavailable(what: command, reason: "no JSON object in its output: \(output.suffix(300))")
            }
            return try RecordCoding.decode(ValidationRecord.self, from: String(output[brace...]), file: command)
        }
        let validated = try record(
            try context.ridgeline(["validate", "--hardware", profile, "--measurements", records, "--json"]).output,
            "ridgeline validate --json")
        let uncalibratedMedian = validated.medianApe ?? .nan, uncalibratedP90 = validated.p90Ape ?? .nan
        benchProgress("calibration: calibrate")
        let fit = try record(
            try context.ridgeline(["calibrate", "--hardware", profile, "--measurements", records, "-o", calibrated, "--json"]).output,
            "ridgeline calibrate --json")
        let median = fit.medianApe ?? .nan, p90 = fit.p90Ape ?? .nan
        let heldOut = fit.heldOut?.count ?? 0
        let count = (try? String(contentsOfFile: records, encoding: .utf8))?.split(separator: "\n").count ?? 0
        return [
            BenchFigure(
                name: "measure: default suite, oneDNN, 1 thread (\(count) kernels)",
                value: "\(formatSignificant(measured.seconds, digits: 3)) s",
                target: "< 180 s", pass: measured.seconds < 180),
            BenchFigure(
                name: "validate: measured host profile, uncalibrated, median APE", value: formatPercent(uncalibratedMedian),
                target: "≤ 25%", pass: uncalibratedMedian <= 0.25),
            BenchFigure(
                name: "validate: measured host profile, uncalibrated, p90 APE", value: formatPercent(uncalibratedP90), target: "≤ 60%",
                pass: uncalibratedP90 <= 0.60),
            BenchFigure(
                name: "calibrate: held-out median APE (\(heldOut) kernels)", value: formatPercent(median), target: "≤ 10%",
                pass: median <= 0.10),
            BenchFigure(name: "calibrate: held-out p90 APE", value: formatPercent(p90), target: "≤ 25%", pass: p90 <= 0.25),
        ]
    }
}
