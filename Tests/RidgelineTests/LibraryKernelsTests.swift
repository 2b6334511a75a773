import Foundation
import Testing

@testable import Ridgeline

/// A library is modelled at the kernels it chose: OpenBLAS records that name an old core are
/// judged at that core's SIMD width.
@Suite struct LibraryKernelsTests {
    /// A CPU profile: `bits`-bit registers, `perClock` fp32 FLOPs per clock per core.
    func cpu(bits: Int, perClock: Double, fp32: Double) -> HardwareProfile {
        HardwareProfile(
            id: "cpu", name: "cpu", kind: .cpu, vendor: "v", architecture: "a",
            compute: Compute(
                units: 2, unitName: "core", clockHz: 2e9, peak: [.fp32: fp32, .fp64: fp32 / 2],
                flopsPerClockPerUnit: [.fp32: perClock, .fp64: perClock / 2], simdBits: bits, threadsPerUnit: 1),
            memory: [MemoryLevel(name: "dram", capacityBytes: 1e10, sharedByUnits: 2, bandwidth: 1e10)],
            launchLatency: 1e-6, dispatchLatency: 1e-6, scaleUp: nil, scaleOut: nil, powerWatts: 1, pricePerHourUSD: nil,
            calibration: nil, fingerprint: nil, origin: .datasheet, sources: [])
    }

    @Test func recordsNameTheirKernels() {
        let prescott = LibraryKernels.from(
            engine: .openblas, version: "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Prescott MAX_THREADS=64 (core Prescott)")
        #expect(prescott == LibraryKernels(bits: 128, fma: false, name: "OpenBLAS core Prescott"))
        #expect(LibraryKernels.from(engine: .openblas, version: "OpenBLAS 0.3.21 (core Cooperlake)")?.bits == 512)
        #expect(LibraryKernels.from(engine: .openblas, version: "OpenBLAS 0.3.21 Haswell") == nil, "no (core …): nothing claimed")
        #expect(LibraryKernels.from(engine: .openblas, version: "OpenBLAS 0.3.30 (core Zen5)") == nil, "an unknown core claims nothing")
        #expect(LibraryKernels.from(engine: .onednn, version: "oneDNN 2.6.0 (isa avx512_core_bf16, OpenMP) (core Prescott)") == nil)
    }

    /// The Intel guest of issue 14: AVX-512 with two 512-bit FMA pipes (64 fp32 FLOPs per clock).
    @Test func oldKernelsOnAWideCPUGetTheirWidth() {
        let intel = cpu(bits: 512, perClock: 64, fp32: 353e9)
        #expect(intel.fullRateSIMDBits == 512)
        let sse = intel.restricted(toSIMDBits: 128)
        #expect(abs(sse.compute.peak[.fp32]! - 353e9 / 4) < 1)
        #expect(sse.compute.simdBits == 128)
        #expect(intel.restricted(toSIMDBits: 512) == intel)
        // GEMMs are predicted slower at the narrow width.
        let gemm = Kernel.gemm(GEMM(m: 1024, n: 1024, k: 1024, dtype: .fp32))
        #expect(Roofline(sse).predict(gemm).timeSeconds > 3 * Roofline(intel).predict(gemm).timeSeconds)
    }

    /// Zen 4 runs 512-bit instructions as two 256-bit halves (32 fp32 FLOPs per clock): 256-bit
    /// FMA kernels reach its peak, so they cost nothing.
    @Test func halfWidthPipesAreFullRateAtTheirWidth() {
        let zen4 = cpu(bits: 512, perClock: 32, fp32: 166e9)
        #expect(zen4.fullRateSIMDBits == 256)
        #expect(zen4.restricted(toSIMDBits: 256).compute.peak == zen4.compute.peak)
        #expect(abs(zen4.restricted(toSIMDBits: 128).compute.peak[.fp32]! - 83e9) < 1)
    }

    @Test func validationUsesTheChosenKernels() {
        let intel = cpu(bits: 512, perClock: 64, fp32: 353e9)
        func observation(_ version: String) -> Observation {
            var o = Observation(
                kernels: [.gemm(GEMM(m: 64, n: 64, k: 64, dtype: .fp32))], seconds: 1e-4, source: "t", engine: .openblas, threads: 2)
            o.engineVersion = version
            return o
        }
        let judged = Observations.profile(intel, for: [observation("OpenBLAS 0.3.21 (core Prescott)")])
        #expect(judged.compute.simdBits == 128)
        #expect(judged.name.contains("128-bit kernels"))
        let mixed = Observations.profile(
            intel, for: [observation("OpenBLAS 0.3.21 (core Prescott)"), observation("OpenBLAS 0.3.21 (core SkylakeX)")])
        #expect(mixed.compute.simdBits == 512, "records that disagree claim nothing")
    }
}

/// A CPU whose measured bf16 peak is below its fp32 peak (the Intel guest of issue 14): bf16
/// GEMMs run on the bf16 units (oneDNN dispatches by ISA), and MFU is counted against the fp32
/// peak, the most the machine offers a bf16 step.
@Suite struct CPUBF16Tests {
    func profile(kind: HardwareProfile.Kind, bf16: Double, fp32: Double) -> HardwareProfile {
        HardwareProfile(
            id: "p", name: "p", kind: kind, vendor: "v", architecture: "a",
            compute: Compute(
                units: 2, unitName: kind == .cpu ? "core" : "SM", clockHz: 2e9, peak: [.fp32: fp32, .bf16: bf16],
                simdBits: kind == .cpu ? 512 : nil),
            memory: [MemoryLevel(name: "dram", capacityBytes: 1e10, sharedByUnits: 2, bandwidth: 1e10)],
            launchLatency: 1e-6, dispatchLatency: 1e-6, scaleUp: nil, scaleOut: nil, powerWatts: 1, pricePerHourUSD: nil,
            calibration: nil, fingerprint: nil, origin: .datasheet, sources: [])
    }

    @Test func slowBF16UnitsStillRunTheGEMMsButDoNotSetMFU() {
        let cpu = profile(kind: .cpu, bf16: 175e9, fp32: 353e9)
        #expect(cpu.matrixPeak(.bf16).dtype == .bf16)
        #expect(cpu.mfuPeak(.bf16).dtype == .fp32 && cpu.mfuPeak(.bf16).flopsPerSecond == 353e9)
        let fast = profile(kind: .cpu, bf16: 700e9, fp32: 353e9)
        #expect(fast.mfuPeak(.bf16).dtype == .bf16)
        // A GPU's tensor cores set its MFU, as before.
        let gpu = profile(kind: .gpu, bf16: 175e9, fp32: 353e9)
        #expect(gpu.mfuPeak(.bf16).dtype == .bf16)
    }
}
