import Foundation
import RidgelineProbe

/// Thread counts and core binding for the libraries' own thread pools.
///
/// oneDNN here is built on OpenMP (libgomp): `omp_set_num_threads` applies to parallel regions
/// started from the calling thread, which is the thread the harness runs kernels on. libgomp is
/// looked up at run time because it comes in as oneDNN's dependency, not as a library we link.
public enum ThreadControl {
    public static func setOpenMPThreads(_ threads: Int) {
        typealias SetThreads = @convention(c) (Int32) -> Void
        guard let symbol = openMPSymbol("omp_set_num_threads") else { return }
        unsafeBitCast(symbol, to: SetThreads.self)(Int32(threads))
    }

    /// Hardware threads the OS lets this process run on.
    public static var availableCores: Int { ProcessInfo.processInfo.activeProcessorCount }

    /// The binding of a library that keeps its own pthread pool (OpenBLAS): only the calling
    /// thread can be bound, which is all of it on one thread.
    public static func bindCallingThread(threads: Int, hwloc: Hwloc, pool: String) -> String {
        do { try hwloc.bindCurrentThread(toCore: 0) } catch { return "none (\(error))" }
        return "hwloc: calling thread on core 0"
            + (threads > 1 ? "; \(pool)'s \(threads - 1) worker thread(s) placed by the OS (no binding API)" : "")
    }

    /// Binds the calling thread to core 0 and, for `threads` > 1, OpenMP thread i of a
    /// `threads`-wide team to core i, through hwloc; returns the binding for records.
    ///
    /// libgomp keeps its pool threads between parallel regions and gives thread i of an
    /// equally wide team the same pool thread, so a binding made inside one region holds for the
    /// library's later regions. A user who set `OMP_PROC_BIND` chose OpenMP's own placement; it
    /// is left alone and recorded.
    public static func bindOpenMPThreads(_ threads: Int, hwloc: Hwloc) -> String {
        if let env = environmentBinding { return env }
        do { try hwloc.bindCurrentThread(toCore: 0) } catch { return "none (\(error))" }
        guard threads > 1 else { return "hwloc: calling thread on core 0" }
        let bound = inOpenMPTeam(threads) { i in (try? hwloc.bindCurrentThread(toCore: i)) != nil }
        guard let bound, bound.count == threads, bound.allSatisfy({ $0 == true }) else {
            return "hwloc: calling thread on core 0; OpenMP team threads not bound (libgomp's GOMP_parallel not found or binding failed)"
        }
        return "hwloc: OpenMP thread i on core i (cores 0–\(threads - 1))"
    }

    /// `OMP_PROC_BIND`/`OMP_PLACES` when the user set them: OpenMP then places its threads itself.
    public static var environmentBinding: String? {
        let env = ProcessInfo.processInfo.environment
        guard let bind = env["OMP_PROC_BIND"], !bind.isEmpty else { return nil }
        return "OMP_PROC_BIND=\(bind)" + (env["OMP_PLACES"].map { " OMP_PLACES=\($0)" } ?? "")
    }

    /// Runs `body(threadNumber)` on every thread of a `threads`-wide OpenMP parallel region (the
    /// calling thread is number 0) and returns the results in thread order, nil for a thread the
    /// runtime did not start; nil without libgomp.
    public static func inOpenMPTeam<T>(_ threads: Int, _ body: @escaping (Int) -> T) -> [T?]? {
        typealias Parallel =
            @convention(c) (@convention(c) (UnsafeMutableRawPointer?) -> Void, UnsafeMutableRawPointer?, UInt32, UInt32) -> Void
        typealias ThreadNumber = @convention(c) () -> Int32
        guard let parallel = openMPSymbol("GOMP_parallel"), let number = openMPSymbol("omp_get_thread_num") else { return nil }
        let threadNumber = unsafeBitCast(number, to: ThreadNumber.self)
        let results = Slots<T?>(count: threads)
        for i in 0..<threads { results.set(i, nil) }
        // The C callback cannot capture `T`; the region's closure does.
        let region = OpenMPRegion {
            let i = Int(threadNumber())
            results.set(i, body(i))
        }
        let context = Unmanaged.passRetained(region)
        defer { context.release() }
        unsafeBitCast(parallel, to: Parallel.self)(
            { raw in
                Unmanaged<OpenMPRegion>.fromOpaque(raw!).takeUnretainedValue().enter()
            }, context.toOpaque(), UInt32(threads), 0)
        return results.values
    }

    /// A symbol of the libgomp oneDNN loaded (RTLD_NOLOAD only finds it, never loads it).
    static func openMPSymbol(_ name: String) -> UnsafeMutableRawPointer? {
        guard let library = dlopen("libgomp.so.1", RTLD_LAZY | RTLD_NOLOAD) ?? dlopen(nil, RTLD_LAZY) else { return nil }
        return dlsym(library, name)
    }
}

/// What one OpenMP parallel region runs on each of its threads.
private final class OpenMPRegion: @unchecked Sendable {
    let enter: () -> Void
    init(_ enter: @escaping () -> Void) { self.enter = enter }
}
