import Foundation
import Ridgeline
import RidgelineTraining

/// Issue 13's scale figures, on inputs generated here (nothing large is committed), each run as a
/// user would run the release `ridgeline`: CPU time (user + system, all threads), wall time and
/// peak memory of the process. Targets are on CPU time, which a machine shared with other jobs
/// does not inflate as it does wall time; one-thread commands take about their CPU time alone.
/// - `predict` on 200,000 GEMM specs: target under 5 s (`--json`: 10 s and 512 MiB); the same
///   file with a bad last line: the error (exit 1, nothing printed on stdout) in under 5 s.
/// - `validate` on 100,000 measurement records (~1.6 KB each, as `measure` writes them): target
///   under 30 s and 1 GiB; `calibrate` on 10,000 (its fit, not the reading, sets its time).
/// - `plan --model gpt2-124m --hardware h100-sxm5-80gb --global-batch-range 1:65000`
///   (262,855,254 configurations): target under 30 s.
struct ScaleSection: BenchSection {
    let name = "scale"
    let summary = "predict on 200,000 specs, validate/calibrate on 100,000 records, plan --global-batch-range 1:65000"

    func run(_ context: BenchContext) throws -> [BenchFigure] {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ridgeline-bench-scale-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        func path(_ name: String) -> String { dir.appendingPathComponent(name).path }
        let binary = context.productsDirectory.appendingPathComponent("ridgeline").path
        var figures: [BenchFigure] = []
        @discardableResult
        func run(_ label: String, _ arguments: [String], target seconds: Double?, memory: Double? = nil) throws -> ChildRun {
            benchProgress("scale: \(label)")
            let r = try ChildRun(binary, arguments, stdout: path("stdout"), stderr: path("stderr"))
            guard r.status == 0 else {
                throw RidgelineError.unavailable(
                    what: "ridgeline \(arguments.joined(separator: " "))", reason: "exit \(r.status): \(r.stderr.suffix(500))")
            }
            figures.append(r.figure(label, target: seconds, memory: memory))
            return r
        }

        // 200,000 GEMM specs, and the same with a bad last line.
        benchProgress("scale: writing inputs")
        try ScaleInputs.write(200_000, to: path("specs.jsonl"), ScaleInputs.gemmSpec)
        try ScaleInputs.write(200_000, to: path("bad.jsonl")) { i in
            i < 199_999 ? ScaleInputs.gemmSpec(i) : #"{"op":"gemm","m":4096,"n":0,"k":4096,"dtype":"bf16"}"#
        }
        try run("predict: 200,000 GEMM specs", ["predict", "--hardware", "h100-sxm5-80gb", "--kernels", path("specs.jsonl")], target: 5)
        try run(
            "predict --json: 200,000 GEMM specs", ["predict", "--hardware", "h100-sxm5-80gb", "--kernels", path("specs.jsonl"), "--json"],
            target: 10, memory: Double(512 << 20))
        benchProgress("scale: predict on a bad last line")
        let bad = try ChildRun(
            binary, ["predict", "--hardware", "h100-sxm5-80gb", "--kernels", path("bad.jsonl")], stdout: path("stdout"),
            stderr: path("stderr"))
        let named = bad.stderr.contains("bad.jsonl:200000: field 'n' has value '0'")
        let printed = (try? String(contentsOfFile: path("stdout"), encoding: .utf8))?.isEmpty == false
        var figure = bad.figure(
            "predict: bad line 200,000 of 200,000: error (exit \(bad.status)\(printed ? ", table printed" : ", nothing printed"))",
            target: 5, memory: nil)
        figure.target += ", exit 1, names the line"
        figure.pass = figure.pass == true && bad.status == 1 && named && !printed
        figures.append(figure)

        // 100,000 measurement records of one host.
        let records = ScaleInputs.records()
        try ScaleInputs.write(100_000, to: path("records.jsonl")) { records[$0 % records.count] }
        try run(
            "validate: 100,000 records", ["validate", "--hardware", "xeon-8480", "--measurements", path("records.jsonl")], target: 30,
            memory: Double(1 << 30))
        // calibrate reads the records as validate does; its fit (CalibrationFit, a grid search
        // over every sample) sets its time, which grows with the records: 5,000 here, no target.
        try ScaleInputs.write(5_000, to: path("records-5k.jsonl")) { records[$0 % records.count] }
        try run(
            "calibrate: 5,000 records (the fit's time)",
            [
                "calibrate", "--hardware", "xeon-8480", "--measurements", path("records-5k.jsonl"),
                "-o", path("calibrated.yaml"),
            ], target: nil)

        try run(
            "plan gpt2-124m, h100, --global-batch-range 1:65000",
            ["plan", "--model", "gpt2-124m", "--hardware", "h100-sxm5-80gb", "--global-batch-range", "1:65000", "--json"], target: 30)
        if let text = try? String(contentsOfFile: path("stdout"), encoding: .utf8),
            let plan = try? RecordCoding.decode(PlanRecord.self, from: text, file: "plan --json")
        {
            let n = { (count: Int?) in count.map { formatCount(Double($0)) } ?? "?" }
            figures.append(
                BenchFigure(
                    name:
                        "  plan: \(n(plan.configurationsSearched)) searched: \(n(plan.configurationsEvaluated)) evaluated, \(n(plan.configurationsPruned)) ruled out by memory, \(n(plan.configurationsBounded)) by train time",
                    value: "", target: "", pass: nil))
        }
        return figures
    }
}

/// One run of a program: exit status, wall and CPU seconds, peak resident memory (`wait4`).
struct ChildRun {
    var status: Int32
    var wall: Double
    var cpu: Double
    var maxRSS: Double
    /// The bench's own peak when the child was spawned. Linux carries it into the child's
    /// `ru_maxrss` (posix_spawn's vfork shares the parent's memory until exec), so a child peak
    /// at or below it is the bench's, not the child's: after the sections that allocate (stream's
    /// 480 MiB of arrays) every child read 512 MiB.
    var benchPeak: Double
    var stderr: String

    init(_ program: String, _ arguments: [String], stdout: String, stderr: String) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let argv = ([program] + arguments).map { strdup($0) } + [nil]
        defer { for a in argv { free(a) } }
        var own = rusage()
        getrusage(RUSAGE_SELF.rawValue, &own)
        benchPeak = Double(own.ru_maxrss) * 1024
        var pid: pid_t = 0
        let start = Date()
        let spawned = posix_spawn(&pid, program, &actions, nil, argv, environ)
        guard spawned == 0 else { throw RidgelineError.unavailable(what: program, reason: String(cString: strerror(spawned))) }
        var raw: Int32 = 0
        var usage = rusage()
        while wait4(pid, &raw, 0, &usage) < 0 && errno == EINTR {}
        wall = Date().timeIntervalSince(start)
        status = raw & 0x7F == 0 ? (raw >> 8) & 0xFF : 128 + (raw & 0x7F)
        cpu = Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
        maxRSS = Double(usage.ru_maxrss) * 1024
        self.stderr = (try? String(contentsOfFile: stderr, encoding: .utf8)) ?? ""
    }

    static func seconds(_ s: Double) -> String { formatSignificant(s, digits: 3) }

    /// CPU time (wall time, peak memory) against `target` CPU seconds and `memory` bytes; nil: informational.
    /// The child's peak is not judged where the bench's own hides it (`benchPeak`): the figure
    /// says so, and `--only scale` measures it.
    func figure(_ label: String, target: Double?, memory: Double?) -> BenchFigure {
        let peakIsOwn = maxRSS > benchPeak
        let peak =
            peakIsOwn
            ? "\(formatSignificant(maxRSS / 1_048_576, digits: 3)) MiB"
            : "peak hidden by the bench's own \(formatSignificant(benchPeak / 1_048_576, digits: 3)) MiB: --only scale"
        var targets = target.map { "CPU < \(formatSignificant($0, digits: 3)) s" } ?? ""
        if let memory, peakIsOwn { targets += ", < \(formatSignificant(memory / 1_048_576, digits: 4)) MiB" }
        return BenchFigure(
            name: label, value: "CPU \(Self.seconds(cpu)) s (wall \(Self.seconds(wall)) s, \(peak))",
            target: targets, pass: target.map { cpu < $0 && (memory.map { !peakIsOwn || maxRSS < $0 } ?? true) })
    }
}

/// The generated inputs: varied GEMM shapes, and records of them as `ridgeline measure` writes
/// them on one host (one engine, one thread, the counters a VM without a PMU reports).
enum ScaleInputs {
    static let sizes = [16, 64, 128, 256, 512, 768, 1024, 1536, 2048, 3072, 4096, 8192]
    static let dtypes: [DType] = [.fp32, .bf16, .fp16]

    static func gemm(_ i: Int) -> GEMM {
        GEMM(m: sizes[i % 12], n: sizes[(i / 12) % 12], k: sizes[(i / 144) % 12], dtype: dtypes[(i / 1728) % 3])
    }

    /// Spec `i` as one line of JSON, as `Kernel.json` writes it (written here directly: encoding
    /// 200,000 specs with JSONEncoder would take longer than predicting them).
    static func gemmSpec(_ i: Int) -> String {
        let g = gemm(i)
        return #"{"dtype":"\#(g.dtype.rawValue)","k":\#(g.k),"m":\#(g.m),"n":\#(g.n),"op":"gemm"}"#
    }

    /// 1,000 distinct records of GEMMs, as `ridgeline measure` writes them on one host (one engine, one
    /// thread, the counters of a VM without a PMU), to be repeated.
    static func records() -> [String] {
        let reason =
            "no hardware PMU: this is a virtual machine (KVM) that exposes no virtual PMU (/sys/bus/event_source/devices lists breakpoint, msr, software, tracepoint, uprobe)"
        let unavailable = Dictionary(
            uniqueKeysWithValues: ["PAPI_DP_OPS", "PAPI_FP_INS", "PAPI_FP_OPS", "PAPI_L1_DCM", "PAPI_L2_TCM", "PAPI_L3_TCM", "PAPI_SP_OPS"]
                .map { ($0, reason) })
        return (0..<1000).map { i -> String in
            let kernel = Kernel.gemm(gemm(i))
            let seconds = kernel.flops / 40e9 + 4e-6
            return MeasurementRecord(
                kernel: kernel, engine: .onednn, engineVersion: "3.5.3", implementation: "brg:avx512_core", device: "cpu", threads: 1,
                binding: "hwloc: calling thread on core 0",
                host: .init(fingerprint: "bench-host", cpu: "Intel(R) Xeon(R) Platinum 8480+", cores: 2),
                medianSeconds: seconds, minSeconds: seconds * 0.97, p25Seconds: seconds * 0.99, p75Seconds: seconds * 1.02,
                relativeCI95: 0.004, stable: true, samples: 30, repetitions: 32, warmup: 3, discarded: 2, disturbedFallback: false,
                threadCPUMedianSeconds: seconds * 0.99, threadCPUMinSeconds: seconds * 0.96, counterSource: "papi",
                counters: [
                    "perf::CONTEXT-SWITCHES": 0, "perf::CPU-MIGRATIONS": 0, "perf::PAGE-FAULTS": 0, "perf::TASK-CLOCK": seconds * 1e9,
                ],
                countersUnavailable: unavailable, cache: "warm", timer: "clock_gettime(CLOCK_MONOTONIC)", timestamp: "2026-12-02T08:00:00Z"
            ).jsonLine
        }
    }

    /// Writes `count` lines a block at a time: the bench's own memory stays small, and with it the
    /// peak a child reports (Linux carries the parent's peak into a spawned child's `ru_maxrss`).
    static func write(_ count: Int, to path: String, _ line: (Int) -> String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw RidgelineError.unreadable(file: path, reason: "cannot be written")
        }
        defer { try? handle.close() }
        var block = ""
        for i in 0..<count {
            block += line(i)
            block += "\n"
            if block.utf8.count > 1 << 20 { try handle.write(contentsOf: Data(block.utf8)); block = "" }
        }
        try handle.write(contentsOf: Data(block.utf8))
    }
}
