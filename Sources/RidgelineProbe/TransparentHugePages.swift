import Foundation

/// The kernel's transparent-huge-page mode (`/sys/kernel/mm/transparent_hugepage/enabled`): which
/// pages a program's large buffers get.
///
/// Under `always` every large anonymous mapping may get 2 MiB pages; under `madvise` (Debian's
/// default) only those a program asks for, and oneDNN, OpenBLAS and PyTorch's CPU allocator ask for
/// none. A DRAM stream on 4 KiB pages misses the TLB every page, a two-level walk in a VM: on the
/// Zen 3 guest one thread read DRAM at 12.2–12.9 GB/s on 4 KiB pages against 15.4–16.0 on huge
/// pages (thread CPU time, best of 15 passes over 128 MiB, load average 6). So the probe measures
/// on the pages the engines get.
public struct TransparentHugePages: Sendable, Equatable {
    /// always, madvise, never, or "unknown" where the file cannot be read.
    public var mode: String

    /// Whether every large allocation may get huge pages.
    public var everyAllocation: Bool { mode == "always" }

    public static var current: TransparentHugePages {
        let text = (try? String(contentsOfFile: "/sys/kernel/mm/transparent_hugepage/enabled", encoding: .utf8)) ?? ""
        return TransparentHugePages(selected: text)
    }

    /// The bracketed choice of the sysfs line: "always [madvise] never" → madvise.
    public init(selected line: String) {
        if let open = line.firstIndex(of: "["), let close = line[open...].firstIndex(of: "]") {
            mode = String(line[line.index(after: open)..<close])
        } else {
            mode = "unknown"
        }
    }
}
