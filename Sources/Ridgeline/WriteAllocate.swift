import Foundation

extension Roofline {
    /// Bytes a CPU kernel stores into lines it did not read first: its fresh outputs. A CPU cache
    /// writes back whole lines, so a store that misses first reads the line in (write-allocate,
    /// or read-for-ownership), unless the store is non-temporal; oneDNN's and OpenBLAS's
    /// kernels store through the cache. From DRAM such an output therefore moves twice: read,
    /// then written back. In-place updates (optimizer state, an embedding gradient's
    /// read-modify-write) already read their lines and add nothing. GPUs' L2 tracks sectors and
    /// takes partial writes without a fill: 0 there.
    ///
    /// The DRAM figure this traffic is charged at counts the bytes the bus moves, write-allocate
    /// included (`HostProfile` converts a copy or triad figure, which STREAM counts without it).
    func writeAllocateBytes(_ kernel: Kernel) -> Double {
        guard profile.kind == .cpu else { return 0 }
        let elementBytes = kernel.dtype.bytes
        switch kernel {
        case .gemm(let g): return Double(g.batch) * Double(g.m) * Double(g.n) * elementBytes
        case .conv2d(let c):
            let tensor: Double = switch c.pass {
            case .fwd: Double(c.n) * Double(c.k) * Double(c.outH) * Double(c.outW)
            case .bwd_data: Double(c.n) * Double(c.c) * Double(c.h) * Double(c.w)
            case .bwd_weights: Double(c.k) * Double(c.c / c.groups) * Double(c.r) * Double(c.s)
            }
            return tensor * elementBytes
        case .elementwise(let e): return Double(e.elements) * Double(e.outputs) * elementBytes
        case .copy(let c): return Double(c.elements) * elementBytes
        case .reduction(let r): return Double(r.outputs) * elementBytes
        case .rowwise(let r): return r.elements * elementBytes
        case .attention(let a): return a.pass == .fwd ? a.qBytes : a.qBytes + 2 * a.kvBytes
        case .embedding(let e): return e.pass == .fwd ? e.rows * elementBytes : 0
        case .optimizer: return 0
        }
    }
}
