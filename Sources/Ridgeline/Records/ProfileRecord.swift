/// One hardware profile as `ridgeline profiles --json` lists it: its id and the figures that
/// tell parts apart.
public struct ProfileRecord: Codable, Sendable, Equatable {
    public var id, name, kind, origin: String
    public var calibrated: Bool
    /// Absent for a part without bf16.
    public var peakBf16FlopsPerS: Double?
    public var peakFp32FlopsPerS: Double
    /// The device memory: capacity and bandwidth.
    public var memoryBytes, memoryBandwidthBytesPerS: Double

    public init(_ p: HardwareProfile) {
        id = p.id; name = p.name; kind = p.kind.rawValue; origin = p.origin.rawValue; calibrated = p.calibration != nil
        peakBf16FlopsPerS = p.compute.peak[.bf16]; peakFp32FlopsPerS = p.matrixPeak(.fp32).flopsPerSecond
        memoryBytes = p.deviceMemory.capacityBytes; memoryBandwidthBytesPerS = p.deviceMemory.bandwidth
    }
}
