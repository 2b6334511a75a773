import Foundation
import Ridgeline
import Testing

@testable import RidgelineReport

@Suite struct DeviceSheetTests {
    @Test func ridgePointIsPeakOverDeviceMemoryBandwidth() throws {
        let h100 = try Fixtures.h100()
        #expect(abs(DeviceSheet.ridgePoint(h100, .bf16) - 989.4e12 / 3.35e12) < 1e-9)
        // The test CPU has no bf16: the ridge point uses the fp32 peak it falls back to.
        #expect(abs(DeviceSheet.ridgePoint(Fixtures.cpu, .bf16) - 768e9 / 50e9) < 1e-9)
    }

    @Test func equalPeaksShareOneCeilingAndEveryMemoryLevelHasOne() throws {
        let ceilings = DeviceSheet.ceilings(try Fixtures.h100(), dtypes: [.bf16, .fp16, .fp32], group: 0)
        let compute = ceilings.filter { if case .compute = $0.kind { return true } else { return false } }
        #expect(compute.map(\.label) == ["bf16/fp16 989 TFLOP/s", "fp32 66.9 TFLOP/s"])
        let memory = ceilings.filter { if case .memory = $0.kind { return true } else { return false } }
        #expect(memory.map(\.label) == ["l1 33.4 TB/s", "l2 7.30 TB/s", "hbm 3.35 TB/s"])
        #expect(Set(ceilings.map(\.style.color)).count == ceilings.count, "each ceiling drawn in its own style")
    }

    @Test func devicesTableCarriesTheCeilingsSideBySide() throws {
        let table = DeviceSheet.table([Fixtures.cpu, try Fixtures.h100()])
        let keys = table.columns.map(\.key)
        for key in ["units", "clock_hz", "peak_bf16_flops_per_s", "memory_bandwidth_bytes_per_s", "ridge_bf16_flop_per_byte"] {
            #expect(keys.contains(key))
        }
        let units = try #require(keys.firstIndex(of: "units"))
        #expect(table.rows[0][units] == .number(8) && table.rows[1][units] == .number(132))
    }
}
