import Foundation
import Ridgeline
import Testing

@testable import RidgelineTraining

/// The nccl-tests reader on the layouts nccl-tests prints, and `calibrate-network`'s fit on the
/// shipped all-reduce tables written out in that layout.
@Suite struct NCCLTestsTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/nccl-tests").path

    static func fixture(_ name: String) throws -> [CollectiveSample] { try NCCLTestsOutput.load(path: "\(fixtures)/\(name)") }

    @Test func readsOutOfPlaceAndInPlaceColumnsOfASingleNodeRun() throws {
        let s = try Self.fixture("all_gather_perf-8gpu.txt")
        #expect(s.count == 14)
        #expect(s.allSatisfy { $0.collective == .allGather && $0.ranks == 8 && $0.ranksPerNode == 8 })
        #expect(s[0].bytes == 1_048_576 && abs(s[0].seconds - 36.02e-6) < 1e-12 && abs(s[1].seconds - 34.61e-6) < 1e-12)
        #expect(s[0].sizeIndex == 0 && s[1].sizeIndex == 0 && s[2].sizeIndex == 1)
        #expect(s[0].origin.hasSuffix("all_gather_perf-8gpu.txt:18"))
    }

    @Test func readsAnMPIRunOverTwoHostsSkippingNCCLLogLines() throws {
        let s = try Self.fixture("reduce_scatter_perf_mpi-2nodes.txt")
        // No "Collective test starting" line: the collective comes from the file name.
        #expect(s.count == 12)
        #expect(s.allSatisfy { $0.collective == .reduceScatter && $0.ranks == 16 && $0.ranksPerNode == 8 && $0.group.spansNodes })
        #expect(abs(s.last!.seconds - 3903.7e-6) < 1e-12)
    }

    @Test func readsTheOldLayoutWithoutRootColumnOrGroup() throws {
        let s = try Self.fixture("all_reduce_perf-old-layout.txt")
        #expect(s.count == 10 && s.allSatisfy { $0.ranks == 4 && $0.collective == .allReduce })
        #expect(abs(s[2].seconds - 95.12e-6) < 1e-12)
    }

    @Test func readsSendRecvOnTwoGPUs() throws {
        let s = try Self.fixture("sendrecv_perf-2gpu.txt")
        #expect(s.count == 6 && s.allSatisfy { $0.collective == .sendRecv && $0.ranks == 2 })
    }

    @Test func allToAllReadsWhenTheModelHasIt() throws {
        if Collective.allCases.contains(where: { $0.rawValue.replacingOccurrences(of: "_", with: "") == "alltoall" }) {
            #expect(try Self.fixture("alltoall_perf-8gpu.txt").count == 6)
        } else {
            #expect(throws: RidgelineError.self) { try Self.fixture("alltoall_perf-8gpu.txt") }
        }
    }

    @Test func readsSeveralRunsOneAfterAnotherInOneFile() throws {
        let a = try String(contentsOfFile: "\(Self.fixtures)/all_gather_perf-8gpu.txt", encoding: .utf8)
        let b = try String(contentsOfFile: "\(Self.fixtures)/sendrecv_perf-2gpu.txt", encoding: .utf8)
        let s = try NCCLTestsOutput.parse(a + b, file: "both.log")
        #expect(s.count == 14 + 6)
        #expect(s.filter { $0.collective == .allGather }.allSatisfy { $0.ranks == 8 })
        #expect(s.filter { $0.collective == .sendRecv }.allSatisfy { $0.ranks == 2 && $0.sizeIndex < 3 })
    }

    @Test func badInputNamesFileAndLine() throws {
        let text = """
            # Collective test starting: all_reduce_perf
            #  Rank  0 Group  0 Pid 1 on h device  0 [0x07] GPU
            #  Rank  1 Group  0 Pid 1 on h device  1 [0x08] GPU
            #       size         count      type   redop    root     time   algbw   busbw #wrong     time   algbw   busbw #wrong
                 1048576        262144     float     sum      -1    44.21   23.72   23.72      0    oops   23.25   23.25      0
            """
        do {
            _ = try NCCLTestsOutput.parse(text, file: "bad.txt")
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("bad.txt:5") && "\(error)".contains("oops"), "\(error)")
        }
        do {
            _ = try NCCLTestsOutput.parse("# Collective test starting: all_reduce_perf\nhello world\n", file: "junk.txt")
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("junk.txt:2"), "\(error)")
        }
        #expect(throws: RidgelineError.self) { try NCCLTestsOutput.parse("# nothing here\n", file: "empty.txt") }
        let oneRank = """
            # Collective test starting: all_reduce_perf
            #  Rank  0 Group  0 Pid 1 on h device  0 [0x07] GPU
            #       size         count      type   redop    root     time   algbw   busbw #wrong     time   algbw   busbw #wrong
                 1048576        262144     float     sum      -1     9.21  113.85    0.00      0     0.31  3382.4    0.00      0
            """
        do {
            _ = try NCCLTestsOutput.parse(oneRank, file: "one.txt")
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("one rank"), "\(error)")
        }
    }

    /// The shipped tables in nccl-tests' text layout (as all_reduce_perf prints, src/util.cu).
    static func writeFixture(gpu: String, ranks: Int, into directory: String) throws -> String {
        let csv = try CSVTable.load(path: try DataRoot.locate().reference("collectives/allreduce-\(gpu)-\(ranks)gpu.csv"))
        var lines = [
            "# nccl-tests version 2.13.8 nccl-headers=21903 nccl-library=21903",
            "# nThread 1 nGpus \(ranks) minBytes 1048576 maxBytes 1073741824 step: 1048576(bytes) warmup iters: 5 iters: 20 agg iters: 1 validation: 1 graph: 0",
            "#", "# Using devices",
        ]
        for r in 0..<ranks {
            lines.append("#  Rank \(r) Group  0 Pid   4242 on   dgx-node device  \(r) [0000:07:00] NVIDIA \(gpu.uppercased())")
        }
        lines += [
            "#", "#                                                              out-of-place                       in-place",
            "#       size         count      type   redop    root     time   algbw   busbw #wrong     time   algbw   busbw #wrong",
            "#        (B)    (elements)                               (us)  (GB/s)  (GB/s)            (us)  (GB/s)  (GB/s)",
        ]
        for row in csv.rows {
            let us1 = Double(row[3])! / 1e3, us2 = Double(row[5])! / 1e3, size = Double(row[0])!
            lines.append(
                String(
                    format: "%12@  %12@  %8@  %6@  %6d  %7.2f  %6.2f  %6@  %6d  %7.2f  %6.2f  %6@  %6d",
                    row[0], row[1], row[2], "sum", -1, us1, size / us1 / 1e3, row[4], 0, us2, size / us2 / 1e3, row[6], 0))
        }
        lines += ["# Out of bounds values : 0 OK", "# Avg bus bandwidth    : 0", "#"]
        let path = "\(directory)/all_reduce_perf-\(gpu)-\(ranks)gpu.txt"
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func calibrateNetworkFitsTheShippedTablesInNCCLTestsLayout() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "ridgeline-nccl-\(ProcessInfo.processInfo.processIdentifier)"
        ).path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let files = try [2, 4, 8].map { try Self.writeFixture(gpu: "a100", ranks: $0, into: directory) }
        let samples = try files.flatMap { try NCCLTestsOutput.load(path: $0) }
        #expect(samples.count == 3 * 2048)
        // The text layout carries the same timings as the table (to its 10 ns print resolution).
        let table = try NCCLTestsOutput.loadReferenceTable(path: try DataRoot.locate().reference("collectives/allreduce-a100-8gpu.csv"))
        let parsed = samples.filter { $0.ranks == 8 }
        #expect(zip(parsed, table).allSatisfy { abs($0.seconds - $1.seconds) < 1e-8 && $0.bytes == $1.bytes })

        let (fitSet, heldOut) = NetworkFit.split(samples)
        var profile = try Fixtures.hardware("a100-sxm4-80gb")
        profile.scaleUp?.collective = nil
        let result = try NetworkFit.fit(fitSet, profile: profile, source: "test")
        profile.scaleUp = result.scaleUp
        let judged = NetworkFit.judge(heldOut, network: Network(profile: profile, assumptions: TrainingAssumptions()))
        #expect(judged.medianAPE < 0.10)
        #expect(judged.groups.count == 3)
        #expect(result.scaleUp?.collective?.busBandwidth.keys.sorted() == [2, 4, 8])
    }
}

/// `calibrate-network --json` is one record (`CalibrateNetworkRecord`): it reads back as written.
@Suite struct CalibrateNetworkRecordTests {
    @Test func theRecordOfAFitReadsBackAsWritten() throws {
        let samples = try ["all_gather_perf-8gpu.txt", "reduce_scatter_perf_mpi-2nodes.txt"].flatMap {
            try NCCLTestsTests.fixture($0)
        }
        let (fitSet, heldOut) = NetworkFit.split(samples)
        let profile = try Fixtures.hardware("a100-sxm4-80gb")
        let result = try NetworkFit.fit(fitSet, profile: profile, source: "test")
        var fitted = profile
        fitted.scaleUp = result.scaleUp; fitted.scaleOut = result.scaleOut
        let assumptions = TrainingAssumptions()
        let record = CalibrateNetworkRecord(
            hardware: profile.id, output: "/tmp/fitted.yaml", fitted: fitSet.count, heldOut: heldOut.count,
            scaleUpHopLatencyS: fitted.scaleUp?.latency, scaleOutHopLatencyS: fitted.scaleOut?.latency,
            before: NetworkFit.judge(heldOut, network: Network(profile: profile, assumptions: assumptions)),
            after: NetworkFit.judge(heldOut, network: Network(profile: fitted, assumptions: assumptions)))
        #expect(record.groups.count >= 2 && record.scaleOutHopLatencyS != nil)
        let text = try RecordCoding.json(record)
        #expect(try RecordCoding.decode(CalibrateNetworkRecord.self, from: text, file: "net.json") == record)
        for key in ["held_out", "scale_up_hop_latency_s", "scale_out_hop_latency_s", "held_out_p90_ape", "before_median_ape", "p90_ape"] {
            #expect(text.contains("\"\(key)\""), "\(key)")
        }
    }
}
