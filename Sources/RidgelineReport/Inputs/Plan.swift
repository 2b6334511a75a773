import Foundation
import Ridgeline

/// The output of `ridgeline plan --json`: ranked configurations (`best`) and the Pareto front
/// between time and cost (`pareto`), each a `train` result plus its layout.
public struct PlanResult: Sendable {
    public struct Configuration: Sendable {
        public var hardware: String
        public var devices: Int
        /// tp/pp/dp, micro-batch, recompute, ZeRO: whatever layout fields the file carries, as text.
        public var layout: String
        public var stepSeconds: Double
        public var trainSeconds: Double
        public var costUSD: Double?
        public var mfu: Double?
        public var tokensPerSecond: Double?
        public var energyKWh: Double?
        public var breakdown: [(String, Double)]
        public var source: String
    }

    public var model: String?
    public var tokens: Double?
    public var evaluated: Int?
    public var elapsedSeconds: Double?
    public var best: [Configuration]
    public var pareto: [Configuration]

    static let layoutKeys = ["tp", "pp", "dp", "interleave", "micro_batch", "global_batch", "recompute", "zero", "precision", "sequence_parallel"]

    public static func load(path: String) throws -> PlanResult {
        let r = try InputFile.jsonObject(path)
        guard r.has("best") else { throw RidgelineError.missingField(file: path, field: "best") }
        let best = try r.list("best").map(configuration)
        guard !best.isEmpty else {
            throw RidgelineError.invalidValue(file: path, field: "best", value: "[]", expected: "at least one configuration (did the search find none that fits?)")
        }
        let pareto = try r.list("pareto").map(configuration)
        let count = 0...Int.max
        return PlanResult(model: try r.optionalString("model"), tokens: try r.optionalDouble("tokens"),
                          evaluated: try r.optionalInt("configurations_evaluated", in: count),
                          elapsedSeconds: try r.optionalDouble("elapsed_s", in: 0...Double.greatestFiniteMagnitude), best: best, pareto: pareto)
    }

    static func configuration(_ c: FieldReader) throws -> Configuration {
        // The layout may sit at the top of the configuration or under `layout`.
        let layoutReader = try c.optionalChild("layout") ?? c
        var layout: [String] = []
        for key in layoutKeys where layoutReader.has(key) {
            if let v = try? layoutReader.optionalString(key) { layout.append("\(key)=\(v ?? "")") }
        }
        var breakdown: [(String, Double)] = []
        if let b = try c.optionalChild("breakdown") {
            for key in b.keys { breakdown.append((key, try b.double(key, in: 0...Double.greatestFiniteMagnitude))) }
        }
        let devices = try c.optionalInt("gpus") ?? c.optionalInt("devices") ?? layoutReader.optionalInt("gpus") ?? 1
        let nonNegative = 0...Double.greatestFiniteMagnitude
        return Configuration(hardware: try c.string("hardware"), devices: devices, layout: layout.joined(separator: " "),
                             stepSeconds: try c.double("step_time_s"), trainSeconds: try c.double("train_time_s"),
                             costUSD: try c.optionalDouble("cost_usd", in: nonNegative), mfu: try c.optionalDouble("mfu", in: nonNegative),
                             tokensPerSecond: try c.optionalDouble("tokens_per_s"), energyKWh: try c.optionalDouble("energy_kwh", in: nonNegative),
                             breakdown: breakdown, source: c.path)
    }
}
