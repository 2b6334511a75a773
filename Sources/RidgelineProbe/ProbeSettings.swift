import Foundation

/// How long and how often the micro-benchmarks run.
public struct ProbeSettings: Sendable {
    /// Seconds one timed sample of an FMA or clock kernel lasts.
    public var computeSampleSeconds: Double
    /// Seconds one timed sample of a bandwidth point lasts.
    public var bandwidthSampleSeconds: Double
    public var repeats: Int
    /// Smallest per-thread working set of the sweep.
    public var smallestWorkingSet: Int
    /// Largest per-thread working set, all threads together at least this many times the LLC.
    public var dramFactor: Double
    /// Cap on any one thread's arrays (tests use a tiny one).
    public var largestWorkingSet: Int?
    /// After this many seconds, measurements stop waiting for undisturbed samples and take the
    /// plain `repeats`, so that a very busy machine still finishes in time.
    public var patienceSeconds: Double = 25
    /// Back the bandwidth arrays with transparent huge pages (madvise, where the kernel allows it).
    /// With 4 KiB pages a DRAM stream misses the TLB every page, and in a VM each miss is a
    /// two-level (guest and host) page walk: on a 2-vCPU Zen 4 KVM guest the all-thread DRAM
    /// figure rose from ≈ 50 to ≈ 60 GB/s with huge pages, in the same minute. detect keeps them
    /// only where the engines' buffers get them too (`TransparentHugePages`); a comparison with a
    /// program on 4 KiB pages (the bench's C STREAM) turns them off.
    public var hugePages = true
    /// Seconds from the start of `measure()` during which the all-thread DRAM points are visited
    /// again and again (see `CeilingRun.visitDRAMWindow`); 0 for none.
    public var dramWindowSeconds: Double = 15
    /// Wall-time budget of `measure()` (`detect --measure --budget`). The sweeps stop growing and
    /// the extra visits are left out as it runs low (`MeasuredCeilings.cuts` says which); patience
    /// and the DRAM window shrink with it. More budget buys more samples and visits, not a wider
    /// sweep: the working sets are bounded by what the curve shows (`BandwidthCurve`).
    public var budgetSeconds: Double = ProbeSettings.defaultBudgetSeconds
    /// 40 s: with hwloc, the engine's call cost and process start, `detect --measure` stays
    /// under a minute on a busy 2-core VM.
    public static let defaultBudgetSeconds = 40.0
    /// Bounds of `--budget`.
    public static let budgetRange: ClosedRange<Double> = 5...3600

    public init(
        computeSampleSeconds: Double, bandwidthSampleSeconds: Double, repeats: Int,
        smallestWorkingSet: Int, dramFactor: Double, largestWorkingSet: Int?
    ) {
        self.computeSampleSeconds = computeSampleSeconds; self.bandwidthSampleSeconds = bandwidthSampleSeconds
        self.repeats = repeats; self.smallestWorkingSet = smallestWorkingSet; self.dramFactor = dramFactor
        self.largestWorkingSet = largestWorkingSet
    }

    /// The smallest all-thread working set counted as DRAM when the curve shows no end of the
    /// last-level cache's plateau (`BandwidthCurve`): `dramFactor` × the nominal last-level cache,
    /// less 1% because a kernel's arrays round the working set down to whole cache lines.
    public func dramFloorBytes(lastLevelCacheBytes: Int) -> Double {
        0.99 * dramFactor * Double(lastLevelCacheBytes)
    }

    /// Share of the budget by which each phase must have started: the one-thread read sweep may
    /// grow until `singleSweep`, the all-thread one until `allSweep`, the other kernels' points
    /// start until `otherKernels`; the second visits of the compute peaks (cheap, and the figures
    /// two runs must agree on) and of the shared levels run only before `computeRevisits` and
    /// `revisits`, the revisited points stop at `dramWindow`, and a second look at what the
    /// checks would refuse (`CeilingRun.settleFindings`) starts before `settle`.
    enum BudgetMark: Double {
        case singleSweep = 0.35, allSweep = 0.55, otherKernels = 0.7, computeRevisits = 0.75, revisits = 0.8, dramWindow = 0.9
        case settle = 0.95
    }

    func deadline(_ mark: BudgetMark, from start: Double) -> Double { start + mark.rawValue * budgetSeconds }

    /// When a read sweep starting now must stop growing: at its mark, but never sooner than
    /// `sweepFloor` of the budget from now, so that a slow compute phase on a busy machine does
    /// not starve the sweeps (the phases after them give the time back).
    func sweepDeadline(_ mark: BudgetMark, from start: Double, now: Double) -> Double {
        max(deadline(mark, from: start), now + Self.sweepFloor * budgetSeconds)
    }

    static let sweepFloor = 0.15

    /// `detect --measure`: about 15–40 s on a 2-core machine, depending on how busy it is. Short
    /// samples, at least 15 of them and more while other processes take the cores (`SampleBoard`):
    /// on a shared machine a short sample is more often undisturbed.
    public static let standard = ProbeSettings(
        computeSampleSeconds: 0.005, bandwidthSampleSeconds: 0.002, repeats: 15,
        smallestWorkingSet: 8 << 10, dramFactor: 4, largestWorkingSet: nil)
}
