import Ridgeline

/// What one call into the CPU tensor engine costs when it does almost nothing: primitive lookup,
/// argument checks, the OpenMP region. Every kernel the engine runs pays it, so it is the host
/// profile's launch latency. Ridgeline's own benchmark team's fork-join is a different cost
/// (78 µs on one Intel guest, where a 16-element oneDNN relu took 2.7 µs), and charging it to
/// every oneDNN call made every kernel under ~100 µs look latency-bound.
public struct EngineCallCost: Sendable, Equatable, Codable {
    public var engine: String
    public var threads: Int
    /// The median repetition: the profile's launch latency.
    public var seconds: Double
    /// The fastest repetition: a median far above it says the call's threads waited for their
    /// cores (`CeilingsAssessment`).
    public var fastestSeconds: Double?

    public init(engine: String, threads: Int, seconds: Double, fastestSeconds: Double? = nil) {
        self.engine = engine; self.threads = threads; self.seconds = seconds; self.fastestSeconds = fastestSeconds
    }

    /// Times a 16-element fp32 relu through oneDNN with `threads` threads, by the harness.
    public static func measure(threads: Int) throws -> EngineCallCost {
        let engine = try OneDNNEngine(threads: threads)
        var options = HarnessOptions()
        options.timeCapSeconds = 0.3
        var harness = Harness(options: options)
        let record = try harness.measure(.elementwise(Elementwise(name: "relu", elements: 16, dtype: .fp32)), on: engine, threads: threads)
        return EngineCallCost(engine: engine.version, threads: threads, seconds: record.medianSeconds, fastestSeconds: record.minSeconds)
    }
}
