import Testing

@testable import Ridgeline

/// fp8 GEMMs that accumulate fast (`GEMM.fastAccumulation`) against those that promote their
/// partial sums to FP32, as PyTorch's `_scaled_mm` does by default.
@Suite struct FastAccumulationTests {
    /// On a profile whose fp8 GEMM share was fitted on promoting GEMMs, a fast one takes the bf16
    /// share: a compute-bound GEMM runs faster by the ratio of the two shares.
    @Test func aFastFP8GEMMRunsAtTheSixteenBitShare() throws {
        let profile = try loadShippedProfile("h100-sxm5-80gb")
        let calibration = try #require(profile.calibration)
        let fp8 = try #require(calibration.computeByDType[.gemm]?[.fp8])
        let bf16 = try #require(calibration.computeFraction(.gemm, .bf16))
        #expect(fp8 < bf16, "the shipped H100 fit gives promoting fp8 GEMMs the smaller share")
        let engine = Roofline(profile)
        let promoting = engine.predict(.gemm(GEMM(m: 8192, n: 8192, k: 8192, dtype: .fp8)))
        let fast = engine.predict(.gemm(GEMM(m: 8192, n: 8192, k: 8192, dtype: .fp8, fastAccumulation: true)))
        #expect(promoting.bound == .compute(.fp8) && fast.bound == .compute(.fp8))
        // The fit groups samples by the same rule the engine prices by.
        #expect(Kernel.gemm(GEMM(m: 64, n: 64, k: 64, dtype: .fp8, fastAccumulation: true)).computeShareDType == .bf16)
        #expect(Kernel.gemm(GEMM(m: 64, n: 64, k: 64, dtype: .fp8)).computeShareDType == .fp8)
        let speedup = promoting.timeSeconds / fast.timeSeconds
        #expect(abs(speedup / (bf16 / fp8) - 1) < 0.02, "\(speedup) against \(bf16 / fp8)")
    }

    /// The spec field reads, writes back only when set, and is refused on a dtype without the mode.
    @Test func theSpecFieldRoundTripsAndIsRefusedOffFP8() throws {
        let fast = try Kernel.parse(json: #"{"op":"gemm","m":64,"n":128,"k":256,"dtype":"fp8","fast_accum":true}"#, source: "test")
        guard case .gemm(let g) = fast else { Issue.record("not a GEMM: \(fast)"); return }
        #expect(g.fastAccumulation && g.dtype == .fp8)
        #expect(fast.json.contains(#""fast_accum":true"#), "\(fast.json)")
        #expect(try Kernel.parse(json: fast.json, source: "round trip") == fast)
        #expect(fast.label.hasSuffix("fp8 fast-accum"))
        let promoting = try Kernel.parse(json: #"{"op":"gemm","m":64,"n":128,"k":256,"dtype":"fp8"}"#, source: "test")
        #expect(!promoting.json.contains("fast_accum"), "a spec without the field writes back as it was: \(promoting.json)")
        do {
            _ = try Kernel.parse(json: #"{"op":"gemm","m":64,"n":128,"k":256,"dtype":"bf16","fast_accum":true}"#, source: "specs.jsonl:3")
            Issue.record("fast_accum on a bf16 GEMM was accepted")
        } catch {
            #expect("\(error)".contains("fast_accum") && "\(error)".contains("bf16") && "\(error)".contains("specs.jsonl:3"), "\(error)")
        }
    }
}
