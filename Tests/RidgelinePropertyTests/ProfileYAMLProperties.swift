import Foundation
import PropertyBased
import Ridgeline
import RidgelineTraining
import Testing

/// Shipped hardware profiles and model definitions with one value replaced by something hostile
/// (or one line dropped): either a clear error naming the file and the field, or a profile whose
/// predictions (a model whose parameter count) are finite.
@Suite struct ProfileYAMLProperties {
    static let hardware = shippedFiles(shippedProfiles.hardwareDirectory)
    static let models = shippedFiles(shippedProfiles.modelsDirectory)

    /// Where a value sits in a YAML text: after `key: `, up to the next `,` `}` `]` or line end.
    static func valueRanges(_ text: String) -> [Range<String.Index>] {
        let pattern = try! NSRegularExpression(pattern: #"(?<=: )[^,\}\]\n#]+"#)
        let ns = text as NSString
        return pattern.matches(in: text, range: NSRange(location: 0, length: ns.length)).compactMap { Range($0.range, in: text) }
    }

    /// One mutation of one file: which file, which value (or which line, when dropping one), and
    /// what goes there.
    static func mutate(
        _ files: [(path: String, text: String)], _ fileIndex: Int, _ position: Int, _ replacement: String,
        _ dropLine: Bool
    ) -> (path: String, text: String) {
        let file = files[fileIndex % files.count]
        if dropLine {
            var lines = file.text.split(separator: "\n", omittingEmptySubsequences: false)
            lines.remove(at: position % lines.count)
            return (file.path, lines.joined(separator: "\n"))
        }
        let ranges = valueRanges(file.text)
        guard !ranges.isEmpty else { return file }
        var text = file.text
        text.replaceSubrange(ranges[position % ranges.count], with: replacement)
        return (file.path, text)
    }

    static let positions = Gen.int(in: 0...10_000)
    static let replacements = Gen.element(of: hostileScalars).map { $0 ?? "0" }

    @Test func aMutatedHardwareProfileIsRefusedByFieldOrPredictsSanely() async {
        #expect(Self.hardware.count >= 10)
        await propertyCheck(count: 3000, input: Self.positions, Self.positions, Self.replacements, Gen.bool) { f, at, value, drop in
            let file = Self.mutate(Self.hardware, f, at, value, drop)
            do {
                let profile = try HardwareProfile.parse(yaml: file.text, file: file.path)
                for kernel in probeKernels {
                    for mode in ExecutionMode.allCases {
                        let p = Roofline(profile).predict(kernel, mode: mode)
                        #expect(isSane(p), "\(file.path) mutated: \(kernel.label) \(p.timeSeconds) s")
                    }
                }
            } catch let error as RidgelineError {
                let message = error.description
                #expect(message.contains(file.path) && namesTheField(message), "\(message)")
            } catch {
                Issue.record("\(file.path) mutated: not a RidgelineError: \(error)")
            }
        }
    }

    @Test func aMutatedModelIsRefusedByFieldOrCountsSanely() async {
        #expect(Self.models.count >= 20)
        await propertyCheck(count: 3000, input: Self.positions, Self.positions, Self.replacements, Gen.bool) { f, at, value, drop in
            let file = Self.mutate(Self.models, f, at, value, drop)
            do {
                let model = try ModelDefinition.parse(file.text, file: file.path)
                #expect(model.parameterCount.isFinite && model.parameterCount > 0, "\(file.path) mutated: \(model.parameterCount)")
            } catch let error as RidgelineError {
                let message = error.description
                #expect(message.contains(file.path) && namesTheField(message), "\(message)")
            } catch {
                Issue.record("\(file.path) mutated: not a RidgelineError: \(error)")
            }
        }
    }
}
