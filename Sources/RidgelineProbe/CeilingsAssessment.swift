import Foundation
import Ridgeline
import RidgelineKernels

/// Whether a `detect --measure` run describes the machine or the load it ran under.
///
/// Every figure is the best of repeated samples, which other processes only slow down; but a run
/// cut short by its budget, or run while the cores were taken, can still hold figures no machine
/// has: a cache level whose plateau never formed, a DRAM figure read inside the last-level cache,
/// an all-core peak far below the cores' own, a level faster than the one inside it. A profile
/// built from such a run predicts the load, not the hardware, and `--hardware host` would use it
/// silently. Each check below compares a figure with the run's own repeated measurements of it,
/// so it holds on any CPU; the tolerances are the sweep's own (`BandwidthCurve.flat`, `drop`).
public struct CeilingsAssessment: Sendable, Equatable {
    public struct Finding: Sendable, Equatable, Codable {
        /// The figure: "l3, 2 threads", "fp32 peak", "clock", "engine call".
        public var figure: String
        /// What is wrong with it, with the values that say so.
        public var problem: String

        public init(figure: String, problem: String) { self.figure = figure; self.problem = problem }

        public var text: String { "\(figure): \(problem)" }
    }

    public var findings: [Finding]

    /// No finding: the profile may stand for this machine.
    public var usable: Bool { findings.isEmpty }

    /// The figures with findings, each once, in order.
    public var figures: [String] {
        var seen: Set<String> = []
        return findings.map(\.figure).filter { seen.insert($0).inserted }
    }

    /// An all-core FMA peak below this share of cores × the one-core peak: the cores were taken
    /// (FMA pipes are private to a core; the probe revisits below 0.9 before giving up).
    public static let coreShare = 0.75
    /// An all-core clock below this share of the one-core clock: a core was shared. Turbo
    /// bins differ by less (one core to all cores: about 10–20% on server parts).
    public static let clockShare = 0.8
    /// Measured FLOPs per clock per core outside this range of the nominal figure: the clock and
    /// the peak were measured under different conditions (a disturbed dependent chain reads a
    /// slow clock and makes the pipes look wider than they are).
    public static let perClockRange: ClosedRange<Double> = 0.5...1.25
    /// The engine call's median more than this many times its fastest repetition: the threads of
    /// the call waited for their cores, and the fixed cost every kernel pays would be the load's.
    public static let callSpread = 10.0

    public init(findings: [Finding]) { self.findings = findings }

    /// Checks `m` against the topology it was measured on (the plateau windows come from it).
    public init(_ m: MeasuredCeilings, topology: HostTopology, settings: ProbeSettings = .standard) {
        var found: [Finding] = []
        let plateaus = BandwidthPlateaus(topology: topology, settings: settings)
        let teams = m.threads > 1 ? [m.threads, 1] : [1]
        let caches = topology.dataCaches
        for n in teams {
            let curve = plateaus.curve(m.sweep, threads: n)
            for (index, window) in plateaus.windows(threads: n).enumerated() where m.level("l\(caches[index].level)") != nil {
                if let problem = Self.plateauProblem(curve, window: window) {
                    found.append(Finding(figure: Self.figure("l\(caches[index].level)", threads: n), problem: problem))
                }
            }
        }
        if let dram = m.level("dram") {
            if m.threads > 1 && dram.allThreadsKernel.contains("one thread") {
                found.append(
                    Finding(
                        figure: Self.figure("dram", threads: m.threads),
                        problem: "the all-thread sweep stopped before DRAM; the one-thread figure stands in for every core"))
            }
            for n in teams where !(n == m.threads && dram.allThreadsKernel.contains("one thread")) {
                let curve = plateaus.curve(m.sweep, threads: n)
                let window = plateaus.dramWindow(m.sweep, threads: n)
                if let problem = Self.dramProblem(curve, window: window) {
                    found.append(Finding(figure: Self.figure("dram", threads: n), problem: problem))
                }
            }
        }
        found += Self.monotonicity(m.levels, threads: m.threads)
        found += Self.teamShortfall(m.levels, threads: m.threads, caches: caches)
        found += Self.disturbedFigures(m, plateaus: plateaus, teams: teams)
        found += Self.computeProblems(m, nominalPerClock: HostProfileBuilder(topology: topology, ceilings: nil).nominalFlopsPerCycle)
        if let call = m.engineCall, let fastest = call.fastestSeconds, call.seconds > Self.callSpread * fastest {
            found.append(
                Finding(
                    figure: "engine call",
                    problem:
                        "median \(Quantity.format(call.seconds, .seconds)) is \(formatSignificant(call.seconds / fastest, digits: 3))× its fastest repetition (\(Quantity.format(fastest, .seconds))): its threads waited for their cores"
                ))
        }
        findings = found
    }

    /// A cache plateau is at least two read points in the level's window within `flat` of the
    /// best of them; nil when it is, else what the points say.
    static func plateauProblem(_ curve: BandwidthCurve, window: ClosedRange<Int>) -> String? {
        let inside = curve.points.filter { window.contains($0.bytes) }
        let span = "\(Quantity.format(Double(window.lowerBound), .bytes))–\(Quantity.format(Double(window.upperBound), .bytes)) per thread"
        guard let best = inside.map(\.rate).max() else { return "no read point in its window (\(span)): the sweep did not reach it" }
        let agreeing = inside.filter { $0.rate >= (1 - BandwidthCurve.flat) * best }
        guard agreeing.count < 2 else { return nil }
        guard inside.count >= 2 else { return "one read point in its window (\(span)): no plateau to confirm it" }
        let next = inside.map(\.rate).sorted(by: >)[1]
        return
            "no plateau: its best read point (\(Quantity.format(best, .bytesPerSecond))) is \(percent(1 - next / best)) above the next (\(Quantity.format(next, .bytesPerSecond))) of \(inside.count) in \(span); a plateau's points agree within \(percent(BandwidthCurve.flat))"
    }

    /// DRAM is established when the read curve has at least two points beyond the last-level
    /// cache within `drop` of each other (other processes share DRAM more than any cache, so its
    /// points are allowed the spread that still tells two levels apart).
    static func dramProblem(_ curve: BandwidthCurve, window: ClosedRange<Int>) -> String? {
        let inside = curve.points.filter { window.contains($0.bytes) }.map(\.rate).sorted(by: >)
        let from = "\(Quantity.format(Double(window.lowerBound), .bytes)) per thread"
        guard inside.count >= 2 else {
            let reached = curve.points.last.map { ", the sweep stopped at \(Quantity.format(Double($0.bytes), .bytes))" } ?? ""
            return "not established: \(inside.count) read point(s) from \(from)\(reached); at least two are needed"
        }
        guard inside[1] < (1 - BandwidthCurve.drop) * inside[0] else { return nil }
        return
            "not established: its two best read points from \(from) disagree by \(percent(1 - inside[1] / inside[0])) (\(Quantity.format(inside[0], .bytesPerSecond)), \(Quantity.format(inside[1], .bytesPerSecond)))"
    }

    /// Each level at most `flat` faster than the level inside it, all threads and one thread:
    /// memory further out is never faster, so a step up is a disturbed sample on the inner level.
    static func monotonicity(_ levels: [LevelBandwidth], threads: Int) -> [Finding] {
        var found: [Finding] = []
        for (inner, outer) in zip(levels, levels.dropFirst()) {
            for (n, a, b) in [(threads, inner.allThreads, outer.allThreads), (1, inner.singleThread, outer.singleThread)]
            where b > (1 + BandwidthCurve.flat) * a && (n == 1 || threads > 1) {
                found.append(
                    Finding(
                        figure: figure(outer.level, threads: n),
                        problem:
                            "\(Quantity.format(b, .bytesPerSecond)) is faster than \(inner.level) inside it (\(Quantity.format(a, .bytesPerSecond))): the inner level's samples were disturbed"
                    ))
            }
        }
        return found
    }

    /// All threads against one: a private level (each core's own L1, L2) gives the team at
    /// least `coreShare` of threads × one thread's rate, a shared one (L3, DRAM) at least
    /// `coreShare` of what one thread draws alone. Less means cores were taken during the
    /// all-thread points.
    static func teamShortfall(_ levels: [LevelBandwidth], threads: Int, caches: [CacheLevel]) -> [Finding] {
        guard threads > 1 else { return [] }
        var found: [Finding] = []
        for level in levels {
            let privateLevel = caches.first { "l\($0.level)" == level.level }?.sharedByCores == 1
            let expected = privateLevel ? Double(threads) * level.singleThread : level.singleThread
            guard level.allThreads < coreShare * expected else { continue }
            let basis =
                privateLevel
                ? "\(threads) × one thread's \(Quantity.format(level.singleThread, .bytesPerSecond)) (a private level)"
                : "one thread's \(Quantity.format(level.singleThread, .bytesPerSecond)) alone"
            found.append(
                Finding(
                    figure: figure(level.level, threads: threads),
                    problem:
                        "\(Quantity.format(level.allThreads, .bytesPerSecond)) is \(percent(level.allThreads / expected)) of \(basis): cores were taken during the all-thread points"
                ))
        }
        return found
    }

    /// A figure whose every sample lost its core (`BandwidthPoint.undisturbedSamples` 0 at each
    /// point it came from) measured the scheduler. Checked for each level's figure, and at DRAM
    /// for every kernel the store cost is fitted to.
    static func disturbedFigures(_ m: MeasuredCeilings, plateaus: BandwidthPlateaus, teams: [Int]) -> [Finding] {
        var found: [Finding] = []
        let caches = plateaus.topology.dataCaches
        for n in teams {
            let windows = plateaus.windows(threads: n)
            for level in m.levels {
                let window: ClosedRange<Int>
                var kernels: Set<String>
                if level.level == "dram" {
                    if n == m.threads && level.allThreadsKernel.contains("one thread") { continue }
                    window = plateaus.dramWindow(m.sweep, threads: n)
                    kernels = Set(m.sweep.filter { $0.threads == n && window.contains($0.workingSetPerThread) }.map(\.kernel))
                    if (n == m.threads ? level.storeCost : level.singleThreadStoreCost) == nil {
                        kernels = [n == m.threads ? level.allThreadsKernel : level.singleThreadKernel]
                    }
                } else {
                    guard let index = caches.firstIndex(where: { "l\($0.level)" == level.level }) else { continue }
                    window = windows[index]
                    kernels = [n == m.threads ? level.allThreadsKernel : level.singleThreadKernel]
                }
                for kernel in kernels.sorted() {
                    let points = m.sweep.filter { $0.threads == n && $0.kernel == kernel && window.contains($0.workingSetPerThread) }
                    guard !points.isEmpty, points.allSatisfy({ $0.undisturbedSamples == 0 }) else { continue }
                    found.append(
                        Finding(
                            figure: figure(level.level, threads: n),
                            problem:
                                "no undisturbed sample of \(kernel) at its \(points.count) point(s): every sample lost a core to other processes"
                        ))
                }
            }
        }
        return found
    }

    static func computeProblems(_ m: MeasuredCeilings, nominalPerClock: [DType: Double]) -> [Finding] {
        var found: [Finding] = []
        for all in m.peaks where all.threads > 1 {
            guard let one = m.peaks.first(where: { $0.dtype == all.dtype && $0.threads == 1 }) else { continue }
            let expected = Double(all.threads) * one.flopsPerSecond.best
            if all.flopsPerSecond.best < coreShare * expected {
                found.append(
                    Finding(
                        figure: "\(all.dtype.rawValue) peak",
                        problem:
                            "\(Quantity.format(all.flopsPerSecond.best, .flopsPerSecond)) on \(all.threads) cores is \(percent(all.flopsPerSecond.best / expected)) of \(all.threads) × its one-core \(Quantity.format(one.flopsPerSecond.best, .flopsPerSecond)); FMA pipes are private, so cores were taken"
                    ))
            }
        }
        if m.threads > 1, m.clockAllHz < clockShare * m.clockSingleHz {
            found.append(
                Finding(
                    figure: "clock",
                    problem:
                        "\(Quantity.format(m.clockAllHz, .hertz)) with all cores busy is \(percent(m.clockAllHz / m.clockSingleHz)) of one core's \(Quantity.format(m.clockSingleHz, .hertz)): a core was shared"
                ))
        }
        for p in m.peaks where p.allCores && m.clockAllHz > 0 {
            guard let nominal = nominalPerClock[p.dtype], nominal > 0 else { continue }
            let perClock = p.flopsPerSecond.best / (Double(p.threads) * m.clockAllHz)
            guard !perClockRange.contains(perClock / nominal) else { continue }
            found.append(
                Finding(
                    figure: "\(p.dtype.rawValue) peak",
                    problem:
                        "\(formatSignificant(perClock, digits: 3)) FLOP/cycle/core at the measured \(Quantity.format(m.clockAllHz, .hertz)) against the SIMD units' \(formatSignificant(nominal, digits: 3)): the clock or the peak was disturbed"
                ))
        }
        return found
    }

    /// The figure a bandwidth finding names: "l3, 2 threads", "dram, one thread".
    static func figure(_ level: String, threads: Int) -> String { "\(level), \(threads == 1 ? "one thread" : "\(threads) threads")" }

    static func percent(_ x: Double) -> String { "\(formatSignificant(100 * x, digits: 3))%" }
}
