import ArgumentParser
import Ridgeline

struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict", abstract: "Predict kernel times on a device with the roofline engine.")

    @OptionGroup var hardware: HardwareOption
    @Option(
        name: .customLong("kernel"),
        help: "A kernel spec as JSON (repeatable), e.g. '{\"op\":\"gemm\",\"m\":4096,\"n\":4096,\"k\":4096,\"dtype\":\"bf16\"}'.")
    var kernelSpecs: [String] = []
    @Option(name: .customLong("kernels"), help: "A JSON Lines file of kernel specs (- reads standard input).") var kernelsFile: String?
    @Option(help: "kernel (device time) or eager (adds the framework's per-op dispatch floor).") var mode: ExecutionMode = .kernel
    @Flag(help: "Print a JSON array instead of a table.") var json = false

    func validate() throws {
        if kernelSpecs.isEmpty && kernelsFile == nil {
            throw ValidationError("give at least one --kernel JSON or a --kernels FILE")
        }
    }

    /// Specs from `--kernel` first, then the `--kernels` file read a line at a time: each spec is
    /// checked and predicted as it is read, and only what is printed is kept (the numbers of the
    /// table's rows, formatted at the end, or the predictions for --json). Nothing is printed until
    /// every line has been read, so a bad line anywhere stops `predict` with its error and no
    /// partial table, as soon as it is read.
    func run() throws {
        let profile = try hardware.load()
        let engine = Roofline(profile)
        var rows: [Row] = []
        var predictions: [Prediction] = []
        var warnings: [String] = [], warned = Set<String>()
        func add(_ kernel: Kernel) {
            let p = engine.predict(kernel, mode: mode)
            // Warnings go out once each, after the whole input has been read.
            for warning in p.warnings where warned.insert(warning).inserted { warnings.append(warning) }
            if json { predictions.append(p) } else { rows.append(Row(p)) }
        }
        for (i, spec) in kernelSpecs.enumerated() { add(try Kernel.parse(json: spec, source: "--kernel #\(i + 1)")) }
        if let kernelsFile { try Kernel.forEach(path: kernelsFile, add) }
        for warning in warnings { standardError("warning: " + warning) }
        if json { return try printRecords(predictions) }
        print("\(profile.name) (\(profile.id)), \(mode.rawValue) mode, \(profile.calibration == nil ? "datasheet ceilings" : "calibrated")")
        var table = TextTable(["kernel", "time", "FLOPs", "bytes", "FLOP/B", "attained", "bound"])
        for r in rows {
            table.add([
                r.kernel.label, Quantity.format(r.seconds, .seconds), formatCount(r.flops), Quantity.format(r.bytes, .bytes),
                formatSignificant(r.intensity, digits: 3), Quantity.format(r.attained, .flopsPerSecond), r.bound.description,
            ])
        }
        print(table.render())
    }

    /// What a table row shows of a prediction, kept until the whole input has been read.
    struct Row {
        let kernel: Kernel
        let seconds, flops, bytes, intensity, attained: Double
        let bound: Prediction.Bound
        init(_ p: Prediction) {
            kernel = p.kernel; seconds = p.timeSeconds; flops = p.flops; bytes = p.bytes
            intensity = p.arithmeticIntensity; attained = p.attainedFlopsPerSecond; bound = p.bound
        }
    }
}

extension ExecutionMode: ExpressibleByArgument {}
