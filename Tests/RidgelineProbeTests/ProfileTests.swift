import Foundation
import Ridgeline
import RidgelineEngines
import Testing

@testable import RidgelineProbe

/// A detected profile is a profile like the shipped ones: it loads with the same loader and passes
/// the same consistency checks.
@Suite(.serialized) struct ProfileTests {
    /// Tiny sizes and short samples: enough to exercise every path in well under a few seconds.
    static let quick = ProbeSettings(
        computeSampleSeconds: 0.001, bandwidthSampleSeconds: 0.0003, repeats: 3,
        smallestWorkingSet: 8 << 10, dramFactor: 4, largestWorkingSet: 256 << 10)

    func roundTrip(_ detection: HostDetection) throws -> HardwareProfile {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ridgeline-test-\(UUID().uuidString)/host.yaml").path
        defer { try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path) }
        try detection.write(to: path)
        return try HardwareProfile.load(path: path)
    }

    @Test func detectedProfileLoadsAndIsConsistent() throws {
        let detection = try HostDetection.run(measure: false)
        let loaded = try roundTrip(detection)
        let t = detection.topology
        #expect(loaded.origin == .detected)
        #expect(loaded.kind == .cpu)
        #expect(loaded.compute.units == t.cores)
        #expect(loaded.memory.map(\.name) == t.dataCaches.map { "l\($0.level)" } + ["dram"])
        #expect(loaded.fingerprint == HostProfileBuilder(topology: t, ceilings: nil).fingerprint)
        #expect(try #require(loaded.fingerprint).contains(t.cpu.model))
        // Nominal peak = cores × clock × FLOPs/cycle, as the consistency check recomputes it.
        let fp32 = try #require(loaded.compute.peak[.fp32])
        #expect(abs(fp32 - Double(t.cores) * loaded.compute.clockHz * t.simd.flopsPerCycle(bytesPerElement: 4)) <= 1e-6 * fp32)
        try loaded.checkConsistency(file: nil)
    }

    @Test func measuredProfileLoadsAndIsConsistent() throws {
        let detection = try HostDetection.run(measure: true, settings: Self.quick, engineCall: EngineCallCost.measure)
        let ceilings = try #require(detection.ceilings)
        let loaded = try roundTrip(detection)
        #expect(loaded.origin == .measured)
        // The YAML keeps seven significant digits.
        let measured = try #require(ceilings.peak(.fp32)?.flopsPerSecond.best)
        #expect(abs(try #require(loaded.compute.peak[.fp32]) - measured) <= 1e-6 * measured)
        #expect(ceilings.clockAllHz > 1e8 && ceilings.clockAllHz < 1e10)
        for level in loaded.memory { #expect(level.bandwidth > 0, "\(level.name)") }
        // Cache capacities: where this machine's plateaus end, hwloc's size beside a measured one
        // (the cache's geometry), which no plateau ends below the least share of.
        for (level, cache) in zip(loaded.memory, detection.topology.dataCaches) {
            #expect(level.capacityBytes >= Double(cache.sizeBytes) * HostProfileBuilder.leastShare(cache), "\(level.name)")
            #expect(level.nominalCapacityBytes == nil || level.nominalCapacityBytes == Double(cache.sizeBytes), "\(level.name)")
        }
        #expect(ceilings.sweep.allSatisfy { $0.workingSetPerThread <= 256 << 10 })
        // A dependent vector add takes 3 to 5 cycles on every x86-64 core of the last decade
        // (Agner Fog's tables: 3 on Zen, 4 on Skylake to Sapphire Rapids, 5 on Alder Lake's E-cores);
        // a figure outside 2–8 is a mismeasured clock or chain, whatever the load.
        let latency = try #require(ceilings.vectorAddLatencyCycles)
        #expect(latency >= 2 && latency <= 8, "\(latency) cycles")
        #expect(loaded.compute.vectorAddLatencyCycles == latency)
        // Each cache's chased latency lands on its memory level; DRAM states none.
        #expect(ceilings.cacheLatencies.map(\.level) == detection.topology.dataCaches.map { "l\($0.level)" })
        for level in loaded.memory {
            let chased = ceilings.latency(level.name)?.seconds
            #expect(level.latencySeconds.map { abs($0 / chased! - 1) < 1e-6 } ?? (chased == nil), "\(level.name)")
        }
        // A kernel's fixed cost is the engine's own near-empty call, timed with oneDNN here, not
        // the benchmark team's fork-join.
        let call = try #require(ceilings.engineCall, "oneDNN is installed with the probe; its call must be timed")
        #expect(call.engine.hasPrefix("oneDNN") && call.threads == detection.topology.cores)
        #expect(call.seconds > 0 && call.seconds < 1e-3, "\(call.seconds) s")
        #expect(abs(loaded.launchLatency - call.seconds) <= 1e-3 * call.seconds + 1e-9)
        #expect(loaded.sources.contains { $0.contains("near-empty call into oneDNN") })
        // The contract JSON carries the measured fields, and reads back as written (`report --ceilings`).
        let host = HostReport(detection, profilePath: nil)
        let text = try RecordCoding.json(host)
        #expect(try RecordCoding.decode(HostReport.self, from: text, file: "detect.json") == host)
        #expect(host.sweep?.count == ceilings.sweep.count && host.peakFlopsPerS?[DType.fp32.rawValue] != nil)
        let json = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        let report = try #require(json)
        for key in ["cores", "threads", "caches", "simd", "peak_flops_per_s", "bandwidth_bytes_per_s", "clock_hz", "latency_s"] {
            #expect(report[key] != nil, "\(key)")
        }
        #expect(host.latencyS?["l1"] == ceilings.latency("l1")?.seconds)
        let bandwidth = try #require(report["bandwidth_bytes_per_s"] as? [String: Double])
        #expect(bandwidth["l1"] != nil && bandwidth["dram"] != nil)
        let caches = try #require(report["caches"] as? [[String: Any]])
        #expect(caches.allSatisfy { $0["level"] != nil && $0["size_bytes"] != nil && $0["shared_by_cores"] != nil })
    }

    /// A budget already spent when the sweeps start: each phase is cut, and the run says so
    /// (in the ceilings, the profile's sources, the YAML and the summary).
    @Test func aSpentBudgetCutsAndSaysSo() throws {
        var settings = Self.quick
        settings.budgetSeconds = 0.001
        let detection = try HostDetection.run(measure: true, settings: settings)
        let ceilings = try #require(detection.ceilings)
        #expect(ceilings.cuts.contains { $0.contains("read sweep stopped") })
        #expect(ceilings.cuts.contains { $0.contains("second visit") })
        #expect(detection.profile.sources.contains { $0.hasPrefix("cut from the measurement: ") })
        #expect(detection.yaml().contains("    cut:\n"))
        #expect(HostSummary(detection).render().contains("cut: "))
        _ = try roundTrip(detection)
    }

    @Test func summaryDrawsTheTopology() throws {
        let detection = try HostDetection.run(measure: false)
        let text = HostSummary(detection).render()
        #expect(text.contains("Package 0"))
        #expect(text.contains("Core 0"))
        #expect(text.contains("Ridge points"))
        #expect(text.contains("Nominal ceilings"))
    }
}

/// Plateau picking on a synthetic sweep whose plateaus are known.
@Suite struct PlateauTests {
    let topology = HostTopology.twoCoreGuest(
        simd: SIMDCapabilities(features: [], registerBits: 512, datapathBits: 256, fmaUnits: 2, basis: ""))

    /// Bandwidth by per-thread working set: 400 in L1, 200 in L2, 100 in L3, 20 from DRAM (GB/s).
    func truth(_ bytes: Int, threads: Int) -> Double {
        let l3Share = (32 << 20) / threads
        return bytes <= 32 << 10 ? 400e9 : bytes <= 1 << 20 ? 200e9 : bytes <= l3Share ? 100e9 : 20e9
    }

    @Test func picksEachLevelsPlateau() {
        var sweep: [BandwidthPoint] = []
        for threads in [1, 2] {
            var size = 8 << 10
            while size <= (128 << 20) / threads {
                let rate = RateSummary(rates: [truth(size, threads: threads)])
                for kernel in ["read", "triad"] {
                    sweep.append(
                        BandwidthPoint(
                            kernel: kernel, threads: threads, workingSetPerThread: size, bytesPerSecond: rate,
                            perThreadSum: rate, undisturbedSamples: 1))
                }
                size *= 2
            }
        }
        let levels = BandwidthPlateaus(topology: topology, settings: .standard).levels(sweep: sweep, threads: 2)
        #expect(levels.map(\.level) == ["l1", "l2", "l3", "dram"])
        #expect(levels.map(\.allThreads) == [400e9, 200e9, 100e9, 20e9])
        #expect(levels.map(\.singleThread) == [400e9, 200e9, 100e9, 20e9])
        // The L3 window for two threads stops at half of each thread's 16 MiB share.
        #expect(levels[2].window.upperBound <= 8 << 20)
    }
}
