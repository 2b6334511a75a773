import Foundation
import Ridgeline
import RidgelineProbe
import RidgelineTestSupport
import Testing

@testable import RidgelineEngines

@Suite("Harness suites and records")
struct HarnessSuiteTests {
    static let store = shippedProfiles

    @Test("the default suite has at least 60 kernels across classes, sizes and bounds")
    func defaultSuite() throws {
        let (_, kernels) = try Suite.load("default", store: Self.store)
        #expect(kernels.count >= 60)
        let classes = Set(kernels.map(\.kernelClass))
        #expect(classes.isSuperset(of: [.gemm, .conv, .elementwise, .copy, .reduction, .softmax, .norm]))
        #expect(kernels.contains { $0.bytes > 64e6 }, "DRAM-sized kernels")
        #expect(kernels.contains { $0.bytes < 256e3 }, "cache-resident kernels")
        #expect(kernels.contains { $0.flops / $0.bytes > 50 }, "compute-bound kernels")
        #expect(try Suite.load("short", store: Self.store).kernels.count >= 8)
    }

    @Test("the GPU suite covers every kernel class at sizes above an H100's eager dispatch floor")
    func gpuSuite() throws {
        let (_, kernels) = try Suite.load("gpu", store: Self.store)
        #expect(kernels.count >= 40)
        #expect(Set(kernels.map(\.kernelClass)) == Set(KernelClass.allCases))
        let h100 = try HardwareProfile.load(path: Self.store.hardwareDirectory + "/h100-sxm5-80gb.yaml")
        let floor = h100.dispatchLatency
        let short = kernels.filter { Roofline(h100).predict($0).timeSeconds < floor }
        #expect(short.isEmpty, "\(short.map(\.label))")
        // fp8 GEMMs in pairs, promoting and fast-accumulating, so a lent GPU checks the share a fast one takes.
        let fp8 = kernels.compactMap { kernel -> GEMM? in
            guard case .gemm(let g) = kernel, g.dtype == .fp8 else { return nil }
            return g
        }
        let promoting = Set(fp8.filter { !$0.fastAccumulation }.map { [$0.m, $0.n, $0.k] })
        #expect(promoting.count >= 2 && promoting == Set(fp8.filter { $0.fastAccumulation }.map { [$0.m, $0.n, $0.k] }))
    }

    /// The deep-k suite: bf16 GEMMs of at most two waves of 128 × 128 tiles over an H100's SMs
    /// with a deep k (where the roofline may split k), the reference's six such rows among them.
    /// Each is deep enough that one 128 × 128 tile computed over the whole k on one SM at its
    /// share of the peak outlasts the eager floor: whether the library splits k then shows in the
    /// measured time even where the split kernel itself would hide under the floor.
    @Test("the deep-k GEMM suite holds few-tile, deep-k bf16 GEMMs above the eager floor")
    func deepKSuite() throws {
        let (_, kernels) = try Suite.load("gemm-deepk", store: Self.store)
        let h100 = try HardwareProfile.load(path: Self.store.hardwareDirectory + "/h100-sxm5-80gb.yaml")
        var shapes: [[Int]] = []
        for kernel in kernels {
            guard case .gemm(let g) = kernel else {
                Issue.record("not a GEMM: \(kernel.label)")
                continue
            }
            #expect(g.dtype == .bf16 && g.batch == 1 && g.k >= 1024, "\(kernel.label)")
            #expect((g.m + 127) / 128 * ((g.n + 127) / 128) <= 2 * h100.compute.units, "\(kernel.label)")
            let unsplitTile = 2 * 128 * 128 * Double(g.k) / (h100.compute.peak[.bf16]! / Double(h100.compute.units))
            #expect(unsplitTile > h100.dispatchLatency, "\(kernel.label)")
            shapes.append([g.m, g.n, g.k])
        }
        #expect(Set(shapes).count == shapes.count, "each shape once")
        let referenceRows = [
            [224, 2072, 12264], [1568, 576, 14360], [1544, 1176, 8200], [3656, 312, 14680], [496, 1480, 12632], [2720, 88, 9384],
        ]
        for row in referenceRows {
            #expect(shapes.contains(row), "\(row)")
        }
    }

    @Test("a malformed suite line is an error naming the line; an unknown suite names the known ones")
    func malformed() throws {
        let path = NSTemporaryDirectory() + "suite-\(getpid()).jsonl"
        try "{\"op\":\"copy\",\"elements\":8,\"dtype\":\"fp32\"}\n\n{\"op\":\"copy\",\"elements\":-8,\"dtype\":\"fp32\"}\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect { try Suite.load(path, store: Self.store) } throws: { "\($0)".contains("\(path):3") && "\($0)".contains("elements") }
        #expect { try Suite.load("nonesuch", store: Self.store) } throws: { "\($0)".contains("default") }
    }

    /// A real record: a small copy timed with oneDNN on one thread, without counters.
    static func measuredCopy() throws -> MeasurementRecord {
        var options = HarnessOptions()
        options.timeCapSeconds = 0.1
        var harness = Harness(options: options)
        return try harness.measure(.copy(Copy(elements: 4096, dtype: .fp32)), on: try OneDNNEngine(threads: 1), threads: 1)
    }

    @Test("records written by the harness read back equal, through the record writer")
    func roundTrip() throws {
        let record = try Self.measuredCopy()
        #expect(record.counterSource == "none" && record.countersUnavailable["*"] != nil)
        let path = NSTemporaryDirectory() + "records-\(getpid()).jsonl"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let writer = try RecordWriter(path: path)
        try writer.append(record)
        try writer.append(record)
        let loaded = try MeasurementRecord.load(path: path)
        #expect(loaded.count == 2)
        #expect(loaded[0].kernel == record.kernel && loaded[0].medianSeconds == record.medianSeconds)
        #expect(loaded[0].host == record.host && loaded[0].engineVersion == record.engineVersion)
        #expect(loaded[0].samples == record.samples && loaded[0].cache == "warm")
    }

    @Test("appending after a cut-off last line starts a new line and says so; both records read back")
    func appendAfterCutOffLine() throws {
        let record = try Self.measuredCopy()
        let path = NSTemporaryDirectory() + "records-cut-\(getpid()).jsonl"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try (record.jsonLine + "\n" + String(record.jsonLine.prefix(40))).write(toFile: path, atomically: true, encoding: .utf8)
        let writer = try RecordWriter(path: path)
        #expect(writer.startedAfterCutOffLine)
        try writer.append(record)
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 4 && lines[3].isEmpty)
        #expect(lines[2] == Substring(record.jsonLine))
        #expect(try !RecordWriter(path: path).startedAfterCutOffLine)
    }

    @Test("cold-cache mode flushes a buffer larger than the last-level cache")
    func coldCache() throws {
        let flusher = CacheFlusher()
        #expect(flusher.bytes >= (HostFingerprint.lastLevelCacheBytes() ?? 0))
        flusher.flush()
        #expect(flusher.checksum != 0)
    }
}
