import CKernels
import Foundation
import Synchronization

/// A fixed team of threads, one per core and bound to it through hwloc, that runs jobs together.
///
/// Threads are made once and kept for a whole measurement, so that each keeps the memory it first
/// touched (Linux places a page on the NUMA node of the thread that first writes it) and no job
/// pays for thread creation. Jobs may call `sync()` to line the team up, e.g. before a timed region.
public final class ThreadTeam: @unchecked Sendable {
    public let size: Int
    /// Cores the threads are bound to; nil when binding failed (then the reason is in `bindingError`).
    public private(set) var boundCores: [Int]?
    public private(set) var bindingError: String?

    private var job: (@Sendable (Int) -> Void)?
    private var stopping = false
    private let gate: UnsafeMutablePointer<pthread_barrier_t>
    private let done: UnsafeMutablePointer<pthread_barrier_t>
    private let inner = SpinBarrier()
    private let errors = NSLock()
    private var bindErrors: [String] = []

    /// Starts `size` threads; thread i is bound to core `cores[i]` (default: core i).
    public init(size: Int, hwloc: Hwloc?, cores: [Int]? = nil) {
        self.size = max(1, size)
        gate = .allocate(capacity: 1); done = .allocate(capacity: 1)
        pthread_barrier_init(gate, nil, UInt32(self.size + 1))
        pthread_barrier_init(done, nil, UInt32(self.size + 1))
        inner.parties = self.size
        let targets = cores ?? Array(0..<self.size)
        for index in 0..<self.size {
            let thread = Thread { [unowned self] in self.loop(index: index, core: targets[index % targets.count], hwloc: hwloc) }
            thread.stackSize = 1 << 20
            thread.start()
        }
        // The first job confirms every thread bound (or records why not).
        run { _ in }
        boundCores = bindErrors.isEmpty && hwloc != nil ? targets : nil
        bindingError = hwloc == nil ? "hwloc unavailable" : bindErrors.first
    }

    deinit {
        stopping = true
        pthread_barrier_wait(gate)
        pthread_barrier_wait(done)
        pthread_barrier_destroy(gate); pthread_barrier_destroy(done)
        gate.deallocate(); done.deallocate()
    }

    /// Runs `body(threadIndex)` on every thread of the team and returns when all have finished.
    public func run(_ body: @escaping @Sendable (Int) -> Void) {
        job = body
        pthread_barrier_wait(gate)
        pthread_barrier_wait(done)
        job = nil
    }

    /// Runs `body` on every thread and collects one result per thread, in thread order.
    public func map<T: Sendable>(_ body: @escaping @Sendable (Int) -> T) -> [T] {
        let slots = Slots<T>(count: size)
        run { i in slots.set(i, body(i)) }
        return slots.values
    }

    /// Inside a job: waits until every thread of the team has reached this point. It spins, as
    /// OpenMP runtimes do between parallel regions: a thread that sleeps in the kernel must be
    /// woken by an interrupt, which on a VM can take a millisecond and would start that thread's
    /// timed sample late. It spins with the PAUSE hint (`rl_cpu_relax`), which kept the team's
    /// DRAM passes finishing together on a KVM guest.
    public func sync() { inner.wait() }

    private func loop(index: Int, core: Int, hwloc: Hwloc?) {
        if let hwloc {
            do { try hwloc.bindCurrentThread(toCore: core) } catch {
                errors.lock(); bindErrors.append("\(error)"); errors.unlock()
            }
        }
        while true {
            pthread_barrier_wait(gate)
            if stopping { pthread_barrier_wait(done); return }
            job?(index)
            pthread_barrier_wait(done)
        }
    }
}

/// One result slot per thread; each thread writes only its own slot, and the team's barrier (or
/// an OpenMP region's end, `ThreadControl.inOpenMPTeam`) orders those writes before the caller
/// reads them.
public final class Slots<T>: @unchecked Sendable {
    // Raw storage: concurrent writes to distinct elements of a Swift Array held by a class would
    // trip the runtime's exclusivity check.
    private let storage: UnsafeMutablePointer<T?>
    private let count: Int
    public init(count: Int) {
        self.count = count
        storage = .allocate(capacity: count)
        storage.initialize(repeating: nil, count: count)
    }
    deinit { storage.deinitialize(count: count); storage.deallocate() }
    public func set(_ i: Int, _ value: T) { storage[i] = value }
    public var values: [T] { (0..<count).map { storage[$0]! } }
}

/// Monotonic time in seconds.
@inlinable @inline(__always)
public func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// A sense-reversing spin barrier for a fixed number of parties.
final class SpinBarrier: @unchecked Sendable {
    var parties = 1
    private let arrived = Atomic<Int>(0)
    private let generation = Atomic<Int>(0)

    func wait() {
        let current = generation.load(ordering: .acquiring)
        if arrived.add(1, ordering: .acquiringAndReleasing).newValue == parties {
            arrived.store(0, ordering: .relaxed)
            generation.add(1, ordering: .releasing)
        } else {
            while generation.load(ordering: .acquiring) == current { rl_cpu_relax() }
        }
    }
}
