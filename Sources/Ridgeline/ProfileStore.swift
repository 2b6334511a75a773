import Foundation

/// Finds shipped and user profiles by id or path.
///
/// The profiles directory is `$RIDGELINE_PROFILES` when set, else `profiles/` in the data root
/// (`DataRoot.locate`: beside an installed executable, or the clone it or the working directory
/// is in), so the tool works installed, from a clone, and from any directory. A reference given as
/// a path never needs the profiles directory: when none is found, only ids fail, with the reason.
public struct ProfileStore: Sendable {
    public let root: String
    /// Why `locate` found no profiles directory (nil when `root` is one).
    public let missing: RidgelineError?

    public init(root: String) { self.root = root; missing = nil }

    private init(missing: RidgelineError) { root = ""; self.missing = missing }

    /// The store of the shipped profiles. A `$RIDGELINE_PROFILES` that is not a folder with
    /// `hardware/` in it, or no data root, makes a store whose ids fail naming what is wrong.
    public static func locate() -> ProfileStore {
        if let env = ProcessInfo.processInfo.environment["RIDGELINE_PROFILES"], !env.isEmpty {
            guard DataRoot.isDirectory(env + "/hardware") else {
                return ProfileStore(
                    missing: .invalidValue(
                        file: nil, field: "RIDGELINE_PROFILES", value: env,
                        expected:
                            "a profiles folder holding hardware/ (there is no folder \(env)/hardware); unset it to use the shipped profiles"
                    ))
            }
            return ProfileStore(root: env)
        }
        do { return ProfileStore(root: try DataRoot.locate().profiles) } catch { return ProfileStore(missing: error) }
    }

    public var hardwareDirectory: String { root + "/hardware" }
    public var modelsDirectory: String { root + "/models" }

    /// A folder of the profiles directory (`hardware`, `models`, `suites`), or why there is none.
    public func folder(_ name: String) throws -> String {
        if let missing { throw missing }
        return root + "/" + name
    }

    /// Ids of the shipped hardware profiles, sorted.
    public func hardwareIds() throws -> [String] {
        try ids(in: hardwareDirectory)
    }

    public func modelIds() throws -> [String] {
        try ids(in: modelsDirectory)
    }

    private func ids(in directory: String) throws -> [String] {
        if let missing { throw missing }
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
        if let missing { throw missing }
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
