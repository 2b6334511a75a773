import Foundation
import Ridgeline
import RidgelineTestSupport
import RidgelineTraining

@testable import RidgelineReport

/// Inputs the tests build reports from: the shipped H100 profile, a small CPU described here,
/// and measurement, validation and plan files in the contract's formats.
enum Fixtures {
    static let repository = URL(fileURLWithPath: repositoryRoot)

    static func h100() throws -> HardwareProfile {
        try HardwareProfile.load(path: repository.appendingPathComponent("profiles/hardware/h100-sxm5-80gb.yaml").path)
    }

    /// An 8-core AVX2 CPU: 8 × 3 GHz × 32 fp32 FLOP/clock.
    static let cpu = HardwareProfile(
        id: "test-cpu", name: "Test CPU <8 cores & AVX2>", kind: .cpu, vendor: "test", architecture: "x86-64",
        compute: Compute(units: 8, unitName: "core", clockHz: 3e9, peak: [.fp64: 384e9, .fp32: 768e9], simdBits: 256, threadsPerUnit: 2),
        memory: [
            MemoryLevel(name: "l1", capacityBytes: 32 * 1024, sharedByUnits: 1, bandwidth: 1.5e12),
            MemoryLevel(name: "l2", capacityBytes: 1_048_576, sharedByUnits: 1, bandwidth: 600e9),
            MemoryLevel(name: "dram", capacityBytes: 64e9, sharedByUnits: 8, bandwidth: 50e9),
        ],
        launchLatency: 1e-6, dispatchLatency: 10e-6, scaleUp: nil, scaleOut: nil, powerWatts: 125, pricePerHourUSD: nil,
        calibration: nil, fingerprint: "test-fingerprint", origin: .detected, sources: [])

    static let kernels: [Kernel] = [
        .gemm(GEMM(m: 4096, n: 4096, k: 4096, dtype: .bf16)),
        .gemm(GEMM(m: 2048, n: 2048, k: 2048, dtype: .fp32)),
        .elementwise(Elementwise(name: "gelu", elements: 1 << 24, dtype: .bf16)),
        .rowwise(RowWise(.softmax, rows: 4096, cols: 4096, dtype: .bf16)),
        .copy(Copy(elements: 1 << 20, dtype: .fp32)),
    ]

    static func provenance(_ profiles: [HardwareProfile]) -> Provenance {
        Provenance(
            version: ridgelineVersion, date: Date(timeIntervalSince1970: 1_800_000_000), command: "ridgeline test 'quoted arg'",
            profiles: profiles.map { .init(id: $0.id, name: $0.name, origin: $0.origin, calibrated: $0.calibration != nil) },
            hostFingerprint: "test-fingerprint", inputs: ["fixture"])
    }

    static let measurementLines = """
        # two kernels timed on the test CPU
        {"kernel":{"op":"gemm","m":1024,"n":1024,"k":1024,"dtype":"fp32"},"engine":"onednn","engine_version":"2.6","threads":8,"host":{"fingerprint":"test-fingerprint"},"median_s":0.004,"min_s":0.0038,"samples":20,"counters":{"source":"papi"}}

        {"kernel":{"op":"elementwise","name":"gelu","elements":16777216,"dtype":"fp32"},"engine":"onednn","engine_version":"2.6","threads":8,"host":{"fingerprint":"test-fingerprint"},"median_s":0.003,"samples":20}
        {"kernel":{"op":"layernorm","rows":4096,"cols":1024,"dtype":"fp32"},"engine":"onednn","engine_version":"2.6","threads":8,"host":{"fingerprint":"test-fingerprint"},"median_s":0.0009,"samples":20}
        """

    /// What `ridgeline validate --json` writes (`ValidationRecord`): kernels timed on the test CPU,
    /// one row the sum of two kernels.
    static func validationJSON() throws -> String {
        let timed: [([Kernel], Double)] = [
            ([.gemm(GEMM(m: 1024, n: 1024, k: 1024, dtype: .fp32))], 0.004),
            ([.copy(Copy(elements: 1 << 24, dtype: .fp32))], 0.003),
            ([.rowwise(RowWise(.softmax, rows: 4096, cols: 4096, dtype: .fp32))], 0.002),
            ([kernels[2], .copy(Copy(elements: 1 << 24, dtype: .bf16))], 0.013),
        ]
        let observations = timed.enumerated().map { i, t in
            Observation(kernels: t.0, seconds: t.1, source: "run.jsonl:\(i + 1)", engine: .onednn, threads: 8)
        }
        return try RecordCoding.json(ValidationRecord(Validation(observations, profile: cpu), flopCheck: FlopCheck(observations)))
    }

    /// A plan in the schema `ridgeline plan --json` writes (`PlanRecord`): the contract's fields,
    /// with and without the optional detail (layout, layout_description).
    static let planJSON = """
        {"model":"gpt2-124m","tokens":1e10,"configurations_evaluated":96,"elapsed_s":0.05,
        "best":[{"hardware":"h100-sxm5-80gb","layout":{"gpus":8,"tp":1,"pp":1,"cp":1,"dp":8,"ep":1,"etp":1,"interleave":1,"zero":1,"micro_batch":16,"global_batch":512,"seq":1024,"micro_batches_per_step":4,"stage_layers":[12],"capacity_factor":1,"sequence_parallel":false,"flash_attention":true,"overlap_gradient_reduction":true,"precision":"bf16","recompute":"none","mode":"compiled","optimizer":"adamw","finetune":"none"},"step_time_s":0.3,"train_time_s":12000,"cost_usd":80,"mfu":0.42,"hfu":0.42,"tokens_per_s":830000,"fits_in_memory":true,"memory_per_device_bytes":3e10,"gpu_hours":26.7,"energy_kwh":19,
                 "breakdown":{"gemm":0.2,"attention":0.05,"memory_bound":0.03,"optimizer":0.01,"exposed_communication":0.01,"pipeline_bubble":0,"dispatch_overhead":0}},
                {"hardware":"h100-sxm5-80gb","layout":{"gpus":4,"tp":1,"pp":1,"cp":1,"dp":4,"ep":1,"etp":1,"interleave":1,"zero":1,"micro_batch":16,"global_batch":512,"seq":1024,"micro_batches_per_step":8,"stage_layers":[12],"capacity_factor":1,"sequence_parallel":false,"flash_attention":true,"overlap_gradient_reduction":true,"precision":"bf16","recompute":"none","mode":"compiled","optimizer":"adamw","finetune":"none"},"step_time_s":0.6,"train_time_s":24000,"cost_usd":79,"mfu":0.43,"hfu":0.43,"tokens_per_s":415000,"fits_in_memory":true,"memory_per_device_bytes":3e10,"gpu_hours":26.7,"energy_kwh":19,
                 "breakdown":{"gemm":0.4,"attention":0.1,"memory_bound":0.06,"optimizer":0.02,"exposed_communication":0.02,"pipeline_bubble":0,"dispatch_overhead":0}},
                {"hardware":"a100-sxm4-80gb","layout_description":"tp 1 · pp 1 · dp 8","step_time_s":0.9,"train_time_s":36000,"cost_usd":140,"mfu":0.45,"hfu":0.45,"tokens_per_s":277000,"fits_in_memory":true,"memory_per_device_bytes":3e10,"gpu_hours":80,"energy_kwh":32,
                 "breakdown":{"gemm":0.6,"attention":0.15,"memory_bound":0.09,"optimizer":0.03,"exposed_communication":0.03,"pipeline_bubble":0,"dispatch_overhead":0}}],
        "pareto":[{"hardware":"h100-sxm5-80gb","layout":{"gpus":8,"tp":1,"pp":1,"cp":1,"dp":8,"ep":1,"etp":1,"interleave":1,"zero":1,"micro_batch":16,"global_batch":512,"seq":1024,"micro_batches_per_step":4,"stage_layers":[12],"capacity_factor":1,"sequence_parallel":false,"flash_attention":true,"overlap_gradient_reduction":true,"precision":"bf16","recompute":"none","mode":"compiled","optimizer":"adamw","finetune":"none"},"step_time_s":0.3,"train_time_s":12000,"cost_usd":80,"mfu":0.42,"hfu":0.42,"tokens_per_s":830000,"fits_in_memory":true,"memory_per_device_bytes":3e10,"gpu_hours":26.7,"energy_kwh":19,
                   "breakdown":{"gemm":0.2,"attention":0.05,"memory_bound":0.03,"optimizer":0.01,"exposed_communication":0.01,"pipeline_bubble":0,"dispatch_overhead":0}},
                  {"hardware":"h100-sxm5-80gb","layout":{"gpus":4,"tp":1,"pp":1,"cp":1,"dp":4,"ep":1,"etp":1,"interleave":1,"zero":1,"micro_batch":16,"global_batch":512,"seq":1024,"micro_batches_per_step":8,"stage_layers":[12],"capacity_factor":1,"sequence_parallel":false,"flash_attention":true,"overlap_gradient_reduction":true,"precision":"bf16","recompute":"none","mode":"compiled","optimizer":"adamw","finetune":"none"},"step_time_s":0.6,"train_time_s":24000,"cost_usd":79,"mfu":0.43,"hfu":0.43,"tokens_per_s":415000,"fits_in_memory":true,"memory_per_device_bytes":3e10,"gpu_hours":26.7,"energy_kwh":19,
                   "breakdown":{"gemm":0.4,"attention":0.1,"memory_bound":0.06,"optimizer":0.02,"exposed_communication":0.02,"pipeline_bubble":0,"dispatch_overhead":0}}]}
        """

    /// What `ridgeline detect --measure --json` writes (`HostReport`) on the test CPU.
    static func detectJSON() throws -> String {
        var host = HostReport(
            cores: 8, threads: 16,
            caches: [
                .init(level: 1, sizeBytes: 32768, sharedByCores: 1, type: "data", lineBytes: 64, instances: 8),
                .init(level: 2, sizeBytes: 1_048_576, sharedByCores: 1, type: "unified", lineBytes: 64, instances: 8),
            ],
            simd: ["avx2", "fma"])
        host.cpu = "Test CPU"; host.fingerprint = "test-fingerprint"; host.clockHz = 2.9e9
        host.nominal = .init(
            clockHz: 3e9, flopsPerCyclePerCore: ["fp64": 16, "fp32": 32], peakFlopsPerS: ["fp64": 384e9, "fp32": 768e9], basis: "AVX2")
        host.peakFlopsPerS = ["fp64": 350e9, "fp32": 690e9]
        host.bandwidthBytesPerS = ["l1": 1.3e12, "l2": 5.1e11, "dram": 3.9e10]
        return try RecordCoding.json(host)
    }

    /// GPT-2 124M (the shipped definition) on the test CPU and the H100, two token budgets.
    static func modelComparison() throws -> Report {
        let model = try shippedProfiles.model("gpt2-124m")
        let layout = Layout(devices: 1, globalBatch: 512, microBatch: 8)
        let settings = KernelSettings(microBatch: 8, seq: 1024)
        let profiles = [cpu, try h100()]
        let estimates = try profiles.map { p in
            try [1e9, 1e10].map { try TrainingPredictor.predict(model: model, profile: p, settings: settings, layout: layout, tokens: $0) }
        }
        return CompareModelReport.build(profiles: profiles, estimates: estimates, unit: "tokens", provenance: provenance(profiles))
    }

    static func temporaryDirectory(_ name: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "ridgeline-report-tests-\(ProcessInfo.processInfo.processIdentifier)-\(name)")
        try? FileManager.default.removeItem(at: dir)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.path
    }

    static func file(_ name: String, _ text: String) throws -> String {
        // Tests run in parallel: every file gets its own name, and nothing is removed.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "ridgeline-report-tests-\(ProcessInfo.processInfo.processIdentifier)-inputs")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.path + "/" + UUID().uuidString + "-" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// One report of each kind.
    static func allReports() throws -> [Report] {
        let h100 = try h100()
        let compare = CompareKernelsReport.build(
            profiles: [cpu, h100], kernels: kernels, kernelsSource: "fixture kernels", mode: .kernel,
            provenance: provenance([cpu, h100]))
        let measurementsPath = try file("m.jsonl", measurementLines)
        let measurements = MeasurementReport.build(
            try MeasuredKernel.load(path: measurementsPath), profile: cpu, file: measurementsPath,
            provenance: provenance([cpu]))
        let validationPath = try file("v.json", try validationJSON())
        let validation = ValidationReport.build(
            try ValidationResult.load(path: validationPath), profile: cpu, file: validationPath,
            provenance: provenance([cpu]))
        let planPath = try file("p.json", planJSON)
        let plan = CapacityPlanReport.build(try PlanFile.load(path: planPath), file: planPath, provenance: provenance([]))
        let detectPath = try file("d.json", try detectJSON())
        let ceilings = CeilingsReport.build(
            try HostCeilings.load(path: detectPath), profile: cpu, file: detectPath, provenance: provenance([cpu]))
        return [compare, measurements, validation, plan, ceilings, try modelComparison(), try servingComparison()]
    }

    /// `compare --serve` on the CPU and the H100 with numbers in the shapes the serving model
    /// gives: a load sweep per device and a prefill and two decode passes.
    static func servingComparison() throws -> Report {
        let h100 = try h100()
        func device(_ p: HardwareProfile, scale: Double) -> CompareServingReport.Device {
            let sweep = [1, 4, 16, 64].map { c in
                CompareServingReport.LoadPoint(
                    concurrency: c, ttft: 0.05 / scale, tpot: 0.01 * (1 + Double(c) / 64) / scale,
                    tokensPerSecond: Double(c) * 80 * scale, tokensPerSecondPerDevice: Double(c) * 80 * scale)
            }
            let phases = [
                CompareServingReport.Phase(
                    label: "prefill, 1000-token prompt", flops: 1.4e14, bytes: 1.5e11, seconds: 0.2 / scale, bound: "compute"),
                .init(label: "decode step, batch 1", flops: 1.4e11, bytes: 1.4e11, seconds: 0.04 / scale, bound: "memory"),
                .init(label: "decode step, batch 64", flops: 9e12, bytes: 1.6e11, seconds: 0.05 / scale, bound: "memory"),
            ]
            return .init(profile: p, layout: "tp 1, bf16", dtype: .bf16, sweep: sweep, phases: phases)
        }
        return CompareServingReport.build(
            model: "Test LM", workload: "1000 tokens in, 500 out", devices: [device(cpu, scale: 0.01), device(h100, scale: 1)],
            provenance: provenance([cpu, h100]))
    }
}
