import Foundation

/// Who made the CPU and which one it is, from /proc/cpuinfo (x86 and Arm spell it differently).
public struct CPUIdentity: Sendable, Equatable, Codable {
    public var vendor: String
    public var model: String
    public var family: Int?
    public var modelNumber: Int?
    public var architecture: String
    /// The hypervisor the kernel runs under ("KVM", …), nil on bare metal.
    public var hypervisor: String?
    /// /proc/cpuinfo's "cpu MHz": on a VM usually the TSC rate, not the running clock.
    public var reportedMHz: Double?
    /// The highest clock cpufreq advertises, when the kernel exposes cpufreq.
    public var maxMHz: Double?
    /// FNV-1a hash of the sorted feature flags, for the host fingerprint.
    public var flagsHash: String

    public init(
        vendor: String, model: String, family: Int?, modelNumber: Int?, architecture: String,
        hypervisor: String?, reportedMHz: Double?, maxMHz: Double?, flagsHash: String = ""
    ) {
        self.flagsHash = flagsHash
        self.vendor = vendor; self.model = model; self.family = family; self.modelNumber = modelNumber
        self.architecture = architecture; self.hypervisor = hypervisor; self.reportedMHz = reportedMHz; self.maxMHz = maxMHz
    }

    /// "AuthenticAMD" → "AMD", "GenuineIntel" → "Intel"; other strings pass through.
    public var vendorName: String {
        switch vendor {
        case "AuthenticAMD": return "AMD"
        case "GenuineIntel": return "Intel"
        case "0x41": return "Arm"
        default: return vendor.isEmpty ? "unknown" : vendor
        }
    }
}

/// Parsed `/proc/cpuinfo`: the first processor's fields (all processors of one host agree).
public struct CPUInfo: Sendable {
    public var fields: [String: String]

    public init(text: String) {
        var fields: [String: String] = [:]
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.trimmingCharacters(in: .whitespaces).isEmpty { if !fields.isEmpty { break } else { continue } }
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = line[..<colon].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if fields[key] == nil { fields[key] = value }
        }
        self.fields = fields
    }

    public static func read(path: String = "/proc/cpuinfo") -> CPUInfo {
        CPUInfo(text: (try? String(contentsOfFile: path, encoding: .utf8)) ?? "")
    }

    /// x86 "flags" or Arm "Features".
    public var flags: Set<String> {
        Set((fields["flags"] ?? fields["Features"] ?? "").split(separator: " ").map(String.init))
    }

    public func identity(hypervisor: String?) -> CPUIdentity {
        let maxKHz = (try? String(contentsOfFile: "/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq", encoding: .utf8))
            .flatMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        #if arch(x86_64)
            let arch = "x86_64"
        #elseif arch(arm64)
            let arch = "aarch64"
        #else
            let arch = "unknown"
        #endif
        return CPUIdentity(
            vendor: fields["vendor_id"] ?? fields["CPU implementer"] ?? "",
            model: fields["model name"] ?? fields["Model name"] ?? fields["CPU part"].map { "Arm part \($0)" } ?? "unknown CPU",
            family: fields["cpu family"].flatMap { Int($0) },
            modelNumber: fields["model"].flatMap { Int($0) },
            architecture: arch,
            hypervisor: hypervisor,
            reportedMHz: fields["cpu MHz"].flatMap { Double($0) },
            maxMHz: maxKHz.map { $0 / 1000 },
            flagsHash: fnv1a(flags.sorted().joined(separator: " ")))
    }
}
