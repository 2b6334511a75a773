/// The SIMD width a CPU library's kernels really use, read from the record's `engine_version`.
///
/// A BLAS picks its kernel family at load time by CPUID; a CPU newer than the build knows gets
/// an old family (OpenBLAS 0.3.21 picks its SSE3 "Prescott" kernels on an Intel family 6 model
/// 207 guest: sgemm at 64 of 353 GFLOP/s). Such records are judged against the CPU at that
/// width (`HardwareProfile.restricted(toSIMDBits:)`), not at its peak.
public struct LibraryKernels: Sendable, Equatable {
    public var bits: Int
    public var fma: Bool
    /// "OpenBLAS core Prescott".
    public var name: String

    public init(bits: Int, fma: Bool, name: String) { self.bits = bits; self.fma = fma; self.name = name }

    /// The width of an OpenBLAS kernel family, from OpenBLAS's `kernel/x86_64/KERNEL.<CORE>` files:
    /// Haswell and Zen use the AVX2/FMA kernels, SkylakeX and Cooperlake (and SapphireRapids) the
    /// AVX-512 ones; nil for a family Ridgeline does not know (then nothing is claimed).
    public static func openBLAS(core: String) -> LibraryKernels? {
        let name = "OpenBLAS core \(core)"
        switch core.lowercased() {
        case "skylakex", "cooperlake", "sapphirerapids": return LibraryKernels(bits: 512, fma: true, name: name)
        case "haswell", "zen": return LibraryKernels(bits: 256, fma: true, name: name)
        case "sandybridge", "bulldozer", "piledriver", "steamroller", "excavator": return LibraryKernels(bits: 256, fma: false, name: name)
        case "prescott", "core2", "penryn", "dunnington", "nehalem", "atom", "opteron", "barcelona", "bobcat",
            "katmai", "coppermine", "northwood", "banias", "athlon", "opteron_sse3", "nano":
            return LibraryKernels(bits: 128, fma: false, name: name)
        default: return nil
        }
    }

    /// The kernels an `openblas` record's `engine_version` names ("… (core Prescott)", as
    /// `ridgeline measure` writes it); nil for other engines or a version that names no core.
    public static func from(engine: Engine, version: String?) -> LibraryKernels? {
        guard engine == .openblas, let version, let range = version.range(of: "(core ") else { return nil }
        let core = version[range.upperBound...].prefix { $0 != ")" && $0 != "," && $0 != " " }
        return openBLAS(core: String(core))
    }
}
