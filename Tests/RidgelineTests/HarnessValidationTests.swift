import Foundation
import Testing

@testable import Ridgeline

@Suite("Validation, holdout split and record parsing")
struct HarnessValidationTests {
    @Test("the holdout split alternates within each class and is deterministic")
    func split() {
        let classes: [KernelClass] = [.gemm, .gemm, .copy, .gemm, .copy, .gemm, .copy, .copy]
        let (fit, held) = HoldoutSplit.split(Array(classes.indices), holdout: 0.5) { classes[$0] }
        #expect(fit == [0, 2, 3, 6])
        #expect(held == [1, 4, 5, 7])
        let (fit4, held4) = HoldoutSplit.split(Array(0..<8), holdout: 0.25) { _ in .gemm }
        #expect(held4 == [3, 7] && fit4.count == 6)
    }

    @Test("records of several engines, devices, hosts or thread counts, or of the wrong kind of device, are refused")
    func mixedRecords() throws {
        let cpu = try loadShippedProfile("epyc-9654"), gpu = try loadShippedProfile("h100-sxm5-80gb")
        let copy = Kernel.copy(Copy(elements: 4096, dtype: .fp32))
        func observation(
            _ source: String, engine: Engine = .onednn, device: String = "cpu", host: String? = "host A", threads: Int? = 2
        ) -> Observation {
            Observation(kernels: [copy], seconds: 1e-5, source: source, engine: engine, threads: threads, device: device, host: host)
        }
        let clean = [observation("r:1"), observation("r:2")]
        try Observations.checkConsistent(clean, profile: cpu, file: "r")
        for (field, mixed) in [
            ("engine", observation("r:3", engine: .openblas)), ("host", observation("r:3", host: "host B")),
            ("threads", observation("r:3", threads: 1)), ("device", observation("r:3", device: "cuda:0")),
        ] {
            #expect(throws: RidgelineError.self, "\(field)") { try Observations.checkConsistent(clean + [mixed], profile: cpu, file: "r") }
            let message = ridgelineErrorMessage { try Observations.checkConsistent(clean + [mixed], profile: cpu, file: "r") }
            #expect(message.contains("'\(field)'") && message.contains("r:1") && message.contains("r:3"), "\(message)")
        }
        let onGPU = ridgelineErrorMessage { try Observations.checkConsistent(clean, profile: gpu, file: "r") }
        #expect(onGPU.contains("ran on cpu but h100-sxm5-80gb is a gpu profile"))
        let reference = [Observation(kernels: [copy], seconds: 1e-5, source: "ref:1", engine: .reference, device: "cuda")]
        try Observations.checkConsistent(reference, profile: gpu, file: "ref")
        #expect(throws: RidgelineError.self) { try Observations.checkConsistent(reference, profile: cpu, file: "ref") }
    }

    @Test("APE per class and overall, with the signed error")
    func validation() throws {
        let profile = try loadShippedProfile("h100-sxm5-80gb")
        let copy = Kernel.copy(Copy(elements: 1 << 28, dtype: .bf16))
        let gemm = Kernel.gemm(GEMM(m: 8192, n: 8192, k: 8192, dtype: .bf16))
        let engine = Roofline(profile)
        let observations = [
            Observation(kernels: [copy], seconds: engine.predict(copy).timeSeconds * 2, source: "a", engine: .onednn),
            Observation(kernels: [gemm], seconds: engine.predict(gemm).timeSeconds / 0.8, source: "b", engine: .onednn),
        ]
        let v = Validation(observations, profile: profile)
        #expect(abs(v.rows[0].error - (-0.5)) < 1e-12 && abs(v.rows[0].ape - 0.5) < 1e-12)
        #expect(abs(v.rows[1].ape - 0.2) < 1e-12)
        #expect(v.byClass.map(\.kernelClass) == ["gemm", "copy"])
        #expect(abs(v.overall.medianAPE - 0.35) < 1e-12)
        #expect(FlopCheck(observations).note != nil)
        let counted = Observation(kernels: [gemm], seconds: 1, source: "c", engine: .onednn, counters: ["PAPI_FP_OPS": gemm.flops * 1.02])
        #expect(abs(FlopCheck([counted]).rows[0].ratio - 1.02) < 1e-12)
    }

    @Test("a CPU profile restricted to n cores scales peaks and bandwidths by n/units and keeps capacities")
    func restriction() throws {
        let profile = try loadShippedProfile("h100-sxm5-80gb")
        #expect(profile.restricted(toUnits: 1) == profile, "GPUs are not restricted")
        var cpu = profile
        cpu.kind = .cpu
        cpu.compute.units = 4
        let one = cpu.restricted(toUnits: 1)
        #expect(one.compute.units == 1)
        #expect(one.compute.peak[.bf16]! == cpu.compute.peak[.bf16]! / 4)
        #expect(one.deviceMemory.bandwidth == cpu.deviceMemory.bandwidth / 4)
        #expect(one.deviceMemory.capacityBytes == cpu.deviceMemory.capacityBytes)
        #expect(cpu.restricted(toUnits: 4) == cpu)
    }

    @Test("the cpu statistic takes one-thread records' thread CPU time and refuses multi-threaded ones")
    func cpuStatistic() throws {
        let host = MeasurementRecord.Host(fingerprint: "h", cpu: nil, cores: 2)
        var record = MeasurementRecord(
            kernel: .copy(Copy(elements: 8, dtype: .fp32)), engine: .onednn, engineVersion: "v", implementation: nil, device: "cpu",
            threads: 1, binding: nil, host: host, medianSeconds: 2e-6, minSeconds: 1e-6, p25Seconds: 1e-6, p75Seconds: 3e-6,
            relativeCI95: nil, stable: true, samples: 9, repetitions: 9, warmup: 2, discarded: 0, disturbedFallback: false,
            threadCPUMedianSeconds: 1.5e-6, threadCPUMinSeconds: 1e-6, counterSource: "none", counters: [:],
            countersUnavailable: [:], cache: "warm", timer: "t", timestamp: "")
        #expect(try Observation(record: record, source: "s", statistic: .cpu).seconds == 1.5e-6)
        #expect(try Observation(record: record, source: "s", statistic: .min).seconds == 1e-6)
        #expect(try Observation(record: record, source: "s").threads == 1)
        record.threads = 2
        #expect { try Observation(record: record, source: "r.jsonl:4", statistic: .cpu) } throws: { "\($0)".contains("r.jsonl:4") }
        let parsed = try MeasurementRecord.parseLines(record.jsonLine, file: "x")
        #expect(parsed == [record])
    }

    @Test("oneDNN's reference implementations are refused with their reason; other engines and JIT kernels are kept")
    func referenceImplementations() throws {
        let host = MeasurementRecord.Host(fingerprint: "h", cpu: nil, cores: 2)
        func observation(_ engine: Engine, _ implementation: String?) throws -> Observation {
            let record = MeasurementRecord(
                kernel: .rowwise(RowWise(.softmax, rows: 4, cols: 8, pass: .bwd, dtype: .fp32)), engine: engine,
                engineVersion: "oneDNN 2.6.3 (isa avx2, OpenMP)", implementation: implementation, device: "cpu", threads: 1, binding: nil,
                host: host, medianSeconds: 2e-6, minSeconds: 1e-6, p25Seconds: 1e-6, p75Seconds: 3e-6, relativeCI95: nil, stable: true,
                samples: 9, repetitions: 9, warmup: 2, discarded: 0, disturbedFallback: false, threadCPUMedianSeconds: nil,
                threadCPUMinSeconds: nil, counterSource: "none", counters: [:], countersUnavailable: [:], cache: "warm", timer: "t",
                timestamp: "")
            return try Observation(record: record, source: "r.jsonl:\(implementation ?? "-")")
        }
        let all = try [
            observation(.onednn, "ref:any"), observation(.onednn, "jit:avx2"), observation(.onednn, nil),
            observation(.openblas, "ref:any"),
        ]
        let judged = Observations.judgeable(all)
        #expect(judged.kept.map(\.source) == ["r.jsonl:jit:avx2", "r.jsonl:-", "r.jsonl:ref:any"])
        #expect(judged.refused.map(\.source) == ["r.jsonl:ref:any"])
        #expect(judged.refused.first?.reason.contains("reference implementation (ref:any) on isa avx2") == true)
    }

    @Test("a record line missing a field is an error naming the line and the field")
    func recordErrors() {
        let line =
            #"{"kernel":{"op":"copy","elements":8,"dtype":"fp32"},"engine":"onednn","engine_version":"1","threads":1,"host":{"fingerprint":"h"},"median_s":1e-6}"#
        #expect { try MeasurementRecord.parseLines(line, file: "r.jsonl") } throws: {
            "\($0)".contains("r.jsonl:1") && "\($0)".contains("samples")
        }
        let bad =
            #"{"kernel":{"op":"copy","elements":0,"dtype":"fp32"},"engine":"onednn","engine_version":"1","threads":1,"host":{"fingerprint":"h"},"median_s":1e-6,"samples":3}"#
        #expect { try MeasurementRecord.parseLines("\n" + bad, file: "r.jsonl") } throws: {
            "\($0)".contains("r.jsonl:2") && "\($0)".contains("kernel.elements")
        }
        // The engine is a closed set: an unknown one is refused with the known ones listed.
        let unknown =
            #"{"kernel":{"op":"copy","elements":8,"dtype":"fp32"},"engine":"cudnn","engine_version":"1","threads":1,"host":{"fingerprint":"h"},"median_s":1e-6,"samples":3}"#
        #expect { try MeasurementRecord.parseLines(unknown, file: "r.jsonl") } throws: {
            "\($0)".contains("field 'engine'") && "\($0)".contains("cudnn") && "\($0)".contains("onednn, openblas, torch, reference")
        }
    }
}
