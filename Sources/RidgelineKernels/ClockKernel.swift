/// The sustained clock, measured as a chain of dependent single-cycle integer operations.
///
/// Each step is `x = (x + a) ^ b`: an add and an xor, each with a latency of one cycle on every
/// x86 core since the Pentium Pro and on Arm cores (Agner Fog, "Instruction tables"; Arm
/// software optimization guides), and each depending on the previous one, so a step takes exactly
/// two cycles whatever the issue width. `a` and `b` are opaque to the compiler, which therefore
/// cannot fold the chain. cycles = 16 × iterations (8 steps per iteration).
@inline(never)
public func dependentChain(iterations: Int, a: UInt64, b: UInt64) -> UInt64 {
    var x = a
    for _ in 0..<iterations {
        x = (x &+ a) ^ b; x = (x &+ a) ^ b; x = (x &+ a) ^ b; x = (x &+ a) ^ b
        x = (x &+ a) ^ b; x = (x &+ a) ^ b; x = (x &+ a) ^ b; x = (x &+ a) ^ b
    }
    return x
}

/// Cycles one call of `dependentChain` takes: 8 steps × 2 single-cycle operations per iteration.
public func dependentChainCycles(iterations: Int) -> Double { Double(iterations) * 16 }

/// A chain of dependent vector floating-point adds, for the add latency (`vector_add_latency`):
/// each of the 8 adds per iteration takes the previous one's result, and floating-point addition
/// does not reassociate, so the compiler can neither split the chain nor fold it (`step` is
/// opaque). One 8-lane fp32 vector: the width every x86-64 SIMD unit Ridgeline models adds in one
/// instruction (an AVX2 register; half of an AVX-512 one, at the same latency).
@inline(never)
public func dependentVectorAdds(iterations: Int, step: Float) -> Float {
    let s = SIMD8<Float>(repeating: step)
    var x = SIMD8<Float>(repeating: 0)
    for _ in 0..<iterations {
        x = x + s; x = x + s; x = x + s; x = x + s
        x = x + s; x = x + s; x = x + s; x = x + s
    }
    return x.sum()
}

/// Adds one call of `dependentVectorAdds` makes, one after another.
public func dependentVectorAddCount(iterations: Int) -> Double { Double(iterations) * 8 }
