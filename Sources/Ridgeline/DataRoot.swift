import Foundation

/// The folder that holds Ridgeline's data: `profiles/` (hardware, models, suites), `reference/`
/// (the published runs and real timings the checks read) and `scripts/torch_engine.py`.
///
/// It is found, first match wins,
/// 1. beside the executable, as `make install` lays it out: `<exe dir>/../share/ridgeline`;
/// 2. walking up from the executable (a clone's `.build/<config>/ridgeline`);
/// 3. walking up from the working directory (a clone, whichever binary runs).
/// A folder counts when it has `profiles/hardware`. `$RIDGELINE_PROFILES` overrides the profiles
/// folder only (see `ProfileStore.locate`); the reference data and scripts still come from here.
public struct DataRoot: Sendable, Equatable {
    public let path: String

    public init(path: String) { self.path = path }

    public var profiles: String { path + "/profiles" }

    /// A file of the reference data, e.g. `reference("training-runs/megatron-a100.csv")`.
    public func reference(_ relativePath: String) -> String { path + "/reference/" + relativePath }

    /// A script the tool runs, e.g. `script("torch_engine.py")`.
    public func script(_ name: String) -> String { path + "/scripts/" + name }

    /// The data root, or an error listing every place it looked.
    public static func locate() throws(RidgelineError) -> DataRoot {
        let candidates = searchOrder()
        if let found = candidates.first(where: isDataRoot) { return DataRoot(path: found) }
        throw RidgelineError.unavailable(
            what: "Ridgeline's data folder (profiles/, reference/)",
            reason: "no profiles/hardware in \(candidates.first ?? "?") nor above \(startingPoints.joined(separator: " or ")); "
                + "install with `make install`, run from a clone, or set RIDGELINE_PROFILES")
    }

    /// Whether `directory` holds the shipped profiles.
    static func isDataRoot(_ directory: String) -> Bool { isDirectory(directory + "/profiles/hardware") }

    /// Whether `path` is a directory (following symbolic links).
    static func isDirectory(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    /// Every folder tried, in order: the installed share folder, then each folder up from the
    /// executable's and from the working directory.
    static func searchOrder() -> [String] {
        var order: [String] = []
        if let exeDir = executableDirectory {
            order.append(
                URL(fileURLWithPath: exeDir).deletingLastPathComponent().appendingPathComponent("share/ridgeline").standardized.path)
        }
        for start in startingPoints {
            var dir = URL(fileURLWithPath: start).standardized
            while true {
                if !order.contains(dir.path) { order.append(dir.path) }
                let parent = dir.deletingLastPathComponent()
                if parent.path == dir.path { break }
                dir = parent
            }
        }
        return order
    }

    private static var startingPoints: [String] {
        [executableDirectory, FileManager.default.currentDirectoryPath].compactMap { $0 }
    }

    /// The directory of the running executable with symbolic links resolved (`/proc/self/exe` on
    /// Linux, so a bare `ridgeline` found on the PATH is located too).
    static var executableDirectory: String? {
        let candidates = [
            try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"),
            Bundle.main.executablePath, CommandLine.arguments.first,
        ]
        guard let exe = candidates.compactMap({ $0 }).first(where: { $0.hasPrefix("/") }) else { return nil }
        return URL(fileURLWithPath: exe).resolvingSymlinksInPath().deletingLastPathComponent().path
    }
}
