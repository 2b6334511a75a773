import COpenBLAS
import Foundation
import Ridgeline
import RidgelineProbe

/// (b) fp32 peak, all cores: Ridgeline's FMA chains against the best single-precision GEMM rate
/// OpenBLAS reaches here (an FMA loop must beat a GEMM: target ≥ 0.95), and against the measured
/// clock × cores × FLOPs/cycle of the SIMD units (target: within 10%).
struct PeakSection: BenchSection {
    let name = "peak"
    let summary = "fp32 peak, all cores: FMA chains vs OpenBLAS sgemm and vs clock × cores × FLOPs/cycle"

    func run(_ context: BenchContext) throws -> [BenchFigure] {
        let hwloc = try Hwloc.shared()
        let topology = hwloc.hostTopology()
        let cores = topology.cores
        let probe = CeilingProbe(topology: topology, hwloc: hwloc)
        benchProgress("peak: fp32 FMA chains")
        let peak = try probe.peak(dtype: .fp32, threads: cores).flopsPerSecond.best
        benchProgress("peak: clock")
        let clock = try probe.clock(threads: cores)
        let perCycle = HostProfileBuilder(topology: topology, ceilings: nil).nominalFlopsPerCycle[.fp32]!
        let model = clock * Double(cores) * perCycle
        openblas_set_num_threads(Int32(cores))
        var best = (rate: 0.0, n: 0)
        for n in [512, 1024, 2048, 3072] {
            benchProgress("peak: sgemm n=\(n)")
            let rate = sgemmRate(n: n)
            if rate > best.rate { best = (rate, n) }
        }
        let core = String(cString: openblas_get_corename())
        return [
            BenchFigure(name: "FMA-chain fp32 peak, \(cores) cores", value: Quantity.format(peak, .flopsPerSecond), target: "", pass: nil),
            BenchFigure(
                name: "OpenBLAS \(core) sgemm, best (n=\(best.n), \(cores) threads)", value: Quantity.format(best.rate, .flopsPerSecond),
                target: "", pass: nil),
            BenchFigure(name: "peak / sgemm", value: ratio(peak, best.rate), target: "≥ 0.95", pass: peak >= 0.95 * best.rate),
            BenchFigure(
                name: "clock \(Quantity.format(clock, .hertz)) × \(cores) cores × \(Int(perCycle)) FLOP/cycle",
                value: Quantity.format(model, .flopsPerSecond), target: "", pass: nil),
            BenchFigure(
                name: "peak / (clock × cores × FLOPs/cycle)", value: ratio(peak, model), target: "0.90–1.10",
                pass: abs(peak / model - 1) <= 0.10),
        ]
    }

    /// Best FLOP/s of C = A·B for n × n fp32 matrices over a few calls (2n³ FLOPs each).
    func sgemmRate(n: Int) -> Double {
        var a = [Float](repeating: 0, count: n * n), b = a, c = a
        for i in 0..<(n * n) { a[i] = Float(i % 7) * 0.25; b[i] = Float(i % 5) * 0.5 }
        let calls = n <= 1024 ? 8 : 3
        var best = 0.0
        for _ in 0..<calls {
            let t0 = monotonicSeconds()
            cblas_sgemm(
                CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(n), Int32(n), 1, a, Int32(n), b, Int32(n), 0, &c, Int32(n))
            best = max(best, 2 * Double(n) * Double(n) * Double(n) / (monotonicSeconds() - t0))
        }
        return best
    }
}
