import Foundation

/// Writing a profile in the YAML schema of `profiles/hardware/*.yaml`, one function per section,
/// in the order the schema lists them. Every number is written so that it reads back the same
/// (`yamlQuantity`, `trimmedNumber`), and writing what was read gives the same text again.
extension HardwareProfile {
    /// The profile in the YAML schema it was read from (written by `detect`, `calibrate`,
    /// `calibrate-network` and `check-reference -o`).
    public func yaml() -> String {
        var lines = identityYAML()
        lines += computeYAML()
        lines += memoryYAML()
        lines.append(latencyYAML())
        lines += linksYAML()
        lines.append("power: \(yamlQuantity(powerWatts, .watts))")
        if let price = pricePerHourUSD { lines.append("price_per_hour_usd: \(price)") }
        if let calibration { lines += calibrationYAML(calibration) }
        lines.append("sources:")
        lines += sources.map { "  - \(yamlQuoted($0))" }
        return lines.joined(separator: "\n") + "\n"
    }

    /// id, names, vendor, and where the numbers came from.
    private func identityYAML() -> [String] {
        var lines = [
            "id: \(id)", "name: \(yamlQuoted(name))", "kind: \(kind.rawValue)", "vendor: \(yamlQuoted(vendor))",
            "architecture: \(yamlQuoted(architecture))", "origin: \(origin.rawValue)",
        ]
        if let calibratedFrom { lines.append("calibrated_from: \(calibratedFrom.rawValue)") }
        if let fingerprint { lines.append("fingerprint: \(yamlQuoted(fingerprint))") }
        return lines
    }

    /// The `compute:` block; optional fields only when set.
    private func computeYAML() -> [String] {
        var lines = [
            "compute:", "  units: \(compute.units)", "  unit_name: \(yamlQuoted(compute.unitName))",
            "  clock: \(yamlQuantity(compute.clockHz, .hertz))", "  peak: \(yamlDTypeMap(compute.peak, .flopsPerSecond))",
        ]
        if !compute.vectorPeak.isEmpty { lines.append("  vector_peak: \(yamlDTypeMap(compute.vectorPeak, .flopsPerSecond))") }
        if !compute.flopsPerClockPerUnit.isEmpty {
            lines.append("  flops_per_clock_per_unit: \(yamlDTypeMap(compute.flopsPerClockPerUnit, nil))")
        }
        if !compute.gemmTiles.isEmpty {
            lines.append("  gemm_tiles: [" + compute.gemmTiles.map { "\"\($0.m)x\($0.n)\"" }.joined(separator: ", ") + "]")
        }
        if let rows = compute.groupedGEMMTileRows { lines.append("  grouped_gemm_tile_rows: \(rows)") }
        if let simd = compute.simdBits { lines.append("  simd_bits: \(simd)") }
        lines.append("  threads_per_unit: \(compute.threadsPerUnit)")
        if !compute.singleUnitPeak.isEmpty {
            lines.append("  single_unit_peak: \(yamlDTypeMap(compute.singleUnitPeak, .flopsPerSecond))")
        }
        if !compute.specialFunctionFlops.isEmpty {
            lines.append("  special_function_flops: " + yamlFlowMap(compute.specialFunctionFlops, value: trimmedNumber))
        }
        if let cycles = compute.vectorAddLatencyCycles { lines.append("  vector_add_latency: \(trimmedNumber(cycles))") }
        return lines
    }

    /// The `memory:` list, innermost level first, one flow-style line per level.
    private func memoryYAML() -> [String] {
        ["memory:"] + memory.map { "  - " + memoryLevelYAML($0) }
    }

    private func latencyYAML() -> String {
        let singleLaunch = singleUnitLaunchLatency.map { ", single_unit_launch: \(yamlQuantity($0, .seconds))" } ?? ""
        return
            "latency: {launch: \(yamlQuantity(launchLatency, .seconds)), dispatch: \(yamlQuantity(dispatchLatency, .seconds))\(singleLaunch)}"
    }

    /// `scale_up:` (with its domain) and `scale_out:`, each on one line when present.
    private func linksYAML() -> [String] {
        var lines: [String] = []
        if let l = scaleUp {
            lines.append(
                "scale_up: {name: \(yamlQuoted(l.name)), bandwidth: \(yamlQuantity(l.bandwidth, .bytesPerSecond)), latency: \(yamlQuantity(l.latency, .seconds)), domain: \(l.domainSize ?? 1)"
                    + collectiveYAML(l.collective) + "}")
        }
        if let l = scaleOut {
            lines.append(
                "scale_out: {name: \(yamlQuoted(l.name)), bandwidth: \(yamlQuantity(l.bandwidth, .bytesPerSecond)), latency: \(yamlQuantity(l.latency, .seconds))"
                    + collectiveYAML(l.collective) + "}")
        }
        return lines
    }

    /// The `calibration:` block: fixed costs first, then the fractions by kernel class (and by dtype).
    private func calibrationYAML(_ c: Calibration) -> [String] {
        var lines = ["calibration:", "  source: \(yamlQuoted(c.source))"]
        if let launch = c.launchLatency { lines.append("  launch: \(yamlQuantity(launch, .seconds))") }
        if let leak = c.overlapLeak { lines.append("  overlap_leak: \(trimmedNumber(leak))") }
        if let floor = c.dispatchLatency { lines.append("  dispatch: \(yamlQuantity(floor, .seconds))") }
        if let factor = c.deviceMemoryFactor { lines.append("  device_memory: \(trimmedNumber(factor))") }
        for (key, map) in [("compute", c.compute), ("memory", c.memory)] where !map.isEmpty {
            lines.append("  \(key): " + yamlFlowMap(map, value: trimmedNumber))
        }
        if !c.computeByDType.isEmpty {
            lines.append("  compute_by_dtype: " + yamlFlowMap(c.computeByDType) { yamlFlowMap($0, value: trimmedNumber) })
        }
        return lines
    }
}

/// One memory level as a flow mapping; the optional fields follow the required ones when set.
private func memoryLevelYAML(_ level: MemoryLevel) -> String {
    let single = level.singleUnitBandwidth.map { ", single_unit_bandwidth: \(yamlQuantity($0, .bytesPerSecond))" } ?? ""
    let store =
        (level.storeCost.map { ", store_cost: \(formatSignificant($0, digits: 4))" } ?? "")
        + (level.singleUnitStoreCost.map { ", single_unit_store_cost: \(formatSignificant($0, digits: 4))" } ?? "")
        + (level.associativity.map { ", associativity: \($0)" } ?? "")
        + (level.nominalCapacityBytes.map { ", nominal_capacity: \(yamlQuantity($0, .bytes))" } ?? "")
        + (level.latencySeconds.map { ", latency: \(yamlQuantity($0, .seconds))" } ?? "")
    return
        "{level: \(level.name), capacity: \(yamlQuantity(level.capacityBytes, .bytes)), shared_by: \(level.sharedByUnits), bandwidth: \(yamlQuantity(level.bandwidth, .bytesPerSecond))\(single)\(store)}"
}

/// `, collective: {...}` for a link's collective block (flow style, on the link's line), or "".
private func collectiveYAML(_ c: CollectiveParameters?) -> String {
    guard let c else { return "" }
    var fields: [String] = []
    if !c.source.isEmpty { fields.append("source: \(yamlQuoted(c.source))") }
    if c.baseLatency > 0 { fields.append("base_latency: \(yamlQuantity(c.baseLatency, .seconds))") }
    if c.lowLatencyFraction < 1 { fields.append("low_latency_fraction: \(trimmedNumber(c.lowLatencyFraction))") }
    if c.pipelineFill > 0 { fields.append("pipeline_fill: \(yamlQuantity(c.pipelineFill, .bytes))") }
    if let e = c.efficiency { fields.append("efficiency: \(trimmedNumber(e))") }
    if !c.busBandwidth.isEmpty {
        fields.append("bus_bandwidth: " + yamlFlowMap(c.busBandwidth, key: { "\($0)" }) { yamlQuantity($0, .bytesPerSecond) })
    }
    return ", collective: {" + fields.joined(separator: ", ") + "}"
}

/// A double-quoted YAML string: backslash and quote escaped, line breaks and tabs written as escapes
/// (a literal line break inside quotes would fold into a space on reading).
private func yamlQuoted(_ s: String) -> String {
    let escaped = s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        .replacingOccurrences(of: "\r", with: "\\r").replacingOccurrences(of: "\n", with: "\\n")
        .replacingOccurrences(of: "\t", with: "\\t")
    return "\"" + escaped + "\""
}

/// `{key: value, ...}` on one line, keys in their order, so the same profile always writes the same text.
private func yamlFlowMap<Key: Comparable, Value>(_ map: [Key: Value], key: (Key) -> String, value: (Value) -> String) -> String {
    "{" + map.sorted { $0.key < $1.key }.map { "\(key($0.key)): \(value($0.value))" }.joined(separator: ", ") + "}"
}

/// `yamlFlowMap` for the enums the schema keys maps by (dtype, kernel class, special function).
private func yamlFlowMap<Key: Comparable & RawRepresentable, Value>(_ map: [Key: Value], value: (Value) -> String) -> String
where Key.RawValue == String {
    yamlFlowMap(map, key: \.rawValue, value: value)
}

/// A map by dtype: quantities in `dimension`'s units, or plain numbers when it is nil.
private func yamlDTypeMap(_ map: [DType: Double], _ dimension: Dimension?) -> String {
    yamlFlowMap(map) { value in dimension.map { yamlQuantity(value, $0) } ?? trimmedNumber(value) }
}

/// A quantity with seven significant digits, so a written profile reads back to the same numbers.
func yamlQuantity(_ value: Double, _ dimension: Dimension) -> String {
    let (scale, unit) = Quantity.displayUnit(value, dimension)
    return "\(trimmedNumber(value / scale)) \(unit)"
}

/// Seven significant digits without trailing zeros: "989.4", "1830", "0.0125".
func trimmedNumber(_ value: Double) -> String {
    var text = formatSignificant(value, digits: 7)
    if text.contains(".") {
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
    }
    return text
}
