import CKernels
import Foundation
import Ridgeline

/// Peak-FLOP kernels: independent chains of fused multiply-adds, so that every FMA pipe has an
/// instruction ready every cycle.
///
/// An FMA pipe with latency L needs L independent accumulators to issue one FMA per cycle, so a
/// core with P pipes needs L × P chains (4 × 2 = 8 vector registers on Haswell, Skylake and Zen 4;
/// Agner Fog, "Instruction tables"). Each chain iterates `c = c·x + y` with 0 < x < 1: the values
/// stay bounded, and the result has a closed form (`fmaChainExpected`) the caller checks, so the
/// compiler can neither delete nor shorten the loop.
///
/// Two variants per dtype, 6 and 12 accumulators of 64-byte vectors. Which one saturates the pipes
/// depends on the register file (16 vector registers with AVX2, 32 with AVX-512); the measurement
/// runs both and keeps the faster.
///
/// bf16 has one variant, 12 chains of VDPBF16PS (AVX512-BF16 dot products: two bf16 products
/// added into each fp32 lane), written in C (`CKernels`) because Swift has neither a bf16
/// type nor a way to emit the instruction; it runs only where the CPU has the avx512_bf16 flag.

public typealias F32Vector = SIMD16<Float>
public typealias F64Vector = SIMD8<Double>

/// The value every lane reaches after n steps of c = c·x + y from 0: y·(1 − xⁿ)/(1 − x).
public func fmaChainExpected(iterations: Int, x: Double, y: Double) -> Double {
    y * (1 - pow(x, Double(iterations))) / (1 - x)
}

@inline(__always)
func lanesSum<V: SIMD>(_ v: V) -> Double where V.Scalar: BinaryFloatingPoint {
    var s = 0.0
    for i in v.indices { s += Double(v[i]) }
    return s
}

@inline(__always)
func chains6<V: SIMD>(_ n: Int, _ x: V.Scalar, _ y: V.Scalar, _: V.Type) -> Double where V.Scalar: BinaryFloatingPoint {
    let vx = V(repeating: x), vy = V(repeating: y)
    var c0 = V(repeating: 0), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0
    for _ in 0..<n {
        c0 = vy.addingProduct(c0, vx); c1 = vy.addingProduct(c1, vx); c2 = vy.addingProduct(c2, vx)
        c3 = vy.addingProduct(c3, vx); c4 = vy.addingProduct(c4, vx); c5 = vy.addingProduct(c5, vx)
    }
    return lanesSum(c0) + lanesSum(c1) + lanesSum(c2) + lanesSum(c3) + lanesSum(c4) + lanesSum(c5)
}

@inline(__always)
func chains12<V: SIMD>(_ n: Int, _ x: V.Scalar, _ y: V.Scalar, _: V.Type) -> Double where V.Scalar: BinaryFloatingPoint {
    let vx = V(repeating: x), vy = V(repeating: y)
    var c0 = V(repeating: 0), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0
    var c6 = c0, c7 = c0, c8 = c0, c9 = c0, c10 = c0, c11 = c0
    for _ in 0..<n {
        c0 = vy.addingProduct(c0, vx); c1 = vy.addingProduct(c1, vx); c2 = vy.addingProduct(c2, vx)
        c3 = vy.addingProduct(c3, vx); c4 = vy.addingProduct(c4, vx); c5 = vy.addingProduct(c5, vx)
        c6 = vy.addingProduct(c6, vx); c7 = vy.addingProduct(c7, vx); c8 = vy.addingProduct(c8, vx)
        c9 = vy.addingProduct(c9, vx); c10 = vy.addingProduct(c10, vx); c11 = vy.addingProduct(c11, vx)
    }
    let a = lanesSum(c0) + lanesSum(c1) + lanesSum(c2) + lanesSum(c3) + lanesSum(c4) + lanesSum(c5)
    return a + lanesSum(c6) + lanesSum(c7) + lanesSum(c8) + lanesSum(c9) + lanesSum(c10) + lanesSum(c11)
}

/// One peak-FLOP kernel: its shape, the function that runs it, and the sum it must return.
public struct FMAKernel: Sendable {
    public let name: String
    public let chains: Int
    public let lanes: Int
    /// FLOPs per lane per chain per step: 2 for an FMA, 4 for a bf16 pair dot product.
    public let flopsPerLaneStep: Double
    /// Runs `iterations` steps on the inputs of sample number `sample` (a different input per
    /// sample, so that no call repeats an earlier one and the optimiser cannot reuse a result);
    /// returns the sum over all lanes of all chains.
    public let run: @Sendable (_ iterations: Int, _ sample: Int) -> Double
    /// What `run` must return.
    public let expected: @Sendable (_ iterations: Int, _ sample: Int) -> Double

    /// FLOPs one call of `iterations` steps performs.
    public func flops(iterations: Int) -> Double {
        Double(iterations) * Double(chains * lanes) * flopsPerLaneStep
    }

    /// The FMA chains' inputs: x < 1 keeps them bounded, y varies per sample.
    static let x = 1 - 1.0 / 1024
    static func y(_ sample: Int) -> Double { 0.5 + Double(sample % 64) / 64 }

    static func fma(_ name: String, chains: Int, lanes: Int, _ body: @escaping @Sendable (Int, Double, Double) -> Double) -> FMAKernel {
        FMAKernel(
            name: name, chains: chains, lanes: lanes, flopsPerLaneStep: 2,
            run: { body($0, x, y($1)) },
            expected: { Double(chains * lanes) * fmaChainExpected(iterations: $0, x: x, y: y($1)) })
    }

    /// The kernels for `dtype` this CPU can run (`simdFeatures`: its /proc/cpuinfo flags):
    /// fp32 and fp64 FMA chains everywhere, bf16 dot products where it has avx512_bf16.
    public static func variants(_ dtype: DType, simdFeatures: [String]) -> [FMAKernel] {
        switch dtype {
        case .fp32:
            return [
                fma("fp32 6x16", chains: 6, lanes: 16) { fmaChains6F32(iterations: $0, x: Float($1), y: Float($2)) },
                fma("fp32 12x16", chains: 12, lanes: 16) { fmaChains12F32(iterations: $0, x: Float($1), y: Float($2)) },
            ]
        case .fp64:
            return [
                fma("fp64 6x8", chains: 6, lanes: 8) { fmaChains6F64(iterations: $0, x: $1, y: $2) },
                fma("fp64 12x8", chains: 12, lanes: 8) { fmaChains12F64(iterations: $0, x: $1, y: $2) },
            ]
        // Not on AMX CPUs: their bf16 peak is the tile unit's, which these dot products do not reach.
        case .bf16 where simdFeatures.contains("avx512_bf16") && !simdFeatures.contains("amx_bf16") && rl_bf16_kernel_built() == 1:
            // b = 2^-shift with shift 10…17 by sample: exact in bf16, and exact sums.
            return [
                FMAKernel(
                    name: "bf16 dot 12x16", chains: 12, lanes: 16, flopsPerLaneStep: 4,
                    run: { rl_bf16_dot_chains12($0, Int32(10 + $1 % 8)) },
                    expected: { 12 * 16 * Double($0) * pow(2, Double(1 - (10 + $1 % 8))) })
            ]
        default: return []
        }
    }
}

@inline(never) public func fmaChains6F32(iterations: Int, x: Float, y: Float) -> Double { chains6(iterations, x, y, F32Vector.self) }
@inline(never) public func fmaChains12F32(iterations: Int, x: Float, y: Float) -> Double { chains12(iterations, x, y, F32Vector.self) }
@inline(never) public func fmaChains6F64(iterations: Int, x: Double, y: Double) -> Double { chains6(iterations, x, y, F64Vector.self) }
@inline(never) public func fmaChains12F64(iterations: Int, x: Double, y: Double) -> Double { chains12(iterations, x, y, F64Vector.self) }
