import Foundation

/// Thread counts for the libraries' own thread pools, set through their APIs.
///
/// oneDNN here is built on OpenMP (libgomp): `omp_set_num_threads` applies to parallel regions
/// started from the calling thread, which is the thread the harness runs kernels on. It is looked
/// up at run time because libgomp comes in as oneDNN's dependency, not as a library we link.
public enum ThreadControl {
    public static func setOpenMPThreads(_ threads: Int) {
        typealias SetThreads = @convention(c) (Int32) -> Void
        // libgomp is already loaded (oneDNN needs it); RTLD_NOLOAD only finds it, never loads it.
        guard let library = dlopen("libgomp.so.1", RTLD_LAZY | RTLD_NOLOAD) ?? dlopen(nil, RTLD_LAZY),
              let symbol = dlsym(library, "omp_set_num_threads") else { return }
        unsafeBitCast(symbol, to: SetThreads.self)(Int32(threads))
    }

    /// Hardware threads the OS lets this process run on.
    public static var availableCores: Int { ProcessInfo.processInfo.activeProcessorCount }

    /// How threads are bound to cores: OpenMP reads OMP_PROC_BIND/OMP_PLACES when it loads, so
    /// binding is set in the environment of the run and recorded as found.
    public static var binding: String {
        let env = ProcessInfo.processInfo.environment
        guard let bind = env["OMP_PROC_BIND"], !bind.isEmpty else { return "none (OS scheduler)" }
        return "OMP_PROC_BIND=\(bind)" + (env["OMP_PLACES"].map { " OMP_PLACES=\($0)" } ?? "")
    }
}
