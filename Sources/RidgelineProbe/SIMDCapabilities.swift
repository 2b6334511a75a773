/// The vector units a CPU offers, read from its own feature flags (`/proc/cpuinfo`), and the
/// nominal FLOPs per cycle they give.
public struct SIMDCapabilities: Sendable, Equatable, Codable {
    /// Ridgeline's names for the features that decide a roofline's compute ceiling.
    public var features: [String]
    /// Widest vector register the ISA offers, in bits (512 with AVX-512F, 256 with AVX, 128 with NEON).
    public var registerBits: Int
    /// Width of the FMA datapath, which can be narrower than the registers (Zen 4 splits a
    /// 512-bit FMA over two 256-bit halves: AMD, "Software Optimization Guide for the AMD Zen4
    /// Microarchitecture", §2.11).
    public var datapathBits: Int
    /// FMA pipes per core (2 on Haswell and later, Zen 2 and later, Neoverse V1).
    public var fmaUnits: Int
    /// Where `datapathBits`/`fmaUnits` came from, printed with the nominal peak.
    public var basis: String

    public init(features: [String], registerBits: Int, datapathBits: Int, fmaUnits: Int, basis: String) {
        self.features = features; self.registerBits = registerBits; self.datapathBits = datapathBits
        self.fmaUnits = fmaUnits; self.basis = basis
    }

    public func has(_ feature: String) -> Bool { features.contains(feature) }

    /// FLOPs per cycle per core for `bytesPerElement`-wide floats: lanes × 2 (an FMA is two
    /// FLOPs) × FMA pipes — the usual peak formula (Hennessy & Patterson, 6th ed., §4.10).
    /// Without FMA, a separate multiply and add pipe give the same 2 FLOPs per lane per cycle.
    public func flopsPerCycle(bytesPerElement: Int) -> Double {
        let lanes = Double(datapathBits / 8 / bytesPerElement)
        return lanes * 2 * Double(fmaUnits)
    }

    /// From the flag set of `/proc/cpuinfo` (x86 "flags", Arm "Features") and the CPU identity.
    public static func from(flags: Set<String>, cpu: CPUIdentity) -> SIMDCapabilities {
        // (flag in /proc/cpuinfo, Ridgeline's name)
        let table: [(String, String)] = [
            ("sse2", "sse2"), ("avx", "avx"), ("avx2", "avx2"), ("fma", "fma"), ("avx512f", "avx512f"),
            ("avx512bw", "avx512bw"), ("avx512vl", "avx512vl"), ("avx512_vnni", "avx512_vnni"),
            ("avx512_bf16", "avx512_bf16"), ("avx512_fp16", "avx512_fp16"), ("amx_tile", "amx_tile"),
            ("amx_bf16", "amx_bf16"), ("amx_int8", "amx_int8"), ("f16c", "f16c"),
            ("asimd", "neon"), ("fphp", "neon_fp16"), ("asimdhp", "neon_fp16"), ("bf16", "neon_bf16"),
            ("sve", "sve"), ("sve2", "sve2"), ("sme", "sme"),
        ]
        var features: [String] = []
        for (flag, name) in table where flags.contains(flag) && !features.contains(name) { features.append(name) }
        let registerBits: Int
        if features.contains("avx512f") {
            registerBits = 512
        } else if features.contains("avx") {
            registerBits = 256
        } else if features.contains("sse2") || features.contains("neon") || features.contains("sve") {
            registerBits = 128
        } else {
            registerBits = 64
        }
        var datapath = registerBits
        var units = 2
        var basis = "\(registerBits)-bit registers, 2 FMA pipes assumed"
        if cpu.vendor == "AuthenticAMD", registerBits == 512, let family = cpu.family, family == 0x19 {
            // Zen 4 (family 19h) executes AVX-512 on 256-bit pipes.
            datapath = 256
            basis = "AMD family 19h (Zen 4): 512-bit ops on two 256-bit FMA pipes"
        } else if cpu.vendor == "AuthenticAMD", let family = cpu.family, family == 0x1a {
            basis = "AMD family 1Ah (Zen 5): two 512-bit FMA pipes"
        } else if features.contains("neon") && !features.contains("sve") {
            basis = "128-bit NEON, 2 FMA pipes assumed (4 on Neoverse V1/V2 and Apple cores)"
        }
        if !features.contains("fma") && !features.contains("neon") && !features.contains("sve") {
            basis += "; no FMA: separate multiply and add pipes"
            units = 1
        }
        return SIMDCapabilities(
            features: features, registerBits: registerBits, datapathBits: datapath,
            fmaUnits: units, basis: basis)
    }
}
