import Foundation

/// The timed samples of one measurement, shared by the team's threads across its barriers.
///
/// A thread's sample is undisturbed when the thread ran on its core for at least 97% of the
/// sample's wall time (its CPU time says so). Disturbance only ever makes a sample slower, so
/// every rate is the best sample; what undisturbed samples decide is how long to keep sampling:
/// until a third of `repeats` samples are undisturbed (for every thread at once when threads
/// share the resource, for each thread on its own when they do not), or `capacity` samples were
/// taken. On a busy machine this waits for quiet moments instead of reporting a busy one.
final class SampleBoard: @unchecked Sendable {
    let threads: Int
    let capacity: Int
    let repeats: Int
    /// Threads compete for the measured resource (L3, DRAM): samples count only when all were undisturbed.
    let shared: Bool
    var passes = 1
    private(set) var done = false
    private(set) var taken = 0
    private let start: UnsafeMutablePointer<Double>
    private let end: UnsafeMutablePointer<Double>
    private let cpu: UnsafeMutablePointer<Double>

    init(threads: Int, repeats: Int, shared: Bool, patient: Bool = true) {
        self.threads = threads; self.repeats = repeats; self.capacity = (patient ? 4 : 1) * repeats; self.shared = shared
        start = .allocate(capacity: threads * capacity); end = .allocate(capacity: threads * capacity)
        cpu = .allocate(capacity: threads * capacity)
    }
    deinit { start.deallocate(); end.deallocate(); cpu.deallocate() }

    /// Runs `body` as one timed sample on thread `thread` of `team`, until the board is done;
    /// every thread of the team must call it. Returns the samples taken.
    func sample(thread i: Int, team: ThreadTeam, _ body: () -> Void) -> Int {
        var taken = 0
        while true {
            team.sync()
            let c0 = threadCPUSeconds(), t0 = monotonicSeconds()
            body()
            let t1 = monotonicSeconds(), c1 = threadCPUSeconds()
            let k = taken * threads + i
            start[k] = t0; end[k] = t1; cpu[k] = c1 - c0
            taken += 1
            team.sync()
            if i == 0 { decide(taken: taken) }
            team.sync()
            if done { return taken }
        }
    }

    private func clean(_ s: Int, _ t: Int) -> Bool {
        let k = s * threads + t
        return cpu[k] >= 0.97 * (end[k] - start[k])
    }

    /// Samples (of those taken) in which every thread kept its core.
    var undisturbed: Int { (0..<taken).filter { s in (0..<threads).allSatisfy { clean(s, $0) } }.count }

    private func decide(taken n: Int) {
        taken = n
        let needed = max(1, repeats / 3)
        let enough =
            shared
            ? undisturbed >= needed
            : (0..<threads).allSatisfy { t in (0..<n).filter { clean($0, t) }.count >= needed }
        done = n >= capacity || (n >= repeats && enough)
    }

    /// The team's rate per sample: all threads' work over the span from the first start to the last end.
    func teamRates(workPerThread: Double) -> RateSummary {
        RateSummary(
            rates: (0..<taken).map { s in
                let spanStart = (0..<threads).map { start[s * threads + $0] }.min()!
                let spanEnd = (0..<threads).map { end[s * threads + $0] }.max()!
                return Double(threads) * workPerThread / (spanEnd - spanStart)
            })
    }

    /// Each thread's own rates, summed over threads (see `RateSummary(perThread:)`).
    func perThreadRates(workPerThread: Double) -> RateSummary {
        RateSummary(
            perThread: (0..<threads).map { t in
                (0..<taken).map { s in workPerThread / (end[s * threads + t] - start[s * threads + t]) }
            })
    }
}

/// CPU time the calling thread has run, in seconds.
@inlinable
public func threadCPUSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// A thread's arrays, handed between the team's threads only across its barriers.
struct RawBuffer: @unchecked Sendable {
    let pointer: UnsafeMutableRawPointer
}
