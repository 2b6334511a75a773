import Foundation
import Ridgeline

/// One timed collective: a row of nccl-tests output (out-of-place or in-place), or a row of the
/// reference all-reduce tables.
public struct CollectiveSample: Sendable, Hashable {
    public var collective: Collective
    /// The buffer as nccl-tests prints it in `size`: the all-reduced buffer, the gathered output,
    /// the scattered input, the whole all-to-all buffer, the message sent (`src/*.cu`,
    /// `max(sendBytes, recvBytes)`); the same meaning as `Network.time`'s `bytes`.
    public var bytes: Double
    public var ranks: Int
    /// Ranks on each host (ranks / hosts; 1 host: ranks).
    public var ranksPerNode: Int
    public var seconds: Double
    /// Where it was read, "file:line".
    public var origin: String
    /// Position of its size among the sizes of its run (0, 1, 2, ...): the held-out split uses it.
    public var sizeIndex: Int
    public var group: CommGroup { CommGroup(ranks: ranks, ranksPerNode: ranksPerNode) }

    public init(collective: Collective, bytes: Double, ranks: Int, ranksPerNode: Int, seconds: Double, origin: String, sizeIndex: Int) {
        self.collective = collective; self.bytes = bytes; self.ranks = ranks; self.ranksPerNode = ranksPerNode
        self.seconds = seconds; self.origin = origin; self.sizeIndex = sizeIndex
    }
}

/// Reads the text NVIDIA's nccl-tests print (`all_reduce_perf`, `all_gather_perf`,
/// `reduce_scatter_perf`, `alltoall_perf`, `sendrecv_perf`; layout of `src/util.cu`):
///
///     # nThread 1 nGpus 8 minBytes 8 maxBytes 134217728 step: 2(factor) warmup iters: 5 ...
///     # Using devices
///     #  Rank  0 Group  0 Pid  12345 on  node-a01 device  0 [0000:07:00] NVIDIA A100-SXM4-80GB
///     #       size         count      type   redop    root     time   algbw   busbw #wrong     time ...
///     #        (B)    (elements)                               (us)  (GB/s)  (GB/s)            (us) ...
///              8             2     float     sum      -1    39.02    0.00    0.00      0    38.15 ...
///     # Avg bus bandwidth    : 95.2347
///
/// Columns are found by the header's names, so older layouts (no `root` column, `error` for
/// `#wrong`, a trailing timestamp) read as well. Ranks are the `Rank` lines (with MPI every
/// process's devices are listed), hosts the distinct names after `on`; the first `time` column is
/// out-of-place, the second in-place, and both become samples. Which collective: the
/// `# Collective test starting: NAME` line, else the file name (`all_reduce_perf...`).
public enum NCCLTestsOutput {
    public static func load(path: String) throws -> [CollectiveSample] {
        guard let data = FileManager.default.contents(atPath: path) else { throw RidgelineError.fileNotFound(path: path) }
        return try parse(String(decoding: data, as: UTF8.self), file: path)
    }

    /// The collective a test program measures, from its name (`all_reduce_perf`, `alltoall_perf_mpi`, ...).
    public static func collective(named name: String) -> Collective? {
        let n = name.lowercased().replacingOccurrences(of: "-", with: "_")
        let table: [(String, Collective)] = [
            ("all_reduce", .allReduce), ("allreduce", .allReduce), ("all_gather", .allGather),
            ("allgather", .allGather), ("reduce_scatter", .reduceScatter),
            ("reducescatter", .reduceScatter), ("sendrecv", .sendRecv), ("send_recv", .sendRecv),
        ]
        return table.first { n.contains($0.0) }?.1 ?? allToAll(n)
    }

    /// All-to-all when `Collective` has that case (the layouts work adds it), found by raw value.
    static func allToAll(_ name: String) -> Collective? {
        guard name.contains("alltoall") || name.contains("all_to_all") else { return nil }
        return Collective.allCases.first { $0.rawValue.replacingOccurrences(of: "_", with: "") == "alltoall" }
    }

    /// What one run (one test program's output) has shown so far.
    struct Run {
        var collective: Collective? = nil
        var ranks = 0
        var hosts: [String] = []
        var columns: [String]? = nil
        var rows: [(line: Int, fields: [String])] = []
        /// Line of the run's first line, for errors about the run as a whole.
        var firstLine = 1
    }

    /// Samples of every run in `text`: a file may hold several runs one after another (a script
    /// that runs the tests in turn); a run starts at its `# nccl-tests version`, `# Collective test
    /// starting` or `# nThread` line once the previous run has rows.
    public static func parse(_ text: String, file: String) throws -> [CollectiveSample] {
        let lines = TextInput.lines(text).map { String($0).trimmingCharacters(in: .whitespaces) }
        var runs: [Run] = [Run()]
        for (index, line) in lines.enumerated() {
            if line.isEmpty { continue }
            if line.hasPrefix("#") {
                let body = line.dropFirst().trimmingCharacters(in: .whitespaces)
                let words = body.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
                let startsRun =
                    body.hasPrefix("nccl-tests version") || body.hasPrefix("Collective test starting:") || words.first == "nThread"
                if startsRun && !runs[runs.count - 1].rows.isEmpty { runs.append(Run(firstLine: index + 1)) }
                if body.hasPrefix("Collective test starting:") {
                    let name = String(body.dropFirst("Collective test starting:".count)).trimmingCharacters(in: .whitespaces)
                    guard let c = Self.collective(named: name) else {
                        throw RidgelineError.unreadable(
                            file: "\(file):\(index + 1)",
                            reason:
                                "unknown nccl-tests program '\(name)' (all_reduce_perf, all_gather_perf, reduce_scatter_perf, alltoall_perf, sendrecv_perf)"
                        )
                    }
                    runs[runs.count - 1].collective = c
                } else if words.first == "Rank", let on = words.firstIndex(of: "on"), on + 1 < words.count {
                    runs[runs.count - 1].ranks += 1
                    if !runs[runs.count - 1].hosts.contains(words[on + 1]) { runs[runs.count - 1].hosts.append(words[on + 1]) }
                } else if words.contains("size") && words.contains("count") && (words.contains("time") || words.contains("cputime")) {
                    runs[runs.count - 1].columns = words
                }
                continue
            }
            // A data row: starts with a number (the size).
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard let first = fields.first, Double(first) != nil else {
                // nccl-tests prints warnings and NCCL INFO lines between rows; only numeric rows are data.
                if isInterleavedLog(line) { continue }
                throw RidgelineError.unreadable(
                    file: "\(file):\(index + 1)",
                    reason: "expected a result row (size count type ...) or a '#' line, found '\(line.prefix(60))'")
            }
            runs[runs.count - 1].rows.append((index + 1, fields))
        }
        let samples = try runs.flatMap { try Self.samples(of: $0, file: file) }
        guard !samples.isEmpty else { throw RidgelineError.unreadable(file: file, reason: "no result rows") }
        return samples
    }

    /// One run's rows as samples (out-of-place and in-place).
    static func samples(of run: Run, file: String) throws -> [CollectiveSample] {
        let at = "\(file):\(run.firstLine)"
        guard let columns = run.columns else {
            throw RidgelineError.unreadable(
                file: at, reason: "no nccl-tests column header ('#  size  count  type ... time  algbw  busbw ...') found")
        }
        let name = URL(fileURLWithPath: file).lastPathComponent
        guard let kind = run.collective ?? Self.collective(named: name) else {
            throw RidgelineError.unreadable(
                file: at,
                reason:
                    "cannot tell which collective this is: no '# Collective test starting:' line and the file name does not name one (all_reduce_perf, all_gather_perf, reduce_scatter_perf, alltoall_perf, sendrecv_perf)"
            )
        }
        guard run.ranks > 0 else {
            throw RidgelineError.unreadable(
                file: at, reason: "no '#  Rank N Group G Pid P on HOST device D ...' lines: the ranks of the run are unknown")
        }
        guard run.ranks >= 2 else {
            throw RidgelineError.unreadable(
                file: at, reason: "a run on one rank moves nothing between devices, so it cannot calibrate a link: leave it out")
        }
        guard let sizeColumn = columns.firstIndex(of: "size") else {
            throw RidgelineError.unreadable(file: at, reason: "the column header has no 'size' column")
        }
        let timeColumns = columns.indices.filter { columns[$0] == "time" || columns[$0] == "cputime" }
        guard !timeColumns.isEmpty else { throw RidgelineError.unreadable(file: at, reason: "the column header has no 'time' column") }
        // The header starts with '#', data rows do not: header word i is data field i.
        let perNode = max(1, run.ranks / max(1, run.hosts.count))
        var samples: [CollectiveSample] = []
        for (position, row) in run.rows.enumerated() {
            let location = "\(file):\(row.line)"
            guard row.fields.count > timeColumns.last! else {
                throw RidgelineError.unreadable(file: location, reason: "\(row.fields.count) fields, the header has \(columns.count)")
            }
            guard let size = Double(row.fields[sizeColumn]), size > 0 else {
                throw RidgelineError.invalidValue(
                    file: location, field: "size", value: row.fields[sizeColumn], expected: "a positive byte count")
            }
            for column in timeColumns {
                let text = row.fields[column]
                guard let micros = Double(text), micros.isFinite, micros > 0 else {
                    throw RidgelineError.invalidValue(
                        file: location, field: columns[column], value: text, expected: "a positive time in microseconds")
                }
                samples.append(
                    CollectiveSample(
                        collective: kind, bytes: size, ranks: run.ranks, ranksPerNode: perNode,
                        seconds: micros * 1e-6, origin: location, sizeIndex: position))
            }
        }
        return samples
    }

    /// Lines NCCL or MPI print into the same stream (`host:pid:tid NCCL INFO ...`, warnings), and
    /// the footer old versions printed without '#'.
    static func isInterleavedLog(_ line: String) -> Bool {
        line.contains("NCCL INFO") || line.contains("NCCL WARN") || line.hasPrefix("[") || line.lowercased().hasPrefix("warning")
            || line.hasPrefix("Out of bounds values") || line.hasPrefix("Avg bus bandwidth")
    }
}

extension NCCLTestsOutput {
    /// The reference all-reduce tables (`reference/collectives/allreduce-*-Ngpu.csv`: nccl-tests
    /// columns as CSV, times in ns) as samples; `ranks` is read from the file name (`-8gpu`).
    public static func loadReferenceTable(path: String) throws -> [CollectiveSample] {
        let csv = try CSVTable.load(path: path)
        let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        guard let gpuPart = name.split(separator: "-").last, gpuPart.hasSuffix("gpu"), let ranks = Int(gpuPart.dropLast(3)), ranks >= 2
        else {
            throw RidgelineError.unreadable(file: path, reason: "the file name should end in -<N>gpu.csv (the group size)")
        }
        guard csv.header.count >= 7 else {
            throw RidgelineError.unreadable(file: path, reason: "expected size(B),count,type,time(ns),busbw(GB/s),time(ns),busbw(GB/s)")
        }
        var samples: [CollectiveSample] = []
        for (i, row) in csv.rows.enumerated() {
            for column in [3, 5] {
                guard let size = Double(row[0]), let ns = Double(row[column]), size > 0, ns > 0 else {
                    throw RidgelineError.invalidValue(
                        file: "\(path):\(i + 2)", field: csv.header[column], value: row[column], expected: "a positive number")
                }
                samples.append(
                    CollectiveSample(
                        collective: .allReduce, bytes: size, ranks: ranks, ranksPerNode: ranks,
                        seconds: ns * 1e-9, origin: "\(path):\(i + 2)", sizeIndex: i))
            }
        }
        return samples
    }
}
