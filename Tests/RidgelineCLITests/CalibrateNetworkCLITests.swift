import Foundation
import Testing

/// `ridgeline calibrate-network` as a user runs it: nccl-tests output in, a fitted profile copy out.
@Suite struct CalibrateNetworkCLITests {
    static let fixtures = "Tests/RidgelineTrainingTests/Fixtures/nccl-tests"

    @Test func writesALoadableCopyAndPrintsHeldOutError() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("ridgeline-net-\(getpid()).yaml").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        let r = try ridgeline([
            "calibrate-network", "--nccl-tests", "\(Self.fixtures)/all_gather_perf-8gpu.txt",
            "\(Self.fixtures)/reduce_scatter_perf_mpi-2nodes.txt", "--hardware", "a100-sxm4-80gb", "-o", out, "--json",
        ])
        #expect(r.status == 0, "\(r.stderr)")
        let o = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect((o["held_out"] as? Int ?? 0) > 0 && o["held_out_median_ape"] is Double)
        #expect(o["scale_up_hop_latency_s"] is Double && o["scale_out_hop_latency_s"] is Double)
        let show = try ridgeline(["show", out])
        #expect(show.status == 0 && show.stdout.contains("origin: calibrated"), "\(show.stderr)")
        let train = try ridgeline(["train", "--model", "gpt2-124m", "--hardware", out, "--gpus", "16", "--tp", "2", "--json"])
        #expect(train.status == 0, "\(train.stderr)")
    }

    @Test func refusesTheShippedProfileDirectoryAndNamesABadLine() throws {
        let shipped = try ridgeline([
            "calibrate-network", "--nccl-tests", "\(Self.fixtures)/all_gather_perf-8gpu.txt",
            "--hardware", "a100-sxm4-80gb", "-o", "profiles/hardware/mine.yaml",
        ])
        #expect(shipped.status != 0 && shipped.stderr.contains("never edits a shipped profile"))
        let bad = FileManager.default.temporaryDirectory.appendingPathComponent("all_reduce_perf-bad-\(getpid()).txt").path
        defer { try? FileManager.default.removeItem(atPath: bad) }
        try """
        #  Rank  0 Group  0 Pid 1 on h device  0 [0x07] GPU
        #  Rank  1 Group  0 Pid 1 on h device  1 [0x08] GPU
        #       size         count      type   redop    root     time   algbw   busbw #wrong     time   algbw   busbw #wrong
             1048576        262144     float     sum      -1    44.21   23.72   23.72      0    45.10   23.25   23.25      0
             2097152        524288     float     sum      -1    -3.00   23.72   23.72      0    45.10   23.25   23.25      0
        """.write(toFile: bad, atomically: true, encoding: .utf8)
        let r = try ridgeline(["calibrate-network", "--nccl-tests", bad, "--hardware", "a100-sxm4-80gb", "-o", "/tmp/ridgeline-never.yaml"])
        #expect(r.status != 0 && r.stderr.contains("\(bad):5") && r.stderr.contains("-3.00"), "\(r.stderr)")
    }
}
