import Ridgeline
import RidgelineProbe

extension SpecialFunctionTiming {
    /// Times each special function through oneDNN on one thread.
    public static func measure() throws -> [SpecialFunctionTiming] {
        let engine = try OneDNNEngine(threads: 1)
        var options = HarnessOptions()
        options.timeCapSeconds = 0.2
        options.minSeconds = 0.05
        var harness = Harness(options: options)
        return try SpecialFunction.allCases.map { f in
            let record = try harness.measure(
                .elementwise(Elementwise(name: f.timedOp, elements: elements, dtype: .fp32)), on: engine, threads: 1)
            return SpecialFunctionTiming(function: f.rawValue, op: f.timedOp, elements: elements, seconds: record.minSeconds)
        }
    }
}
