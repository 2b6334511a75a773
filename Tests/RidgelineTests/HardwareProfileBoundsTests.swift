import Foundation
import Testing

@testable import Ridgeline

/// The hostile run's silent wrong answers in profiles: a misspelt or empty origin, an empty
/// calibration block, implausible quantities and a vector peak above the matrix peak are refused,
/// naming the field.
@Suite struct HardwareProfileBoundsTests {
    typealias Fixture = HardwareProfileYAMLTests

    func refusal(_ old: String, _ new: String) -> String {
        do {
            _ = try Fixture.parse(Fixture.variant(old, new))
            return "accepted"
        } catch {
            return "\(error)"
        }
    }

    @Test(arguments: [
        ("origin: datasheet", "origin: measurd", "field 'origin'"),
        ("origin: datasheet", "origin: \"\"", "field 'origin'"),
        ("origin: datasheet", "origin:", "field 'origin'"),
        ("bandwidth: 2 TB/s", "bandwidth: 1e300 TB/s", "memory[1].bandwidth"),
        ("bandwidth: 2 TB/s", "bandwidth: 2000 PB/s", "memory[1].bandwidth"),
        ("capacity: 80 GB", "capacity: 80000 PB", "memory[1].capacity"),
        ("launch: 3 us", "launch: 3 s", "latency.launch"),
        ("peak: {fp32: 20 TFLOP/s, bf16: 200 TFLOP/s}", "peak: {fp32: 20e9 PFLOP/s, bf16: 200 TFLOP/s}", "compute.peak.fp32"),
        (
            "peak: {fp32: 20 TFLOP/s, bf16: 200 TFLOP/s}\n",
            "peak: {fp32: 20 TFLOP/s, bf16: 200 TFLOP/s}\n  vector_peak: {bf16: 20000 TFLOP/s}\n", "compute.vector_peak.bf16"
        ),
        ("sources: [\"test\"]", "calibration: {}\nsources: [\"test\"]", "field 'calibration'"),
        ("sources: [\"test\"]", "calibration: {source: \"nothing fitted\"}\nsources: [\"test\"]", "field 'calibration'"),
    ])
    func anImplausibleOrMisspeltValueIsRefusedByField(old: String, new: String, field: String) {
        let message = refusal(old, new)
        #expect(message.contains(field) && message.contains("test.yaml"), "\(message)")
    }

    @Test func aDatasheetProfileWithoutSourcesIsRefusedEvenWhenOriginIsMisspelt() {
        let noSources = Fixture.variant("sources: [\"test\"]", "")
        for origin in ["origin: datasheet", "origin: measurd"] {
            let text = noSources.replacingOccurrences(of: "origin: datasheet", with: origin)
            #expect(throws: RidgelineError.self) { try Fixture.parse(text) }
        }
        #expect((try? Fixture.parse(noSources.replacingOccurrences(of: "origin: datasheet", with: "origin: measured"))) != nil)
    }

    @Test func aVectorPeakWithinFivePercentOfTheMatrixPeakIsAccepted() throws {
        let text = Fixture.variant(
            "peak: {fp32: 20 TFLOP/s, bf16: 200 TFLOP/s}\n",
            "peak: {fp32: 20 TFLOP/s, bf16: 200 TFLOP/s}\n  vector_peak: {fp32: 20.5 TFLOP/s}\n")
        #expect(try Fixture.parse(text).compute.vectorPeak[.fp32] != nil)
    }
}
