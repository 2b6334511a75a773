import ArgumentParser
import Foundation
import Ridgeline
import RidgelineEngines
import RidgelineProbe

/// `ridgeline measure`: times a kernel suite on a real engine and writes JSON Lines records.
struct MeasureCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "measure",
        abstract: "Time a kernel suite on a real tensor engine (oneDNN, OpenBLAS, PyTorch) and write JSON Lines records.",
        discussion: """
            Records are appended to the output one by one, so an interrupted run keeps every finished record. \
            Kernels an engine cannot run are listed on stderr with the reason.
            """)

    @OptionGroup var options: MeasureOptions
    @Option(name: [.customShort("o"), .long], help: "Append records to this file (default: print them on stdout).")
    var output: String?

    func validate() throws { try options.check() }

    func run() throws {
        let store = ProfileStore.locate()
        // An interrupt ends the run at once: every record already appended stays, complete. The
        // default action is restored, and SIGINT unblocked, because a parent may have left it ignored or
        // blocked (test runners do).
        signal(SIGINT, SIG_DFL)
        var interrupt = sigset_t()
        sigemptyset(&interrupt)
        sigaddset(&interrupt, SIGINT)
        pthread_sigmask(SIG_UNBLOCK, &interrupt, nil)
        if options.engine == .torch {
            let status = try options.runTorch(store: store, output: output)
            if status != 0 { throw ExitCode(status) }
            return
        }
        let suite = try Suite.load(options.suite, store: store)  // a malformed suite fails before any output exists
        let writer = try output.map { try RecordWriter(path: $0) }
        if let writer, writer.startedAfterCutOffLine {
            standardError(
                "\(writer.path): its last line was cut off (an interrupted write?); it is left as it was and new records start on the next line"
            )
        }
        _ = try options.measure(store: store, suite: suite) { record in
            if let writer { try writer.append(record) } else { FileHandle.standardOutput.write(Data((record.jsonLine + "\n").utf8)) }
        }
    }
}

/// The options `measure` and `validate` share, and the run itself.
struct MeasureOptions: ParsableArguments {
    @Option(help: "Engine: onednn, openblas or torch.") var engine: Engine = .onednn
    @Option(help: "Suite: default, short, or a JSON Lines file of kernel specs (- reads standard input).") var suite = "default"
    @Option(parsing: .unconditional, help: "Threads (default: every core this process may use).") var threads: Int?
    @Flag(help: "Flush the caches before every repetition (default: warm caches).") var cold = false
    @Option(parsing: .unconditional, help: "Seconds per kernel before giving up on a ±3% median.") var timeCap = 1.0
    @Option(help: "Device for the torch engine: cpu, cuda, cuda:N.") var device = "cpu"
    @Option(help: "Counters around every repetition: auto (the best layer that counts here), papi, perf_event, rusage or none.")
    var counters: CounterChoice = .auto

    func check() throws {
        if let threads, threads < 1 || threads > ThreadControl.availableCores {
            throw ValidationError("--threads \(threads): expected 1 to \(ThreadControl.availableCores), the cores this process may use")
        }
        guard timeCap > 0, timeCap.isFinite else { throw ValidationError("--time-cap \(timeCap): expected positive seconds") }
        if engine != .torch, device != "cpu" { throw ValidationError("--device \(device) needs --engine torch") }
    }

    var threadCount: Int { threads ?? ThreadControl.availableCores }

    /// Measures the suite in process, handing each record to `sink`; prints skipped kernels and
    /// a summary on stderr, and progress there when stderr is a terminal.
    func measure(
        store: ProfileStore, suite loaded: (path: String, kernels: [Kernel])? = nil,
        sink: (MeasurementRecord) throws -> Void
    ) throws -> [MeasurementRecord] {
        let (path, kernels) = try loaded ?? Suite.load(suite, store: store)
        var runner = try SuiteRunner(settings: settings, notice: standardError)
        let interactive = isatty(STDERR_FILENO) == 1
        if interactive {
            standardError(
                "measuring \(kernels.count) kernels from \(path) with \(runner.engine.version), \(threadCount) threads, \(settings.cache.rawValue) caches"
            )
        }
        let outcome = try runner.run(
            kernels,
            progress: { index, kernel, record in
                guard interactive else { return }
                let result = record.map { Quantity.format($0.medianSeconds, .seconds) } ?? "skipped"
                standardError("[\(index + 1)/\(kernels.count)] \(kernel.label): \(result)")
            }, record: sink)
        for (kernel, reason) in outcome.unsupported { standardError("skipped \(kernel.label): \(reason)") }
        for (kernel, error) in outcome.failed { standardError("failed \(kernel.label): \(error)") }
        let discarded = outcome.records.reduce(0) { $0 + $1.discarded }
        let unstable = outcome.records.filter { !$0.stable }.count
        // Skipped and failed kernels are always reported; the summary, like progress, only on a terminal.
        guard interactive else { return outcome.records }
        standardError(
            "measured \(outcome.records.count) of \(kernels.count) kernels; \(outcome.unsupported.count) unsupported, "
                + "\(outcome.failed.count) failed; \(unstable) did not reach ±3% within \(timeCap) s; "
                + "\(discarded) disturbed repetitions left out; counters: \(runner.harness.counterSourceName)")
        return outcome.records
    }

    /// What the flags ask of an in-process run (`SuiteRunner(settings:)` picks the engine and the
    /// counters from it).
    var settings: MeasureSettings {
        MeasureSettings(engine: engine, threads: threadCount, cache: cold ? .cold : .warm, timeCapSeconds: timeCap, counters: counters)
    }

    func runTorch(store: ProfileStore, output: String?) throws -> Int32 {
        if suite == TextInput.standardInput {
            throw ValidationError(
                "--suite -: the torch engine reads its suite from a file; save standard input to a file and pass its path")
        }
        let bridge = try TorchBridge.locate()
        switch bridge.availability() {
        case .failure(let error):
            throw RidgelineError.unavailable(
                what: "the torch engine", reason: "\(error.description); use --engine onednn or install PyTorch")
        case .success(let version):
            standardError("torch engine: PyTorch \(version), \(bridge.script)")
        }
        let path = try Suite.path(suite, store: store)
        _ = try Suite.load(suite, store: store)  // a malformed line is reported here, by the same parser
        return try bridge.measure(suite: path, device: device, output: output, threads: threads, cold: cold, timeCap: timeCap)
    }
}

func standardError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

/// `--counters`: the best layer that counts here (`auto`), none, or one layer by name.
extension CounterChoice: ExpressibleByArgument {}
