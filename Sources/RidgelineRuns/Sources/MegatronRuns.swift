import Foundation
import Ridgeline
import RidgelineTraining

/// One published Megatron-LM run (reference `training-runs/megatron-a100.csv`) turned into a
/// Ridgeline configuration using only what the row states, plus rules that apply to every row
/// alike (documented on each property).
public struct PublishedRun: Sendable {
    public enum Metric: String, Sendable {
        /// Narayanan et al. 2021: TFLOP/s per GPU from their eq. 3, which counts the recomputed
        /// forward (96·B·s·l·h²·(1 + s/6h + V/16lh) per iteration).
        case hardwareTFLOPs = "tflops_eq3"
        /// Korthikanti et al. 2022: model FLOPs utilisation (72·B·s·l·h²·(…), no recompute).
        case modelFLOPs = "mfu"
    }

    public var id: String
    public var model: TransformerModel
    public var layout: Layout
    public var settings: KernelSettings
    public var metric: Metric
    /// Reported TFLOP/s per GPU in the row's own accounting (MFU × 312 TFLOP/s for `mfu` rows).
    public var reportedTFLOPsPerGPU: Double
    /// Iteration time where the paper gives it (Korthikanti rows), seconds.
    public var reportedIterationSeconds: Double?
    public var rules: [String]

    /// Megatron's FLOPs per iteration for the row's accounting (Narayanan et al. 2021 eq. 3).
    public func flopsPerIteration() -> Double {
        let batch = Double(layout.globalBatch), s = Double(settings.seq), l = Double(model.layers), h = Double(model.dModel)
        let vocab = Double(model.vocab)
        let factor: Double = metric == .hardwareTFLOPs ? 96 : 72
        return factor * batch * s * l * h * h * (1 + s / (6 * h) + vocab / (16 * l * h))
    }
}

/// Reads the reference CSV into runs.
public enum MegatronRuns {
    /// The A100's dense fp16 peak that the papers' percentages refer to.
    public static let a100Peak = 312e12

    public static func load(path: String) throws -> [PublishedRun] {
        try runs(try CSVTable.load(path: path))
    }

    /// Every row of a table already read (standard input can be read only once).
    public static func runs(_ csv: CSVTable) throws -> [PublishedRun] {
        try (0..<csv.rows.count).map { try run(csv, $0) }
    }

    static func run(_ csv: CSVTable, _ i: Int) throws -> PublishedRun {
        let id = try csv.string(i, "run_id")
        let name = try csv.string(i, "model")
        let notes = try csv.string(i, "derived_fields")
        let source = try csv.string(i, "source")
        let recomputeText = try csv.string(i, "recompute").lowercased()
        let layers = try csv.int(i, "layers"), hidden = try csv.int(i, "hidden"), heads = try csv.int(i, "heads")
        let seq = try csv.int(i, "seq_len")
        let model = TransformerModel(
            name: name, layers: layers, dModel: hidden, heads: heads, ffn: try csv.int(i, "ffn"),
            vocab: try csv.int(i, "vocab"), maxSeq: seq, position: .learned, tiedEmbeddings: true,
            bias: true, causal: true, dropout: true)
        let gpus = try csv.int(i, "num_accelerators")
        let dp = try csv.int(i, "dp")
        var rules: [String] = []
        var tp = try csv.optionalInt(i, "tp"), pp = try csv.optionalInt(i, "pp")
        if tp == nil || pp == nil {
            // Table 2 gives only the model-parallel size t·p: tensor parallelism fills an 8-GPU
            // node (the paper's rule: tp up to the GPUs per node), pipelining takes the rest.
            let mp = gpus / dp
            tp = min(8, mp); pp = mp / min(8, mp)
            rules.append("tp=min(8, t·p), pp=t·p/tp")
        }
        let zero = name.contains("ZeRO-3") ? 3 : 0
        let microBatch = Self.number(after: ["microbatch ", "micro-batch "], in: notes) ?? 1
        if Self.number(after: ["microbatch ", "micro-batch "], in: notes) == nil { rules.append("micro-batch 1 (not stated)") }
        let recompute: Recompute = recomputeText.hasPrefix("yes") ? .full : recomputeText.contains("selective") ? .selective : .none
        let sp = recomputeText.contains("sequence parallel")
        // Interleaving: as stated ("interleaved schedule m=3"), else where the source says the
        // interleaved schedule was used, the smallest chunk count > 1 that divides the stage.
        var chunks = Self.number(after: ["interleaved schedule m="], in: notes) ?? 1
        let perStage = layers / max(1, pp!)
        if chunks == 1 && source.contains("interleaved schedule") && pp! > 1 {
            chunks = (2...max(2, perStage)).first { perStage % $0 == 0 } ?? 1
            rules.append("interleave v=\(chunks) (smallest divisor of \(perStage) layers/stage)")
        }
        let globalBatch = try csv.int(i, "global_batch_seqs")
        let m = globalBatch / max(1, microBatch * dp)
        if chunks > 1 && m % pp! != 0 { chunks = 1 }
        let layout = Layout(
            devices: gpus, tp: tp!, pp: pp!, dp: dp, schedule: chunks > 1 ? .interleaved(chunks: chunks) : .oneFOneB,
            zero: zero, globalBatch: globalBatch, microBatch: microBatch, overlapGradientReduction: false)
        let settings = KernelSettings(
            tp: tp!, sequenceParallel: sp, microBatch: microBatch, seq: seq, precision: .fp16,
            recompute: recompute, flashAttention: false, mode: .compiled, optimizer: .adamw)
        let metric: PublishedRun.Metric
        let reported: Double
        if let t = try csv.optionalPositiveDouble(i, "reported_tflops_per_gpu") {
            metric = .hardwareTFLOPs; reported = t
        } else if let mfu = try csv.optionalPositiveDouble(i, "reported_mfu_pct") {
            metric = .modelFLOPs; reported = mfu / 100 * a100Peak / 1e12
        } else {
            throw RidgelineError.missingField(file: csv.file, field: "row \(i + 1) reported_tflops_per_gpu or reported_mfu_pct")
        }
        let iteration = Self.decimal(after: "iteration time ", in: notes)
        return PublishedRun(
            id: id, model: model, layout: layout, settings: settings, metric: metric, reportedTFLOPsPerGPU: reported,
            reportedIterationSeconds: iteration, rules: rules)
    }

    static func number(after markers: [String], in text: String) -> Int? {
        for marker in markers {
            if let r = text.range(of: marker) {
                let digits = text[r.upperBound...].prefix { $0.isNumber }
                if let v = Int(digits) { return v }
            }
        }
        return nil
    }

    /// The first number after `marker` in its clause (up to ";" or ","), or the one after the last
    /// "->" when the clause says a value changed ("rises 37.83 s -> 39.15 s").
    static func decimal(after marker: String, in text: String) -> Double? {
        guard let r = text.range(of: marker) else { return nil }
        var clause = text[r.upperBound...].prefix { $0 != ";" && $0 != "," }
        if let arrow = clause.range(of: "->", options: .backwards) { clause = clause[arrow.upperBound...] }
        let start = clause.drop { !$0.isNumber }
        return Double(start.prefix { $0.isNumber || $0 == "." })
    }
}

/// Predicted against reported for one run.
public struct RunComparison: Sendable {
    public var run: PublishedRun
    public var estimate: StepEstimate
    public var predictedTFLOPsPerGPU: Double
    /// (predicted − reported) / reported.
    public var error: Double
}

extension MegatronRuns {
    /// Predicts every run on `profile` with one set of assumptions.
    public static func compare(
        _ runs: [PublishedRun], profile: HardwareProfile,
        assumptions: TrainingAssumptions = TrainingAssumptions()
    ) throws -> [RunComparison] {
        try runs.map { run in
            try run.layout.validate(model: .transformer(run.model))
            let costs = try LayerCosts.compute(
                model: .transformer(run.model), profile: profile, settings: run.settings, assumptions: assumptions)
            let step = StepModel.evaluate(costs, layout: run.layout, assumptions: assumptions)
            let predicted = run.flopsPerIteration() / step.stepSeconds / Double(run.layout.devices) / 1e12
            return RunComparison(
                run: run, estimate: step, predictedTFLOPsPerGPU: predicted,
                error: (predicted - run.reportedTFLOPsPerGPU) / run.reportedTFLOPsPerGPU)
        }
    }
}
