import Foundation

/// Evicts a kernel's data from the CPU caches between repetitions (cold-cache mode) by writing
/// then reading a buffer twice the size of the last-level cache, so every line the kernel left
/// behind is replaced (LRU-like caches keep at most their capacity of the newest lines).
public final class CacheFlusher {
    private var buffer: [UInt64]
    /// Folded into so the reads cannot be optimised away.
    public private(set) var checksum: UInt64 = 0

    public init(bytes: Int) {
        buffer = [UInt64](repeating: 1, count: max(1, bytes / 8))
    }

    /// Twice the last-level cache, or 64 MiB when sysfs does not say.
    public convenience init() {
        self.init(bytes: 2 * (HostFingerprint.lastLevelCacheBytes() ?? 32 << 20))
    }

    public var bytes: Int { buffer.count * 8 }

    public func flush() {
        var sum: UInt64 = checksum
        buffer.withUnsafeMutableBufferPointer { p in
            // One write per 64-byte line, then one read per line.
            var i = 0
            while i < p.count { p[i] &+= 1; i += 8 }
            i = 0
            while i < p.count { sum &+= p[i]; i += 8 }
        }
        checksum = sum
    }
}
