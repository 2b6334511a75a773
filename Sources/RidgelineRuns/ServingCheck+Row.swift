import Foundation
import Ridgeline
import RidgelineServing
import RidgelineTraining

/// The steps of checking one table row: read its setting (model, hardware, layout, lengths) into
/// a predictor, list the figures it measured, and predict each one. A step that cannot go on
/// refuses the row with the reason; a table that cannot be read is an error.
extension ServingCheck {
    /// A serving table and the file name rows and refusals cite.
    struct Source {
        var table: CSVTable
        var name: String
        /// LMDeploy's table (its columns and kinds differ from TensorRT-LLM's).
        var lmdeploy: Bool { table.header.contains("lmdeploy_version") }
    }

    /// Why a row, or one of its figures, is not checked.
    struct Refused: Error {
        var reason: String
        init(_ reason: String) { self.reason = reason }
    }

    /// What a row is predicted in: the predictor and the labels its rows carry.
    struct Setting {
        var modelID: String
        var hardware: String
        var layout: String
        var predictor: ServingPredictor
    }

    /// One figure a row measured, and how the model predicts it.
    struct Measurement {
        var metric: String
        var measured: Double?
        var predict: () throws -> Double
    }

    /// The rows and refusals so far, and the hardware profiles read so far (each once).
    struct Checking {
        let store: ProfileStore
        var profiles: [String: HardwareProfile] = [:]
        var rows: [Row] = []
        var refusals: [Refusal] = []

        init(store: ProfileStore) { self.store = store }

        /// Checks row `i` of `source`: a table row for each figure predicted, a refusal for each
        /// figure or row that cannot be.
        mutating func row(_ i: Int, of source: Source) throws {
            let line = i + 2
            let kind = try source.table.string(i, "table")
            func refuse(_ reason: String) { refusals.append(Refusal(file: source.name, line: line, kind: kind, reason: reason)) }
            do {
                guard let setting = try setting(i, of: source, kind: kind) else { return }
                for m in try measurements(i, of: source, kind: kind, predictor: setting.predictor) {
                    guard let measured = m.measured, measured > 0 else { refuse("no measured \(m.metric)"); continue }
                    do {
                        rows.append(
                            Row(
                                file: source.name, line: line, kind: kind, metric: m.metric, model: setting.modelID,
                                hardware: setting.hardware, layout: setting.layout, measured: measured, predicted: try m.predict()))
                    } catch {
                        refuse("\(setting.modelID) \(setting.layout) on \(setting.hardware): \(error)")
                    }
                }
            } catch let refused as Refused {
                refuse(refused.reason)
            }
        }

        /// The row's model, hardware, precision, parallel layout and lengths, as a predictor; nil
        /// when the model id names no transformer.
        mutating func setting(_ i: Int, of source: Source, kind: String) throws -> Setting? {
            let table = source.table, lmdeploy = source.lmdeploy
            if lmdeploy && kind == "request_throughput" {
                throw Refused(
                    "request_throughput: prompts sampled from ShareGPT with lengths the table does not give (no isl/osl): the load cannot be stated"
                )
            }
            let wanted =
                lmdeploy ? ["static_inference"] : ["throughput", "low_latency_first_token", "online_serving", "peak_throughput_static"]
            guard wanted.contains(kind) else { throw Refused("table kind \(kind) is not checked") }
            let modelName = try table.string(i, "model")
            if let why = unmodelled[modelName.lowercased()] { throw Refused(why) }
            guard let modelID = models[modelName.lowercased()] else { throw Refused("no model definition for \(modelName)") }
            let gpu = try table.string(i, "gpu_type")
            guard let hw = hardware(gpu) else { throw Refused("no profile for \(gpu)") }
            if profiles[hw] == nil {
                do { profiles[hw] = try store.hardware(hw) } catch { throw Refused("profile \(hw) is not shipped") }
            }
            guard let profile = profiles[hw], case .transformer(let model) = try store.model(modelID) else { return nil }
            guard let prec = precision(try table.string(i, "precision")) else {
                throw Refused("precision \(try table.string(i, "precision"))")
            }
            let tp = try table.optionalInt(i, "tp") ?? 1
            let pp = lmdeploy ? 1 : (try table.optionalInt(i, "pp") ?? 1)
            let isl: Int, osl: Int
            if lmdeploy {
                guard let a = try table.optionalInt(i, "isl"), let b = try table.optionalInt(i, "osl") else { throw Refused("no isl/osl") }
                isl = a; osl = b
            } else {
                isl = try table.int(i, "isl"); osl = try table.int(i, "osl")
            }
            var config = ServingConfig(model: model, profile: profile, inputTokens: isl, outputTokens: osl)
            config.tp = tp; config.pp = pp; config.precision = prec
            // MoE rows: TensorRT-LLM's default for Mixtral is expert tensor parallelism (ep 1).
            let predictor: ServingPredictor
            do { predictor = try ServingPredictor(config) } catch { throw Refused("\(error)") }
            return Setting(modelID: modelID, hardware: hw, layout: "tp\(tp) pp\(pp) \(prec.rawValue)", predictor: predictor)
        }
    }

    /// The figures a row of `kind` measured, each with the load that predicts it.
    static func measurements(_ i: Int, of source: Source, kind: String, predictor: ServingPredictor) throws -> [Measurement] {
        let table = source.table
        let totalOutput = "throughput_output_tokens_per_s_total"
        switch kind {
        case "throughput":
            // A trtllm-bench run of a fixed number of requests, stated in the row's notes;
            // without one, an endless max load.
            let requests = table.header.contains("notes") ? requestCount(notes: try table.string(i, "notes")) : nil
            return [
                Measurement(metric: "output_tokens_per_s", measured: try table.optionalDouble(i, totalOutput)) {
                    try predictor.estimate(requests.map { .requests($0) } ?? .maxLoad).outputTokensPerSecond
                }
            ]
        case "peak_throughput_static":
            // A static batch of identical requests (gptSessionBenchmark, no in-flight batching):
            // output tokens/s = batch × osl / (prefill of the batch + the decode steps).
            guard let b = try table.optionalInt(i, "concurrency_or_batch") else { throw Refused("no batch") }
            return [
                Measurement(metric: "output_tokens_per_s", measured: try table.optionalDouble(i, totalOutput)) {
                    try predictor.estimate(.batch(b)).outputTokensPerSecond
                }
            ]
        case "low_latency_first_token":
            return [
                Measurement(metric: "ttft_s", measured: try table.optionalDouble(i, "ttft_ms").map { $0 / 1e3 }) {
                    try predictor.estimate(.batch(1)).ttft
                }
            ]
        case "online_serving":
            let rate = try table.string(i, "request_rate_qps")
            guard rate.uppercased() != "INF" else {
                throw Refused(
                    "QPS INF (every request at once): TTFT is the drain of a finite queue of requests, not a steady state; not modelled")
            }
            let e = Swift.Result<ServingEstimate, Error> { try predictor.estimate(.rate(Double(rate) ?? 0)) }
            return [
                Measurement(metric: "ttft_s", measured: try table.optionalDouble(i, "ttft_ms").map { $0 / 1e3 }) { try e.get().ttft },
                Measurement(metric: "itl_s", measured: try table.optionalDouble(i, "tpot_or_itl_ms").map { $0 / 1e3 }) {
                    try e.get().tpot
                },
            ]
        case "static_inference":
            guard let b = try table.optionalInt(i, "batch_or_max_batch") else { throw Refused("no batch") }
            return [
                Measurement(metric: "token_latency_p50_s", measured: try table.optionalDouble(i, "token_latency_p50_s")) {
                    try predictor.estimate(.batch(b)).tpot
                }
            ]
        default: return []
        }
    }
}
