/// Whether a calibration fitted on one GPU carries to another: the transfer rule, checked.
///
/// A calibration block holds per-class fractions of the ceilings (`CalibrationFit`). The fit's
/// transfer rule keeps each fraction on the ceiling that really binds the class (a memory-bound
/// class on its bandwidth, the special functions at the hardware rate), so applying the same
/// fractions to another profile must move each class's time by the ratio of the ceilings that
/// bind it there: a softmax on a GPU with 1.43× the bandwidth and the same SMs runs 1.43×
/// faster, a large GEMM at the same tensor peak no faster. This compares the two per class.
public enum CalibrationTransfer {
    /// One class's speed-up from the source profile to the target (median over its kernels), and
    /// the median ratio (target over source) of the ceiling that binds each kernel on the source.
    public struct ClassRatio: Sendable {
        public var kernelClass: KernelClass
        public var kernels: Int
        public var predicted: Double
        public var ceiling: Double
        /// predicted / ceiling − 1.
        public var deviation: Double { predicted / ceiling - 1 }
    }

    /// `target` with `source`'s calibration block, its origin and source line saying so.
    public static func transferred(_ calibration: Calibration?, to target: HardwareProfile) -> HardwareProfile {
        var profile = target
        profile.calibration = calibration
        if var c = profile.calibration { c.source = "transferred: \(c.source)"; profile.calibration = c }
        return profile
    }

    /// Per class, the speed-up of `kernels` from `source` to `target` (both predicted with their
    /// own calibration blocks, in kernel mode) against the ratio of their binding ceilings.
    public static func compare(kernels: [Kernel], source: HardwareProfile, target: HardwareProfile) -> [ClassRatio] {
        let from = Roofline(source), to = Roofline(target)
        var byClass: [KernelClass: [(predicted: Double, ceiling: Double)]] = [:]
        for kernel in kernels {
            let a = from.predict(kernel), b = to.predict(kernel)
            guard let ceiling = ceilingRatio(a, kernel: kernel, from: from, to: to) else { continue }
            byClass[kernel.kernelClass, default: []].append((a.timeSeconds / b.timeSeconds, ceiling))
        }
        return byClass.keys.sorted().map { cls in
            let pairs = byClass[cls]!
            return ClassRatio(
                kernelClass: cls, kernels: pairs.count, predicted: percentile(pairs.map(\.predicted), 0.5),
                ceiling: percentile(pairs.map(\.ceiling), 0.5))
        }
    }

    /// Target (`to`) over source (`from`) of the ceiling behind `prediction`'s bound on the source: the peak a
    /// compute-bound kernel's class runs at (matrix peak for GEMM, convolution and attention;
    /// vector peak for the rest), or the bandwidth of the memory level that bound it. nil for
    /// latency-bound kernels and levels the target lacks. On a GPU, attention's exponentials run
    /// on the special-function units after the matrix products (FlashAttention does not hide
    /// them): two ceilings bind in turn, each for its share of the source's compute time, and
    /// the ratio is that of the two times.
    static func ceilingRatio(_ prediction: Prediction, kernel: Kernel, from: Roofline, to: Roofline) -> Double? {
        let source = from.profile, target = to.profile
        switch prediction.bound {
        case .compute:
            if Roofline.runsOnMatrixUnits(kernel) {
                let matrix = target.matrixPeak(kernel.dtype).flopsPerSecond / source.matrixPeak(kernel.dtype).flopsPerSecond
                let special = from.specialFunctionSeconds(kernel)
                guard special > 0, prediction.computeSeconds > special else { return matrix }
                let units = to.gpuSpecialFunctionRate / from.gpuSpecialFunctionRate
                let products = prediction.computeSeconds - special
                return prediction.computeSeconds / (products / matrix + special / units)
            }
            return target.vectorPeak(kernel.dtype) / source.vectorPeak(kernel.dtype)
        case .memory(let name):
            let level = { (p: HardwareProfile) in name == p.deviceMemory.name ? p.deviceMemory : p.memory.first { $0.name == name } }
            guard let a = level(source), let b = level(target) else { return nil }
            return b.bandwidth / a.bandwidth
        case .latency:
            return nil
        }
    }
}
