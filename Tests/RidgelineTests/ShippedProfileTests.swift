import Foundation
import Testing

@testable import Ridgeline

/// The profiles in `profiles/hardware/` are data other commands trust blindly: each must load,
/// pass its own consistency check, carry its file's id and describe a plausible hierarchy.
@Suite("Shipped hardware profiles")
struct ShippedProfileTests {
    @Test func contractIdsAllShip() {
        #expect(!shippedHardwareIds.isEmpty, "no profiles found in \(shippedHardwareDirectory)")
        for id in contractHardwareIds {
            #expect(shippedHardwareIds.contains(id), "DESIGN.md promises hardware id '\(id)'")
        }
    }

    @Test func storeListsTheShippedIds() throws {
        let store = ProfileStore(root: URL(fileURLWithPath: shippedHardwareDirectory).deletingLastPathComponent().path)
        #expect(try store.hardwareIds() == shippedHardwareIds)
        let message = ridgelineErrorMessage { try store.hardware("h100-sxm9") }
        #expect(message.contains("unknown hardware profile 'h100-sxm9'"))
        #expect(message.contains("a100-sxm4-40gb"), "the error lists the known ids")
    }

    @Test(arguments: shippedHardwareIds)
    func loadsAndIsConsistent(id: String) throws {
        let path = "\(shippedHardwareDirectory)/\(id).yaml"
        let p = try HardwareProfile.load(path: path)
        #expect(p.id == id, "id field must match the file name")
        try p.checkConsistency(file: path)
        #expect(!p.sources.isEmpty, "every shipped profile cites its sources")
        #expect(p.compute.peak[.fp32] != nil, "fp32 rate present")

        // Each per-unit rate reproduces its peak (the loader's 5% check, restated here so a
        // loosened loader cannot let a wrong profile through).
        for (dtype, perClock) in p.compute.flopsPerClockPerUnit {
            let derived = Double(p.compute.units) * p.compute.clockHz * perClock
            let stated = try #require(p.compute.peak[dtype])
            #expect(abs(derived / stated - 1) <= 0.05, "\(id) \(dtype): \(derived) vs \(stated)")
        }
        // Vector (non-tensor) rates never exceed the matrix peak of the same dtype.
        for (dtype, rate) in p.compute.vectorPeak {
            if let matrix = p.compute.peak[dtype] { #expect(rate <= matrix * 1.0001, "\(id) \(dtype)") }
        }

        // The hierarchy: one instance of each level holds more, and no level is faster, going outwards.
        // (Summed over instances an inner level may hold more: 56 × 2 MiB of L2 on a Xeon 8480+ is
        // more than its 105 MB L3, and 80 × 128 KiB of L1 on a V100 more than its 6 MiB L2.)
        for (inner, outer) in zip(p.memory, p.memory.dropFirst()) {
            #expect(inner.capacityBytes < outer.capacityBytes, "\(id): \(inner.name) holds less than \(outer.name)")
            #expect(inner.bandwidth >= outer.bandwidth, "\(id): \(inner.name) is at least as fast as \(outer.name)")
        }
        #expect(p.deviceMemory.sharedByUnits == p.compute.units, "device memory is shared by every unit")

        switch p.kind {
        case .gpu:
            #expect(close(p.launchLatency, 3e-6) && close(p.dispatchLatency, 12e-6))
            #expect(p.scaleOut != nil, "\(id): GPUs name their scale-out network")
            #expect(!p.compute.gemmTiles.isEmpty)
            #expect(p.pricePerHourUSD != nil)
        case .cpu:
            #expect(close(p.launchLatency, 2e-6) && close(p.dispatchLatency, 5e-6))
            #expect(p.compute.simdBits != nil, "\(id): CPUs give their SIMD width")
            #expect(p.compute.flopsPerClockPerUnit[.fp32] != nil, "\(id): CPUs give FLOP/cycle/core")
            for level in p.memory where level.name == "l1" || level.name == "l2" {
                #expect(level.sharedByUnits == 1, "\(id): \(level.name) is per core")
            }
        }
    }

    /// Spot checks against the reference CSVs, so a slipped digit in a profile shows up here.
    @Test func figuresMatchTheReferenceTables() throws {
        func near(_ x: Double?, _ y: Double) -> Bool { x.map { close($0, y) } ?? false }
        func load(_ id: String) throws -> HardwareProfile {
            try HardwareProfile.load(path: "\(shippedHardwareDirectory)/\(id).yaml")
        }
        let a100 = try load("a100-sxm4-80gb")
        #expect(a100.compute.units == 108 && near(a100.compute.peak[.bf16], 312e12) && near(a100.deviceMemory.bandwidth, 2.039e12))
        // NVLink 3: 600 GB/s bidirectional = 300 per direction; one HDR 200G NIC per GPU.
        #expect(near(a100.scaleUp?.bandwidth, 300e9) && near(a100.scaleOut?.bandwidth, 25e9))
        let h100 = try load("h100-sxm5-80gb")
        #expect(near(h100.scaleUp?.bandwidth, 450e9) && h100.scaleUp?.domainSize == 8 && near(h100.scaleOut?.bandwidth, 50e9))
        let h200 = try load("h200-sxm-141gb")
        #expect(near(h200.deviceMemory.capacityBytes, 141e9) && h200.memory[1].capacityBytes == 60 * 1_048_576)
        #expect(h200.compute.peak == h100.compute.peak, "same GH100 compute")
        let b200 = try load("b200")
        #expect(near(b200.scaleUp?.bandwidth, 900e9) && near(b200.compute.peak[.fp8], 4500e12))
        let mi300x = try load("mi300x")
        #expect(
            mi300x.compute.units == 304 && near(mi300x.compute.peak[.bf16], 1307.4e12) && near(mi300x.deviceMemory.capacityBytes, 192e9))
        let l4 = try load("l4")
        #expect(l4.scaleUp?.name.hasPrefix("PCIe") == true && near(l4.scaleUp?.bandwidth, 32e9) && l4.powerWatts == 72, "L4 has no NVLink")
        let v100 = try load("v100-sxm2-32gb")
        #expect(v100.compute.peak[.bf16] == nil && v100.matrixPeak(.bf16).dtype == .fp16)
        let epyc = try load("epyc-9654")
        #expect(epyc.compute.units == 96 && near(epyc.compute.clockHz, 3.55e9) && near(epyc.deviceMemory.bandwidth, 460.8e9))
        #expect(epyc.memory[2].sharedByUnits == 8, "L3 is per 8-core CCD")
        let xeon = try load("xeon-8480")
        #expect(xeon.compute.flopsPerClockPerUnit[.bf16] == 1024 && xeon.memory[1].capacityBytes == 2 * 1_048_576)
        let host = try load("host")
        #expect(host.origin == .static && host.compute.units == 2 && host.compute.threadsPerUnit == 1)
    }
}
