@testable import RidgelineProbe

extension HostTopology {
    /// The 2-core Zen 4 guest's caches (32 KiB L1 and 1 MiB L2 per core, a 32 MiB L3 for both) and
    /// 8 GB of memory, with the SIMD units a test needs: the synthetic host the plateau and
    /// assessment tests share.
    static func twoCoreGuest(simd: SIMDCapabilities) -> HostTopology {
        HostTopology(
            packages: 1, cores: 2, threads: 2,
            caches: [
                CacheLevel(level: 1, kind: .data, sizeBytes: 32 << 10, lineBytes: 64, sharedByCores: 1, instances: 2),
                CacheLevel(level: 2, kind: .unified, sizeBytes: 1 << 20, lineBytes: 64, sharedByCores: 1, instances: 2),
                CacheLevel(level: 3, kind: .unified, sizeBytes: 32 << 20, lineBytes: 64, sharedByCores: 2, instances: 1),
            ],
            numaNodes: [NUMANode(index: 0, memoryBytes: 8e9, cores: 2)],
            cpu: CPUIdentity(
                vendor: "AuthenticAMD", model: "test", family: 25, modelNumber: 17, architecture: "x86_64", hypervisor: nil,
                reportedMHz: nil, maxMHz: nil),
            simd: simd)
    }
}
