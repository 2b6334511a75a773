import Foundation
@_exported import RidgelineTestSupport
import Testing

@testable import Ridgeline

/// Ids of every `*.yaml` in `profiles/hardware`, sorted (`shippedProfileIds`: never empty).
let shippedHardwareIds: [String] = shippedProfileIds()

/// The hardware ids DESIGN.md promises (`ridgeline profiles`), plus the static host description.
let contractHardwareIds = [
    "a100-sxm4-40gb", "a100-sxm4-80gb", "h100-sxm5-80gb", "h100-pcie-80gb", "h200-sxm-141gb", "b200",
    "mi300x", "l4", "v100-sxm2-32gb", "epyc-9654", "xeon-8480", "host",
]

/// True when `a` and `b` agree to `relative` (both zero counts as equal).
func close(_ a: Double, _ b: Double, relative: Double = 1e-6) -> Bool {
    abs(a - b) <= relative * max(abs(a), abs(b))
}

/// Runs `body`, expecting a `RidgelineError`, and returns its message ("" when none was thrown, so
/// the `contains` checks that follow fail too).
func ridgelineErrorMessage(sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Any) -> String {
    let error = #expect(throws: RidgelineError.self, sourceLocation: sourceLocation) { _ = try body() }
    return error?.description ?? ""
}
