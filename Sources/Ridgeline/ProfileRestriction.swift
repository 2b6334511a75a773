import Foundation

/// A CPU profile cut down to the cores a measurement really used.
///
/// A kernel run on `n` of a CPU's `units` cores reaches n/units of its compute peak and of the
/// bandwidth of every level: each core brings its own SIMD pipes and its own L1/L2 ports, and on
/// the shared levels (L3, DRAM) one core's outstanding misses bound what it can pull (Little's law:
/// bandwidth = bytes in flight / latency, and bytes in flight are per core), so the shared levels
/// are scaled by the same share. Capacities stay: one core may fill the whole shared L3.
extension HardwareProfile {
    public func restricted(toUnits n: Int) -> HardwareProfile {
        guard kind == .cpu, n >= 1, n < compute.units else { return self }
        let share = Double(n) / Double(compute.units)
        var p = self
        p.compute.units = n
        // n cores reach n × what one reaches alone, where measured, up to the whole device's peak.
        func scaled(_ peaks: [DType: Double]) -> [DType: Double] {
            Dictionary(
                uniqueKeysWithValues: peaks.map { dtype, peak in
                    (dtype, compute.singleUnitPeak[dtype].map { min(peak, $0 * Double(n)) } ?? peak * share)
                })
        }
        p.compute.peak = scaled(compute.peak)
        p.compute.vectorPeak = scaled(compute.vectorPeak)
        p.memory = memory.map { level in
            var l = level
            // Private levels scale with the cores; a shared level gives a few cores what they can
            // draw alone, where that was measured, up to the whole level.
            let alone = level.singleUnitBandwidth.map { min(level.bandwidth, $0 * Double(n)) }
            l.bandwidth = alone ?? level.bandwidth * share
            // What a store costs follows what binds the traffic: a lone core's misses in flight.
            if alone != nil { l.storeCost = level.singleUnitStoreCost ?? level.storeCost }
            l.sharedByUnits = min(level.sharedByUnits, n)
            return l
        }
        // One core runs the engine's kernels without waking its other threads.
        if n == 1, let single = singleUnitLaunchLatency { p.launchLatency = single }
        p.name = "\(name), \(n) of \(compute.units) \(compute.unitName)s"
        return p
    }
}

/// A CPU profile at the SIMD width a library's kernels use (`LibraryKernels`).
///
/// A core's FLOPs per cycle are lanes × FMA pipes × 2; kernels that use narrower vectors get the
/// same pipes with fewer lanes, so the peaks scale by `bits` / the width the pipes run at full
/// rate. Kernels without fused multiply-add are not charged more: the cores that such kernels
/// now land on (Zen, Golden Cove and later) add on pipes of their own beside the multipliers
/// (OpenBLAS's SSE3 sgemm reached 64 GFLOP/s on a guest whose 512-bit FMA peak is 353, above a
/// half-rate model's 44). Memory is unchanged: the caches and DRAM serve narrow loads as fast as
/// the core issues them.
extension HardwareProfile {
    public func restricted(toSIMDBits bits: Int) -> HardwareProfile {
        guard kind == .cpu, bits >= 64 else { return self }
        let full = fullRateSIMDBits
        guard bits < full else { return self }
        let share = Double(bits) / Double(full)
        var p = self
        p.compute.peak = compute.peak.mapValues { $0 * share }
        p.compute.vectorPeak = compute.vectorPeak.mapValues { $0 * share }
        p.compute.flopsPerClockPerUnit = compute.flopsPerClockPerUnit.mapValues { $0 * share }
        p.compute.simdBits = min(bits, compute.simdBits ?? bits)
        p.name = "\(name), at \(bits)-bit kernels"
        return p
    }
}

extension HardwareProfile {
    /// The vector width at which a CPU's FMA pipes reach its fp32 peak: its SIMD registers, unless
    /// its fp32 FLOPs per clock say the pipes are narrower (Zen 4 runs 512-bit instructions as two
    /// 256-bit halves: 32 FLOPs per clock = 2 pipes × 8 lanes × 2). Two FMA pipes assumed, as on
    /// the x86 server cores of the last decade; rounded to a power of two from 128 bits.
    public var fullRateSIMDBits: Int {
        let width = compute.simdBits ?? 256
        guard let perClock = compute.flopsPerClockPerUnit[.fp32], perClock > 0 else { return width }
        let bits = perClock / 4 * 32
        let rounded = Int(pow(2, log2(bits).rounded()))
        return min(width, max(128, rounded))
    }
}
