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
        p.compute.peak = compute.peak.mapValues { $0 * share }
        p.compute.vectorPeak = compute.vectorPeak.mapValues { $0 * share }
        p.memory = memory.map { level in
            var l = level
            l.bandwidth = level.bandwidth * share
            l.sharedByUnits = min(level.sharedByUnits, n)
            return l
        }
        p.name = "\(name), \(n) of \(compute.units) \(compute.unitName)s"
        return p
    }
}
