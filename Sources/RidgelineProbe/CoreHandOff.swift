import Foundation
import Synchronization

/// How long a cache line takes to pass between two cores: thread 0 and thread 1 of a team take
/// turns writing one atomic counter (a ping-pong), and the one-way time is half a round trip.
///
/// It says where the cores sit relative to each other — hyperthreads of one core, cores of one
/// complex sharing an L3, or cores on different dies — which on a VM the hypervisor decides and
/// may change while a program runs. On the 2-vCPU Zen 4 development VM it read ≈ 28 ns most of
/// the time and ≈ 165 ns in short spells, and in one busy minute the all-thread DRAM bandwidth
/// followed: 22–30 GB/s at 28 ns, 32–43 GB/s at 165 ns (a C ping-pong and STREAM loop, 90 s).
/// Other guests' traffic moves it too (57 GB/s at 31 ns on a quieter hour). So `detect
/// --measure` samples it beside the DRAM measurements and says when it moved.
public enum CoreHandOff {
    /// Median one-way hand-off time over `repeats` runs of `handOffs` hand-offs; nil for a
    /// one-thread team.
    public static func seconds(team: ThreadTeam, handOffs: Int = 20_000, repeats: Int = 3) -> Double? {
        guard team.size >= 2 else { return nil }
        let line = HandOffLine()
        var results: [Double] = []
        for _ in 0..<repeats {
            line.counter.store(0, ordering: .relaxed)
            let times = team.map { i -> Double in
                guard i < 2 else { return 0 }
                team.sync()
                let t0 = monotonicSeconds()
                // Thread 0 writes the odd values, thread 1 the even ones.
                var next = i == 0 ? 1 : 2
                while next <= handOffs {
                    var spins = 0
                    while line.counter.load(ordering: .acquiring) != next - 1 {
                        spins += 1
                        // Both threads on one core (binding failed) would otherwise spin a whole
                        // time slice per hand-off.
                        if spins & 0xFFFF == 0 { sched_yield() }
                    }
                    line.counter.store(next, ordering: .releasing)
                    next += 2
                }
                return monotonicSeconds() - t0
            }
            results.append(times[0] / Double(handOffs))
        }
        return results.sorted()[results.count / 2]
    }
}

/// The shared counter, alone on its cache line.
private final class HandOffLine: @unchecked Sendable {
    private let before = (0, 0, 0, 0, 0, 0, 0, 0)
    let counter = Atomic<Int>(0)
    private let after = (0, 0, 0, 0, 0, 0, 0, 0)
}
