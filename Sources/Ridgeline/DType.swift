/// The numeric formats a kernel can run in.
///
/// `tf32` stores fp32 but multiplies on TF32 tensor cores, so it moves 4 bytes per element
/// and computes at the TF32 peak. `fp4` is NVFP4 (Blackwell's 4-bit format): 4-bit E2M1 values
/// with one FP8 (E4M3) scale per block of 16, so an element takes 4 + 8/16 = 4.5 bits in memory.
public enum DType: String, CaseIterable, Codable, Sendable, Comparable {
    case fp64, fp32, tf32, bf16, fp16, fp8, int8, fp4

    /// NVFP4's elements per shared scale (NVIDIA's Blackwell NVFP4 format: 16-value micro-blocks).
    public static let fp4BlockSize = 16.0

    /// Bytes one element occupies in memory.
    public var bytes: Double {
        switch self {
        case .fp64: return 8
        case .fp32, .tf32: return 4
        case .bf16, .fp16: return 2
        case .fp8, .int8: return 1
        // Half a byte per value plus its share of the block's one-byte scale: 0.5625 bytes.
        case .fp4: return 0.5 + 1 / DType.fp4BlockSize
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
