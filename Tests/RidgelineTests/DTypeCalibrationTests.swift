import Foundation
import Testing

@testable import Ridgeline

/// A matrix class's compute fraction per dtype (`Calibration.computeByDType`): fitted apart where a
/// dtype has enough samples, the class's fraction otherwise.
@Suite struct DTypeCalibrationTests {
    /// Measurements made on a profile whose fp8 GEMMs reach 0.62 of the fp8 peak while the bf16
    /// ones reach 0.76 of theirs (the H100 reference's ratio, about 0.8).
    static func samples(fp8Sizes: [Int]) throws -> (profile: HardwareProfile, samples: [CalibrationSample]) {
        let profile = try loadShippedProfile("h100-sxm5-80gb")
        var truth = profile
        truth.calibration = Calibration(
            compute: [.gemm: 0.76, .elementwise: 1], memory: [.gemm: 0.8, .elementwise: 0.85], launchLatency: 4e-6,
            source: "truth", computeByDType: [.gemm: [.fp8: 0.62]])
        let engine = Roofline(truth)
        var kernels = [2048, 3000, 4096, 6144, 8192].map { Kernel.gemm(GEMM(m: $0, n: $0, k: $0, dtype: .bf16)) }
        // GEMVs, bound by bandwidth, pin the memory fraction (the output store is part of every GEMM).
        kernels += [1, 8, 32].map { Kernel.gemm(GEMM(m: $0, n: 28672, k: 8192, dtype: .bf16)) }
        kernels += fp8Sizes.map { Kernel.gemm(GEMM(m: $0, n: $0, k: $0, dtype: .fp8)) }
        kernels += (20...26).map { Kernel.elementwise(Elementwise(name: "add", elements: 1 << $0, inputs: 2, dtype: .fp32)) }
        return (profile, kernels.map { CalibrationSample(kernel: $0, seconds: engine.predict($0).timeSeconds) })
    }

    @Test func fp8RowsAtALowerShareGetTheirOwnLowerFraction() throws {
        let (profile, samples) = try Self.samples(fp8Sizes: [4096, 8192, 16384])
        let fitted = CalibrationFit.fit(samples: samples, profile: profile, source: "synthetic")
        let fp8 = try #require(fitted.computeByDType[.gemm]?[.fp8])
        let bf16 = try #require(fitted.computeByDType[.gemm]?[.bf16])
        #expect(abs(fp8 / 0.62 - 1) < 0.03 && abs(bf16 / 0.76 - 1) < 0.03)
        #expect(abs(try #require(fitted.memory[.gemm]) / 0.8 - 1) < 0.03)
        var calibrated = profile
        calibrated.calibration = fitted
        for s in samples where s.kernels[0].dtype == .fp8 {
            let predicted = Roofline(calibrated).predict(s.kernels[0]).timeSeconds
            #expect(absolutePercentageError(predicted: predicted, measured: s.seconds) < 0.03)
        }
    }

    @Test func aDTypeWithTooFewSamplesTakesTheClassFraction() throws {
        #expect(CalibrationFit.minimumDTypeSamples == 2)
        let (profile, samples) = try Self.samples(fp8Sizes: [8192])
        let fitted = CalibrationFit.fit(samples: samples, profile: profile, source: "synthetic")
        #expect(fitted.computeByDType[.gemm]?[.fp8] == nil)
        #expect(fitted.computeByDType[.gemm]?[.bf16] != nil)
        #expect(fitted.computeFraction(.gemm, .fp8) == fitted.compute[.gemm])
        // The engine reads the class's fraction for it: an fp8 GEMM's time at the class fraction.
        var calibrated = profile
        calibrated.calibration = fitted
        var classOnly = calibrated
        classOnly.calibration?.computeByDType = [:]
        let k = Kernel.gemm(GEMM(m: 8192, n: 8192, k: 8192, dtype: .fp8))
        #expect(Roofline(calibrated).predict(k).timeSeconds == Roofline(classOnly).predict(k).timeSeconds)
    }

    /// A class with one dtype keeps one fraction: its own fit already is that dtype's.
    @Test func aClassOfOneDTypeIsNotSplit() throws {
        let (profile, samples) = try Self.samples(fp8Sizes: [])
        let fitted = CalibrationFit.fit(samples: samples, profile: profile, source: "synthetic")
        #expect(fitted.computeByDType.isEmpty)
        #expect(abs(try #require(fitted.compute[.gemm]) / 0.76 - 1) < 0.03)
    }
}
