import Foundation
import Testing

@testable import RidgelineProbe

/// The hwloc topology must agree with what the kernel itself reports.
@Suite struct TopologyTests {
    let topology = try! Hwloc.shared().hostTopology()

    /// Online CPUs as /sys/devices/system/cpu/online lists them ("0-3,8-11").
    static func onlineCPUs() throws -> [Int] {
        try cpuList(try String(contentsOfFile: "/sys/devices/system/cpu/online", encoding: .utf8))
    }

    static func cpuList(_ text: String) throws -> [Int] {
        var cpus: [Int] = []
        for part in text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ",") {
            let bounds = part.split(separator: "-").compactMap { Int($0) }
            try #require(bounds.count == 1 || bounds.count == 2)
            cpus += Array(bounds[0]...bounds.last!)
        }
        return cpus
    }

    @Test func hardwareThreadsMatchSysfsAndNproc() throws {
        let online = try Self.onlineCPUs()
        #expect(topology.threads == online.count)
        #expect(topology.threads == sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        // Every online CPU belongs to exactly one core.
        #expect(topology.coreThreads.flatMap { $0 }.sorted() == online)
        #expect(topology.coreThreads.count == topology.cores)
    }

    @Test func coresMatchSysfsCoreIds() throws {
        // A core is a distinct (package, core id) pair.
        var cores = Set<String>()
        for cpu in try Self.onlineCPUs() {
            let base = "/sys/devices/system/cpu/cpu\(cpu)/topology/"
            let package = try String(contentsOfFile: base + "physical_package_id", encoding: .utf8).trimmingCharacters(
                in: .whitespacesAndNewlines)
            let core = try String(contentsOfFile: base + "core_id", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            cores.insert("\(package)/\(core)")
        }
        #expect(topology.cores == cores.count)
    }

    @Test func cachesMatchSysfs() throws {
        let dir = "/sys/devices/system/cpu/cpu0/cache"
        let entries = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix("index") }
        try #require(!entries.isEmpty, "sysfs lists no caches")
        for entry in entries {
            func read(_ name: String) throws -> String {
                try String(contentsOfFile: "\(dir)/\(entry)/\(name)", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            }
            let level = try #require(Int(try read("level")))
            let type = try read("type")  // Data, Instruction, Unified
            let sizeText = try read("size")  // "32K"
            let size = try #require(Int(sizeText.dropLast())) * (sizeText.hasSuffix("M") ? 1 << 20 : 1 << 10)
            let sharedCPUs = try Self.cpuList(try read("shared_cpu_list")).count
            let kind: CacheLevel.Kind = type == "Data" ? .data : type == "Instruction" ? .instruction : .unified
            let cache = try #require(topology.caches.first { $0.level == level && $0.kind == kind }, "hwloc lacks L\(level) \(type)")
            #expect(cache.sizeBytes == size)
            #expect(cache.lineBytes == Int(try read("coherency_line_size")))
            #expect(cache.sharedByCores == max(1, sharedCPUs / topology.threadsPerCore))
        }
    }

    @Test func numaMemoryIsPresent() {
        #expect(!topology.numaNodes.isEmpty)
        #expect(topology.memoryBytes > 0)
    }

    @Test func simdFeaturesComeFromCpuinfo() {
        let flags = CPUInfo.read().flags
        for (flag, name) in [
            ("avx2", "avx2"), ("fma", "fma"), ("avx512f", "avx512f"), ("avx512_bf16", "avx512_bf16"),
            ("amx_tile", "amx_tile"), ("asimd", "neon"), ("sve", "sve"),
        ] {
            #expect(topology.simd.has(name) == flags.contains(flag), "\(flag)")
        }
    }

    @Test func hypervisorFollowsTheCpuinfoFlag() {
        #if arch(x86_64)
            #expect((topology.cpu.hypervisor != nil) == CPUInfo.read().flags.contains("hypervisor"))
        #endif
    }

    @Test func bindingPinsEachThreadToItsCore() throws {
        let hwloc = try Hwloc.shared()
        let team = ThreadTeam(size: topology.cores, hwloc: hwloc)
        #expect(team.bindingError == nil)
        let cpus = team.map { _ in hwloc.currentCPU() ?? -1 }
        for (core, cpu) in cpus.enumerated() { #expect(topology.coreThreads[core].contains(cpu)) }
    }
}

/// SIMD units from flag sets: pure, so every CPU family can be checked on any machine.
@Suite struct SIMDCapabilityTests {
    func cpu(_ vendor: String, family: Int) -> CPUIdentity {
        CPUIdentity(
            vendor: vendor, model: "test", family: family, modelNumber: 0, architecture: "x86_64", hypervisor: nil,
            reportedMHz: nil, maxMHz: nil)
    }

    @Test func zen4RunsAVX512OnTwo256BitPipes() {
        let s = SIMDCapabilities.from(
            flags: ["sse2", "avx", "avx2", "fma", "avx512f", "avx512_bf16"], cpu: cpu("AuthenticAMD", family: 0x19))
        #expect(s.registerBits == 512 && s.datapathBits == 256)
        #expect(s.flopsPerCycle(bytesPerElement: 4) == 32)
        #expect(s.flopsPerCycle(bytesPerElement: 8) == 16)
    }

    @Test func intelAVX512HasTwo512BitPipes() {
        let s = SIMDCapabilities.from(flags: ["sse2", "avx", "avx2", "fma", "avx512f"], cpu: cpu("GenuineIntel", family: 6))
        #expect(s.flopsPerCycle(bytesPerElement: 4) == 64)
    }

    @Test func avx2WithoutAVX512() {
        let s = SIMDCapabilities.from(flags: ["sse2", "avx", "avx2", "fma"], cpu: cpu("GenuineIntel", family: 6))
        #expect(s.registerBits == 256 && s.flopsPerCycle(bytesPerElement: 8) == 16)
    }

    @Test func neon() {
        let s = SIMDCapabilities.from(flags: ["fp", "asimd", "bf16"], cpu: cpu("0x41", family: 0))
        #expect(s.registerBits == 128 && s.has("neon") && s.has("neon_bf16"))
        #expect(s.flopsPerCycle(bytesPerElement: 4) == 16)
    }
}
