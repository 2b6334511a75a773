import Foundation
import Testing
@testable import Ridgeline

/// The repository's `profiles/` directory, found from this file's path so tests run from anywhere.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
let shippedProfiles = ProfileStore(root: repositoryRoot + "/profiles")

func shippedProfileIds() -> [String] { (try? shippedProfiles.hardwareIds()) ?? [] }

func loadShippedProfile(_ id: String) throws -> HardwareProfile {
    try HardwareProfile.load(path: "\(shippedProfiles.hardwareDirectory)/\(id).yaml")
}

/// Where the shipped hardware profiles live.
let shippedHardwareDirectory: String = shippedProfiles.hardwareDirectory

/// Ids of every `*.yaml` in `profiles/hardware`, sorted (empty if the directory is missing, which
/// `ShippedProfileTests.contractIdsAllShip` reports).
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
