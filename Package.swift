// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Ridgeline",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "ridgeline", targets: ["ridgeline"]),
        .library(name: "Ridgeline", targets: ["Ridgeline"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
    ],
    targets: [
        // Core: units, hardware specs, kernels, roofline engine. Never imports a C module.
        .target(name: "Ridgeline", dependencies: [.product(name: "Yams", package: "Yams")]),
        .target(name: "RidgelineTraining", dependencies: ["Ridgeline", .product(name: "Yams", package: "Yams")]),
        // The host, described: hwloc topology, counters (PAPI, perf_event_open, getrusage), measured ceilings.
        .target(name: "RidgelineProbe", dependencies: ["Ridgeline", "RidgelineKernels", "CKernels", "CPerfEvent", "CPAPI", "CHwloc"]),
        // Tensor engines run for real (oneDNN, OpenBLAS, the PyTorch bridge) and the harness that times
        // them, reading the host's counters: it imports RidgelineProbe, never the other way round.
        .target(name: "RidgelineEngines", dependencies: ["Ridgeline", "RidgelineProbe", "CDNNL", "COpenBLAS"]),
        // Micro-benchmark kernels, compiled for the build machine's CPU: a ceiling measured with
        // baseline x86-64 code (SSE2, no FMA) would measure the compiler's target, not the machine.
        // Always optimised, so that debug builds (and the tests) run the same code as release.
        // Loops compile as written (no LLVM unrolling): see StreamKernels.swift for why.
        .target(
            name: "RidgelineKernels", dependencies: ["Ridgeline", "CKernels"],
            swiftSettings: [.unsafeFlags(["-target-cpu", "native", "-O", "-Xllvm", "-unroll-count=1"])]),
        // What Swift cannot express: the bf16 dot-product kernel (no bf16 type, no VDPBF16PS; the
        // function carries its own target attribute, so the file builds on any x86-64 compiler)
        // and the PAUSE spin-wait hint.
        .target(name: "CKernels", cSettings: [.unsafeFlags(["-O2"])]),
        // The kernel's counting interfaces for when PAPI offers nothing: perf_event_open(2) (no libc
        // wrapper, ioctls are macros) and getrusage(RUSAGE_THREAD) (a GNU extension).
        .target(name: "CPerfEvent"),
        // LLM serving (prefill, decode, KV cache, batching): a workload beside training, built on
        // the same transformer kernels and collective model.
        .target(name: "RidgelineServing", dependencies: ["Ridgeline", "RidgelineTraining"]),
        .target(name: "RidgelineReport", dependencies: ["Ridgeline", "RidgelineTraining", "RidgelineServing"]),
        // Published-run checking (check-runs and each source's column map): validation, kept
        // apart from the training model it judges.
        .target(name: "RidgelineRuns", dependencies: ["Ridgeline", "RidgelineTraining", "RidgelineServing"]),
        .executableTarget(
            name: "ridgeline",
            dependencies: [
                "Ridgeline", "RidgelineTraining", "RidgelineProbe", "RidgelineEngines", "RidgelineReport", "RidgelineRuns",
                "RidgelineServing", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        // System libraries from Debian packages (make setup).
        .systemLibrary(name: "CPAPI", pkgConfig: "papi", providers: [.apt(["libpapi-dev"])]),
        .systemLibrary(name: "CHwloc", pkgConfig: "hwloc", providers: [.apt(["libhwloc-dev"])]),
        // Debian's libdnnl-dev ships no pkg-config file; the module map links -ldnnl.
        .systemLibrary(name: "CDNNL", providers: [.apt(["libdnnl-dev"])]),
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        // The micro-benchmark and planner benchmarks (make bench).
        .executableTarget(
            name: "ridgeline-bench",
            dependencies: [
                "Ridgeline", "RidgelineTraining", "RidgelineRuns", "RidgelineServing", "RidgelineProbe", "RidgelineKernels", "COpenBLAS",
            ],
            path: "Benchmarks/ridgeline-bench"),
        // What every test target shares: the repository root and the shipped profiles (one definition).
        .target(name: "RidgelineTestSupport", dependencies: ["Ridgeline"], path: "Tests/RidgelineTestSupport"),
        // Scripted stand-ins for the host and engine sides (clock, engines, counters), for unit tests of
        // the orchestration around them (harness loop, suite runs, engine and counter choice); never a
        // dependency of the product, never a stand-in for a measurement.
        .target(
            name: "RidgelineFakes", dependencies: ["Ridgeline", "RidgelineProbe", "RidgelineEngines"], path: "Tests/RidgelineFakes"),
        .testTarget(name: "RidgelineTests", dependencies: ["Ridgeline", "RidgelineTestSupport"]),
        .testTarget(name: "RidgelineTrainingTests", dependencies: ["RidgelineTraining", "RidgelineTestSupport"]),
        .testTarget(
            name: "RidgelineProbeTests",
            dependencies: [
                "RidgelineProbe", "RidgelineEngines", "RidgelineKernels", "CPerfEvent", "RidgelineTestSupport", "RidgelineFakes",
            ]),
        .testTarget(name: "RidgelineEnginesTests", dependencies: ["RidgelineEngines", "RidgelineTestSupport", "RidgelineFakes"]),
        .testTarget(name: "RidgelineReportTests", dependencies: ["RidgelineReport", "RidgelineServing", "RidgelineTestSupport"]),
        .testTarget(name: "RidgelineRunsTests", dependencies: ["RidgelineRuns", "RidgelineTestSupport"]),
        .testTarget(name: "RidgelineServingTests", dependencies: ["RidgelineServing", "RidgelineTestSupport"]),
        .testTarget(name: "RidgelineCLITests", dependencies: ["Ridgeline", "RidgelineProbe", "RidgelineTestSupport"]),
        // Random kernel specs, profiles, models and layouts thrown at the parsers and the model.
        .testTarget(
            name: "RidgelinePropertyTests",
            dependencies: [
                "Ridgeline", "RidgelineTraining", "RidgelineTestSupport", .product(name: "PropertyBased", package: "swift-property-based"),
            ]),
    ]
)
