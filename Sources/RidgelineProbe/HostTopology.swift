/// The host's topology as value types: what hwloc reports, flattened to what a roofline needs.
///
/// One instance of each cache level is described (its size, line and how many cores share it);
/// a level's total capacity is `size × instances`.
public struct HostTopology: Sendable, Equatable, Codable {
    public var packages: Int
    public var cores: Int
    /// Hardware threads (hwloc PUs).
    public var threads: Int
    public var caches: [CacheLevel]
    public var numaNodes: [NUMANode]
    public var cpu: CPUIdentity
    public var simd: SIMDCapabilities
    /// OS indices of each core's hardware threads, core by core (package order).
    public var coreThreads: [[Int]]
    /// Package of each core.
    public var corePackage: [Int]

    public init(
        packages: Int, cores: Int, threads: Int, caches: [CacheLevel], numaNodes: [NUMANode],
        cpu: CPUIdentity, simd: SIMDCapabilities, coreThreads: [[Int]] = [], corePackage: [Int] = []
    ) {
        self.packages = packages; self.cores = cores; self.threads = threads; self.caches = caches
        self.numaNodes = numaNodes; self.cpu = cpu; self.simd = simd; self.coreThreads = coreThreads
        self.corePackage = corePackage
    }

    public var threadsPerCore: Int { max(1, threads / max(1, cores)) }
    /// Memory the OS manages: /proc/meminfo's MemTotal when it is larger than the NUMA nodes'
    /// sum (a VM's hot-plugged or ballooned memory can sit outside the nodes hwloc sees).
    public var systemMemoryBytes: Double = 0
    public var memoryBytes: Double { max(systemMemoryBytes, numaNodes.reduce(0) { $0 + $1.memoryBytes }) }

    /// Data and unified caches, innermost first (instruction caches hold no tensors).
    public var dataCaches: [CacheLevel] { caches.filter { $0.kind != .instruction }.sorted { $0.level < $1.level } }

    /// The last-level cache, the level a working set must exceed to stream from DRAM.
    public var lastLevelCache: CacheLevel? { dataCaches.last }

    /// Bytes the last-level cache holds over all its instances; nil when hwloc reports none.
    public var lastLevelCacheBytes: Int? { lastLevelCache.map { $0.sizeBytes * $0.instances } }

    /// The largest cache private to one core (its L2 on most CPUs); 0 when none is.
    public var privateCacheBytes: Int { dataCaches.filter { $0.sharedByCores == 1 }.map(\.sizeBytes).max() ?? 0 }
}

public struct CacheLevel: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable { case unified, data, instruction }
    public var level: Int
    public var kind: Kind
    /// Size of one instance.
    public var sizeBytes: Int
    public var lineBytes: Int
    /// Cores sharing one instance.
    public var sharedByCores: Int
    /// Instances in the machine.
    public var instances: Int
    /// Ways of the set-associative cache; nil when hwloc knows none (or it is fully associative).
    public var associativity: Int?

    public init(
        level: Int, kind: Kind, sizeBytes: Int, lineBytes: Int, sharedByCores: Int, instances: Int, associativity: Int? = nil
    ) {
        self.level = level; self.kind = kind; self.sizeBytes = sizeBytes; self.lineBytes = lineBytes
        self.sharedByCores = sharedByCores; self.instances = instances; self.associativity = associativity
    }

    public var name: String { "L\(level)" + (kind == .data ? "d" : kind == .instruction ? "i" : "") }
}

public struct NUMANode: Sendable, Equatable, Codable {
    public var index: Int
    public var memoryBytes: Double
    public var cores: Int
    public init(index: Int, memoryBytes: Double, cores: Int) {
        self.index = index; self.memoryBytes = memoryBytes; self.cores = cores
    }
}
