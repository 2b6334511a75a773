import Foundation
@testable import Ridgeline

/// The repository's `profiles/` directory, found from this file's path so tests run from anywhere.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
let shippedProfiles = ProfileStore(root: repositoryRoot + "/profiles")

func shippedProfileIds() -> [String] { (try? shippedProfiles.hardwareIds()) ?? [] }

func loadShippedProfile(_ id: String) throws -> HardwareProfile {
    try HardwareProfile.load(path: "\(shippedProfiles.hardwareDirectory)/\(id).yaml")
}
