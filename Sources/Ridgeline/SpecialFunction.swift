/// The special functions kernels evaluate per element, and what one evaluation costs a CPU.
///
/// A CPU evaluates them in SIMD code on its FMA pipes, so their cost is FLOPs of that code. It
/// differs by function and by how the library writes it: oneDNN 2.6's AVX2 tanh looks its
/// polynomial's coefficients up with gathers, microcoded on Zen 3 (a tanh took 7× an exponential
/// there, 13 cycles an element), where its AVX-512 path permutes registers instead. A measured
/// host profile carries the cost of each (`Compute.specialFunctionFlops`, timed through the CPU
/// engine by `ridgeline detect --measure`); without it every evaluation costs
/// `defaultEvaluations` × `KernelAssumptions.cpuTranscendentalCost`.
public enum SpecialFunction: String, CaseIterable, Sendable, Comparable {
    case exp, log, tanh, erf, sigmoid

    /// Exponential-sized evaluations one call costs without a measurement: exp and log one;
    /// tanh and sigmoid an exponential and a full-precision reciprocal (about as dear), two; erf
    /// a polynomial and an exponential, two.
    public var defaultEvaluations: Double {
        switch self {
        case .exp, .log: return 1
        case .tanh, .erf, .sigmoid: return 2
        }
    }

    /// The element-wise op that evaluates the function in a tensor engine, for timing it: erf
    /// alone is no oneDNN op, so gelu_erf (erf and 7 FLOPs around it) stands for it.
    public var timedOp: String { self == .erf ? "gelu_erf" : rawValue }

    /// The function an element-wise op of `name` evaluates per element, if any.
    public static func of(elementwise name: String) -> SpecialFunction? {
        switch name {
        case "exp": return .exp
        case "log": return .log
        case "tanh", "gelu", "geglu": return .tanh
        case "gelu_erf": return .erf
        case "sigmoid", "silu", "swish", "swiglu": return .sigmoid
        default: return nil
        }
    }

    public static func < (a: SpecialFunction, b: SpecialFunction) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}
