import Foundation
import Ridgeline

// What every test target shares: where the repository is, and the profiles and models it ships.
// One definition, so that a test cannot pass because its own copy looked in the wrong place.

/// The repository root, found from this file's path so tests run from any directory.
public let repositoryRoot: String = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

/// The shipped hardware profiles and models (`profiles/`).
public let shippedProfiles = ProfileStore(root: repositoryRoot + "/profiles")

/// Where the shipped hardware profiles live.
public let shippedHardwareDirectory: String = shippedProfiles.hardwareDirectory

/// Ids of every shipped hardware profile, sorted: the cases of parameterized tests. Never empty:
/// when the directory cannot be listed or holds no profile, the one id returned names the
/// problem, so every test that loads it fails saying why instead of passing with zero cases.
public func shippedProfileIds() -> [String] {
    do {
        let ids = try shippedProfiles.hardwareIds()
        return ids.isEmpty ? ["(no profiles in \(shippedHardwareDirectory))"] : ids
    } catch {
        return ["(\(shippedHardwareDirectory) cannot be listed: \(error))"]
    }
}

/// A shipped hardware profile by id, read from its file.
public func loadShippedProfile(_ id: String) throws -> HardwareProfile {
    try HardwareProfile.load(path: "\(shippedHardwareDirectory)/\(id).yaml")
}
