/// The numeric formats a kernel can run in.
///
/// `tf32` stores fp32 but multiplies on TF32 tensor cores, so it moves 4 bytes per element
/// and computes at the TF32 peak.
public enum DType: String, CaseIterable, Codable, Sendable, Comparable {
    case fp64, fp32, tf32, bf16, fp16, fp8, int8

    /// Bytes one element occupies in memory.
    public var bytes: Double {
        switch self {
        case .fp64: return 8
        case .fp32, .tf32: return 4
        case .bf16, .fp16: return 2
        case .fp8, .int8: return 1
        }
    }

    /// Parses a dtype, naming the accepted values when it is unknown.
    public static func parse(_ text: String, field: String, file: String? = nil) throws -> DType {
        guard let dtype = DType(rawValue: text.lowercased()) else {
            throw RidgelineError.invalidValue(
                file: file, field: field, value: text,
                expected: "one of " + DType.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return dtype
    }

    public static func < (a: DType, b: DType) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}
