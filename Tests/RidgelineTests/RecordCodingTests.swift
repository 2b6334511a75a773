import Foundation
import Testing

@testable import Ridgeline

/// Every JSON output of the core is one `Codable` record, written and read through
/// `RecordCoding`: what a command writes reads back equal, with the keys the contract names, and
/// a wrong or missing field is an error naming the file and the field's path.
@Suite struct RecordCodingTests {
    static let examples = repositoryRoot + "/examples/kernels.jsonl"
    static let reference = repositoryRoot + "/reference/gpu-measurements/h100-sxm5-kernels.jsonl"

    /// `value` written and read back with `RecordCoding`, and the text written.
    static func roundTrip<T: Codable>(_ value: T) throws -> (T, String) {
        let text = try RecordCoding.json(value)
        return (try RecordCoding.decode(T.self, from: text, file: "out.json"), text)
    }

    @Test func predictionsOfEveryExampleKernelReadBackAsWritten() throws {
        let engine = Roofline(try loadShippedProfile("h100-sxm5-80gb"))
        let kernels = try Kernel.load(path: Self.examples)
        let predictions = kernels.map { engine.predict($0, mode: .eager) } + [engine.predict(kernels[0], mode: .kernel)]
        let (back, text) = try Self.roundTrip(predictions)
        #expect(back == predictions)
        #expect(Set(back.map(\.bound.description)).count > 1, "more than one kind of bound is read back")
        for key in ["time_s", "flops", "bytes", "bound", "attained_flops_per_s", "bytes_by_level", "compute_dtype"] {
            #expect(text.contains("\"\(key)\""), "\(key)")
        }
        // The spec keeps its snake_case keys; the example file has transposed GEMMs and causal attention.
        #expect(!text.contains("timeSeconds") && !text.contains("computeDType"))
    }

    /// `RecordCoding` remembers each key's spelling (`SnakeCaseKeys`) rather than converting it
    /// every time: what it writes is what `JSONEncoder`'s `.convertToSnakeCase` writes, byte for
    /// byte, acronyms and digits included, records inside maps and lists too, map keys kept.
    @Test func theRememberedKeysAreFoundationsSnakeCaseByteForByte() throws {
        struct Spelling: Encodable {
            var p90APE = 1.0, medianAPE = 2.0, myURLProperty = "u", attainedFlopsPerS = 3.0, a2b = 4, capacityGiB = 5
            var nested = [ErrorSummary(errors: [0.1, 0.2]), ErrorSummary(errors: [])]
            var byName = ["keptAsIs": ErrorSummary(errors: [0.3])]
            var absent: Int? = nil
            var present: Double? = 0.5
        }
        let engine = Roofline(try loadShippedProfile("h100-sxm5-80gb"))
        let predictions = try Kernel.load(path: Self.examples).map { engine.predict($0) }
        for pretty in [true, false] {
            let foundation = JSONEncoder()
            foundation.keyEncodingStrategy = .convertToSnakeCase
            foundation.outputFormatting =
                pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
            #expect(try RecordCoding.encode(predictions, pretty: pretty) == foundation.encode(predictions))
            #expect(try RecordCoding.encode(Spelling(), pretty: pretty) == foundation.encode(Spelling()))
        }
        let text = try RecordCoding.json(Spelling())
        for key in ["p90_ape", "median_ape", "my_url_property", "attained_flops_per_s", "capacity_gi_b", "keptAsIs", "mean_ape"] {
            #expect(text.contains("\"\(key)\""), "\(key)")
        }
        #expect(!text.contains("absent"))
    }

    @Test func aMeasurementRecordReadsBackThroughItsOneParser() throws {
        let record = MeasurementRecord(
            kernel: .gemm(GEMM(m: 64, n: 32, k: 16, transA: true, dtype: .bf16)), engine: .onednn, engineVersion: "3.1 avx2",
            implementation: "brg:avx2", device: "cpu", threads: 1, binding: "core 0", host: .init(fingerprint: "f", cpu: "cpu", cores: 2),
            medianSeconds: 2e-6, minSeconds: 1.5e-6, p25Seconds: 1.8e-6, p75Seconds: 2.5e-6, relativeCI95: 0.02, stable: true,
            samples: 40, repetitions: 44, warmup: 3, discarded: 4, disturbedFallback: false, threadCPUMedianSeconds: 1.9e-6,
            threadCPUMinSeconds: 1.4e-6, counterSource: "papi", counters: ["PAPI_TOT_CYC": 5000, "perf::TASK-CLOCK": 2e3],
            countersUnavailable: ["PAPI_FP_OPS": "no PMU"], cache: "cold", timer: "clock_gettime", timestamp: "2025-01-01T00:00:00Z")
        let line = record.jsonLine
        #expect(!line.contains("\n"))
        for key in ["engine_version", "median_s", "p25_s", "iqr_s", "ci95_rel", "thread_cpu_median_s", "per_repetition_median"] {
            #expect(line.contains("\"\(key)\""), "\(key)")
        }
        // Counter names are the events' own, kept as written.
        #expect(line.contains("\"PAPI_TOT_CYC\"") && line.contains("\"perf::TASK-CLOCK\""))
        #expect(try MeasurementRecord.parseLines(line, file: "run.jsonl") == [record])
        #expect(try RecordCoding.decode(MeasurementRecord.self, from: line, file: "run.jsonl") == record)
    }

    @Test func aSpecOrRecordInsideARecordIsReadByItsParserAndNamesTheFileAndPath() throws {
        let engine = Roofline(try loadShippedProfile("h100-sxm5-80gb"))
        let text = try RecordCoding.json([engine.predict(try Kernel.load(path: Self.examples)[0])])
        let badDType = ridgelineErrorMessage {
            try RecordCoding.decode([Prediction].self, from: text.replacingOccurrences(of: "\"bf16\"", with: "\"bf17\""), file: "p.json")
        }
        #expect(badDType.contains("p.json") && badDType.contains("[0].kernel.dtype") && badDType.contains("bf17"), "\(badDType)")
        let badBound = ridgelineErrorMessage {
            try RecordCoding.decode(
                [Prediction].self, from: text.replacingOccurrences(of: #""bound" : ""#, with: #""bound" : "x"#), file: "p.json")
        }
        #expect(badBound.contains("p.json") && badBound.contains("[0].bound"), "\(badBound)")
        let noMedian = ridgelineErrorMessage {
            try RecordCoding.decode(
                MeasurementRecord.self,
                from:
                    #"{"kernel":{"op":"copy","elements":8,"dtype":"fp32"},"engine":"onednn","engine_version":"1","threads":1,"host":{"fingerprint":"f"},"samples":3}"#,
                file: "r.json")
        }
        #expect(noMedian.contains("r.json") && noMedian.contains("median_s"), "\(noMedian)")
    }

    @Test func aValidationReadsBackAndAWrongFieldIsNamed() throws {
        let observations = try Observations.load(path: Self.reference)
        let validation = Validation(observations, profile: try loadShippedProfile("h100-sxm5-80gb"), mode: .eager)
        let record = ValidationRecord(validation, flopCheck: FlopCheck(observations))
        let (back, text) = try Self.roundTrip(record)
        #expect(back == record && back.rows.count == observations.count)
        for key in ["rows", "median_ape", "p90_ape", "by_class", "kernel_class", "measured_s", "predicted_s", "flop_check", "note"] {
            #expect(text.contains("\"\(key)\""), "\(key)")
        }
        let wrong = ridgelineErrorMessage {
            try RecordCoding.decode(
                ValidationRecord.self,
                from: text.replacingOccurrences(of: "\"measured_s\" : ", with: "\"measured_s\" : \"slow\", \"x\" : "),
                file: "v.json")
        }
        #expect(wrong.contains("v.json") && wrong.contains("rows[0].measured_s") && wrong.contains("slow"), "\(wrong)")
        let missing = ridgelineErrorMessage { try RecordCoding.decode(ValidationRecord.self, from: #"{"median_ape":0.1}"#, file: "v.json") }
        #expect(missing.contains("v.json") && missing.contains("'rows'"), "\(missing)")
    }

    @Test func emptyErrorSummariesAreWrittenAsNullAndReadBackAsNaN() throws {
        let (back, text) = try Self.roundTrip(ErrorSummary(errors: []))
        #expect(text.contains("\"median_ape\" : null") && text.contains("\"max_ape\" : null"))
        #expect(back.count == 0 && back.medianAPE.isNaN && back.p90APE.isNaN && back.meanAPE.isNaN && back.maxAPE.isNaN)
        let summary = ErrorSummary(errors: [0.1, 0.2, 0.4])
        #expect(try Self.roundTrip(summary).0 == summary)
    }

    @Test func theReferenceCheckReadsBackAsWritten() throws {
        let check = try ReferenceCheck(
            reference: try ReferenceFile.load(path: Self.reference), profile: try loadShippedProfile("h100-sxm5-80gb"),
            referencePath: "h100-sxm5-kernels.jsonl")
        let (back, text) = try Self.roundTrip(ReferenceCheckRecord(check))
        #expect(back == ReferenceCheckRecord(check))
        for key in [
            "min_seconds", "held_out", "calibration_launch_s", "calibration_compute_by_dtype", "summary_datasheet_long",
            "summary_held_out", "measured_s",
        ] {
            #expect(text.contains("\"\(key)\""), "\(key)")
        }
        // The reference's fp8 GEMMs are fitted apart from the class (compute_by_dtype).
        #expect(back.calibrationComputeByDtype["gemm"]?["fp8"] != nil)
    }

    @Test(arguments: shippedHardwareIds)
    func everyProfileListingReadsBackAsWritten(id: String) throws {
        let record = ProfileRecord(try loadShippedProfile(id))
        let (back, text) = try Self.roundTrip(record)
        #expect(back == record && back.id == id)
        #expect(text.contains("\"peak_fp32_flops_per_s\"") && text.contains("\"memory_bandwidth_bytes_per_s\""))
    }

    @Test func aHostReportReadsBackAsWrittenAndItsMapsKeepTheirKeys() throws {
        var host = HostReport(
            cores: 2, threads: 4,
            caches: [.init(level: 1, sizeBytes: 32768, sharedByCores: 1, type: "data", lineBytes: 64, instances: 2)],
            simd: ["avx2", "fma"])
        host.clockHz = 3e9
        host.peakFlopsPerS = ["fp32": 1.9e11, "fp64": 9.6e10]
        host.peakFlopsPerSOneCore = ["fp32": 9.6e10]
        host.bandwidthBytesPerS = ["l1": 4e11, "dram": 2e10]
        host.nominal = .init(clockHz: 3e9, flopsPerCyclePerCore: ["fp32": 32], peakFlopsPerS: ["fp32": 1.92e11], basis: "AVX2, 2 FMA")
        host.dramVisits = [.init(coreHandOffS: 4e-8, bytesPerS: 2e10)]
        host.effectiveCapacity = ["l3": .init(effectiveBytes: 8e6, crossingPerThreadBytes: 4e6, threads: 2, nominalBytes: 33_554_432)]
        host.sweep = [
            .init(
                kernel: "read", threads: 1, workingSetPerThreadBytes: 8192, bytesPerS: .init(best: 2, median: 1.5, worst: 1, samples: 3),
                perThreadSumBytesPerS: .init(best: 2, median: 1.5, worst: 1, samples: 3), undisturbedSamples: 3)
        ]
        let (back, text) = try Self.roundTrip(host)
        #expect(back == host)
        for key in [
            "peak_flops_per_s_one_core", "bandwidth_bytes_per_s", "core_hand_off_s", "effective_bytes", "crossing_per_thread_bytes",
            "working_set_per_thread_bytes", "per_thread_sum_bytes_per_s", "shared_by_cores", "flops_per_cycle_per_core",
        ] {
            #expect(text.contains("\"\(key)\""), "\(key)")
        }
        let wrong = ridgelineErrorMessage {
            try RecordCoding.decode(
                HostReport.self, from: text.replacingOccurrences(of: "\"size_bytes\" : 32768", with: "\"size_bytes\" : \"32k\""),
                file: "host.json")
        }
        #expect(wrong.contains("host.json") && wrong.contains("caches[0].size_bytes") && wrong.contains("32k"), "\(wrong)")
    }

    /// The inputs committed under reports/ were written by earlier versions of the commands.
    @Test func theCommittedDetectAndValidationFilesRead() throws {
        let detect = try String(contentsOfFile: repositoryRoot + "/reports/ceilings-host/detect.json", encoding: .utf8)
        let host = try RecordCoding.decode(HostReport.self, from: detect, file: "detect.json")
        #expect(host.peakFlopsPerS?.isEmpty == false && host.sweep?.isEmpty == false && host.dramVisits?.isEmpty == false)
        #expect(try Self.roundTrip(host).0 == host)
        let validation = try String(contentsOfFile: repositoryRoot + "/reports/validation-host-onednn/validation.json", encoding: .utf8)
        let record = try RecordCoding.decode(ValidationRecord.self, from: validation, file: "validation.json")
        #expect(!record.rows.isEmpty && record.medianApe != nil && record.flopCheck != nil)
        #expect(try Self.roundTrip(record).0 == record)
    }
}
