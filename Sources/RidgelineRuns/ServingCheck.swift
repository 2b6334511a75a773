import Foundation
import Ridgeline
import RidgelineServing
import RidgelineTraining

/// `check-serving`: predicts every row of the published serving tables (TensorRT-LLM's performance
/// overview, LMDeploy's A100 benchmark) with `ServingPredictor` and reports |error| per table kind
/// and metric. Rows the model cannot express are refused with the reason, never guessed.
public enum ServingCheck {
    public struct Row: Sendable, Equatable {
        public var file: String
        public var line: Int
        public var kind: String
        public var metric: String
        public var model: String
        public var hardware: String
        public var layout: String
        public var measured: Double
        public var predicted: Double
        public var error: Double { (predicted - measured) / measured }
    }

    public struct Refusal: Sendable, Equatable, Codable {
        public var file: String
        public var line: Int
        public var kind: String
        public var reason: String
    }

    public struct Group: Sendable, Equatable, Codable {
        public var kind: String
        public var metric: String
        public var n: Int
        public var medianAPE: Double
        public var p90APE: Double
        public var meanAPE: Double
        public var signedMedian: Double
        public var refused: Int

        /// `check-serving --json` has printed these keys as spelled here (`medianAPE`, not
        /// `median_ape`) since before `RecordCoding`, and scripts read them: the group is written
        /// as a map, whose keys the coder leaves as they are, and read back through `Key`, whose
        /// names the key strategy leaves alone (no underscore). NaN (no rows) is null both ways.
        enum Key: String, CodingKey { case kind, metric, n, refused, medianAPE, p90APE, meanAPE, signedMedian }

        public func encode(to encoder: any Encoder) throws {
            enum Value: Encodable {
                case text(String), count(Int), number(Double)
                func encode(to encoder: any Encoder) throws {
                    var c = encoder.singleValueContainer()
                    switch self {
                    case .text(let s): try c.encode(s)
                    case .count(let n): try c.encode(n)
                    case .number(let x): if x.isFinite { try c.encode(x) } else { try c.encodeNil() }
                    }
                }
            }
            let values: [(Key, Value)] = [
                (.kind, .text(kind)), (.metric, .text(metric)), (.n, .count(n)), (.refused, .count(refused)),
                (.medianAPE, .number(medianAPE)), (.p90APE, .number(p90APE)), (.meanAPE, .number(meanAPE)),
                (.signedMedian, .number(signedMedian)),
            ]
            var c = encoder.singleValueContainer()
            try c.encode(Dictionary(uniqueKeysWithValues: values.map { ($0.0.rawValue, $0.1) }))
        }
    }

    /// What `check-serving --json` prints.
    public struct Outcome: Sendable, Equatable, Codable {
        public var groups: [Group]
        public var rows: [Row]
        public var refusals: [Refusal]
    }

    /// Model names in the tables → shipped model ids (Llama 3.3 70B has Llama 3.1 70B's shapes;
    /// LLaMA (v1) 7B/70B-class rows use the Llama 2 shapes of the same size).
    static let models: [String: String] = [
        "mixtral 8x7b": "mixtral-8x7b", "mixtral 8x22b": "mixtral-8x22b",
        "llama v3.1 70b": "llama3.1-70b", "llama 3.1 70b": "llama3.1-70b", "llama 3.3 70b": "llama3.1-70b",
        "llama v3 70b": "llama3-70b", "llama v3.1 8b": "llama3.1-8b", "llama 3.1 8b": "llama3.1-8b",
        "llama 3.1 405b": "llama3.1-405b", "mistral 7b": "mistral-7b", "llama 7b": "llama2-7b", "llama 70b": "llama2-70b",
        "llama2-7b": "llama2-7b", "llama2-13b": "llama2-13b", "llama2-70b": "llama2-70b",
        "gpt-j 6b": "gpt-j-6b", "falcon 180b": "falcon-180b", "internlm-20b": "internlm-20b",
    ]

    /// Models in the tables that are not shipped, and why: refused with the reason, never
    /// approximated by a neighbour.
    static let unmodelled: [String: String] = [
        "llama 4 scout":
            "Llama 4 (not shipped): chunked local attention (iRoPE, 8,192-token chunks in 3 of 4 layers) and routed plus shared experts, run on the PyTorch backend with attention data parallelism and an unstated expert-parallel size",
        "llama 4 maverick":
            "Llama 4 (not shipped): chunked local attention (iRoPE), MoE every other layer with a shared expert, run on the PyTorch backend with attention data parallelism and an unstated expert-parallel size",
        "qwen3-235b-a22b":
            "Qwen3-235B-A22B (not shipped): 64 query heads of 128 on a 4,096-wide model (head width not d_model/heads, which the model schema ties) and an unstated expert-parallel size",
    ]

    static func hardware(_ gpu: String) -> String? {
        let g = gpu.lowercased()
        if g.contains("l40s") { return "l40s" }
        if g.contains("h100") { return g.contains("pcie") ? "h100-pcie-80gb" : "h100-sxm5-80gb" }
        if g.contains("a100") { return g.contains("pcie") ? "a100-pcie-80gb" : "a100-sxm4-80gb" }
        return nil
    }

    /// The `num_requests=N` a row's notes state (the trtllm-bench dataset size of the published
    /// table), or nil.
    static func requestCount(notes: String) -> Int? {
        guard let range = notes.range(of: "num_requests=") else { return nil }
        let digits = notes[range.upperBound...].prefix { $0.isASCII && $0.isNumber }
        guard let n = Int(digits), n >= 1 else { return nil }
        return n
    }

    static func precision(_ p: String) -> ServingPrecision? {
        let p = p.lowercased()
        if p.hasPrefix("fp8") { return .fp8 }
        if p.hasPrefix("bf16") || p.hasPrefix("mixed") { return .bf16 }
        if p.hasPrefix("fp16") { return .fp16 }
        return nil
    }

    /// Checks every row of `files` (`Checking.row`, in ServingCheck+Row.swift) and sums the errors
    /// up per table kind and metric.
    public static func run(files: [String], store: ProfileStore) throws -> Outcome {
        var check = Checking(store: store)
        for file in files {
            let table = try CSVTable.load(path: file)
            let source = Source(table: table, name: URL(fileURLWithPath: file).lastPathComponent)
            for i in 0..<table.rows.count { try check.row(i, of: source) }
        }
        return Outcome(groups: groups(check.rows, refusals: check.refusals), rows: check.rows, refusals: check.refusals)
    }

    /// One group per (table kind, metric), in the order the rows first show them: |error| median,
    /// p90 and mean, the signed median, and the refusals of that kind.
    static func groups(_ rows: [Row], refusals: [Refusal]) -> [Group] {
        var keys: [(String, String)] = []
        for r in rows where !keys.contains(where: { $0 == (r.kind, r.metric) }) { keys.append((r.kind, r.metric)) }
        return keys.map { kind, metric in
            let rs = rows.filter { $0.kind == kind && $0.metric == metric }
            let s = ErrorSummary(errors: rs.map { abs($0.error) })
            let signed = rs.map(\.error).sorted()
            return Group(
                kind: kind, metric: metric, n: rs.count, medianAPE: s.medianAPE, p90APE: s.p90APE, meanAPE: s.meanAPE,
                signedMedian: signed[signed.count / 2], refused: refusals.filter { $0.kind == kind }.count)
        }
    }
}

/// A group read back as `encode` wrote it. In an extension, so that the memberwise initializer stays.
extension ServingCheck.Group {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        func number(_ key: Key) throws -> Double { try c.decodeIfPresent(Double.self, forKey: key) ?? .nan }
        self.init(
            kind: try c.decode(String.self, forKey: .kind), metric: try c.decode(String.self, forKey: .metric),
            n: try c.decode(Int.self, forKey: .n), medianAPE: try number(.medianAPE), p90APE: try number(.p90APE),
            meanAPE: try number(.meanAPE), signedMedian: try number(.signedMedian), refused: try c.decode(Int.self, forKey: .refused))
    }
}

/// A row as `check-serving --json` writes it: its fields and `error`, which follows from them
/// and is not read back. In an extension, so that the memberwise initializer stays.
extension ServingCheck.Row: Codable {
    enum CodingKeys: String, CodingKey { case file, line, kind, metric, model, hardware, layout, measured, predicted, error }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(file, forKey: .file); try c.encode(line, forKey: .line); try c.encode(kind, forKey: .kind)
        try c.encode(metric, forKey: .metric); try c.encode(model, forKey: .model); try c.encode(hardware, forKey: .hardware)
        try c.encode(layout, forKey: .layout); try c.encode(measured, forKey: .measured); try c.encode(predicted, forKey: .predicted)
        try c.encode(error, forKey: .error)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            file: try c.decode(String.self, forKey: .file), line: try c.decode(Int.self, forKey: .line),
            kind: try c.decode(String.self, forKey: .kind), metric: try c.decode(String.self, forKey: .metric),
            model: try c.decode(String.self, forKey: .model), hardware: try c.decode(String.self, forKey: .hardware),
            layout: try c.decode(String.self, forKey: .layout), measured: try c.decode(Double.self, forKey: .measured),
            predicted: try c.decode(Double.self, forKey: .predicted))
    }
}
