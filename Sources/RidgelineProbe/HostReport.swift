import Ridgeline

extension HostReport {
    /// What `ridgeline detect --json` prints of `d`: the topology, the nominal peaks, and the
    /// measured ceilings when it measured.
    public init(_ d: HostDetection, profilePath: String?) {
        let t = d.topology
        let builder = HostProfileBuilder(topology: t, ceilings: d.ceilings)
        func cache(_ c: CacheLevel) -> Cache {
            Cache(
                level: c.level, sizeBytes: c.sizeBytes, sharedByCores: c.sharedByCores, type: c.kind.rawValue, lineBytes: c.lineBytes,
                instances: c.instances)
        }
        func keyed(_ map: [DType: Double]) -> [String: Double] {
            Dictionary(uniqueKeysWithValues: map.map { ($0.key.rawValue, $0.value) })
        }
        func rate(_ r: RateSummary) -> Rate { Rate(best: r.best, median: r.median, worst: r.worst, samples: r.samples) }
        self.init(cores: t.cores, threads: t.threads, caches: t.dataCaches.map(cache), simd: t.simd.features)
        cpu = t.cpu.model; vendor = t.cpu.vendorName; hypervisor = t.cpu.hypervisor
        packages = t.packages; numaNodes = t.numaNodes.count; memoryBytes = t.memoryBytes
        instructionCaches = t.caches.filter { $0.kind == .instruction }.map(cache)
        simdRegisterBits = t.simd.registerBits
        fingerprint = builder.fingerprint; origin = d.profile.origin.rawValue; self.profilePath = profilePath
        nominal = Nominal(
            clockHz: builder.nominalClockHz, flopsPerCyclePerCore: keyed(builder.nominalFlopsPerCycle),
            peakFlopsPerS: keyed(builder.nominalPeaks(clockHz: builder.nominalClockHz)), basis: t.simd.basis)
        guard let m = d.ceilings else { return }
        clockHz = m.clockAllHz; clockHzOneCore = m.clockSingleHz
        peakFlopsPerS = Dictionary(uniqueKeysWithValues: m.peaks.filter(\.allCores).map { ($0.dtype.rawValue, $0.flopsPerSecond.best) })
        peakFlopsPerSOneCore = Dictionary(
            uniqueKeysWithValues: m.peaks.filter { $0.threads == 1 }.map { ($0.dtype.rawValue, $0.flopsPerSecond.best) })
        bandwidthBytesPerS = Dictionary(uniqueKeysWithValues: m.levels.map { ($0.level, $0.allThreads) })
        bandwidthBytesPerSOneThread = Dictionary(uniqueKeysWithValues: m.levels.map { ($0.level, $0.singleThread) })
        triadBytesPerS = Dictionary(uniqueKeysWithValues: m.levels.map { ($0.level, $0.triadAllThreads) })
        forkJoinS = m.forkJoinSeconds
        dramVisits = m.dramVisits.map { DRAMVisit(coreHandOffS: $0.handOffSeconds, bytesPerS: $0.bytesPerSecond) }
        placementMoved = m.placementMoved
        elapsedS = m.elapsedSeconds
        effectiveCapacity = Dictionary(
            uniqueKeysWithValues: m.levels.compactMap { l in
                l.effectiveCapacity.map {
                    (
                        l.level,
                        EffectiveCapacity(
                            effectiveBytes: $0.bytes, crossingPerThreadBytes: $0.crossingPerThread, threads: $0.threads,
                            nominalBytes: $0.nominalBytes)
                    )
                }
            })
        latencyS = m.cacheLatencies.isEmpty ? nil : Dictionary(uniqueKeysWithValues: m.cacheLatencies.map { ($0.level, $0.seconds) })
        cut = m.cuts
        sweep = m.sweep.map {
            SweepPoint(
                kernel: $0.kernel, threads: $0.threads, workingSetPerThreadBytes: $0.workingSetPerThread,
                bytesPerS: rate($0.bytesPerSecond),
                perThreadSumBytesPerS: rate($0.perThreadSum), undisturbedSamples: $0.undisturbedSamples)
        }
        unreliable = d.assessment?.findings.map(\.text)
    }
}

extension DRAMVisit {
    /// A visit as `detect --json` wrote it (the bench reads two runs back to compare placements).
    public init(_ visit: HostReport.DRAMVisit) { self.init(handOffSeconds: visit.coreHandOffS, bytesPerSecond: visit.bytesPerS) }
}
