/// What a hardware profile may say: where its numbers come from, and the largest quantities it
/// may give. A value past a bound is a typo or a unit slip (TB/s for GB/s, a missing "G"), never
/// a device: the bounds sit about a hundred times above today's largest devices, so a profile of
/// hardware years away still loads, while `1e300 TB/s` is refused with the field named.
extension HardwareProfile {
    /// Where a profile's numbers come from (`origin:`). A datasheet profile must cite its `sources`.
    public enum Origin: String, CaseIterable, Sendable {
        /// Vendor datasheets and papers (the default when `origin` is absent).
        case datasheet
        /// Numbers of the host from static tables (CPU model, ISA), without measuring.
        case `static`
        /// `ridgeline detect`: read from the host.
        case detected
        /// `ridgeline detect --measure`: measured on the host.
        case measured
        /// `ridgeline calibrate` (or `calibrate-network`, `check-reference -o`) fitted it to measurements.
        case calibrated
    }

    /// Upper bounds of a profile's quantities (see the type's comment for why these).
    public enum Bounds {
        /// Bytes per second of any memory level or link: 1 PB/s (an H200's HBM is 4.8 TB/s, its L2 ~ 10 TB/s).
        public static let bandwidth = 1e15
        /// FLOP/s of one device in any dtype, matrix or vector: 10^18 (a B200 is ~ 10^16 in fp4).
        public static let peak = 1e18
        /// Bytes of any memory level: 1 PB (the largest single-device memories are ~ 10^12 bytes).
        public static let capacity = 1e15
        /// Seconds of any latency (launch, dispatch, link hop): 1 s (real ones are µs).
        public static let latency = 1.0
        /// A vector peak may exceed the matrix peak of its dtype by this share, no more.
        public static let vectorOverMatrix = 0.05
    }

    /// Refuses quantities past `Bounds` and a vector peak above the matrix peak of its dtype,
    /// naming the field and the value.
    public func checkPlausible(file: String?) throws {
        func check(_ field: String, _ value: Double, _ bound: Double, _ dimension: Dimension) throws {
            guard value.isFinite, value <= bound else {
                throw RidgelineError.invalidValue(
                    file: file, field: field, value: Quantity.format(value, dimension),
                    expected: "at most \(Quantity.format(bound, dimension)) (a larger value is a unit slip, not a device)")
            }
        }
        for (dtype, v) in compute.peak.sorted(by: { $0.key < $1.key }) {
            try check("compute.peak.\(dtype.rawValue)", v, Bounds.peak, .flopsPerSecond)
        }
        for (dtype, v) in compute.singleUnitPeak.sorted(by: { $0.key < $1.key }) {
            try check("compute.single_unit_peak.\(dtype.rawValue)", v, Bounds.peak, .flopsPerSecond)
        }
        for (dtype, v) in compute.vectorPeak.sorted(by: { $0.key < $1.key }) {
            try check("compute.vector_peak.\(dtype.rawValue)", v, Bounds.peak, .flopsPerSecond)
            if let matrix = compute.peak[dtype], v > matrix * (1 + Bounds.vectorOverMatrix) {
                throw RidgelineError.inconsistent(
                    file: file, field: "compute.vector_peak.\(dtype.rawValue)",
                    detail:
                        "the vector peak \(Quantity.format(v, .flopsPerSecond)) is above the matrix peak compute.peak.\(dtype.rawValue) \(Quantity.format(matrix, .flopsPerSecond)) by more than \(Int(Bounds.vectorOverMatrix * 100))%; matrix units are never slower than vector ones"
                )
            }
        }
        for (i, level) in memory.enumerated() {
            try check("memory[\(i)].bandwidth", level.bandwidth, Bounds.bandwidth, .bytesPerSecond)
            if let single = level.singleUnitBandwidth {
                try check("memory[\(i)].single_unit_bandwidth", single, Bounds.bandwidth, .bytesPerSecond)
            }
            try check("memory[\(i)].capacity", level.capacityBytes, Bounds.capacity, .bytes)
            if let nominal = level.nominalCapacityBytes {
                try check("memory[\(i)].nominal_capacity", nominal, Bounds.capacity, .bytes)
            }
        }
        try check("latency.launch", launchLatency, Bounds.latency, .seconds)
        try check("latency.dispatch", dispatchLatency, Bounds.latency, .seconds)
        if let single = singleUnitLaunchLatency { try check("latency.single_unit_launch", single, Bounds.latency, .seconds) }
        for (name, link) in [("scale_up", scaleUp), ("scale_out", scaleOut)] {
            guard let link else { continue }
            try check("\(name).bandwidth", link.bandwidth, Bounds.bandwidth, .bytesPerSecond)
            try check("\(name).latency", link.latency, Bounds.latency, .seconds)
        }
        if let c = calibration {
            if let l = c.launchLatency { try check("calibration.launch", l, Bounds.latency, .seconds) }
            if let d = c.dispatchLatency { try check("calibration.dispatch", d, Bounds.latency, .seconds) }
        }
    }
}
