import Foundation

/// Finds shipped and user profiles by id or path.
///
/// The profiles directory is `$RIDGELINE_PROFILES` when set, else the first `profiles/` found
/// walking up from the working directory or from the executable, so the tool works from a clone
/// without installation.
public struct ProfileStore: Sendable {
    public let root: String

    public init(root: String) { self.root = root }

    /// The store of the shipped profiles, or an error saying where it looked.
    public static func locate() throws -> ProfileStore {
        if let env = ProcessInfo.processInfo.environment["RIDGELINE_PROFILES"], !env.isEmpty {
            return ProfileStore(root: env)
        }
        var starts = [FileManager.default.currentDirectoryPath]
        let exe = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath().deletingLastPathComponent().path
        starts.append(exe)
        for start in starts {
            var dir = URL(fileURLWithPath: start)
            for _ in 0..<8 {
                let candidate = dir.appendingPathComponent("profiles")
                if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("hardware").path) {
                    return ProfileStore(root: candidate.path)
                }
                dir.deleteLastPathComponent()
            }
        }
        throw RidgelineError.unavailable(what: "profiles directory",
                                         reason: "no profiles/hardware found above \(starts.joined(separator: " or ")); set RIDGELINE_PROFILES")
    }

    public var hardwareDirectory: String { root + "/hardware" }
    public var modelsDirectory: String { root + "/models" }

    /// Ids of the shipped hardware profiles, sorted.
    public func hardwareIds() throws -> [String] {
        try ids(in: hardwareDirectory)
    }

    public func modelIds() throws -> [String] {
        try ids(in: modelsDirectory)
    }

    private func ids(in directory: String) throws -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(5)) }.sorted()
    }

    /// The file a `--hardware`/`--model` reference names: a path when it contains '/' or ends in
    /// .yaml, else an id in `directory`.
    public func resolve(_ reference: String, in directory: String, kind: String) throws -> String {
        if reference.contains("/") || reference.hasSuffix(".yaml") || reference.hasSuffix(".yml") {
            guard FileManager.default.fileExists(atPath: reference) else { throw RidgelineError.fileNotFound(path: reference) }
            return reference
        }
        let path = "\(directory)/\(reference).yaml"
        guard FileManager.default.fileExists(atPath: path) else {
            throw RidgelineError.unknownId(kind: kind, id: reference, known: try ids(in: directory))
        }
        return path
    }

    /// Loads a hardware profile by id or path. `host` prefers the last detected profile
    /// (`detectedHostPath`) over the shipped static description.
    public func hardware(_ reference: String) throws -> HardwareProfile {
        if reference == "host", FileManager.default.fileExists(atPath: Self.detectedHostPath) {
            return try HardwareProfile.load(path: Self.detectedHostPath)
        }
        return try HardwareProfile.load(path: try resolve(reference, in: hardwareDirectory, kind: "hardware profile"))
    }

    /// Where `ridgeline detect` keeps the last detected host profile.
    public static var detectedHostPath: String {
        let env = ProcessInfo.processInfo.environment
        if let dir = env["RIDGELINE_STATE"], !dir.isEmpty { return dir + "/host.yaml" }
        let home = env["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? ((env["HOME"] ?? "/tmp") + "/.cache")
        return home + "/ridgeline/host.yaml"
    }
}
