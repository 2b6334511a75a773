/// Bandwidth kernels over arrays of 64-byte vectors (eight doubles, one cache line), in the
/// style of STREAM (McCalpin, 1995) plus a pure read and a pure write.
///
/// Bytes are counted as STREAM counts them: each array element read or written once, without the
/// write-allocate read a cache-line fill adds on write. So `triad` moves 24 bytes per element,
/// `copy` 16, `read` and `write` 8, and the figures compare directly with STREAM's.
///
/// The kernels take raw pointers so that the loops have no bounds checks and vectorise; `read`
/// keeps four independent sums because floating-point addition does not reassociate, and one
/// sum would be latency-bound rather than bandwidth-bound.
///
/// Loops compile as written (this target passes LLVM `-unroll-count=1`), and `write`, `copy`
/// and `triad` come in two shapes: one line per iteration, the shape of STREAM's C loop at
/// gcc -O3, and four lines per iteration. From DRAM with all threads the plain loop is faster:
/// LLVM's 8× unrolled triad reached 0.916–0.987 of C STREAM's (median of 21 paired rounds; median
/// 0.950 over 15 runs), the plain one 0.940–1.01 (median 0.974 over 10), and gcc's own loop
/// unrolled 8× ran at 0.97 of its plain loop. From L1 the
/// unrolled loop is faster (all-thread triad 560 against 490 GB/s: fewer loop instructions per
/// line). `CeilingProbe` uses the unrolled shape within the last-level cache and both beyond it.
public typealias Line = SIMD8<Double>

public enum StreamKernel: String, CaseIterable, Sendable, Codable {
    case read, write, copy, triad

    /// Arrays the kernel touches.
    public var arrays: Int {
        switch self {
        case .read, .write: return 1
        case .copy: return 2
        case .triad: return 3
        }
    }

    /// Bytes per 8-byte element, STREAM-style.
    public var bytesPerElement: Double { Double(arrays) * 8 }

    /// One pass over `count` lines of the arrays starting at `a`, `b`, `c` (only the ones the kernel
    /// uses are touched), four lines per loop iteration when `unrolled`. Returns a value that
    /// depends on the data, for the caller to check; `read` returns its sum plus `scalar`, so that
    /// callers can vary the call and the optimiser cannot hoist a read-only call out of a loop of
    /// passes.
    @inline(__always)
    public func pass(
        _ a: UnsafeMutablePointer<Line>, _ b: UnsafeMutablePointer<Line>, _ c: UnsafeMutablePointer<Line>,
        count: Int, scalar: Double, unrolled: Bool = true
    ) -> Double {
        switch self {
        case .read: return streamRead(a, count: count, plus: scalar)
        case .write: streamWrite(a, count: count, value: scalar, unrolled: unrolled); return 0
        case .copy: streamCopy(a, b, count: count, unrolled: unrolled); return 0
        case .triad: streamTriad(a, b, c, count: count, scalar: scalar, unrolled: unrolled); return 0
        }
    }
}

/// Σ a[i] over every lane, plus `plus` (an argument the caller varies so that no two calls are alike).
///
/// Four sums hide the 3–4 cycle latency of a vector add at one line per cycle. The loads must go
/// in ascending address order: with eight sums LLVM emitted each 512-byte block's loads in
/// descending order, which halved DRAM read bandwidth (measured 7.8 vs 16 GB/s for one thread on
/// Zen 4, against a C loop), presumably by defeating the stream prefetcher.
@inline(never)
public func streamRead(_ a: UnsafeMutablePointer<Line>, count: Int, plus: Double) -> Double {
    var s0 = Line(repeating: 0), s1 = s0, s2 = s0, s3 = s0
    var p = a
    let end = a + (count & ~3)
    while p < end {
        s0 += p[0]; s1 += p[1]; s2 += p[2]; s3 += p[3]
        p += 4
    }
    while p < a + count { s0 += p[0]; p += 1 }
    return ((s0 + s1) + (s2 + s3)).sum() + plus
}

/// Calls `body` for 0..<count in order, four calls per loop iteration when `unrolled`.
@inline(__always)
func forEachLine(_ count: Int, unrolled: Bool, _ body: (Int) -> Void) {
    var i = 0
    if unrolled {
        while i + 4 <= count { body(i); body(i + 1); body(i + 2); body(i + 3); i += 4 }
    }
    while i < count { body(i); i += 1 }
}

/// a[i] = value.
@inline(never)
public func streamWrite(_ a: UnsafeMutablePointer<Line>, count: Int, value: Double, unrolled: Bool = true) {
    let v = Line(repeating: value)
    forEachLine(count, unrolled: unrolled) { a[$0] = v }
}

/// a[i] = b[i].
@inline(never)
public func streamCopy(_ a: UnsafeMutablePointer<Line>, _ b: UnsafeMutablePointer<Line>, count: Int, unrolled: Bool = true) {
    forEachLine(count, unrolled: unrolled) { a[$0] = b[$0] }
}

/// a[i] = b[i] + scalar · c[i] (STREAM triad), as one fused multiply-add per line: what gcc
/// emits for STREAM's C loop at -O3 -march=native (it contracts b + s·c into vfmadd), so both
/// issue the same instructions per line.
@inline(never)
public func streamTriad(
    _ a: UnsafeMutablePointer<Line>, _ b: UnsafeMutablePointer<Line>, _ c: UnsafeMutablePointer<Line>,
    count: Int, scalar: Double, unrolled: Bool = true
) {
    let s = Line(repeating: scalar)
    forEachLine(count, unrolled: unrolled) { a[$0] = b[$0].addingProduct(s, c[$0]) }
}
