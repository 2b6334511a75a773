import Ridgeline
import RidgelineKernels

/// What a second look should measure again before a run is refused (`CeilingRun.settleFindings`).
///
/// Every figure is its points' best sample, and other processes only slow a sample down, so a
/// finding made by a disturbed point is settled by measuring that point again: a neighbour that
/// held a core for the 30 ms of one L3 point is rarely there on a second visit seconds later.
/// A finding the machine itself causes (a cache that really has no plateau, a clock that really
/// sinks with all cores busy) stays, and the run is refused as before.
extension CeilingsAssessment {
    /// Whether a finding is about the compute ceilings (an FMA peak or the clock), which another
    /// visit of the compute stage may settle.
    var computeFindings: Bool { findings.contains { $0.figure.hasSuffix(" peak") || $0.figure == "clock" } }

    /// Per-thread working sets of the `threads` team's read points to measure again: for each
    /// bandwidth figure of that team with a finding, its level's plateau window and the window of
    /// the level inside it (a level faster than the one inside it names the outer one, but the
    /// inner one's samples are the suspects). DRAM's window is every point whose working sets
    /// together exceed the nominal last-level cache: a disturbed point there can break the run of
    /// DRAM points (`BandwidthCurve.dramPoints`) as well as lower it. Ascending; empty when no
    /// bandwidth figure of that team has a finding.
    func revisitSizes(_ m: MeasuredCeilings, threads n: Int, topology: HostTopology, settings: ProbeSettings) -> [Int] {
        let plateaus = BandwidthPlateaus(topology: topology, settings: settings)
        let names = topology.dataCaches.map { "l\($0.level)" } + ["dram"]
        let caches = plateaus.windows(threads: n)
        let llc = topology.lastLevelCacheBytes.map { $0 / n + 1 } ?? plateaus.dramWindow(m.sweep, threads: n).lowerBound
        let windows = names.indices.map { $0 < caches.count ? caches[$0] : llc...Int.max }
        let figures = Set(findings.map(\.figure))
        var chosen: [ClosedRange<Int>] = []
        for (k, name) in names.enumerated() where figures.contains(Self.figure(name, threads: n)) {
            chosen += windows[max(0, k - 1)...k]
        }
        let read = m.sweep.filter { $0.threads == n && $0.kernel == StreamKernel.read.rawValue }.map(\.workingSetPerThread)
        return Set(read.filter { size in chosen.contains { $0.contains(size) } }).sorted()
    }
}
