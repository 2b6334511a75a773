import Foundation

/// Writes `text` to `path` whole: to a temporary file beside it, then renamed over it, so a reader
/// (or an interrupted run) never sees half a file.
///
/// The rename is POSIX `rename(2)`, which replaces an existing file atomically. (Foundation's
/// `FileManager.replaceItemAt` fails on Linux with "file doesn't exist" when the target exists,
/// and leaves the temporary file behind.)
public func writeFileAtomically(_ text: String, to path: String) throws {
    let url = URL(fileURLWithPath: path)
    let directory = url.deletingLastPathComponent()
    let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp")
    do {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: temporary)
    } catch {
        try? FileManager.default.removeItem(at: temporary)
        throw RidgelineError.unreadable(file: path, reason: "cannot be written (\(error.localizedDescription))")
    }
    guard rename(temporary.path, url.path) == 0 else {
        let reason = String(cString: strerror(errno))
        try? FileManager.default.removeItem(at: temporary)
        throw RidgelineError.unreadable(file: path, reason: "cannot be written (rename: \(reason))")
    }
}
