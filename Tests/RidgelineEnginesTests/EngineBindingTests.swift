import CHwloc
import Foundation
import Ridgeline
import RidgelineProbe
import Testing

@testable import RidgelineEngines

/// The tensor engines' threads are bound to cores through hwloc, and the binding holds across
/// the library's later parallel regions.
@Suite("engine thread binding")
struct EngineBindingTests {
    @Test(
        "oneDNN's OpenMP threads stay on distinct cores, region after region",
        .enabled(if: ProcessInfo.processInfo.activeProcessorCount >= 2, "needs two cores"),
        .disabled(if: ThreadControl.environmentBinding != nil, "OMP_PROC_BIND is set: OpenMP places its threads itself"))
    func openMPTeamIsBound() throws {
        let hwloc = try Hwloc.shared()
        let engine = try OneDNNEngine(threads: 2)
        #expect(engine.binding.hasPrefix("hwloc: OpenMP thread i on core i"), "\(engine.binding)")
        var seen: [[Int?]] = []
        for _ in 0..<5 {
            let cpus = try #require(
                ThreadControl.inOpenMPTeam(2) { _ -> Int? in
                    var x = 0.0
                    for i in 0..<200_000 { x += Double(i) }  // long enough for the OS to move an unbound thread
                    calibrationSink += x
                    return hwloc.currentCPU()
                })
            seen.append(cpus.map { $0 ?? nil })
        }
        let first = try #require(seen.first)
        #expect(first.count == 2 && first[0] != nil && first[0] != first[1], "\(seen)")
        #expect(seen.allSatisfy { $0 == first }, "\(seen)")
        // Each thread may run on one core's hardware threads only, not on the whole machine.
        let perCore = hwloc.count(HWLOC_OBJ_PU) / max(1, hwloc.count(HWLOC_OBJ_CORE))
        let widths = try #require(ThreadControl.inOpenMPTeam(2) { _ in hwloc.currentBindingWidth() })
        #expect(widths.allSatisfy { $0 == perCore }, "\(widths)")
        // And a kernel still runs (and computes) on the bound team.
        let kernel = try engine.checkedPrepare(.gemm(GEMM(m: 64, n: 64, k: 64, dtype: .fp32)))
        try kernel.run()
    }

    @Test func openBLASBindsTheCallingThreadAndSaysSoForItsPool() throws {
        let one = OpenBLASEngine(threads: 1)
        #expect(one.binding == "hwloc: calling thread on core 0")
        let two = OpenBLASEngine(threads: 2)
        #expect(two.binding.contains("OpenBLAS's 1 worker thread(s) placed by the OS"), "\(two.binding)")
    }
}
