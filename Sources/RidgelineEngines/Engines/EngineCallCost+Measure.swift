import Ridgeline
import RidgelineProbe

extension EngineCallCost {
    /// Times a 16-element fp32 relu through oneDNN with `threads` threads, by the harness: what
    /// `detect --measure` passes to `HostDetection.run` as its engine call.
    public static func measure(threads: Int) throws -> EngineCallCost {
        let engine = try OneDNNEngine(threads: threads)
        var options = HarnessOptions()
        options.timeCapSeconds = 0.3
        var harness = Harness(options: options)
        let record = try harness.measure(.elementwise(Elementwise(name: "relu", elements: 16, dtype: .fp32)), on: engine, threads: threads)
        return EngineCallCost(engine: engine.version, threads: threads, seconds: record.medianSeconds, fastestSeconds: record.minSeconds)
    }
}
