import Foundation
import Ridgeline
import RidgelineKernels

/// One run of `CeilingProbe.measure()`, stage by stage: what has been measured so far and what
/// the budget cut, carried from each stage to the next. Each stage starts within its share of
/// the budget (`ProbeSettings.BudgetMark`):
///
/// 1. `computeCeilings`: the sustained clock and the FMA peaks, one thread and all, and each
///    cache level's latency on one core.
/// 2. `leadSweeps`: the read curves, one thread then all, which decide how far the sweep goes
///    and where the plateaus are.
/// 3. `otherKernels`: write, copy and triad at the plateaus' sizes.
/// 4. `revisitComputeCeilings`, `revisitSharedLevels`, `visitDRAMWindow`: more visits of what
///    other processes disturb, each point keeping its best.
/// 5. `settleFindings`: a second look at whatever the checks would refuse.
/// 6. `finish`: the fork-join latency, and the ceilings assembled.
struct CeilingRun {
    let probe: CeilingProbe
    let start: Double
    let single: ThreadTeam
    let all: ThreadTeam
    var cuts: [String] = []
    var clockSingle = 0.0
    var clockAll = 0.0
    var peaks: [PeakMeasurement] = []
    var vectorAddLatency: Double?
    var cacheLatencies: [CacheLatency] = []
    var sweep: [BandwidthPoint] = []
    var singleSweep = CeilingProbe.TeamSweep.empty
    var allSweep = CeilingProbe.TeamSweep.empty
    /// Where the hypervisor put the cores, beside each all-thread DRAM measurement (see CoreHandOff).
    var dramVisits: [DRAMVisit] = []

    init(probe: CeilingProbe) {
        self.probe = probe
        start = monotonicSeconds()
        single = ThreadTeam(size: 1, hwloc: probe.hwloc)
        all = ThreadTeam(size: probe.topology.cores, hwloc: probe.hwloc)
    }

    var settings: ProbeSettings { probe.settings }
    var budgetText: String { "\(formatSignificant(settings.budgetSeconds, digits: 3)) s budget" }

    func past(_ mark: ProbeSettings.BudgetMark) -> Bool { monotonicSeconds() > settings.deadline(mark, from: start) }

    /// Each stage waits for undisturbed samples (`SampleBoard`) only within its share of the
    /// budget, so that on a busy machine one stage's patience cannot starve the next.
    func patient(until share: Double) {
        probe.deadline.set(0, start + min(settings.patienceSeconds, share * settings.budgetSeconds))
    }

    /// The sizes each team's read sweep found plateaus at, by team size.
    var measuredSizes: [Int: [Int]] { [single.size: singleSweep.plateauSizes, all.size: allSweep.plateauSizes] }

    /// Per-thread working sets up to this many bytes are the L1 window revisited (¾ of the L1).
    var l1WindowBytes: Int { (probe.topology.dataCaches.first?.sizeBytes ?? 0) * 3 / 4 }

    // MARK: Stages

    /// Stage 1: the clock, the FMA peaks and the cache latencies (under a second together with
    /// the vector add chain: a few dozen 5 ms samples per level).
    mutating func computeCeilings() throws {
        patient(until: 0.1)
        (clockSingle, clockAll, peaks) = try probe.computeCeilings(single: single, all: all)
        vectorAddLatency = probe.vectorAddLatency(team: single, clockHz: clockSingle)
        cacheLatencies = try probe.cacheLatencies(team: single)
    }

    /// Stage 2: the read curves first, one thread then all: they decide how far the sweep goes
    /// and where the plateaus are; the other kernels follow at the plateaus' sizes.
    mutating func leadSweeps() throws {
        patient(until: 0.25)
        singleSweep = try probe.leadSweep(
            team: single, until: settings.sweepDeadline(.singleSweep, from: start, now: monotonicSeconds()), cuts: &cuts)
        let firstHandOff = CoreHandOff.seconds(team: all)
        patient(until: 0.45)
        // Inside a core's private caches the all-thread curve has the one-thread curve's shape (no
        // thread touches another's), so there it runs at the one-thread plateaus' best sizes only.
        let privateSkipped = Set(probe.sweepSizes(threads: all.size).filter { $0 <= probe.topology.privateCacheBytes })
            .subtracting(singleSweep.plateauSizes)
        allSweep = try probe.leadSweep(
            team: all, skipping: all.size > 1 ? privateSkipped : [],
            until: settings.sweepDeadline(.allSweep, from: start, now: monotonicSeconds()), cuts: &cuts)
        sweep += singleSweep.points + allSweep.points
        noteVisit(handOff: firstHandOff, points: allSweep.points)
    }

    /// Stage 3: write, copy and triad at each team's plateau sizes.
    mutating func otherKernels() throws {
        patient(until: 0.6)
        for (team, lead) in [(single, singleSweep), (all, allSweep)] {
            sweep += try probe.otherKernels(
                team: team, sizes: lead.plateauSizes, until: settings.deadline(.otherKernels, from: start), cuts: &cuts)
        }
    }

    /// Stage 4a: the compute ceilings again. A vCPU can share its physical core with another
    /// guest for a while, which its CPU time does not show; a second visit, seconds later, keeps
    /// the better. Up to two more visits while an all-core peak stays below 90% of cores × its
    /// one-core peak (FMA pipes are private, so the shortfall means a core was shared); a machine
    /// that really slows down with all cores busy just keeps its figures.
    mutating func revisitComputeCeilings() throws {
        for visit in 0..<3 {
            if visit > 0 && (!allCorePeakLags || all.size == 1) { break }
            if past(.computeRevisits) {
                cuts.append("visit \(visit + 2) of the compute peaks and clock: \(budgetText) spent")
                break
            }
            try visitComputeCeilings()
        }
    }

    /// The clock and the FMA peaks once more, each keeping the better of its visits.
    mutating func visitComputeCeilings() throws {
        let again = try probe.computeCeilings(single: single, all: all)
        clockSingle = max(clockSingle, again.0)
        clockAll = max(clockAll, again.1)
        for (k, p) in again.2.enumerated() where p.flopsPerSecond.best > peaks[k].flopsPerSecond.best { peaks[k] = p }
    }

    /// Whether an fp64 or fp32 all-core peak is below 90% of cores × its one-core peak.
    var allCorePeakLags: Bool {
        [DType.fp64, .fp32].contains { dtype in
            guard let one = peaks.first(where: { $0.dtype == dtype && $0.threads == 1 }),
                let every = peaks.first(where: { $0.dtype == dtype && $0.threads == all.size })
            else { return false }
            return every.flopsPerSecond.best < 0.9 * Double(all.size) * one.flopsPerSecond.best
        }
    }

    /// Stage 4b: the shared levels (L3, DRAM) are also used by other processes, which no
    /// CPU-time check can see, and on a VM even a core's L1 ports can be shared with another
    /// guest's hyperthread. Measuring DRAM, L3 and the L1 window again at the end spreads their
    /// samples over the whole run, and each point keeps its better visit.
    mutating func revisitSharedLevels() throws {
        if past(.revisits) {
            cuts.append("second visit of the L1 window and the shared levels (L3, DRAM): \(budgetText) spent")
            return
        }
        let privateBytes = probe.topology.privateCacheBytes
        for team in [single, all] {
            let handOff = team.size > 1 ? CoreHandOff.seconds(team: team) : nil
            let sizes = (measuredSizes[team.size] ?? []).filter { ($0 > 2 * privateBytes && team.size > 1) || $0 <= l1WindowBytes }
            let points = try revisit(team: team, sizes: sizes)
            if team.size > 1 { noteVisit(handOff: handOff, points: points) }
        }
    }

    /// Stage 4c: DRAM is the level other guests share most. On a 2-vCPU KVM guest the all-thread
    /// DRAM rate switched between ≈ 35–45 and ≈ 55–65 GB/s in spells of 10–30 s (the one-thread
    /// rate stayed ≈ 30 GB/s throughout), so two runs of a dozen seconds each could each sit in a
    /// different spell and differ by 25%. More visits of the all-thread DRAM points, spread until
    /// `dramWindowSeconds` after the start, give the ceiling — each point's best sample, since
    /// neighbours only ever slow a sample down — more chances at a fast spell. They do not cure a
    /// slow spell that outlasts the run: with a 36 s window one run of three still read 40
    /// against 57 GB/s, so the window stays short. A run already past the window (a busy machine)
    /// makes no extra visit, so it still ends in time; so does one whose visit would overrun the
    /// budget (a visit costs about what the last one did).
    mutating func visitDRAMWindow() throws {
        let dramSizes = allSweep.dramSizes
        guard all.size > 1 && settings.largestWorkingSet == nil && !dramSizes.isEmpty else { return }
        let windowEnd = min(start + settings.dramWindowSeconds, settings.deadline(.dramWindow, from: start))
        var visit = 3
        var lastVisit = 0.0
        while monotonicSeconds() + lastVisit < windowEnd {
            let visitStart = monotonicSeconds()
            probe.progress("bandwidth dram, visit \(visit)")
            let handOff = CoreHandOff.seconds(team: all)
            noteVisit(handOff: handOff, points: try revisit(team: all, sizes: dramSizes))
            visit += 1
            // The L1 window costs milliseconds, and another visit gives a vCPU that shared its
            // core with another guest's hyperthread one more chance at a clean sample (the
            // all-thread L1 figure read 547–591 GB/s over six runs with one visit at the end).
            let gapStart = monotonicSeconds()
            for team in [single, all] {
                try revisit(team: team, sizes: (measuredSizes[team.size] ?? []).filter { $0 <= l1WindowBytes })
            }
            let rest = Double(CeilingProbe.dramVisitGapMicroseconds) - (monotonicSeconds() - gapStart) * 1e6
            if rest > 0 { usleep(UInt32(rest)) }
            lastVisit = monotonicSeconds() - visitStart
        }
        if start + settings.dramWindowSeconds > windowEnd + 1 {
            cuts.append(
                "all-thread DRAM visits after \(formatSignificant(windowEnd - start, digits: 3)) s (window \(formatSignificant(settings.dramWindowSeconds, digits: 3)) s): \(budgetText)"
            )
        }
    }

    /// Stage 5: a second look before a refusal. The checks (`CeilingsAssessment`) run on what
    /// was measured so far; each figure they would refuse is measured again (its plateau's points
    /// and the level's inside it, `CeilingsAssessment.revisitSizes`; the compute stage for a peak
    /// or the clock), each point keeping its better visit, and checked again: up to
    /// `settleRounds` looks, started before the `.settle` mark. A check that failed on one point a
    /// neighbour slowed (a 2-thread L3 plateau refused at load average 0.8 on a Zen 3 guest, the
    /// next run passing) passes on the second look; a figure the machine really has stays refused.
    mutating func settleFindings() throws {
        for _ in 0..<Self.settleRounds {
            let assessment = CeilingsAssessment(ceilings(forkJoinSeconds: 0), topology: probe.topology, settings: settings)
            if assessment.usable { return }
            let figures = assessment.figures.joined(separator: "; ")
            if past(.settle) {
                cuts.append("a second look at \(figures) before the checks: \(budgetText) spent")
                return
            }
            probe.progress("second look: \(figures)")
            if assessment.computeFindings { try visitComputeCeilings() }
            for team in all.size > 1 ? [single, all] : [single] {
                let sizes = assessment.revisitSizes(
                    ceilings(forkJoinSeconds: 0), threads: team.size, topology: probe.topology, settings: settings)
                if !sizes.isEmpty { try revisit(team: team, sizes: sizes, until: .settle) }
                if let next = nextDRAMSize(assessment, team: team) {
                    sweep += try probe.bandwidthSweep(team: team, sizes: [next], until: settings.deadline(.settle, from: start))
                }
            }
        }
    }

    /// The first working set past the grid (`CeilingProbe.sweepExtension`) the team has not
    /// measured, when its DRAM figure has a finding. The sweep stops growing once two points
    /// agree, but revisits keep each point's best and can part them again: two threads on a Zen 3
    /// guest read 43.1 GB/s at 96 MiB per thread against 48.2 at 64 MiB after their revisits, and
    /// a DRAM rate that still sinks by a few percent per step needs the point after.
    func nextDRAMSize(_ assessment: CeilingsAssessment, team: ThreadTeam) -> Int? {
        guard assessment.figures.contains(CeilingsAssessment.figure("dram", threads: team.size)) else { return nil }
        let measured = Set(sweep.filter { $0.threads == team.size && $0.kernel == StreamKernel.read.rawValue }.map(\.workingSetPerThread))
        return probe.sweepExtension(threads: team.size).first { !measured.contains($0) }
    }

    /// Looks before the checks give up, each a second or two on a 2-core guest: one thread's L3
    /// rate on a Zen 3 guest switched between ≈ 57 and ≈ 79 GB/s (the host's other tenants share
    /// that cache) in spells longer than one look, and a plateau needs two of its points in the
    /// same spell.
    static let settleRounds = 4

    /// Stage 6: the fork-join latency of the all-core team, and the ceilings.
    func finish() -> MeasuredCeilings {
        probe.progress("fork-join latency")
        var joins: [Double] = []
        for _ in 0..<200 {
            let t0 = monotonicSeconds()
            all.run { _ in }
            joins.append(monotonicSeconds() - t0)
        }
        return ceilings(forkJoinSeconds: median(joins))
    }

    /// The ceilings measured so far, with their plateaus picked from the sweep.
    func ceilings(forkJoinSeconds: Double) -> MeasuredCeilings {
        let plateaus = BandwidthPlateaus(topology: probe.topology, settings: settings)
        var ceilings = MeasuredCeilings(
            clockSingleHz: clockSingle, clockAllHz: clockAll, peaks: peaks, sweep: sweep,
            levels: plateaus.levels(sweep: sweep, threads: all.size), threads: all.size,
            forkJoinSeconds: forkJoinSeconds, dramVisits: dramVisits, elapsedSeconds: monotonicSeconds() - start)
        ceilings.cuts = cuts
        ceilings.vectorAddLatencyCycles = vectorAddLatency
        ceilings.cacheLatencies = cacheLatencies
        return ceilings
    }

    // MARK: Visits

    /// Records a visit of the all-thread DRAM points: the hand-off time beside the best rate at
    /// the DRAM working sets (full-size sweeps on more than one core only).
    mutating func noteVisit(handOff: Double?, points: [BandwidthPoint]) {
        let rate = points.filter { allSweep.dramBytes.contains($0.workingSetPerThread) }.map(\.bytesPerSecond.best).max()
        if let handOff, let rate, all.size > 1, settings.largestWorkingSet == nil {
            dramVisits.append(DRAMVisit(handOffSeconds: handOff, bytesPerSecond: rate))
        }
    }

    /// Every kernel at `sizes` again, until the `until` mark; each point of the sweep keeps the
    /// better of its visits. Returns the points of this visit.
    @discardableResult
    mutating func revisit(team: ThreadTeam, sizes: [Int], until mark: ProbeSettings.BudgetMark = .dramWindow) throws -> [BandwidthPoint] {
        let points = try probe.bandwidthSweep(team: team, sizes: sizes, until: settings.deadline(mark, from: start))
        let asked = sizes.count * StreamKernel.allCases.count
        if points.count < asked {
            cuts.append(
                "\(team.size == 1 ? "one thread" : "\(team.size) threads"): \(asked - points.count) of \(asked) revisited points (time)")
        }
        let privateBytes = probe.topology.privateCacheBytes
        for point in points {
            guard
                let k = sweep.firstIndex(where: {
                    $0.threads == point.threads && $0.kernel == point.kernel && $0.workingSetPerThread == point.workingSetPerThread
                })
            else { continue }
            let privateLevel = point.workingSetPerThread <= privateBytes
            if point.rate(privateLevel: privateLevel).best > sweep[k].rate(privateLevel: privateLevel).best { sweep[k] = point }
        }
        return points
    }
}
