import Ridgeline
import RidgelineProbe
import Testing

@testable import RidgelineEngines

@Suite("Harness statistics")
struct HarnessStatisticsTests {
    @Test("median, min, quartiles and IQR of a known sample")
    func orderStatistics() throws {
        let s = try #require(TimingStatistics([9, 1, 8, 2, 7, 3, 6, 4, 5]))
        #expect(s.median == 5 && s.min == 1 && s.max == 9)
        #expect(s.p25 == 3 && s.p75 == 7 && s.iqr == 4)
        #expect(TimingStatistics([]) == nil)
        #expect(quantile(sorted: [1, 2], 0.5) == 1.5)
    }

    @Test("the median's confidence interval is unbounded below eight samples and narrows with more")
    func confidence() throws {
        #expect(try #require(TimingStatistics([1, 1.1, 0.9, 1, 1.05, 0.95, 1])).relativeCI95 == .infinity)
        // 101 samples spread uniformly over ±10% around 1.0: ranks 41..62 bound the median,
        // so the half-width is (1.024 − 0.982)/2 ≈ 2.1% of it.
        let spread = (0...100).map { 0.9 + 0.2 * Double($0) / 100 }
        let s = try #require(TimingStatistics(spread.shuffled()))
        #expect(abs(s.median - 1.0) < 1e-12)
        #expect(s.relativeCI95 > 0.015 && s.relativeCI95 < 0.03)
        // A noisier sample of the same size does not meet ±3%.
        let noisy = (0...100).map { 0.5 + Double($0) / 100 }
        #expect(try #require(TimingStatistics(noisy)).relativeCI95 > 0.03)
    }

    @Test("context switches and migrations disturb a repetition; other events do not")
    func disturbance() {
        #expect(Disturbance.isDisturbed(["perf::CONTEXT-SWITCHES": 1]))
        #expect(Disturbance.isDisturbed(["perf::CPU-MIGRATIONS": 2, "perf::TASK-CLOCK": 100]))
        #expect(!Disturbance.isDisturbed(["perf::CONTEXT-SWITCHES": 0, "perf::PAGE-FAULTS": 9]))
        #expect(!Disturbance.isDisturbed([:]))
        #expect(Harness.medians([["a": 1], ["a": 5], ["a": 3]]) == ["a": 3])
    }

    /// A real (small) piece of work to time.
    final class Work: PreparedKernel {
        var sink = 0.0
        var implementation: String { "swift loop" }
        func run() throws { for i in 0..<2000 { sink += Double(i).squareRoot() } }
    }

    @Test("a stable kernel stops once the median is known to ±3%")
    func stops() throws {
        var options = HarnessOptions()
        options.timeCapSeconds = 5
        var harness = Harness(options: options)
        let run = try harness.time(Work())
        #expect(run.stats.count >= options.minRepetitions)
        if run.stable { #expect(run.stats.relativeCI95 <= 0.03) }
        #expect(run.stats.min <= run.stats.median)
        // Thread CPU time leaves out time spent descheduled, so it cannot exceed the wall time
        // (beyond the two clock reads it brackets).
        #expect(run.threadCPU.min <= run.stats.min + 20e-6)
        #expect(run.threadCPU.median > 0)
    }
}
