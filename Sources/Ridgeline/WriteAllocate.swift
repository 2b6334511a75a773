import Foundation

extension Roofline {
    /// Bytes a kernel stores: `fresh` into lines it did not read first (its outputs), `inPlace`
    /// into lines it read (optimizer state, an embedding gradient's read-modify-write).
    func storedBytes(_ kernel: Kernel) -> (fresh: Double, inPlace: Double) {
        let elementBytes = kernel.dtype.bytes
        switch kernel {
        case .gemm(let g): return (Double(g.batch) * Double(g.m) * Double(g.n) * elementBytes, 0)
        case .conv2d(let c):
            let tensor: Double =
                switch c.pass {
                case .fwd: Double(c.n) * Double(c.k) * Double(c.outH) * Double(c.outW)
                case .bwdData: Double(c.n) * Double(c.c) * Double(c.h) * Double(c.w)
                case .bwdWeights: Double(c.k) * Double(c.c / c.groups) * Double(c.r) * Double(c.s)
                }
            return (tensor * elementBytes, 0)
        case .elementwise(let e): return (Double(e.elements) * Double(e.outputs) * elementBytes, 0)
        case .copy(let c): return (Double(c.elements) * elementBytes, 0)
        case .reduction(let r): return (Double(r.outputs) * elementBytes, 0)
        case .rowwise(let r): return (r.elements * elementBytes, 0)
        case .attention(let a): return (a.pass == .fwd ? a.qBytes : a.qBytes + 2 * a.kvBytes, 0)
        case .embedding(let e): return e.pass == .fwd ? (e.rows * elementBytes, 0) : (0, e.rows * elementBytes)
        case .optimizer(let o): return (0, Double(o.params) * o.dtype.bytes * (o.name == .sgd ? 2 : 3))
        }
    }

    /// Bytes of the device memory's bandwidth that `bytes` of a kernel's traffic there cost.
    ///
    /// A CPU profile's DRAM figure counts bytes read from memory: loads, and the lines ordinary
    /// stores read in before writing them (write-allocate; oneDNN and OpenBLAS store through the
    /// cache). For a stream kernel that is STREAM's own count — each element read or written
    /// once — so the probe's read kernel gives the figure as measured. What a stored byte costs
    /// beyond that is the level's `storeCost`: the line's fill plus its write-back, in bytes of
    /// read bandwidth (2 where reads and write-backs share the channels at one rate; measured on
    /// a host from the probe's write, copy and triad against its read). A store into a line the
    /// kernel read costs only the write-back. Without a `storeCost` the figure counts every byte
    /// read or written once (STREAM's count, no write-back cost): the traffic stays `bytes`. GPUs'
    /// L2 takes partial writes without a fill: unchanged.
    func deviceMemoryBytes(_ kernel: Kernel, bytes: Double, storeCost: Double?) -> Double {
        guard profile.kind == .cpu, let cost = storeCost else { return bytes }
        let stored = storedBytes(kernel)
        return max(0, bytes + (cost - 1) * stored.fresh + (max(0, cost - 1) - 1) * stored.inPlace)
    }
}
