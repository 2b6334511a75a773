import Foundation
import Testing

@testable import Ridgeline

@Suite struct CalibrationTests {
    @Test func percentileInterpolatesBetweenOrderStatistics() {
        #expect(percentile([3, 1, 2], 0.5) == 2)
        #expect(percentile([1, 2, 3, 4], 0.5) == 2.5)
        #expect(abs(percentile(Array(stride(from: 1.0, through: 11, by: 1)), 0.9) - 10) < 1e-12)
        #expect(percentile([], 0.5).isNaN)
        let s = ErrorSummary(pairs: [(110, 100), (90, 100), (150, 100)])
        #expect(abs(s.medianAPE - 0.1) < 1e-12 && abs(s.maxAPE - 0.5) < 1e-12)
    }

    /// Synthetic measurements made from known fractions are fitted back to those fractions.
    @Test func fitRecoversKnownFractions() throws {
        let profile = try loadShippedProfile("h100-sxm5-80gb")
        var truth = profile
        truth.calibration = Calibration(
            compute: [.gemm: 0.7, .elementwise: 1], memory: [.gemm: 0.8, .elementwise: 0.85],
            launchLatency: 4e-6, source: "truth")
        let engine = Roofline(truth)
        var samples: [CalibrationSample] = []
        for size in [1024, 2048, 3000, 4096, 8192] {
            let k = Kernel.gemm(GEMM(m: size, n: size, k: size, dtype: .bf16))
            samples.append(CalibrationSample(kernel: k, seconds: engine.predict(k).timeSeconds))
        }
        for shift in 20...27 {
            let k = Kernel.elementwise(Elementwise(name: "add", elements: 1 << shift, inputs: 2, dtype: .fp32))
            samples.append(CalibrationSample(kernel: k, seconds: engine.predict(k).timeSeconds))
        }
        let fitted = CalibrationFit.fit(samples: samples, profile: profile, source: "synthetic")
        #expect(abs(try #require(fitted.compute[.gemm]) / 0.7 - 1) < 0.03)
        #expect(abs(try #require(fitted.memory[.elementwise]) / 0.85 - 1) < 0.03)
        var calibrated = profile
        calibrated.calibration = fitted
        for s in samples {
            let predicted = Roofline(calibrated).predict(s.kernels[0]).timeSeconds
            #expect(absolutePercentageError(predicted: predicted, measured: s.seconds) < 0.03)
        }
    }

    /// The cap follows where the ceilings came from, not the word `calibrated`: re-fitting a
    /// calibrated copy of a datasheet profile used to allow fractions up to 1.5.
    @Test func refitOfACalibratedDatasheetProfileKeepsTheCapOfOne() throws {
        var profile = try loadShippedProfile("h100-sxm5-80gb")
        profile.markCalibrated()
        let reread = try HardwareProfile.parse(yaml: profile.yaml(), file: "calibrated.yaml")
        #expect(reread.origin == .calibrated && reread.calibratedFrom == .datasheet)
        #expect(CalibrationFit.maximumFraction(reread) == 1)
        // GEMMs 30% faster than the datasheet allows: the fit stops at the datasheet.
        var truth = reread
        truth.calibration = Calibration(compute: [.gemm: 1.3], memory: [.gemm: 1], launchLatency: 4e-6, source: "truth")
        let samples = [2048, 4096, 8192].map { size -> CalibrationSample in
            let k = Kernel.gemm(GEMM(m: size, n: size, k: size, dtype: .bf16))
            return CalibrationSample(kernel: k, seconds: Roofline(truth).predict(k).timeSeconds)
        }
        var refit = reread
        refit.calibration = nil
        #expect(try #require(CalibrationFit.fit(samples: samples, profile: refit, source: "synthetic").compute[.gemm]) <= 1)
        // A measured profile keeps its cap through any number of calibrations, and the file says why.
        var host = try loadShippedProfile("host")
        host.origin = .measured
        host.markCalibrated()
        host.markCalibrated()
        #expect(host.calibratedFrom == .measured && CalibrationFit.maximumFraction(host) == CalibrationFit.measuredCeiling)
        #expect(try HardwareProfile.parse(yaml: host.yaml(), file: "host.yaml").calibratedFrom == .measured)
        let stray = host.yaml().replacingOccurrences(of: "origin: calibrated", with: "origin: measured")
        #expect(ridgelineErrorMessage { try HardwareProfile.parse(yaml: stray, file: "stray.yaml") }.contains("calibrated_from"))
    }

    /// Eager timings have a per-op floor (framework dispatch); the fit finds it, and predictions in
    /// eager mode use it instead of the profile's estimate.
    @Test func eagerFitRecoversTheDispatchFloor() throws {
        let profile = try loadShippedProfile("h100-sxm5-80gb")
        var truth = profile
        truth.calibration = Calibration(
            compute: [.elementwise: 1], memory: [.elementwise: 0.85],
            launchLatency: 2e-6, dispatchLatency: 14e-6, source: "truth")
        let engine = Roofline(truth)
        let samples = (12...28).map { shift -> CalibrationSample in
            let k = Kernel.elementwise(Elementwise(name: "add", elements: 1 << shift, inputs: 2, dtype: .fp32))
            return CalibrationSample(kernel: k, seconds: engine.predict(k, mode: .eager).timeSeconds)
        }
        #expect(samples.filter { $0.seconds == 14e-6 }.count >= 5, "the floor must bind on the small ops")
        let fitted = CalibrationFit.fit(samples: samples, profile: profile, source: "synthetic", mode: .eager)
        #expect(abs(try #require(fitted.dispatchLatency) / 14e-6 - 1) < 0.06)
        var calibrated = profile
        calibrated.calibration = fitted
        for s in samples {
            let predicted = Roofline(calibrated).predict(s.kernels[0], mode: .eager).timeSeconds
            #expect(absolutePercentageError(predicted: predicted, measured: s.seconds) < 0.06)
        }
        // Kernel-mode fits have no floor to fit.
        #expect(CalibrationFit.fit(samples: samples, profile: profile, source: "synthetic").dispatchLatency == nil)
    }

    /// On a measured CPU profile a library may reach a different share of DRAM than of the caches
    /// for every class; the fit finds that factor, and leaves it out where the data ask for none.
    @Test func fitRecoversTheDeviceMemoryFactorOnMeasuredCPUs() throws {
        // The shipped 2-core host profile: its caches are small enough that the sizes below
        // cover L1 to DRAM well past the fixed cost.
        var profile = try loadShippedProfile("host")
        profile.origin = .measured
        var truth = profile
        truth.calibration = Calibration(
            compute: [.elementwise: 1, .copy: 1], memory: [.elementwise: 0.9, .copy: 0.7],
            launchLatency: 1e-6, deviceMemoryFactor: 0.8, source: "truth")
        func samples(_ engine: Roofline) -> [CalibrationSample] {
            // From L2-sized up, where bandwidth, not the fixed cost, sets the time.
            (15...28).flatMap { shift -> [CalibrationSample] in
                [
                    Kernel.elementwise(Elementwise(name: "add", elements: 1 << shift, inputs: 2, dtype: .fp32)),
                    Kernel.copy(Copy(elements: 1 << shift, dtype: .fp32)),
                ].map { CalibrationSample(kernel: $0, seconds: engine.predict($0).timeSeconds) }
            }
        }
        let measured = samples(Roofline(truth))
        #expect(measured.contains { Roofline(truth).predict($0.kernels[0]).bound == .memory("dram") })
        let fitted = CalibrationFit.fit(samples: measured, profile: profile, source: "synthetic")
        #expect(abs(try #require(fitted.deviceMemoryFactor) / 0.8 - 1) < 0.06, "\(fitted)")
        var calibrated = profile
        calibrated.calibration = fitted
        for s in measured {
            #expect(
                absolutePercentageError(predicted: Roofline(calibrated).predict(s.kernels[0]).timeSeconds, measured: s.seconds) < 0.05,
                "\(s.kernels[0].label)")
        }
        // Data made without a factor get none; datasheet profiles are never given one.
        truth.calibration?.deviceMemoryFactor = nil
        #expect(CalibrationFit.fit(samples: samples(Roofline(truth)), profile: profile, source: "synthetic").deviceMemoryFactor == nil)
        #expect(
            CalibrationFit.fit(samples: measured, profile: try loadShippedProfile("host"), source: "synthetic").deviceMemoryFactor == nil)
    }

    /// A no-copy GEMM's strided reads of B are a wait no fraction scales: the fit charges them as
    /// the engine does, so fractions fitted on such GEMMs predict them back.
    @Test func fitChargesNoCopyStridedReadsAsTheEngineDoes() throws {
        var profile = try loadShippedProfile("host").restricted(toUnits: 1)
        profile.origin = .measured
        profile.compute.simdBits = 256
        var truth = profile
        truth.calibration = Calibration(compute: [.gemm: 0.9], memory: [.gemm: 0.95], launchLatency: 1e-6, source: "truth")
        let engine = Roofline(truth)
        let shapes = [(8, 8192, 2048), (32, 4096, 4096), (512, 512, 512), (1000, 1000, 1000), (2048, 2048, 2048), (1, 4096, 4096)]
        let samples = shapes.map { m, n, k -> CalibrationSample in
            let kernel = Kernel.gemm(GEMM(m: m, n: n, k: k, dtype: .fp32))
            return CalibrationSample(kernel: kernel, seconds: engine.predict(kernel).timeSeconds)
        }
        #expect(samples.contains { engine.cpuStridedReadSeconds($0.kernels[0]) > 0.3 * $0.seconds })
        var calibrated = profile
        calibrated.calibration = CalibrationFit.fit(samples: samples, profile: profile, source: "synthetic")
        for s in samples {
            let predicted = Roofline(calibrated).predict(s.kernels[0]).timeSeconds
            #expect(absolutePercentageError(predicted: predicted, measured: s.seconds) < 0.04, "\(s.kernels[0].label)")
        }
    }

    /// A GEMM slower than its arithmetic for a reason the model lacks says nothing about bandwidth:
    /// the GEMMs' memory fraction comes from the GEMMs memory-bound at datasheet ceilings or, with
    /// none among the samples, from the streaming classes, so a GEMV the fit never saw is still
    /// predicted at the bandwidth it streams at.
    @Test func aSlowComputeBoundGEMMLeavesTheMemoryFractionAlone() throws {
        var profile = try loadShippedProfile("host").restricted(toUnits: 1)
        profile.origin = .measured
        profile.compute.simdBits = 256
        func gemm(_ m: Int, _ n: Int, _ k: Int) -> Kernel { .gemm(GEMM(m: m, n: n, k: k, dtype: .fp32)) }
        // DRAM set so that the skinny product's B streams in 0.85 of its arithmetic: compute-bound,
        // yet a memory fraction of 0.3 would explain a time 3× the arithmetic.
        let skinny = gemm(8, 8192, 2048)
        let uncalibrated = Roofline(profile).predict(skinny)
        try #require(uncalibrated.bound == .memory("dram") || uncalibrated.bound == .compute(.fp32))
        profile.memory[profile.memory.count - 1].bandwidth *= uncalibrated.memorySeconds / (0.85 * uncalibrated.computeSeconds)
        var truth = profile
        truth.calibration = Calibration(
            compute: [.gemm: 0.9, .elementwise: 1], memory: [.gemm: 0.95, .elementwise: 0.95], launchLatency: 1e-6, source: "truth")
        let engine = Roofline(truth)
        try #require(Roofline(profile).predict(skinny).bound == .compute(.fp32))
        var samples = [gemm(1000, 1000, 1000), gemm(2048, 2048, 2048), gemm(1024, 4096, 1024)].map {
            CalibrationSample(kernel: $0, seconds: engine.predict($0).timeSeconds)
        }
        // Three times its arithmetic, as skinny products with a large B ran on the Zen 3 guest.
        samples.append(CalibrationSample(kernel: skinny, seconds: 3 * engine.predict(skinny).timeSeconds))
        for shift in 22...26 {
            let k = Kernel.elementwise(Elementwise(name: "add", elements: 1 << shift, inputs: 2, dtype: .fp32))
            samples.append(CalibrationSample(kernel: k, seconds: engine.predict(k).timeSeconds))
        }
        let fitted = CalibrationFit.fit(samples: samples, profile: profile, source: "synthetic")
        // What the GEMMs stream DRAM at: their memory fraction times the device memory factor.
        let dram = Calibration.deviceMemoryFraction(try #require(fitted.memory[.gemm]), factor: fitted.deviceMemoryFactor)
        #expect(abs(dram / 0.95 - 1) < 0.05, "\(fitted)")
        var calibrated = profile
        calibrated.calibration = fitted
        let gemv = gemm(1, 4096, 4096)
        #expect(engine.predict(gemv).bound == .memory("dram"))
        let error = absolutePercentageError(
            predicted: Roofline(calibrated).predict(gemv).timeSeconds, measured: engine.predict(gemv).timeSeconds)
        #expect(error < 0.05)
    }

    /// The target: datasheet numbers plus one block fitted on the even rows predict the
    /// odd rows of at least 100 µs with a median error of 15% or less.
    @Test func referenceHeldOutErrorMeetsTarget() throws {
        let path = repositoryRoot + "/reference/gpu-measurements/h100-sxm5-kernels.jsonl"
        let reference = try ReferenceFile.load(path: path)
        #expect(reference.measurements.count >= 200)
        #expect(reference.launchFloorSeconds != nil)
        let check = try ReferenceCheck(reference: reference, profile: try loadShippedProfile("h100-sxm5-80gb"), referencePath: path)
        let all = try #require(ReferenceCheck.summary(check.heldOut).first { $0.group == "all" })
        #expect(all.summary.count > 50)
        #expect(all.summary.medianAPE <= 0.15)
        #expect(check.heldOut.allSatisfy { $0.index % 2 == 1 && $0.measuredS >= 100e-6 })
    }

    @Test func aBoundThatLeavesTooFewRowsIsRefused() throws {
        let path = repositoryRoot + "/reference/gpu-measurements/h100-sxm5-kernels.jsonl"
        let reference = try ReferenceFile.load(path: path)
        #expect(throws: RidgelineError.self) {
            try ReferenceCheck(
                reference: reference, profile: try loadShippedProfile("h100-sxm5-80gb"), referencePath: path, minSeconds: 1000)
        }
    }

    @Test func malformedReferenceLineNamesTheLine() {
        let text = """
            {"section": "gemm", "dtype": "bf16", "m": 256, "n": 256, "k": 256, "ms_median": 0.05, "ms_min": 0.04}
            {"section": "gemm", "dtype": "bf17", "m": 256, "n": 256, "k": 256, "ms_median": 0.05, "ms_min": 0.04}
            """
        #expect(
            throws: RidgelineError.invalidValue(
                file: "ref.jsonl:2", field: "dtype", value: "bf17",
                expected: "one of fp64, fp32, tf32, bf16, fp16, fp8, int8, fp4")
        ) {
            try ReferenceFile.parse(text, file: "ref.jsonl")
        }
    }
}
