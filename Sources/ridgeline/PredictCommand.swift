import ArgumentParser
import Ridgeline

struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict", abstract: "Predict kernel times on a device with the roofline engine.")

    @OptionGroup var hardware: HardwareOption
    @Option(name: .customLong("kernel"), help: "A kernel spec as JSON (repeatable), e.g. '{\"op\":\"gemm\",\"m\":4096,\"n\":4096,\"k\":4096,\"dtype\":\"bf16\"}'.")
    var kernelSpecs: [String] = []
    @Option(name: .customLong("kernels"), help: "A JSON Lines file of kernel specs (- reads standard input).") var kernelsFile: String?
    @Option(help: "kernel (device time) or eager (adds the framework's per-op dispatch floor).") var mode: ExecutionMode = .kernel
    @Flag(help: "Print a JSON array instead of a table.") var json = false

    func validate() throws {
        if kernelSpecs.isEmpty && kernelsFile == nil {
            throw ValidationError("give at least one --kernel JSON or a --kernels FILE")
        }
    }

    func run() throws {
        let profile = try hardware.load()
        var kernels = try kernelSpecs.enumerated().map { try Kernel.parse(json: $1, source: "--kernel #\($0 + 1)") }
        if let kernelsFile { kernels += try Kernel.load(path: kernelsFile) }
        let engine = Roofline(profile)
        let predictions = kernels.map { engine.predict($0, mode: mode) }
        var warned = Set<String>()
        for warning in predictions.flatMap(\.warnings) where warned.insert(warning).inserted { standardError("warning: " + warning) }
        if json { return try printJSON(predictions) }
        print("\(profile.name) (\(profile.id)), \(mode.rawValue) mode, \(profile.calibration == nil ? "datasheet ceilings" : "calibrated")")
        var table = TextTable(["kernel", "time", "FLOPs", "bytes", "FLOP/B", "attained", "bound"])
        for p in predictions {
            table.add([p.kernel.label, Quantity.format(p.timeSeconds, .seconds), formatCount(p.flops),
                       Quantity.format(p.bytes, .bytes), formatSignificant(p.arithmeticIntensity, digits: 3),
                       Quantity.format(p.attainedFlopsPerSecond, .flopsPerSecond), p.bound.description])
        }
        print(table.render())
    }
}

extension ExecutionMode: ExpressibleByArgument {}
