import Foundation
import Testing
@testable import RidgelineProbe

/// The counter probe, checked against what this machine really offers: assertions follow what the
/// probe found (a core PMU or not), so the tests hold on bare metal and in a VM alike.
@Suite(.serialized) struct CounterTests {
    @Test func everyCandidateIsCountedOrExplained() throws {
        let counters = try PAPICounters()
        for candidate in counters.candidates {
            let counted = counters.events.contains(candidate.name)
            let reason = counters.unavailable[candidate.name]
            #expect(counted != (reason != nil), "\(candidate.name): counted \(counted), reason \(reason ?? "none")")
            if let reason { #expect(!reason.isEmpty) }
        }
    }

    @Test func softwareEventsAreAvailable() throws {
        let counters = try PAPICounters()
        for name in ["perf::TASK-CLOCK", "perf::CONTEXT-SWITCHES", "perf::CPU-MIGRATIONS", "perf::PAGE-FAULTS"] {
            #expect(counters.events.contains(name), "\(name): \(counters.unavailable[name] ?? "")")
        }
    }

    @Test func hardwareEventsFollowThePMU() throws {
        let counters = try PAPICounters()
        let hardware = counters.candidates.filter(\.hardware).map(\.name)
        if counters.environment.hasCorePMU {
            // A PMU exists: at least cycles or instructions count, and anything missing says why.
            #expect(hardware.contains { counters.events.contains($0) })
        } else {
            for name in hardware {
                #expect(!counters.events.contains(name))
                #expect(counters.unavailable[name]?.contains("no hardware PMU") == true, "\(name): \(counters.unavailable[name] ?? "")")
            }
        }
    }

    @Test func taskClockMatchesTheTimeOfABusyRegion() throws {
        var counters = try PAPICounters()
        try #require(counters.events.contains("perf::TASK-CLOCK"))
        try counters.start()
        let wall0 = monotonicSeconds(), cpu0 = threadCPUSeconds()
        var x = 1.0
        while monotonicSeconds() - wall0 < 0.05 { for _ in 0..<1000 { x = x * 1.000001 + 1e-9 } }
        let wall = monotonicSeconds() - wall0, cpu = threadCPUSeconds() - cpu0
        let values = try counters.stop()
        #expect(x > 1)
        let taskClock = Double(try #require(values["perf::TASK-CLOCK"])) * 1e-9
        // Task-clock is the thread's CPU time: it matches the kernel's own account of it, and
        // cannot exceed the wall time.
        #expect(abs(taskClock - cpu) <= 0.2 * cpu, "task-clock \(taskClock) s, thread CPU \(cpu) s")
        #expect(taskClock <= wall * 1.05, "task-clock \(taskClock) s, wall \(wall) s")
        // When no other process took the core, it is the wall time too (within 20%).
        if cpu >= 0.9 * wall { #expect(abs(taskClock - wall) <= 0.2 * wall) }
        if let cycles = values["PAPI_TOT_CYC"] {
            let hz = Double(cycles) / taskClock
            #expect(hz > 2e8 && hz < 7e9, "cycles/s \(hz)")
        }
    }

    @Test func startAndStopRepeat() throws {
        var counters = try PAPICounters()
        for _ in 0..<3 {
            try counters.start()
            let values = try counters.stop()
            #expect(Set(values.keys) == Set(counters.events))
        }
    }

    @Test func reportNamesTheReasons() throws {
        let report = try CounterReport.probe()
        let text = report.render()
        #expect(text.contains("perf_event_paranoid"))
        for event in report.events where !event.used { #expect(text.contains(event.reason ?? "<none>")) }
    }
}
