/// What one call into the CPU tensor engine costs when it does almost nothing: primitive lookup,
/// argument checks, the OpenMP region. Every kernel the engine runs pays it, so it is the host
/// profile's launch latency. Ridgeline's own benchmark team's fork-join is a different cost
/// (78 µs on one Intel guest, where a 16-element oneDNN relu took 2.7 µs), and charging it to
/// every oneDNN call made every kernel under ~100 µs look latency-bound. Timed by the engine side
/// (`EngineCallCost.measure` in RidgelineEngines), handed to `HostDetection.run`.
public struct EngineCallCost: Sendable, Equatable {
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
}
