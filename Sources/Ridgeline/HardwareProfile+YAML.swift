import Foundation

/// Reading hardware profiles in the YAML schema of `profiles/hardware/*.yaml` (writing them:
/// `HardwareProfile+YAMLWriter.swift`).
extension HardwareProfile {
    /// Loads and checks a profile file; every problem names the file, the field and the value.
    public static func load(path: String) throws -> HardwareProfile {
        let input = try TextInput(path: path)
        return try parse(yaml: input.text, file: input.name)
    }

    public static func parse(yaml text: String, file: String?) throws -> HardwareProfile {
        let r = try FieldReader.parse(text, file: file)
        try r.rejectUnknownKeys([
            "id", "name", "kind", "vendor", "architecture", "origin", "calibrated_from", "fingerprint", "compute", "memory", "latency",
            "scale_up", "scale_out", "power", "price_per_hour_usd", "calibration", "sources", "notes", "host",
        ])
        let kind = try r.enumValue("kind", Kind.self)
        let compute = try parseCompute(try r.child("compute"), kind: kind)
        let memoryReaders = try r.list("memory")
        guard !memoryReaders.isEmpty else { throw RidgelineError.missingField(file: file, field: "memory") }
        let memory = try memoryReaders.map { try parseLevel($0, units: compute.units) }
        let latency = try r.child("latency")
        try latency.rejectUnknownKeys(["launch", "dispatch", "single_unit_launch"])
        var profile = HardwareProfile(
            id: try parseId(try r.string("id"), file: file),
            name: try r.string("name"),
            kind: kind,
            vendor: try r.string("vendor"),
            architecture: try r.optionalString("architecture") ?? "",
            compute: compute,
            memory: memory,
            launchLatency: try latency.quantity("launch", .seconds),
            dispatchLatency: try latency.quantity("dispatch", .seconds),
            scaleUp: try r.optionalChild("scale_up").map { try parseLink($0, needsDomain: true) },
            scaleOut: try r.optionalChild("scale_out").map { try parseLink($0, needsDomain: false) },
            powerWatts: try r.quantity("power", .watts),
            pricePerHourUSD: try r.optionalDouble("price_per_hour_usd"),
            calibration: try r.optionalChild("calibration").map(parseCalibration),
            fingerprint: try r.optionalString("fingerprint"),
            origin: try parseOrigin(r),
            calibratedFrom: try parseCalibratedFrom(r),
            sources: try r.strings("sources"))
        profile.singleUnitLaunchLatency = try latency.optionalQuantity("single_unit_launch", .seconds)
        if profile.origin == .datasheet && profile.sources.isEmpty {
            throw RidgelineError.missingField(file: file, field: "sources")
        }
        try profile.checkConsistency(file: file)
        try profile.checkPlausible(file: file)
        return profile
    }

    /// `origin:`, one of `Origin` (absent: datasheet). An empty or misspelt one is an error, so a
    /// typo cannot drop the datasheet's `sources` requirement.
    private static func parseOrigin(_ r: FieldReader) throws -> Origin {
        guard r.keys.contains("origin") else { return .datasheet }
        let text = (try? r.optionalString("origin")) ?? nil
        guard let text, let origin = Origin(rawValue: text) else {
            throw RidgelineError.invalidValue(
                file: r.file, field: "origin", value: text ?? "(empty)",
                expected: "one of " + Origin.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return origin
    }

    /// `calibrated_from:`, the origin of a calibrated profile's ceilings: only with `origin: calibrated`,
    /// and never `calibrated` itself (a re-fit keeps the first origin).
    private static func parseCalibratedFrom(_ r: FieldReader) throws -> Origin? {
        guard let from = try r.optionalEnum("calibrated_from", Origin.self) else { return nil }
        guard try parseOrigin(r) == .calibrated else {
            throw RidgelineError.inconsistent(
                file: r.file, field: "calibrated_from",
                detail: "only a profile with origin: calibrated says what it was calibrated from")
        }
        guard from != .calibrated else {
            throw RidgelineError.invalidValue(
                file: r.file, field: "calibrated_from", value: from.rawValue,
                expected: "the origin of the ceilings: one of "
                    + Origin.allCases.filter { $0 != .calibrated }.map(\.rawValue).joined(separator: ", "))
        }
        return from
    }

    private static func parseId(_ id: String, file: String?) throws -> String {
        let allowed = CharacterSet.lowercaseLetters.union(.decimalDigits).union(CharacterSet(charactersIn: "-_."))
        guard !id.isEmpty, id.unicodeScalars.allSatisfy(allowed.contains) else {
            throw RidgelineError.invalidValue(file: file, field: "id", value: id, expected: "lower-case letters, digits and '-'")
        }
        return id
    }

    private static func parseDTypeMap(_ r: FieldReader?, _ dimension: Dimension?) throws -> [DType: Double] {
        guard let r else { return [:] }
        var result: [DType: Double] = [:]
        for key in r.keys {
            let dtype = try DType.parse(key, field: r.name(key), file: r.file)
            result[dtype] = try dimension.map { try r.quantity(key, $0) } ?? r.double(key)
        }
        return result
    }

    private static func parseCompute(_ r: FieldReader, kind: Kind) throws -> Compute {
        try r.rejectUnknownKeys([
            "units", "unit_name", "clock", "peak", "vector_peak", "flops_per_clock_per_unit",
            "gemm_tiles", "grouped_gemm_tile_rows", "simd_bits", "threads_per_unit", "special_function_flops", "single_unit_peak",
            "vector_add_latency",
        ])
        let peak = try parseDTypeMap(try r.child("peak"), .flopsPerSecond)
        guard !peak.isEmpty else { throw RidgelineError.missingField(file: r.file, field: r.name("peak")) }
        let tiles = try r.strings("gemm_tiles").enumerated().map { index, text -> GEMMTile in
            let parts = text.split(separator: "x").compactMap { Int($0) }
            guard parts.count == 2, parts.allSatisfy({ $0 > 0 && $0 <= 4096 }) else {
                throw RidgelineError.invalidValue(
                    file: r.file, field: "\(r.name("gemm_tiles"))[\(index)]", value: text,
                    expected: "rows x columns, e.g. '128x256'")
            }
            return GEMMTile(m: parts[0], n: parts[1])
        }
        var specialFunctions: [SpecialFunction: Double] = [:]
        if let map = try r.optionalChild("special_function_flops") {
            for key in map.keys {
                guard let function = SpecialFunction(rawValue: key) else {
                    throw RidgelineError.invalidValue(
                        file: r.file, field: map.name(key), value: key,
                        expected: "one of " + SpecialFunction.allCases.map(\.rawValue).joined(separator: ", "))
                }
                specialFunctions[function] = try map.double(key, in: Compute.specialFunctionFlopsRange)
            }
        }
        var compute = Compute(
            units: try r.int("units", in: 1...1_000_000),
            unitName: try r.optionalString("unit_name") ?? (kind == .gpu ? "SM" : "core"),
            clockHz: try r.quantity("clock", .hertz),
            peak: peak,
            vectorPeak: try parseDTypeMap(try r.optionalChild("vector_peak"), .flopsPerSecond),
            flopsPerClockPerUnit: try parseDTypeMap(try r.optionalChild("flops_per_clock_per_unit"), nil),
            gemmTiles: tiles,
            groupedGEMMTileRows: try r.optionalInt("grouped_gemm_tile_rows", in: 1...4096),
            simdBits: try r.optionalInt("simd_bits", in: 64...4096),
            threadsPerUnit: try r.optionalInt("threads_per_unit", in: 1...16) ?? 1)
        compute.specialFunctionFlops = specialFunctions
        compute.singleUnitPeak = try parseDTypeMap(try r.optionalChild("single_unit_peak"), .flopsPerSecond)
        compute.vectorAddLatencyCycles = try r.optionalDouble("vector_add_latency", in: Compute.vectorAddLatencyRange)
        return compute
    }

    private static func parseLevel(_ r: FieldReader, units: Int) throws -> MemoryLevel {
        try r.rejectUnknownKeys([
            "level", "capacity", "shared_by", "bandwidth", "single_unit_bandwidth", "store_cost", "single_unit_store_cost",
            "associativity", "nominal_capacity", "latency",
        ])
        let latency = try r.optionalQuantity("latency", .seconds)
        if let latency, !MemoryLevel.latencyRange.contains(latency) {
            throw RidgelineError.invalidValue(
                file: r.file, field: r.name("latency"), value: Quantity.format(latency, .seconds),
                expected:
                    "a load-to-use latency from \(Quantity.format(MemoryLevel.latencyRange.lowerBound, .seconds)) to \(Quantity.format(MemoryLevel.latencyRange.upperBound, .seconds))"
            )
        }
        return MemoryLevel(
            name: try r.string("level"),
            capacityBytes: try r.quantity("capacity", .bytes),
            sharedByUnits: try r.optionalInt("shared_by", in: 1...units) ?? units,
            bandwidth: try r.quantity("bandwidth", .bytesPerSecond),
            singleUnitBandwidth: try r.optionalQuantity("single_unit_bandwidth", .bytesPerSecond),
            storeCost: try r.optionalDouble("store_cost", in: MemoryLevel.storeCostRange),
            singleUnitStoreCost: try r.optionalDouble("single_unit_store_cost", in: MemoryLevel.storeCostRange),
            associativity: try r.optionalInt("associativity", in: MemoryLevel.associativityRange),
            nominalCapacityBytes: try r.optionalQuantity("nominal_capacity", .bytes), latencySeconds: latency)
    }

    private static func parseLink(_ r: FieldReader, needsDomain: Bool) throws -> Link {
        try r.rejectUnknownKeys(["name", "bandwidth", "latency", "domain", "collective"])
        return Link(
            name: try r.string("name"),
            bandwidth: try r.quantity("bandwidth", .bytesPerSecond),
            latency: try r.quantity("latency", .seconds),
            domainSize: needsDomain ? try r.int("domain", in: 1...100_000) : nil,
            collective: try r.optionalChild("collective").map(parseCollective))
    }

    /// The optional `collective` block of a link (see `CollectiveParameters`).
    private static func parseCollective(_ r: FieldReader) throws -> CollectiveParameters {
        try r.rejectUnknownKeys(["source", "base_latency", "low_latency_fraction", "pipeline_fill", "bus_bandwidth", "efficiency"])
        var bus: [Int: Double] = [:]
        if let table = try r.optionalChild("bus_bandwidth") {
            for key in table.keys {
                guard let ranks = Int(key), ranks >= 2 else {
                    throw RidgelineError.invalidValue(
                        file: r.file, field: table.name(key), value: key, expected: "a group size (whole number ≥ 2)")
                }
                bus[ranks] = try table.quantity(key, .bytesPerSecond)
            }
        }
        return CollectiveParameters(
            baseLatency: try r.optionalQuantity("base_latency", .seconds) ?? 0,
            lowLatencyFraction: try r.optionalDouble("low_latency_fraction", in: 0.001...1) ?? 1,
            pipelineFill: try r.optionalQuantity("pipeline_fill", .bytes) ?? 0,
            busBandwidth: bus,
            efficiency: try r.optionalDouble("efficiency", in: 0.001...1),
            source: try r.optionalString("source") ?? "")
    }

    private static func parseCalibration(_ r: FieldReader) throws -> Calibration {
        try r.rejectUnknownKeys(["source", "compute", "compute_by_dtype", "memory", "launch", "overlap_leak", "dispatch", "device_memory"])
        func kernelClass(_ c: FieldReader, _ name: String) throws -> KernelClass {
            guard let cls = KernelClass(rawValue: name) else {
                throw RidgelineError.invalidValue(
                    file: r.file, field: c.name(name), value: name,
                    expected: "a kernel class (" + KernelClass.allCases.map(\.rawValue).joined(separator: ", ") + ")")
            }
            return cls
        }
        func fractions(_ key: String) throws -> [KernelClass: Double] {
            guard let c = try r.optionalChild(key) else { return [:] }
            var result: [KernelClass: Double] = [:]
            for name in c.keys {
                result[try kernelClass(c, name)] = try c.double(name, in: 0.001...CalibrationFit.measuredCeiling)
            }
            return result
        }
        // compute_by_dtype: {gemm: {bf16: 0.77, fp8: 0.66}}: a class's fraction per dtype.
        var byDType: [KernelClass: [DType: Double]] = [:]
        if let c = try r.optionalChild("compute_by_dtype") {
            for name in c.keys {
                let cls = try kernelClass(c, name)
                let table = try c.child(name)
                var row: [DType: Double] = [:]
                for dtypeName in table.keys {
                    let dtype = try DType.parse(dtypeName, field: table.name(dtypeName), file: r.file)
                    row[dtype] = try table.double(dtypeName, in: 0.001...CalibrationFit.measuredCeiling)
                }
                if !row.isEmpty { byDType[cls] = row }
            }
        }
        // A fitted fixed cost may be zero (CalibrationFit searches 0 too), which `quantity` rejects.
        let zero = try r.optionalString("launch").flatMap { $0.split(separator: " ").first.flatMap { Double($0) } } == 0
        let calibration = Calibration(
            compute: try fractions("compute"), memory: try fractions("memory"),
            launchLatency: zero ? 0 : try r.optionalQuantity("launch", .seconds),
            overlapLeak: try r.optionalDouble("overlap_leak", in: 0...1),
            dispatchLatency: try r.optionalQuantity("dispatch", .seconds),
            deviceMemoryFactor: try r.optionalDouble("device_memory", in: 0.1...10),
            source: try r.optionalString("source") ?? "", computeByDType: byDType)
        // An empty block would label the profile calibrated while nothing was fitted.
        let c = calibration
        guard
            !c.compute.isEmpty || !c.computeByDType.isEmpty || !c.memory.isEmpty || c.launchLatency != nil || c.overlapLeak != nil
                || c.dispatchLatency != nil || c.deviceMemoryFactor != nil
        else {
            throw RidgelineError.invalidValue(
                file: r.file, field: "calibration", value: "a block with no fitted value",
                expected:
                    "at least one of compute, memory, launch, overlap_leak, dispatch, device_memory (or no calibration block: uncalibrated)"
            )
        }
        return calibration
    }

    /// Cross-checks numbers that must agree: per-unit rates against peaks (within 5%), and memory
    /// levels listed innermost first (the engine blocks each level's traffic by the level inside it).
    public func checkConsistency(file: String?) throws {
        for index in memory.indices.dropFirst() where memory[index].capacityBytes <= memory[index - 1].capacityBytes {
            let (inner, outer) = (memory[index - 1], memory[index])
            throw RidgelineError.inconsistent(
                file: file, field: "memory[\(index)].capacity",
                detail:
                    "levels go from innermost to outermost, but memory[\(index)] (\(outer.name), \(Quantity.format(outer.capacityBytes, .bytes))) is no larger than memory[\(index - 1)] (\(inner.name), \(Quantity.format(inner.capacityBytes, .bytes)))"
            )
        }
        for (dtype, perClock) in compute.flopsPerClockPerUnit.sorted(by: { $0.key < $1.key }) {
            guard let stated = compute.peak[dtype] else {
                throw RidgelineError.inconsistent(
                    file: file, field: "compute.flops_per_clock_per_unit.\(dtype.rawValue)",
                    detail: "a per-unit rate is given but compute.peak has no \(dtype.rawValue) entry")
            }
            let derived = Double(compute.units) * compute.clockHz * perClock
            if abs(derived - stated) > 0.05 * stated {
                throw RidgelineError.inconsistent(
                    file: file, field: "compute.peak.\(dtype.rawValue)",
                    detail:
                        "units × clock × flops_per_clock_per_unit = \(compute.units) × \(Quantity.format(compute.clockHz, .hertz)) × \(formatSignificant(perClock)) = \(Quantity.format(derived, .flopsPerSecond)), but the stated peak is \(Quantity.format(stated, .flopsPerSecond)) (more than 5% apart)"
                )
            }
        }
    }
}
