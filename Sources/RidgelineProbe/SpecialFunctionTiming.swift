import Ridgeline

/// What one evaluation of a special function costs in the CPU engine's own SIMD code
/// (`SpecialFunction`), timed the way the engine's call cost is: an element-wise op over a
/// buffer the L2 holds, on one thread, so that the function, not memory or the call, sets the
/// time. The host profile turns the time per element into FLOPs at the fp32 peak per core.
public struct SpecialFunctionTiming: Sendable, Equatable {
    public var function: String
    /// The engine's op timed ("gelu_erf" stands for erf).
    public var op: String
    public var elements: Int
    /// The fastest repetition, seconds: the call's cost still included.
    public var seconds: Double

    /// 32,768 fp32 elements: 128 KiB in and 128 KiB out, inside every L2 of the last decade, and
    /// thousands of evaluations a call, so the call's fixed cost is a small part (it is taken off).
    public static let elements = 32_768

    public init(function: String, op: String, elements: Int, seconds: Double) {
        self.function = function; self.op = op; self.elements = elements; self.seconds = seconds
    }

    /// FLOPs one evaluation costs at `flopsPerSecond` (one core's fp32 vector peak), after the
    /// call's fixed cost `call` and the op's own arithmetic (gelu_erf's 7 FLOPs around erf); nil
    /// when the call's cost leaves nothing (a disturbed call measurement).
    public func flopsPerEvaluation(flopsPerSecond: Double, call: Double) -> Double? {
        let perElement = (seconds - call) / Double(elements)
        let arithmetic = Elementwise.defaultFlops(op)
        let flops = perElement * flopsPerSecond - arithmetic
        return flops >= Compute.specialFunctionFlopsRange.lowerBound ? min(flops, Compute.specialFunctionFlopsRange.upperBound) : nil
    }
}
