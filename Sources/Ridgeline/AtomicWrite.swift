import Foundation

/// Writes `text` to `path` whole: to a temporary file beside it, then renamed over it, so a reader
/// (or an interrupted run) never sees half a file.
public func writeFileAtomically(_ text: String, to path: String) throws {
    let url = URL(fileURLWithPath: path)
    let directory = url.deletingLastPathComponent()
    do {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp")
        try Data(text.utf8).write(to: temporary)
        // rename(2) replaces an existing file atomically (FileManager.replaceItemAt fails on Linux
        // when the destination exists in some setups).
        guard rename(temporary.path, path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw RidgelineError.unreadable(file: path, reason: "cannot be written (\(reason))")
        }
    } catch {
        throw RidgelineError.unreadable(file: path, reason: "cannot be written (\(error.localizedDescription))")
    }
}
