import CHwloc
import Foundation
import Ridgeline

/// A loaded hwloc topology: the source of the host's structure and the way threads are bound.
///
/// hwloc documents a loaded topology as safe to read from several threads, and binding only reads
/// it, so one instance serves every benchmark thread.
public final class Hwloc: @unchecked Sendable {
    private let topology: hwloc_topology_t

    /// Loads the topology of the running machine.
    public init() throws {
        var topo: hwloc_topology_t?
        guard hwloc_topology_init(&topo) == 0, let topo else {
            throw RidgelineError.unavailable(
                what: "hwloc topology", reason: "hwloc_topology_init failed: \(String(cString: strerror(errno)))")
        }
        // hwloc drops instruction caches unless asked; the topology lists every cache.
        _ = hwloc_topology_set_icache_types_filter(topo, HWLOC_TYPE_FILTER_KEEP_ALL)
        guard hwloc_topology_load(topo) == 0 else {
            hwloc_topology_destroy(topo)
            throw RidgelineError.unavailable(
                what: "hwloc topology", reason: "hwloc_topology_load failed: \(String(cString: strerror(errno)))")
        }
        topology = topo
    }

    deinit { hwloc_topology_destroy(topology) }

    /// The process-wide topology, loaded on first use (loading walks /sys and costs milliseconds).
    public static func shared() throws -> Hwloc { try sharedResult.get() }
    private static let sharedResult: Result<Hwloc, RidgelineError> = {
        do { return .success(try Hwloc()) } catch let e as RidgelineError { return .failure(e) } catch {
            return .failure(.unavailable(what: "hwloc topology", reason: "\(error)"))
        }
    }()

    public func count(_ type: hwloc_obj_type_t) -> Int {
        Int(max(0, hwloc_get_nbobjs_by_type(topology, type)))
    }

    private func object(_ type: hwloc_obj_type_t, _ index: Int) -> hwloc_obj_t? {
        hwloc_get_obj_by_type(topology, type, UInt32(index))
    }

    /// Binds the calling thread to core `index` (all its hardware threads), so that a benchmark
    /// thread neither migrates nor shares a core with another benchmark thread.
    public func bindCurrentThread(toCore index: Int) throws {
        let cores = count(HWLOC_OBJ_CORE)
        let type = cores > 0 ? HWLOC_OBJ_CORE : HWLOC_OBJ_PU
        let n = cores > 0 ? cores : count(HWLOC_OBJ_PU)
        guard n > 0, let obj = object(type, index % n) else {
            throw RidgelineError.unavailable(what: "thread binding", reason: "hwloc reports no cores")
        }
        if ridgeline_hwloc_bind_thread(topology, obj) != 0 {
            throw RidgelineError.unavailable(
                what: "thread binding to core \(index)",
                reason: "hwloc_set_cpubind failed: \(String(cString: strerror(errno)))")
        }
    }

    /// How many hardware threads the calling thread may run on (its binding's size; every PU of
    /// the machine when unbound), or nil when hwloc cannot say.
    public func currentBindingWidth() -> Int? {
        threadCPUSet(
            query: { hwloc_get_cpubind(topology, $0, Int32(HWLOC_CPUBIND_THREAD.rawValue)) },
            read: { set in
                let weight = hwloc_bitmap_weight(set)
                return weight >= 0 ? Int(weight) : nil
            })
    }

    /// The OS index of the CPU the calling thread last ran on (to check a binding).
    public func currentCPU() -> Int? {
        threadCPUSet(
            query: { hwloc_get_last_cpu_location(topology, $0, Int32(HWLOC_CPUBIND_THREAD.rawValue)) },
            read: { set in
                let first = hwloc_bitmap_first(set)
                return first >= 0 ? Int(first) : nil
            })
    }

    /// A CPU set filled by `query` (0 on success), read by `read`; nil when either fails.
    private func threadCPUSet<T>(query: (hwloc_bitmap_t) -> Int32, read: (hwloc_bitmap_t) -> T?) -> T? {
        guard let set = hwloc_bitmap_alloc() else { return nil }
        defer { hwloc_bitmap_free(set) }
        return query(set) == 0 ? read(set) : nil
    }

    /// The host's structure: packages, cores, PUs, every cache level, NUMA nodes; SIMD and CPU
    /// identity from /proc/cpuinfo.
    public func hostTopology(cpuinfo: CPUInfo = .read()) -> HostTopology {
        let cores = max(1, count(HWLOC_OBJ_CORE))
        var caches: [CacheLevel] = []
        let cacheTypes: [hwloc_obj_type_t] = [
            HWLOC_OBJ_L1CACHE, HWLOC_OBJ_L1ICACHE, HWLOC_OBJ_L2CACHE, HWLOC_OBJ_L2ICACHE,
            HWLOC_OBJ_L3CACHE, HWLOC_OBJ_L3ICACHE, HWLOC_OBJ_L4CACHE, HWLOC_OBJ_L5CACHE,
        ]
        for type in cacheTypes {
            let n = count(type)
            guard n > 0, let first = object(type, 0) else { continue }
            let kind: CacheLevel.Kind =
                switch ridgeline_hwloc_cache_type(first) {
                case 1: .data
                case 2: .instruction
                default: .unified
                }
            caches.append(
                CacheLevel(
                    level: Int(ridgeline_hwloc_cache_depth(first)), kind: kind,
                    sizeBytes: Int(ridgeline_hwloc_cache_size(first)), lineBytes: Int(ridgeline_hwloc_cache_linesize(first)),
                    sharedByCores: max(1, Int(ridgeline_hwloc_count_inside(topology, first, HWLOC_OBJ_CORE))), instances: n,
                    associativity: ridgeline_hwloc_cache_associativity(first) > 0 ? Int(ridgeline_hwloc_cache_associativity(first)) : nil))
        }
        var numa: [NUMANode] = []
        for i in 0..<count(HWLOC_OBJ_NUMANODE) {
            guard let node = object(HWLOC_OBJ_NUMANODE, i) else { continue }
            numa.append(
                NUMANode(
                    index: i, memoryBytes: Double(ridgeline_hwloc_numa_memory(node)),
                    cores: Int(ridgeline_hwloc_count_inside(topology, node, HWLOC_OBJ_CORE))))
        }
        var signature = [CChar](repeating: 0, count: 16)
        let hypervisor: String? =
            ridgeline_hypervisor_vendor(&signature) != 0
            ? Self.hypervisorName(String(cBuffer: signature)) : nil
        let cpu = cpuinfo.identity(hypervisor: hypervisor)
        var coreThreads: [[Int]] = []
        var corePackage: [Int] = []
        for i in 0..<count(HWLOC_OBJ_CORE) {
            guard let core = object(HWLOC_OBJ_CORE, i) else { continue }
            let pus = Int(ridgeline_hwloc_count_inside(topology, core, HWLOC_OBJ_PU))
            coreThreads.append(
                (0..<pus).compactMap { j in
                    hwloc_get_obj_inside_cpuset_by_type(topology, core.pointee.cpuset, HWLOC_OBJ_PU, UInt32(j)).map {
                        Int($0.pointee.os_index)
                    }
                })
            corePackage.append(hwloc_get_ancestor_obj_by_type(topology, HWLOC_OBJ_PACKAGE, core).map { Int($0.pointee.logical_index) } ?? 0)
        }
        var host = HostTopology(
            packages: max(1, count(HWLOC_OBJ_PACKAGE)), cores: cores, threads: max(1, count(HWLOC_OBJ_PU)),
            caches: caches, numaNodes: numa, cpu: cpu,
            simd: SIMDCapabilities.from(flags: cpuinfo.flags, cpu: cpu),
            coreThreads: coreThreads, corePackage: corePackage)
        host.systemMemoryBytes = Self.memTotal()
        return host
    }

    /// MemTotal from /proc/meminfo, in bytes (0 when unreadable).
    static func memTotal() -> Double {
        let text = (try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8)) ?? ""
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("MemTotal:") }) else { return 0 }
        let kb = line.split(separator: " ").compactMap { Double($0) }.first ?? 0
        return kb * 1024
    }

    static func hypervisorName(_ signature: String) -> String {
        let names = [
            "KVMKVMKVM": "KVM", "Microsoft Hv": "Hyper-V", "VMwareVMware": "VMware", "XenVMMXenVMM": "Xen",
            "TCGTCGTCGTCG": "QEMU (TCG)", "ACRNACRNACRN": "ACRN", " lrpepyh  vr": "Parallels", "bhyve bhyve ": "bhyve",
        ]
        let trimmed = signature.trimmingCharacters(in: CharacterSet(charactersIn: "\0"))
        return names[trimmed] ?? names[signature] ?? (trimmed.isEmpty ? "unknown hypervisor" : trimmed)
    }
}

/// The hwloc library's version, as loaded at run time.
func hwlocRuntimeVersion() -> UInt32 { UInt32(hwloc_get_api_version()) }
