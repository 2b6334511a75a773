import Foundation
import Ridgeline

/// Identifies the machine a record was measured on, so records from different hosts are never
/// mixed silently: CPU model, logical CPUs, the SIMD extensions that decide kernel speed, and the
/// last-level cache size (all from /proc/cpuinfo and sysfs, which need no privileges).
public enum HostFingerprint {
    public static func current() -> MeasurementRecord.Host {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        func field(_ name: String) -> String? {
            for line in cpuinfo.split(separator: "\n") where line.hasPrefix(name) {
                if let colon = line.firstIndex(of: ":") { return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces) }
            }
            return nil
        }
        let model = field("model name") ?? "unknown CPU"
        let flags = Set((field("flags") ?? "").split(separator: " ").map(String.init))
        let simd = ["avx2", "fma", "avx512f", "avx512_bf16", "avx512_fp16", "amx_bf16"].filter(flags.contains)
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let llc = lastLevelCacheBytes().map { " L3 \(Quantity.format(Double($0), .bytes))" } ?? ""
        let fingerprint = "\(model); \(cores) cpus; \(simd.isEmpty ? "no avx" : simd.joined(separator: ","));\(llc)"
        return .init(fingerprint: fingerprint, cpu: model, cores: cores)
    }

    /// Size of the largest CPU cache sysfs reports for cpu0 (the LLC), in bytes.
    public static func lastLevelCacheBytes() -> Int? {
        var best: Int?
        for index in 0..<8 {
            let path = "/sys/devices/system/cpu/cpu0/cache/index\(index)/size"
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { continue }
            let t = text.trimmingCharacters(in: .whitespacesAndNewlines)
            let scale = t.hasSuffix("K") ? 1024 : t.hasSuffix("M") ? 1 << 20 : 1
            if let value = Int(t.trimmingCharacters(in: CharacterSet.decimalDigits.inverted)) {
                best = max(best ?? 0, value * scale)
            }
        }
        return best
    }
}
