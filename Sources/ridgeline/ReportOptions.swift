import ArgumentParser
import Foundation
import Ridgeline
import RidgelineReport

/// `-o DIR`: where a report goes; by default `reports/<name>/` under the working directory.
struct ReportOutputOption: ParsableArguments {
    @Option(name: [.customShort("o"), .long], help: "Directory to write the report into (default: reports/<name>/).")
    var output: String?

    /// Writes `report` and prints the path of its `index.html`.
    func write(_ report: Report) throws {
        let directory = output ?? "reports/\(report.name)"
        let index = try ReportWriter.write(report, to: directory)
        print(index)
    }
}

/// The provenance of a report run from this command line.
func reportProvenance(profiles: [HardwareProfile], hostFingerprint: String? = nil, inputs: [String]) -> Provenance {
    let arguments = ["ridgeline"] + CommandLine.arguments.dropFirst()
    let uses = profiles.map {
        Provenance.ProfileUse(
            id: $0.id, name: $0.name, origin: $0.origin, calibrated: $0.calibration != nil,
            calibrationSource: $0.calibration?.source, fingerprint: $0.fingerprint)
    }
    return Provenance(
        version: ridgelineVersion, date: Date(), command: Provenance.shellCommand(arguments), profiles: uses,
        hostFingerprint: hostFingerprint ?? profiles.compactMap(\.fingerprint).first, inputs: inputs.map(TextInput.name(of:)))
}
