import Foundation

/// Writes `text` to `path` whole: to a temporary file beside it, then renamed over it, so a reader
/// (or an interrupted run) never sees half a file.
///
/// What is at `path` is respected: a symbolic link is followed (the file it points to is replaced,
/// the link stays); a character device or a pipe (`/dev/null`, `/dev/stdout`) is written into, never
/// replaced by a regular file; a directory, or a path inside one of `protected` (the shipped
/// profiles), is refused with the reason.
public func writeFileAtomically(_ text: String, to path: String, protected: [String] = []) throws {
    let target = try OutputTarget(path, protected: protected)
    if target.isStream {
        guard let handle = FileHandle(forWritingAtPath: target.path) else {
            throw RidgelineError.unwritable(file: path, reason: String(cString: strerror(errno)))
        }
        defer { try? handle.close() }
        do { try handle.write(contentsOf: Data(text.utf8)) } catch {
            throw RidgelineError.unwritable(file: path, reason: error.localizedDescription)
        }
        return
    }
    let url = URL(fileURLWithPath: target.path)
    let directory = url.deletingLastPathComponent()
    let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp")
    do {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: temporary)
    } catch {
        try? FileManager.default.removeItem(at: temporary)
        throw RidgelineError.unwritable(file: path, reason: error.localizedDescription)
    }
    // rename(2) replaces an existing file atomically (FileManager.replaceItemAt fails on Linux
    // when the destination exists in some setups).
    guard rename(temporary.path, target.path) == 0 else {
        let reason = String(cString: strerror(errno))
        try? FileManager.default.removeItem(at: temporary)
        throw RidgelineError.unwritable(file: path, reason: reason)
    }
}

/// Where a write to a path really lands, checked before anything is written.
public struct OutputTarget: Sendable, Equatable {
    /// The path written: symbolic links resolved.
    public let path: String
    /// A character device or pipe: written into, not replaced.
    public let isStream: Bool

    public init(_ requested: String, protected: [String] = []) throws {
        guard !requested.isEmpty else { throw RidgelineError.unwritable(file: requested, reason: "the output path is empty") }
        var resolved = requested
        // Follow a chain of links to what it names (which may not exist yet).
        for _ in 0..<40 {
            guard let destination = try? FileManager.default.destinationOfSymbolicLink(atPath: resolved) else { break }
            resolved =
                destination.hasPrefix("/")
                ? destination
                : URL(fileURLWithPath: resolved).deletingLastPathComponent().appendingPathComponent(destination).path
        }
        var info = stat()
        if stat(resolved, &info) == 0 {
            switch info.st_mode & S_IFMT {
            case S_IFREG: isStream = false
            case S_IFCHR, S_IFIFO: isStream = true
            case S_IFDIR: throw RidgelineError.unwritable(file: requested, reason: "it is a directory; name a file")
            default: throw RidgelineError.unwritable(file: requested, reason: "it is not a regular file, a character device or a pipe")
            }
        } else {
            isStream = false
        }
        path = resolved
        let real = Self.realDirectory(of: resolved)
        for directory in protected {
            let shipped = Self.realDirectory(of: directory + "/x")
            if real == shipped || real.hasPrefix(shipped + "/") {
                throw RidgelineError.unwritable(
                    file: requested,
                    reason:
                        "it is inside \(directory), which holds the shipped profiles: Ridgeline never edits a shipped profile in place; write the copy elsewhere and load it by path"
                )
            }
        }
    }

    /// The real path of the directory holding `path` (symbolic links and `..` resolved).
    static func realDirectory(of path: String) -> String {
        URL(fileURLWithPath: path).deletingLastPathComponent().standardizedFileURL.resolvingSymlinksInPath().path
    }
}
