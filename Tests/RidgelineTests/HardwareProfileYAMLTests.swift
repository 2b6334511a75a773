import Foundation
import Testing

@testable import Ridgeline

/// Writing a profile and reading it back, and the loader's answer to every kind of bad field.
@Suite("Hardware profile YAML")
struct HardwareProfileYAMLTests {
    /// A small valid profile: 100 units × 1 GHz × 2000 FLOP/clk = 200 TFLOP/s, matching its bf16 peak.
    static let valid = """
        id: test-gpu
        name: Test GPU
        kind: gpu
        vendor: Test
        origin: datasheet
        compute:
          units: 100
          clock: 1000 MHz
          peak: {fp32: 20 TFLOP/s, bf16: 200 TFLOP/s}
          flops_per_clock_per_unit: {bf16: 2000}
        memory:
          - {level: l2, capacity: 40 MiB, bandwidth: 5 TB/s}
          - {level: hbm, capacity: 80 GB, bandwidth: 2 TB/s}
        latency: {launch: 3 us, dispatch: 12 us}
        power: 400 W
        sources: ["test"]
        """

    /// `valid` with one exact piece of text replaced (the replaced text must exist).
    static func variant(_ old: String, _ new: String) -> String {
        precondition(valid.contains(old), "test fixture lacks '\(old)'")
        return valid.replacingOccurrences(of: old, with: new)
    }

    static func parse(_ text: String) throws -> HardwareProfile {
        try HardwareProfile.parse(yaml: text, file: "test.yaml")
    }

    @Test func validFixtureParses() throws {
        let p = try Self.parse(Self.valid)
        #expect(p.compute.units == 100 && close(p.compute.clockHz, 1e9))
        #expect(close(p.compute.peak[.bf16] ?? 0, 200e12) && close(p.compute.peak[.fp32] ?? 0, 20e12))
        #expect(p.memory.map(\.name) == ["l2", "hbm"])
        #expect(p.memory[0].capacityBytes == 40 * 1_048_576 && p.memory[0].sharedByUnits == 100)
        #expect(close(p.deviceMemory.capacityBytes, 80e9) && close(p.deviceMemory.bandwidth, 2e12))
        #expect(close(p.launchLatency, 3e-6) && close(p.dispatchLatency, 12e-6) && p.powerWatts == 400)
        #expect(p.scaleUp == nil && p.pricePerHourUSD == nil && p.architecture == "")
    }

    // MARK: Round trip

    static func expectSame(_ a: HardwareProfile, _ b: HardwareProfile, sourceLocation: SourceLocation = #_sourceLocation) {
        func same(_ x: Double, _ y: Double, _ what: String) {
            #expect(close(x, y), "\(a.id) \(what): \(x) vs \(y)", sourceLocation: sourceLocation)
        }
        func sameMap(_ x: [DType: Double], _ y: [DType: Double], _ what: String) {
            #expect(Set(x.keys) == Set(y.keys), "\(a.id) \(what) dtypes", sourceLocation: sourceLocation)
            for (key, value) in x { same(value, y[key] ?? .nan, "\(what).\(key)") }
        }
        #expect(a.id == b.id && a.name == b.name && a.kind == b.kind && a.vendor == b.vendor, sourceLocation: sourceLocation)
        #expect(a.architecture == b.architecture && a.origin == b.origin && a.fingerprint == b.fingerprint, sourceLocation: sourceLocation)
        #expect(a.sources == b.sources, sourceLocation: sourceLocation)
        #expect(a.compute.units == b.compute.units && a.compute.unitName == b.compute.unitName, sourceLocation: sourceLocation)
        #expect(a.compute.gemmTiles == b.compute.gemmTiles && a.compute.simdBits == b.compute.simdBits, sourceLocation: sourceLocation)
        #expect(a.compute.groupedGEMMTileRows == b.compute.groupedGEMMTileRows, sourceLocation: sourceLocation)
        #expect(a.compute.threadsPerUnit == b.compute.threadsPerUnit, sourceLocation: sourceLocation)
        same(a.compute.clockHz, b.compute.clockHz, "clock")
        sameMap(a.compute.peak, b.compute.peak, "peak")
        sameMap(a.compute.vectorPeak, b.compute.vectorPeak, "vector_peak")
        sameMap(a.compute.flopsPerClockPerUnit, b.compute.flopsPerClockPerUnit, "flops_per_clock_per_unit")
        #expect(a.memory.count == b.memory.count, sourceLocation: sourceLocation)
        for (x, y) in zip(a.memory, b.memory) {
            #expect(x.name == y.name && x.sharedByUnits == y.sharedByUnits, sourceLocation: sourceLocation)
            #expect(x.associativity == y.associativity, "\(x.name).associativity", sourceLocation: sourceLocation)
            #expect(
                (x.nominalCapacityBytes == nil) == (y.nominalCapacityBytes == nil), "\(x.name).nominal_capacity",
                sourceLocation: sourceLocation)
            same(x.nominalCapacityBytes ?? 0, y.nominalCapacityBytes ?? 0, "\(x.name).nominal_capacity")
            #expect((x.latencySeconds == nil) == (y.latencySeconds == nil), "\(x.name).latency", sourceLocation: sourceLocation)
            if let lx = x.latencySeconds, let ly = y.latencySeconds { same(lx, ly, "\(x.name).latency") }
            same(x.capacityBytes, y.capacityBytes, "\(x.name).capacity")
            same(x.bandwidth, y.bandwidth, "\(x.name).bandwidth")
        }
        same(a.launchLatency, b.launchLatency, "launch")
        same(a.dispatchLatency, b.dispatchLatency, "dispatch")
        same(a.powerWatts, b.powerWatts, "power")
        #expect(a.pricePerHourUSD == b.pricePerHourUSD, sourceLocation: sourceLocation)
        for (x, y) in [(a.scaleUp, b.scaleUp), (a.scaleOut, b.scaleOut)] {
            #expect((x == nil) == (y == nil), sourceLocation: sourceLocation)
            if let x, let y {
                #expect(x.name == y.name && x.domainSize == y.domainSize, sourceLocation: sourceLocation)
                same(x.bandwidth, y.bandwidth, "\(x.name).bandwidth")
                same(x.latency, y.latency, "\(x.name).latency")
            }
        }
        #expect((a.calibration == nil) == (b.calibration == nil), sourceLocation: sourceLocation)
        if let x = a.calibration, let y = b.calibration {
            #expect(x.source == y.source && x.compute == y.compute && x.memory == y.memory, sourceLocation: sourceLocation)
            #expect(x.computeByDType == y.computeByDType, sourceLocation: sourceLocation)
            #expect(
                x.launchLatency.map { l in close(l, y.launchLatency ?? .nan) } ?? (y.launchLatency == nil), sourceLocation: sourceLocation)
        }
    }

    @Test(arguments: shippedHardwareIds)
    func shippedProfileRoundTrips(id: String) throws {
        let original = try HardwareProfile.load(path: "\(shippedHardwareDirectory)/\(id).yaml")
        let text = original.yaml()
        let reread = try HardwareProfile.parse(yaml: text, file: "\(id) (written)")
        Self.expectSame(original, reread)
        // Writing again gives the same text: the format is a fixed point.
        #expect(reread.yaml() == text)
    }

    /// A profile that sets every optional field the schema has, with quotes, a backslash and a tab in its strings.
    static let everyField = #"""
        id: full-gpu
        name: "Full \"quoted\" GPU: a \\ b, {c}\tand a tab"
        kind: gpu
        vendor: Test
        architecture: "Arch \"X\""
        origin: calibrated
        calibrated_from: datasheet
        fingerprint: "amd-zen4-2c"
        compute:
          units: 100
          unit_name: SM
          clock: 1000 MHz
          peak: {fp32: 20 TFLOP/s, bf16: 200 TFLOP/s, fp8: 400 TFLOP/s}
          vector_peak: {fp32: 10 TFLOP/s, fp64: 5 TFLOP/s}
          flops_per_clock_per_unit: {bf16: 2000, fp8: 4000}
          gemm_tiles: ["128x256", "64x64"]
          grouped_gemm_tile_rows: 128
          simd_bits: 512
          threads_per_unit: 2
          single_unit_peak: {fp32: 0.2 TFLOP/s, bf16: 2.1234567891 TFLOP/s}
          special_function_flops: {tanh: 12.5, exp: 4, erf: 20}
          vector_add_latency: 3.25
        memory:
          - {level: l1, capacity: 192 KiB, shared_by: 1, bandwidth: 19.5 TB/s, single_unit_bandwidth: 195 GB/s, store_cost: 1.234567, single_unit_store_cost: 0.5, associativity: 12, nominal_capacity: 256 KiB, latency: 3.75 ns}
          - {level: l2, capacity: 40 MiB, shared_by: 50, bandwidth: 5 TB/s, latency: 200 ns}
          - {level: hbm, capacity: 80 GB, bandwidth: 2.039123456 TB/s}
        latency: {launch: 3 us, dispatch: 12 us, single_unit_launch: 1.5 us}
        scale_up:
          name: "NVLink \"4\""
          bandwidth: 450 GB/s
          latency: 3.289 us
          domain: 8
          collective:
            source: "fitted \"here\" a\\b"
            base_latency: 31.74 us
            low_latency_fraction: 0.927
            pipeline_fill: 20.58 MiB
            efficiency: 0.778
            bus_bandwidth: {2: 201.3 GB/s, 8: 233.4 GB/s, 4: 225.9 GB/s}
        scale_out: {name: IB, bandwidth: 25 GB/s, latency: 5 us, collective: {efficiency: 0.5, bus_bandwidth: {16: 20 GB/s}}}
        power: 700 W
        price_per_hour_usd: 2.5
        calibration:
          source: "by hand \"x\""
          compute: {gemm: 0.73, conv: 0.73, attention: 0.70}
          compute_by_dtype: {gemm: {bf16: 0.77, fp8: 0.655}, attention: {fp8: 0.5}}
          memory: {copy: 0.9, elementwise: 0.85}
          launch: 0 s
          overlap_leak: 0.3
          dispatch: 2.5 us
          device_memory: 1.1
        sources: ["test", "second \"source\""]
        """#

    /// The exact text the writer gives for `everyField`: the section order, the number format and the
    /// key order of every map are part of the format (it was captured from the writer before it was
    /// split into one function per section, via `calibrate-network` and `check-reference -o`).
    @Test func everyOptionalFieldIsWrittenInTheFixedFormat() throws {
        let expected = #"""
            id: full-gpu
            name: "Full \"quoted\" GPU: a \\ b, {c}\tand a tab"
            kind: gpu
            vendor: "Test"
            architecture: "Arch \"X\""
            origin: calibrated
            calibrated_from: datasheet
            fingerprint: "amd-zen4-2c"
            compute:
              units: 100
              unit_name: "SM"
              clock: 1 GHz
              peak: {fp32: 20 TFLOP/s, bf16: 200 TFLOP/s, fp8: 400 TFLOP/s}
              vector_peak: {fp64: 5 TFLOP/s, fp32: 10 TFLOP/s}
              flops_per_clock_per_unit: {bf16: 2000, fp8: 4000}
              gemm_tiles: ["128x256", "64x64"]
              grouped_gemm_tile_rows: 128
              simd_bits: 512
              threads_per_unit: 2
              single_unit_peak: {fp32: 200 GFLOP/s, bf16: 2.123457 TFLOP/s}
              special_function_flops: {exp: 4, tanh: 12.5, erf: 20}
              vector_add_latency: 3.25
            memory:
              - {level: l1, capacity: 192 KiB, shared_by: 1, bandwidth: 19.5 TB/s, single_unit_bandwidth: 195 GB/s, store_cost: 1.235, single_unit_store_cost: 0.5000, associativity: 12, nominal_capacity: 256 KiB, latency: 3.75 ns}
              - {level: l2, capacity: 40 MiB, shared_by: 50, bandwidth: 5 TB/s, latency: 200 ns}
              - {level: hbm, capacity: 74.50581 GiB, shared_by: 100, bandwidth: 2.039123 TB/s}
            latency: {launch: 3 us, dispatch: 12 us, single_unit_launch: 1.5 us}
            scale_up: {name: "NVLink \"4\"", bandwidth: 450 GB/s, latency: 3.289 us, domain: 8, collective: {source: "fitted \"here\" a\\b", base_latency: 31.74 us, low_latency_fraction: 0.927, pipeline_fill: 20.58 MiB, efficiency: 0.778, bus_bandwidth: {2: 201.3 GB/s, 4: 225.9 GB/s, 8: 233.4 GB/s}}}
            scale_out: {name: "IB", bandwidth: 25 GB/s, latency: 5 us, collective: {efficiency: 0.5, bus_bandwidth: {16: 20 GB/s}}}
            power: 700 W
            price_per_hour_usd: 2.5
            calibration:
              source: "by hand \"x\""
              launch: 0 ns
              overlap_leak: 0.3
              dispatch: 2.5 us
              device_memory: 1.1
              compute: {gemm: 0.73, conv: 0.73, attention: 0.7}
              memory: {elementwise: 0.85, copy: 0.9}
              compute_by_dtype: {gemm: {bf16: 0.77, fp8: 0.655}, attention: {fp8: 0.5}}
            sources:
              - "test"
              - "second \"source\""

            """#
        let written = try Self.parse(Self.everyField).yaml()
        #expect(written == expected)
        #expect(try Self.parse(written).yaml() == written)
    }

    @Test func calibratedProfileWithAwkwardStringsRoundTrips() throws {
        var p = try Self.parse(Self.valid)
        p.name = #"Test "quoted" GPU: a \ b, {c}"# + "\nsecond line\tand a tab"
        p.fingerprint = "amd-zen4-2c"
        p.pricePerHourUSD = 1.23
        p.scaleUp = Link(name: "Fabric (7 links, fully connected)", bandwidth: 448e9, latency: 3e-6, domainSize: 8)
        p.scaleOut = Link(
            name: "NDR", bandwidth: 50e9, latency: 5e-6, domainSize: nil,
            collective: CollectiveParameters(efficiency: 0.5, source: "nccl-tests\nlog\twith \"quotes\""))
        p.calibration = Calibration(
            compute: [.gemm: 0.8, .attention: 0.55], memory: [.copy: 0.9],
            launchLatency: 4.5e-6, overlapLeak: 0.3, dispatchLatency: 2.5e-6, source: "measured: runs/1.jsonl",
            computeByDType: [.gemm: [.bf16: 0.77, .fp8: 0.655], .attention: [.fp8: 0.5]])
        p.memory[0].sharedByUnits = 25
        p.memory[0].associativity = 12
        p.memory[0].nominalCapacityBytes = 32 * 1024 * 1024
        p.memory[0].latencySeconds = 3.75e-9
        p.compute.vectorAddLatencyCycles = 3.25
        let reread = try HardwareProfile.parse(yaml: p.yaml(), file: "written.yaml")
        Self.expectSame(p, reread)
        #expect(reread.calibration?.compute[.gemm] == 0.8)
        #expect(reread.calibration?.computeByDType[.gemm]?[.fp8] == 0.655)
        #expect(reread.yaml().contains("compute_by_dtype: {gemm: {bf16: 0.77, fp8: 0.655}, attention: {fp8: 0.5}}"))
        #expect(reread.calibration?.overlapLeak == 0.3 && abs((reread.calibration?.dispatchLatency ?? 0) / 2.5e-6 - 1) < 1e-9)
        #expect(reread.memory[0].sharedByUnits == 25 && reread.memory[0].associativity == 12 && reread.memory[1].associativity == nil)
        #expect(reread.compute.vectorAddLatencyCycles == 3.25)
        // A collective block's source keeps its line break and tab too (it used to be written raw).
        #expect(reread.scaleOut?.collective?.source == "nccl-tests\nlog\twith \"quotes\"")
        #expect(p.yaml().contains("latency: 3.75 ns}") && reread.memory[1].latencySeconds == nil)
    }

    // MARK: Bad input

    @Test func missingFieldIsNamed() {
        let message = ridgelineErrorMessage { try Self.parse(Self.variant("power: 400 W\n", "")) }
        #expect(message == "test.yaml: missing required field 'power'")
        let nested = ridgelineErrorMessage { try Self.parse(Self.variant("  clock: 1000 MHz\n", "")) }
        #expect(nested == "test.yaml: missing required field 'compute.clock'")
        let memory = ridgelineErrorMessage {
            try Self.parse(
                Self.variant(
                    """
                    memory:
                      - {level: l2, capacity: 40 MiB, bandwidth: 5 TB/s}
                      - {level: hbm, capacity: 80 GB, bandwidth: 2 TB/s}

                    """, ""))
        }
        #expect(memory == "test.yaml: missing required field 'memory'")
    }

    @Test func negativeBandwidthIsRejected() {
        let message = ridgelineErrorMessage { try Self.parse(Self.variant("bandwidth: 2 TB/s", "bandwidth: -2 TB/s")) }
        #expect(message.contains("test.yaml"))
        #expect(message.contains("'memory[1].bandwidth'"))
        #expect(message.contains("'-2 TB/s'"))
        #expect(message.contains("positive"))
    }

    @Test func sizeWrittenAsBandwidthIsRejected() {
        let message = ridgelineErrorMessage { try Self.parse(Self.variant("bandwidth: 2 TB/s", "bandwidth: 80 GB")) }
        #expect(message == "test.yaml: field 'memory[1].bandwidth' has value '80 GB': expected \(Dimension.bytesPerSecond.rawValue)")
        // And the other way round: a bandwidth where a capacity belongs.
        let capacity = ridgelineErrorMessage { try Self.parse(Self.variant("capacity: 80 GB", "capacity: 3 TB/s")) }
        #expect(capacity.contains("'memory[1].capacity'") && capacity.contains("'3 TB/s'") && capacity.contains("a size"))
        let bare = ridgelineErrorMessage { try Self.parse(Self.variant("capacity: 80 GB", "capacity: 80")) }
        #expect(bare.contains("'memory[1].capacity'") && bare.contains("a number and a unit"))
    }

    @Test func unknownDTypeInPeakIsNamed() {
        let message = ridgelineErrorMessage {
            try Self.parse(Self.variant("peak: {fp32: 20 TFLOP/s,", "peak: {int4: 800 TFLOP/s, fp32: 20 TFLOP/s,"))
        }
        #expect(message.contains("'compute.peak.int4'") && message.contains("'int4'"))
        #expect(message.contains("fp64, fp32, tf32, bf16, fp16, fp8, int8, fp4"))
    }

    @Test func unknownKeysAreRejected() {
        let top = ridgelineErrorMessage { try Self.parse(Self.variant("vendor: Test", "vendr: Test")) }
        #expect(top.contains("field 'vendr'") && top.contains("a known field"))
        let nested = ridgelineErrorMessage {
            try Self.parse(Self.variant("{level: l2, capacity: 40 MiB, bandwidth:", "{level: l2, capacity: 40 MiB, bandwith:"))
        }
        #expect(nested.contains("'memory[0].bandwith'"))
        let compute = ridgelineErrorMessage { try Self.parse(Self.variant("  units: 100", "  unit: 100")) }
        #expect(compute.contains("'compute.unit'"))
    }

    @Test func inconsistentPerUnitRateNamesBothNumbers() {
        // 100 × 1 GHz × 1800 = 180 TFLOP/s against a stated 200: 10% apart.
        let message = ridgelineErrorMessage {
            try Self.parse(Self.variant("flops_per_clock_per_unit: {bf16: 2000}", "flops_per_clock_per_unit: {bf16: 1800}"))
        }
        #expect(message.contains("'compute.peak.bf16'"))
        #expect(message.contains("180.0 TFLOP/s"), "the derived rate")
        #expect(message.contains("200.0 TFLOP/s"), "the stated peak")
        // 1950 is 2.5% off: inside the tolerance.
        #expect(throws: Never.self) {
            try Self.parse(Self.variant("flops_per_clock_per_unit: {bf16: 2000}", "flops_per_clock_per_unit: {bf16: 1950}"))
        }
        // A rate for a dtype without a peak cannot be checked, so it is an error too.
        let orphan = ridgelineErrorMessage {
            try Self.parse(Self.variant("flops_per_clock_per_unit: {bf16: 2000}", "flops_per_clock_per_unit: {bf16: 2000, fp8: 4000}"))
        }
        #expect(orphan.contains("'compute.flops_per_clock_per_unit.fp8'"))
    }

    @Test func memoryLevelsOutOfOrderAreRejected() {
        // HBM listed before L2: the engine would take HBM for the inner cache.
        let message = ridgelineErrorMessage {
            try Self.parse(
                Self.variant(
                    """
                      - {level: l2, capacity: 40 MiB, bandwidth: 5 TB/s}
                      - {level: hbm, capacity: 80 GB, bandwidth: 2 TB/s}
                    """,
                    """
                      - {level: hbm, capacity: 80 GB, bandwidth: 2 TB/s}
                      - {level: l2, capacity: 40 MiB, bandwidth: 5 TB/s}
                    """))
        }
        #expect(message.contains("'memory[1].capacity'"), "names the out-of-order level")
        #expect(message.contains("l2") && message.contains("40.00 MiB") && message.contains("hbm") && message.contains("74.51 GiB"))
        #expect(message.contains("innermost"))
    }

    @Test func otherBadValuesAreNamed() {
        let kind = ridgelineErrorMessage { try Self.parse(Self.variant("kind: gpu", "kind: tpu")) }
        #expect(kind.contains("'kind'") && kind.contains("'tpu'") && kind.contains("gpu, cpu"))
        let id = ridgelineErrorMessage { try Self.parse(Self.variant("id: test-gpu", "id: Test GPU")) }
        #expect(id.contains("'id'") && id.contains("'Test GPU'"))
        let units = ridgelineErrorMessage { try Self.parse(Self.variant("units: 100", "units: 1.5")) }
        #expect(units.contains("'compute.units'") && units.contains("'1.5'") && units.contains("whole number"))
        let shared = ridgelineErrorMessage {
            try Self.parse(Self.variant("{level: l2, capacity: 40 MiB,", "{level: l2, shared_by: 101, capacity: 40 MiB,"))
        }
        #expect(shared.contains("'memory[0].shared_by'") && shared.contains("'101'"))
        let ways = ridgelineErrorMessage {
            try Self.parse(Self.variant("{level: l2, capacity: 40 MiB,", "{level: l2, associativity: 0, capacity: 40 MiB,"))
        }
        #expect(ways.contains("'memory[0].associativity'") && ways.contains("'0'"))
        let nominal = ridgelineErrorMessage {
            try Self.parse(Self.variant("{level: l2, capacity: 40 MiB,", "{level: l2, nominal_capacity: -3 MiB, capacity: 40 MiB,"))
        }
        #expect(nominal.contains("'memory[0].nominal_capacity'") && nominal.contains("-3"), "\(nominal)")
        let levelLatency = ridgelineErrorMessage {
            try Self.parse(Self.variant("{level: l2, capacity: 40 MiB,", "{level: l2, latency: 20 us, capacity: 40 MiB,"))
        }
        #expect(
            levelLatency.contains("test.yaml") && levelLatency.contains("'memory[0].latency'") && levelLatency.contains("load-to-use"),
            "\(levelLatency)")
        let latencyUnit = ridgelineErrorMessage {
            try Self.parse(Self.variant("{level: l2, capacity: 40 MiB,", "{level: l2, latency: 4 GB/s, capacity: 40 MiB,"))
        }
        #expect(latencyUnit.contains("'memory[0].latency'") && latencyUnit.contains("4 GB/s"), "\(latencyUnit)")
        let sources = ridgelineErrorMessage { try Self.parse(Self.variant("sources: [\"test\"]", "sources: []")) }
        #expect(sources == "test.yaml: missing required field 'sources'")
        let tile = ridgelineErrorMessage {
            try Self.parse(Self.variant("  units: 100", "  units: 100\n  gemm_tiles: [\"128x\"]"))
        }
        #expect(tile.contains("'compute.gemm_tiles[0]'") && tile.contains("'128x'"))
        // A number that must be positive says so in words, not as a range of Double's extremes.
        let price = ridgelineErrorMessage { try Self.parse(Self.valid + "\nprice_per_hour_usd: -1") }
        #expect(price == "test.yaml: field 'price_per_hour_usd' has value '-1': expected a positive number")
        let rate = ridgelineErrorMessage {
            try Self.parse(Self.variant("flops_per_clock_per_unit: {bf16: 2000}", "flops_per_clock_per_unit: {bf16: 0}"))
        }
        #expect(rate == "test.yaml: field 'compute.flops_per_clock_per_unit.bf16' has value '0': expected a positive number")
        let fraction = ridgelineErrorMessage { try Self.parse(Self.valid + "\ncalibration: {compute: {gemm: 2}}") }
        #expect(fraction.contains("'calibration.compute.gemm'") && fraction.contains("'2'") && fraction.contains("0.001...1.5"))
        let calibration = ridgelineErrorMessage {
            try Self.parse(Self.valid + "\ncalibration: {compute: {gemm: 0.8, matmul: 0.7}}")
        }
        #expect(calibration.contains("'calibration.compute.matmul'"))
        let byDType = ridgelineErrorMessage { try Self.parse(Self.valid + "\ncalibration: {compute_by_dtype: {gemm: {fp9: 0.7}}}") }
        #expect(byDType.contains("'calibration.compute_by_dtype.gemm.fp9'") && byDType.contains("fp8"))
        let byDTypeFraction = ridgelineErrorMessage { try Self.parse(Self.valid + "\ncalibration: {compute_by_dtype: {gemm: {fp8: 0}}}") }
        #expect(byDTypeFraction.contains("'calibration.compute_by_dtype.gemm.fp8'") && byDTypeFraction.contains("0.001...1.5"))
        let byDTypeClass = ridgelineErrorMessage { try Self.parse(Self.valid + "\ncalibration: {compute_by_dtype: {matmul: {fp8: 0.7}}}") }
        #expect(byDTypeClass.contains("'calibration.compute_by_dtype.matmul'"))
        let latency = ridgelineErrorMessage {
            try Self.parse(Self.variant("  units: 100", "  units: 100\n  vector_add_latency: 0"))
        }
        #expect(latency.contains("'compute.vector_add_latency'") && latency.contains("'0'"))
        #expect(ridgelineErrorMessage { try Self.parse("just text") }.contains("expected a mapping"))
        #expect(ridgelineErrorMessage { try HardwareProfile.load(path: "/nonexistent/x.yaml") } == "/nonexistent/x.yaml: no such file")
    }
}
