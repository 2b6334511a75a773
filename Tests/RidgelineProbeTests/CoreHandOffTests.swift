import Foundation
import Ridgeline
import Testing

@testable import RidgelineProbe

@Suite struct CoreHandOffTests {
    /// A real ping-pong between two bound threads: a cache line crosses cores in tens to hundreds
    /// of nanoseconds (never zero, never the milliseconds of a context switch per hand-off).
    @Test(.enabled(if: ProcessInfo.processInfo.activeProcessorCount >= 2, "needs two cores"))
    func handOffBetweenTwoCoresTakesNanoseconds() throws {
        let team = ThreadTeam(size: 2, hwloc: try? Hwloc.shared())
        let seconds = try #require(CoreHandOff.seconds(team: team, handOffs: 10_000, repeats: 3))
        #expect(seconds > 1e-9 && seconds < 20e-6, "\(seconds) s")
    }

    @Test func oneThreadHasNoHandOff() {
        #expect(CoreHandOff.seconds(team: ThreadTeam(size: 1, hwloc: nil)) == nil)
    }

    static func ceilings(_ visits: [DRAMVisit]) -> MeasuredCeilings {
        MeasuredCeilings(
            clockSingleHz: 3e9, clockAllHz: 3e9, peaks: [], sweep: [], levels: [], threads: 2,
            forkJoinSeconds: 1e-5, dramVisits: visits, elapsedSeconds: 15)
    }

    @Test func steadyPlacementIsReportedPlainly() throws {
        let m = Self.ceilings([
            DRAMVisit(handOffSeconds: 28e-9, bytesPerSecond: 50e9), DRAMVisit(handOffSeconds: 31e-9, bytesPerSecond: 55e9),
        ])
        #expect(!m.placementMoved)
        let note = try #require(m.placementNote)
        #expect(note.contains("over 2 all-thread DRAM visits") && !note.contains("moved"))
    }

    /// When the hand-off latency jumps, the note splits the DRAM rates by placement.
    @Test func movedCoresAreNamedWithTheRatesAtEachPlacement() throws {
        let m = Self.ceilings([
            DRAMVisit(handOffSeconds: 28e-9, bytesPerSecond: 26e9), DRAMVisit(handOffSeconds: 30e-9, bytesPerSecond: 29e9),
            DRAMVisit(handOffSeconds: 165e-9, bytesPerSecond: 41e9),
        ])
        #expect(m.placementMoved)
        let note = try #require(m.placementNote)
        #expect(note.contains("the cores moved"))
        #expect(note.contains("(2 visits): DRAM 26.00 GB/s–29.00 GB/s") && note.contains("(1 visit): DRAM 41.00 GB/s"), "\(note)")
        #expect(Self.ceilings([]).placementNote == nil)
    }
}
