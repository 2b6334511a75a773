import CPerfEvent
import Foundation
import Testing

@testable import RidgelineProbe

/// The counting layers, checked against what this machine really offers. Nothing here assumes a
/// PMU, PAPI's perf_event component or perf_event_paranoid: each expectation follows an
/// independent probe of the same machine (a direct perf_event_open call made here, PAPI's own
/// component table), so the tests hold on bare metal, on a VM with a PMU, on one without, and on a
/// guest where PAPI disables its perf_event component.
@Suite(.serialized) struct CounterTests {
    /// The independent probe: can this process count its own task clock with perf_event_open?
    /// User mode only, which every perf_event_paranoid level below 3 allows.
    static let kernelCountsSoftwareEvents = kernelCounts(
        type: PERF_TYPE_SOFTWARE.rawValue, config: UInt64(PERF_COUNT_SW_TASK_CLOCK.rawValue))

    /// The independent probe for hardware events: can this process count its own cycles with
    /// perf_event_open, asking the kernel directly rather than trusting the layers' verdict?
    static let kernelCountsCycles = kernelCounts(type: PERF_TYPE_HARDWARE.rawValue, config: UInt64(PERF_COUNT_HW_CPU_CYCLES.rawValue))

    /// Whether the kernel lets this process open a user-mode counter of `type`/`config` on itself.
    static func kernelCounts(type: UInt32, config: UInt64) -> Bool {
        var attr = perf_event_attr()
        attr.type = type
        attr.size = UInt32(MemoryLayout<perf_event_attr>.size)
        attr.config = config
        attr.exclude_kernel = 1
        attr.exclude_hv = 1
        let fd = ridgeline_perf_event_open(&attr, 0, -1, -1, 0)
        if fd >= 0 { close(fd) }
        return fd >= 0
    }

    static let environment = CounterEnvironment.probed()

    /// Every layer this machine offers.
    static func availableLayers() -> [(CounterLayer, any CounterSource)] {
        CounterLayer.allCases.compactMap { layer in (try? LayeredCounters.make(layer, environment: environment)).map { (layer, $0) } }
    }

    @Test func theBestLayerIsChosenAndTheOthersAreExplained() throws {
        let counters = try LayeredCounters()
        let papiDisabled = PAPILibrary.perfEventDisabledReason()
        if let papiDisabled {
            // The guest the issue found: PAPI counts nothing, the kernel still does.
            #expect(counters.source != "papi")
            #expect(counters.unavailable["papi"]?.contains(papiDisabled) == true, "\(counters.unavailable)")
        }
        if Self.kernelCountsSoftwareEvents {
            #expect(["papi", "perf_event"].contains(counters.source), "kernel counts, yet \(counters.source) was chosen")
            #expect(counters.events.contains("perf::TASK-CLOCK"))
        } else {
            #expect(counters.unavailable["perf_event"]?.isEmpty == false)
        }
        // Every layer passed over sits before the chosen one and says why.
        let chosen = try #require(CounterLayer(rawValue: counters.source))
        for (layer, reason) in counters.passedOver {
            #expect(CounterLayer.allCases.firstIndex(of: layer)! < CounterLayer.allCases.firstIndex(of: chosen)!)
            #expect(!reason.isEmpty)
        }
    }

    @Test func perfEventLayerAgreesWithTheIndependentProbe() {
        let opened = Result { try PerfEventCounters(environment: Self.environment) }
        switch opened {
        case .success(let counters):
            #expect(Self.kernelCountsSoftwareEvents)
            #expect(counters.events.contains("perf::TASK-CLOCK"))
        case .failure(let error):
            #expect(!Self.kernelCountsSoftwareEvents, "perf_event_open works here, yet the layer failed: \(error)")
        }
    }

    @Test func rusageIsAlwaysThere() throws {
        let counters = try RusageCounters()
        #expect(counters.events == RusageCounters.counted.map(\.name))
    }

    @Test func everyCandidateIsCountedOrExplained() {
        for layer in CounterLayer.allCases {
            let report = CounterReport.probe(layer, environment: Self.environment)
            for event in report.events {
                #expect(event.used != (event.reason != nil), "\(layer) \(event.name): used \(event.used), reason \(event.reason ?? "none")")
                if let reason = event.reason { #expect(!reason.isEmpty) }
            }
            let counted = report.events.filter(\.used)
            #expect(report.available == !counted.isEmpty)
        }
    }

    /// Hardware events are used exactly when the kernel itself counts cycles for this process
    /// (the independent probe above), not when the layers' own reading of the PMU says so.
    @Test func hardwareEventsFollowThePMU() throws {
        // The environment's verdict agrees with the kernel: cycles count only with a core PMU.
        if Self.kernelCountsCycles {
            #expect(Self.environment.hasCorePMU, "the kernel counts cycles, yet no core PMU is listed: \(Self.environment.eventSources)")
        }
        for layer in [CounterLayer.papi, .perfEvent] {
            let report = CounterReport.probe(layer, environment: Self.environment)
            guard report.available else { continue }
            let hardware = report.events.filter { $0.kind == "hardware" }
            if Self.kernelCountsCycles {
                #expect(hardware.contains { $0.used }, "\(layer): the kernel counts cycles here, yet no hardware event is used")
            } else {
                for event in hardware {
                    #expect(!event.used, "\(layer) \(event.name): used, yet the kernel counts no cycles here")
                    #expect(event.reason?.isEmpty == false, "\(layer) \(event.name): no reason given")
                    if !Self.environment.hasCorePMU {
                        #expect(event.reason?.contains("no hardware PMU") == true, "\(layer) \(event.name): \(event.reason ?? "")")
                    }
                }
            }
        }
    }

    /// The CPU-time event of each layer matches the kernel's own account of the thread's CPU time.
    @Test func cpuTimeMatchesTheTimeOfABusyRegion() throws {
        for (layer, source) in Self.availableLayers() {
            var counters = source
            guard let event = counters.events.first(where: { $0.hasSuffix("TASK-CLOCK") || $0.hasSuffix("CPU-TIME") }) else { continue }
            let unaccounted0 = Self.unaccountedSeconds()
            try counters.start()
            let wall0 = monotonicSeconds(), cpu0 = threadCPUSeconds()
            var x = 1.0
            while monotonicSeconds() - wall0 < 0.05 { for _ in 0..<1000 { x = x * 1.000001 + 1e-9 } }
            let wall = monotonicSeconds() - wall0, cpu = threadCPUSeconds() - cpu0
            let values = try counters.stop()
            let unaccounted = Self.unaccountedSeconds() - unaccounted0
            #expect(x > 1)
            let counted = Double(try #require(values[event])) * 1e-9
            // The task clock runs while the thread is scheduled in, so it also counts the time a
            // hypervisor stole and the interrupts served meanwhile, which the thread's CPU clock
            // leaves out: the excess is bounded by those (in whole ticks, so one tick more).
            let message: Comment = "\(layer) \(event) \(counted) s, thread CPU \(cpu) s, stolen/irq \(unaccounted) s"
            #expect(counted >= 0.8 * cpu, message)
            #expect(counted - cpu <= 0.2 * cpu + unaccounted + Self.tick, message)
            #expect(counted <= wall * 1.05, "\(layer) \(event) \(counted) s, wall \(wall) s")
            for hardwareCycles in ["PAPI_TOT_CYC", "perf::CYCLES"] {
                if let cycles = values[hardwareCycles] {
                    let hz = Double(cycles) / counted
                    #expect(hz > 2e8 && hz < 7e9, "\(layer) cycles/s \(hz)")
                }
            }
        }
    }

    /// One scheduler tick as /proc/stat counts time (USER_HZ).
    static let tick = 1 / Double(sysconf(Int32(_SC_CLK_TCK)))

    /// Time, over all CPUs, that /proc/stat books as stolen by the hypervisor or spent serving
    /// interrupts: the part of a scheduled-in thread's wall time its CPU clock does not count.
    static func unaccountedSeconds() -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
            let line = stat.split(separator: "\n").first(where: { $0.hasPrefix("cpu ") })
        else { return 0 }
        // cpu user nice system idle iowait irq softirq steal ...
        let fields = line.split(separator: " ").dropFirst().compactMap { Double($0) }
        guard fields.count >= 8 else { return 0 }
        return (fields[5] + fields[6] + fields[7]) * tick
    }

    /// A thread that sleeps is switched out: every layer that counts context switches sees it, so
    /// the harness can leave out disturbed repetitions.
    @Test func sleepingCountsAContextSwitch() throws {
        for (layer, source) in Self.availableLayers() {
            var counters = source
            guard let event = counters.events.first(where: { $0.hasSuffix("CONTEXT-SWITCHES") }) else { continue }
            try counters.start()
            for _ in 0..<3 { usleep(2_000) }
            let values = try counters.stop()
            #expect((values[event] ?? 0) >= 1, "\(layer) \(event) = \(values[event] ?? -1) after three sleeps")
            #expect(Disturbance.isDisturbed(values), "\(layer)")
        }
    }

    /// First touches of fresh pages are page faults, in every layer that counts them.
    @Test func firstTouchCountsPageFaults() throws {
        let pages = 64, pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
        for (layer, source) in Self.availableLayers() {
            var counters = source
            guard let event = counters.events.first(where: { $0.hasSuffix("PAGE-FAULTS") }) else { continue }
            let region = try #require(mmap(nil, pages * pageSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0))
            defer { munmap(region, pages * pageSize) }
            let bytes = region.assumingMemoryBound(to: UInt8.self)
            try counters.start()
            for page in 0..<pages { bytes[page * pageSize] = 1 }
            let values = try counters.stop()
            #expect((values[event] ?? 0) >= Int64(pages / 2), "\(layer) \(event) = \(values[event] ?? -1) after touching \(pages) pages")
        }
    }

    /// A layer that cannot count context switches (kernel-mode counting refused) gets getrusage's
    /// count beside it, so disturbed repetitions are still seen.
    @Test func switchesRideAlongWhereTheLayerLacksThem() throws {
        let taskClockOnly = PerfEventCounters.preferred.filter { $0.event.name == "perf::TASK-CLOCK" }
        guard let perf = try? PerfEventCounters(candidates: taskClockOnly, environment: Self.environment) else {
            #expect(!Self.kernelCountsSoftwareEvents)
            return
        }
        var counters = LayeredCounters(chosen: perf, passedOver: [])
        #expect(counters.events == ["perf::TASK-CLOCK", "rusage::CONTEXT-SWITCHES"])
        try counters.start()
        for _ in 0..<3 { usleep(2_000) }
        let values = try counters.stop()
        #expect((values["rusage::CONTEXT-SWITCHES"] ?? 0) >= 1, "\(values)")
        #expect(Disturbance.isDisturbed(values))
    }

    @Test func startAndStopRepeat() throws {
        for (layer, source) in Self.availableLayers() {
            var counters = source
            for _ in 0..<3 {
                try counters.start()
                let values = try counters.stop()
                #expect(Set(values.keys) == Set(counters.events), "\(layer)")
            }
        }
    }

    @Test func reportNamesTheLayersAndReasons() {
        let report = CounterReport.probe()
        let text = report.render()
        #expect(text.contains("perf_event_paranoid"))
        for layer in report.layers {
            #expect(text.contains(layer.name))
            if let reason = layer.reason { #expect(text.contains(reason)) }
            for event in layer.events where !event.used { #expect(text.contains(event.reason ?? "<none>")) }
        }
        #expect(report.source == report.layers.first(where: \.available)?.name ?? "none")
    }
}
