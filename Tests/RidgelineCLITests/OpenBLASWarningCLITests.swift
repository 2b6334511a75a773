import Foundation
import Testing

/// `measure --engine openblas` says so when OpenBLAS runs kernels older than the CPU: forced here
/// with OPENBLAS_CORETYPE=Prescott, which is what a CPU newer than the build gets.
@Suite("OpenBLAS kernel choice (CLI)")
struct OpenBLASWarningCLITests {
    @Test func genericKernelsOnAVXHardwareAreWarnedAbout() throws {
        let flags = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let wide = flags.contains(" avx512f") || (flags.contains(" avx2") && flags.contains(" fma"))
        let suite = NSTemporaryDirectory() + "ridgeline-openblas-\(ProcessInfo.processInfo.processIdentifier).jsonl"
        try #"{"op":"gemm","m":64,"n":64,"k":64,"dtype":"fp32"}"#.write(toFile: suite, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: suite) }
        let result = try ridgeline(
            ["measure", "--engine", "openblas", "--suite", suite, "--time-cap", "0.05", "--threads", "1"],
            environment: ["OPENBLAS_CORETYPE": "Prescott"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Prescott"), "the record's engine_version names the kernel family")
        #expect(result.stderr.contains("OpenBLAS chose its Prescott kernels") == wide, "\(result.stderr)")
    }
}
