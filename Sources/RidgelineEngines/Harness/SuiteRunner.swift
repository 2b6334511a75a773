import Foundation
import Ridgeline

/// Kernel suites: `default` and `short` are `profiles/suites/<name>.jsonl`; anything else is a
/// path (`-`: standard input). Every line must be a valid spec: a malformed one is an error
/// naming the line, so nothing is skipped silently.
public enum Suite {
    /// Whether a `--suite` value names a file (or `-`, standard input) rather than a shipped suite.
    static func isFile(_ reference: String) -> Bool {
        reference.contains("/") || reference.hasSuffix(".jsonl") || reference == TextInput.standardInput
    }

    public static func path(_ reference: String, store: ProfileStore) throws -> String {
        isFile(reference) ? reference : "\(try store.folder("suites"))/\(reference).jsonl"
    }

    public static func load(_ reference: String, store: ProfileStore) throws -> (path: String, kernels: [Kernel]) {
        let path = try path(reference, store: store)
        if !isFile(reference), !FileManager.default.fileExists(atPath: path) {
            let known = ((try? FileManager.default.contentsOfDirectory(atPath: try store.folder("suites"))) ?? [])
                .filter { $0.hasSuffix(".jsonl") }.map { String($0.dropLast(6)) }.sorted()
            throw RidgelineError.unknownId(kind: "suite", id: reference, known: known)
        }
        return (path, try Kernel.load(path: path))
    }
}

/// Appends records to a JSON Lines file, one `write(2)` per record, so a run that is interrupted
/// keeps every record it finished and never leaves half a line from a finished one.
public final class RecordWriter {
    private let fd: Int32
    public let path: String

    /// Whether the file ended in a cut-off line (an earlier run killed mid-write, or a file edited
    /// by hand) that the first record now starts after, on a line of its own.
    public private(set) var startedAfterCutOffLine = false

    public init(path: String) throws {
        self.path = path
        let target = try OutputTarget(path)
        fd = open(target.path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        guard fd >= 0 else {
            throw RidgelineError.unwritable(file: path, reason: "cannot be opened for appending (\(String(cString: strerror(errno))))")
        }
        if !target.isStream, Self.endsInCutOffLine(target.path) {
            try write(Array("\n".utf8))
            startedAfterCutOffLine = true
        }
    }

    /// A non-empty regular file whose last byte is not a newline.
    static func endsInCutOffLine(_ path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        guard let size = try? handle.seekToEnd(), size > 0 else { return false }
        try? handle.seek(toOffset: size - 1)
        return (try? handle.read(upToCount: 1)) != Data("\n".utf8)
    }

    deinit { close(fd) }

    public func append(_ record: MeasurementRecord) throws {
        try write(Array((record.jsonLine + "\n").utf8))
    }

    private func write(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                throw RidgelineError.unwritable(file: path, reason: String(cString: strerror(errno)))
            }
            offset += written
        }
    }
}

/// Runs a suite on an engine through the harness, handing each record over as soon as it exists.
public struct SuiteRunner {
    public struct Outcome {
        public var records: [MeasurementRecord] = []
        /// Kernels the engine cannot run, with the reason.
        public var unsupported: [(kernel: Kernel, reason: String)] = []
        /// Kernels the library failed on.
        public var failed: [(kernel: Kernel, error: String)] = []
    }

    public var engine: any TensorEngine
    public var harness: Harness
    public var threads: Int

    public init(engine: any TensorEngine, harness: Harness, threads: Int) {
        self.engine = engine; self.harness = harness; self.threads = threads
    }

    public mutating func run(
        _ kernels: [Kernel], progress: ((Int, Kernel, MeasurementRecord?) -> Void)? = nil,
        record: (MeasurementRecord) throws -> Void
    ) throws -> Outcome {
        var outcome = Outcome()
        for (index, kernel) in kernels.enumerated() {
            if let why = engine.support(kernel).reason {
                outcome.unsupported.append((kernel, why))
                progress?(index, kernel, nil)
                continue
            }
            do {
                let measured = try harness.measure(kernel, on: engine, threads: threads)
                try record(measured)
                outcome.records.append(measured)
                progress?(index, kernel, measured)
            } catch let error as EngineError {
                if case .unsupported(_, _, let reason) = error {
                    outcome.unsupported.append((kernel, reason))
                } else {
                    outcome.failed.append((kernel, error.description))
                }
                progress?(index, kernel, nil)
            }
        }
        return outcome
    }
}
