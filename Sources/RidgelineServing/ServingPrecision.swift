import Ridgeline
import RidgelineTraining

/// Weight and KV-cache storage: bf16, fp16, fp8 (weights and KV cache in fp8, GEMMs on the fp8
/// peak) or fp4 (NVFP4: 0.5625 bytes per value with its block scales, GEMMs on the fp4 peak;
/// only on parts whose profile has one, see `unsupported(on:)`).
public enum ServingPrecision: String, CaseIterable, Sendable, Hashable {
    case bf16, fp16, fp8, fp4
    /// The training precision whose kernel shapes a prefill pass borrows. fp4 has none (no one
    /// trains in it): it borrows fp8's (bf16 activations, narrow GEMMs), and `ServingPredictor`
    /// re-types those GEMMs to fp4.
    public var training: Precision {
        switch self {
        case .bf16: return .bf16;
        case .fp16: return .fp16;
        case .fp8, .fp4: return .fp8
        }
    }
    public var dtype: DType {
        switch self {
        case .bf16: return .bf16;
        case .fp16: return .fp16;
        case .fp8: return .fp8;
        case .fp4: return .fp4
        }
    }
    /// Why `profile` cannot serve in this precision, or nil: fp8 and fp4 need a tensor peak in
    /// their dtype (a part without one would run them on a wider format's peak, which is not fp8
    /// or fp4 serving).
    public func unsupported(on profile: HardwareProfile) -> String? {
        switch self {
        case .bf16, .fp16: return nil
        case .fp8, .fp4:
            guard profile.compute.peak[dtype] == nil else { return nil }
            let example = self == .fp4 ? "Blackwell-class parts such as b200 and gb200" : "Hopper, Ada and Blackwell parts"
            return
                "\(profile.id) is \(profile.architecture) and its profile has no \(rawValue) tensor peak (\(example) have one); use \(self == .fp4 && profile.compute.peak[.fp8] != nil ? "fp8 or bf16" : "bf16")"
        }
    }
}
