import Foundation
import Ridgeline

/// What a report shows of `ridgeline detect --measure --json`: the ceilings measured on this
/// host (`peak_flops_per_s` by dtype, `bandwidth_bytes_per_s` by level, all cores) next to the
/// nominal ones the CPU's clock and SIMD width promise (`nominal.peak_flops_per_s`). The file is
/// read with the schema `detect` writes it with (`HostReport`).
public struct HostCeilings: Sendable {
    public var cpu: String?
    public var fingerprint: String?
    public var cores: Int?
    public var threads: Int?
    public var clockHz: Double?
    public var nominalClockHz: Double?
    public var measuredPeaks: [DType: Double]
    public var nominalPeaks: [DType: Double]
    public var measuredBandwidth: [String: Double]

    public static func load(path: String) throws -> HostCeilings {
        let input = try InputFile.read(path)
        let text = input.text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.hasPrefix("{") else {
            throw RidgelineError.unreadable(file: input.name, reason: "expected a JSON object, found '\(text.prefix(40))'")
        }
        return try HostCeilings(try RecordCoding.decode(HostReport.self, from: text, file: input.name), file: input.name)
    }

    init(_ r: HostReport, file: String) throws {
        guard let peaks = r.peakFlopsPerS else {
            throw RidgelineError.missingField(
                file: file, field: "peak_flops_per_s (write the file with `ridgeline detect --measure --json`)")
        }
        func dtypeMap(_ map: [String: Double]?, _ field: String) throws -> [DType: Double] {
            var result: [DType: Double] = [:]
            for (key, value) in map ?? [:] {
                let name = "\(field).\(key)"
                guard value > 0, value.isFinite else {
                    throw RidgelineError.invalidValue(file: file, field: name, value: "\(value)", expected: "a positive number")
                }
                result[try DType.parse(key, field: name, file: file)] = value
            }
            return result
        }
        measuredPeaks = try dtypeMap(peaks, "peak_flops_per_s")
        guard !measuredPeaks.isEmpty else {
            throw RidgelineError.invalidValue(file: file, field: "peak_flops_per_s", value: "{}", expected: "at least one measured peak")
        }
        nominalPeaks = try dtypeMap(r.nominal?.peakFlopsPerS, "nominal.peak_flops_per_s")
        for (level, value) in r.bandwidthBytesPerS ?? [:] where !(value > 0 && value.isFinite) {
            throw RidgelineError.invalidValue(
                file: file, field: "bandwidth_bytes_per_s.\(level)", value: "\(value)", expected: "a positive number")
        }
        measuredBandwidth = r.bandwidthBytesPerS ?? [:]
        cpu = r.cpu; fingerprint = r.fingerprint; cores = r.cores; threads = r.threads; clockHz = r.clockHz
        nominalClockHz = r.nominal?.clockHz
    }
}
