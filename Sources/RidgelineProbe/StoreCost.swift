import Foundation
import Ridgeline
import RidgelineKernels

/// What a stored byte costs from DRAM, in bytes of the read kernel's bandwidth, from the stream
/// kernels' plateaus.
///
/// The probe counts bytes as STREAM does: each element read or written once. Its stores are
/// ordinary ones, so each written line is first read in (write-allocate), and for every kernel
/// STREAM's count equals the lines read from memory: loads plus fills. What the count leaves out
/// is the write-back. Where reads and write-backs share the channels at one rate, a stored byte
/// costs 2 (fill and write-back) and a copy runs at 2/3 of the read rate; a lone core, bound by
/// its misses in flight, posts its write-backs nearly for free (a stored byte costs about 1:
/// 1.17 for one thread and 1.02 for two on the Zen 4 guest, whose write, copy and triad ran within
/// 15% of its read). Either way the kernels say which: a kernel whose counted bytes are a share
/// `x` stores (write 1, copy 1/2, triad 1/3) takes (1 + (c − 1)·x) / read of a second per byte
/// for a store cost c. The profile's DRAM figure is then the read kernel's, and
/// `Roofline.deviceMemoryBytes` charges each kernel's stores at c.
public enum StoreCost {
    /// The stored share of a kernel's counted bytes.
    static func storedShare(_ kernel: StreamKernel) -> Double {
        kernel == .read ? 0 : 1 / Double(kernel.arrays)
    }

    /// The store cost that best explains `rates` (counted bytes per second, by kernel) beside the
    /// read kernel's: least squares on the relative errors of the predicted rates. nil without the
    /// read rate or any store kernel. Clamped to `MemoryLevel.storeCostRange`, three significant
    /// digits (what the plateaus' agreement supports, and what the profile's YAML keeps exactly).
    public static func fit(rates: [StreamKernel: Double]) -> Double? {
        guard let read = rates[.read], read > 0 else { return nil }
        let stores = rates.filter { $0.key != .read && $0.value > 0 }.map { (x: storedShare($0.key), q: $0.value / read) }
        guard !stores.isEmpty else { return nil }
        // Predicted rate / measured = 1 / ((1 + (c − 1)·x) · q); minimising Σ((1 + (c − 1)·x)·q − 1)².
        let numerator = stores.reduce(0) { $0 + $1.x * $1.q * (1 - $1.q) }
        let denominator = stores.reduce(0) { $0 + ($1.x * $1.q) * ($1.x * $1.q) }
        let cost = min(MemoryLevel.storeCostRange.upperBound, max(MemoryLevel.storeCostRange.lowerBound, 1 + numerator / denominator))
        return Double(formatSignificant(cost, digits: 3)) ?? cost
    }

    /// The rate `kernel` streams DRAM at, by the model, for `read` and store cost `cost`.
    public static func predictedRate(_ kernel: StreamKernel, read: Double, cost: Double) -> Double {
        read / (1 + (cost - 1) * storedShare(kernel))
    }
}
