/// What the roofline engine assumes about how libraries run kernels, which a profile's ceilings
/// cannot say: tile shapes, register blocking, the cost of an exponential, how caches keep data.
/// One set for every device (nothing is tuned per kernel or per run); each number says where it
/// comes from. The one value that really differs between devices is a profile's own field: its
/// GEMM tiles (`compute.gemm_tiles`), for which `defaultGEMMTile` stands in when it lists none.
/// `TrainingAssumptions` is the same for a training framework.
public struct KernelAssumptions: Sendable, Hashable {
    /// Special-function results (exp2, log2, reciprocal, rsqrt, sin, cos: what exp, tanh, erf and
    /// log reduce to) one GPU SM returns per clock: 16 on every compute capability from 5.x to 9.0
    /// (CUDA C Programming Guide, "Arithmetic Instructions", throughput of native arithmetic
    /// instructions per clock per multiprocessor). The FP32 FMA rate beside it differs: 64 per SM
    /// on 7.0 and 8.0 (V100, A100), 128 on 8.6, 8.9 and 9.0 (GA10x, Ada, Hopper), so an
    /// exponential costs 8 FP32 FLOPs' worth on the first and 16 on the second
    /// (`Roofline.gpuSpecialFunctionRate`).
    public var gpuSpecialFunctionResultsPerClock: Double = 16
    /// FP32 FLOPs one exponential (or tanh, erf, log) costs on a CPU, which evaluates them in SIMD code: range reduction, a degree-5
    /// polynomial and a scale, about ten vector instructions (oneDNN's JIT eltwise `exp`): 20
    /// FLOPs' worth.
    public var cpuTranscendentalCost: Double = 20
    /// Query rows of one FlashAttention tile (FlashAttention-2/3 on Ampere/Hopper run 128-row
    /// blocks): the unit of the causal mask's diagonal and of the tiles' waves over the SMs.
    public var attentionBlockRows = 128
    /// A flash attention backward kernel's rate per FLOP over the forward's: recomputation of P,
    /// atomic or split accumulation of dQ, more shared-memory traffic (Dao 2023: 73% vs 63% of
    /// peak on A100; the H100 reference's fwd+bwd rows: about 0.6).
    public var attentionBackwardEfficiency = 0.6
    /// The GEMM output tile on a GPU whose profile lists no `gemm_tiles`: 128×128, the common
    /// cuBLAS/CUTLASS tensor-core tile.
    public var defaultGEMMTile = GEMMTile(m: 128, n: 128)
    /// Depth of one k-tile of a GPU GEMM main loop (CUTLASS's 64-deep tensor-core k-tiles): the
    /// granularity in which cuBLAS split-K divides k.
    public var gemmKTileDepth = 64
    /// Bytes of one implicit-GEMM convolution reduction chunk on a GPU: 32 elements of 16-bit data
    /// (CUTLASS's implicit-GEMM iterators), so a tap's channels pad to a multiple of this.
    public var convolutionChunkBytes = 64
    /// Channels of one tensor-core MMA fragment on a GPU (the role a CPU's SIMD lanes play): a
    /// convolution with fewer channels per group runs as direct loops.
    public var gpuChannelGranularity = 8
    /// Rows of a CPU GEMM micro-kernel (OpenBLAS/oneDNN register blocking): cores split the rows
    /// in blocks of this.
    public var cpuMicroKernelRows = 8
    /// oneDNN's AVX2 sgemm skips packing when 1/m + 1/n reaches this (m, n the rows and columns
    /// of C): oneDNN v2.6 `nocopy_checker_avx2` (src/cpu/x64/gemm/gemm_driver.cpp,
    /// FORCE_NOCOPY_THRESH), which sends any product with a side under about 263 (or both under
    /// 526: 512³) to the no-copy kernel (`avx_gemm_f32::sgemm_nocopy_driver`). The AVX-512 rule
    /// differs (0.00196, and packs whenever a leading dimension is a multiple of 256), so the
    /// model applies this one to 256-bit CPUs only (`Roofline.cpuNoCopy`).
    public var cpuNoCopyThreshold = 0.0038
    /// Rows of C one no-copy micro-kernel call computes: UNROLL_N = 6 of oneDNN v2.6's
    /// `xbyak_gemm_t` (jit_avx_gemm_f32.cpp; 16 columns × 6 rows on AVX2), so rows are paid for
    /// in sixes.
    public var cpuNoCopyRows = 6
    /// Rows of C per no-copy block: BN = 48 in `sgemm_nocopy_driver` when B is not transposed.
    /// Each six-row call of a block reads its strips of B straight from B's own layout, so the
    /// calls after the first re-read what the first brought in (`Roofline.cpuStridedReadSeconds`).
    public var cpuNoCopyBlockRows = 48
    /// Rows of K per no-copy block: BK = 256 in `sgemm_nocopy_driver` when B is not
    /// transposed, so a strip of B the kernel re-reads is at most 256 lines.
    public var cpuNoCopyDepth = 256
    /// Bytes in a CPU cache line: 64 on every x86-64 core since the Pentium 4 (Intel 64 and
    /// IA-32 Architectures Optimization Reference Manual; AMD Software Optimization Guide for
    /// Family 19h, 2.6) and on Arm Neoverse.
    public var cpuCacheLineBytes = 64
    /// Lines at B's row stride that L1 must hold (`MemoryLevel.linesHeld`) for the lines the
    /// stride prefetcher brings ahead to survive until the kernel reads them; with less room the
    /// share 1 − room/this of them is missed and waited for (`Roofline.cpuStridePrefetchMissedShare`).
    /// Rows a multiple of 2 KiB apart crowd into two sets of a 64-set L1 (16 lines on Zen 3's 8
    /// ways, 24 on Golden Cove's 12: Intel's "strides of up to 2 KB", Optimization Reference
    /// Manual, "Data Prefetching"), a multiple of 4 KiB into one, and the lines fetched ahead evict
    /// each other; 1 KiB rows reach four sets, rows 2.5, 3 or 5 KiB apart four to eight. On the Zen 3
    /// guest 256³ (1 KiB rows) ran at 93% of the FMA peak, 512³ and 8 × 512 × 512 × 64 (2 KiB rows)
    /// at 56–70%, and seven no-copy GEMMs with 2.5–5 KiB rows held in L2
    /// (`examples/gemm-l2-strips.jsonl`, 2026-12-03) 5–12% under their arithmetic with no wait at
    /// all. The data place the full run-ahead above 16 and at most 32 lines; 32 is four sets of an
    /// 8-way L1. With rows 2 KiB apart these GEMMs waited at about twice the rate of those with
    /// rows 4–8 KiB apart (`examples/gemm-l2-pow2.jsonl`, README), as half against three quarters
    /// of the lines missed says.
    public var cpuStridePrefetchLines = 32
    /// The share of a level's bandwidth at which a no-copy GEMM's re-reads of B arrive, counting
    /// the lines the L1 stride prefetcher cannot keep ahead (`Roofline.cpuStridePrefetchMissedShare`):
    /// one line per row of K, and the L2 stream prefetchers stop at 4 KiB pages, so only the few
    /// misses the kernel's own prefetch started are in flight. 0.26 = 0.35 × 0.75: strips whose
    /// rows are a multiple of 4 KiB apart (one L1 set, three quarters missed) keep the 0.35 of
    /// bandwidth a first fit found for every waiting line — the geometric mean of the default
    /// suite's five waiting no-copy GEMMs on a Zen 3 guest (saved run 02:42, 2026-12-03), judged out
    /// of sample on `examples/gemm-random.jsonl`; with half the lines missed (rows a multiple of
    /// 2 KiB apart) the wait halves. The suite's five alone say 0.20 (0.25 without 8 × 8192 × 2048,
    /// whose strips wait longest; README).
    public var cpuStridedReadShare = 0.26
    /// SIMD width of a CPU profile that does not state `simd_bits`: AVX2's 256.
    public var defaultSIMDBits = 256
    /// The share of a cache's capacity over which the part of a working set it keeps falls from
    /// all to none: a cache keeps all of a set up to a quarter of its capacity (1 − 0.75) and none
    /// at its capacity (`Roofline.hitFraction`).
    public var cacheFalloffFraction = 0.75
    /// Vector registers a CPU sum accumulates into: oneDNN's JIT reduction adds every loaded vector
    /// into one register (`vmm_acc_`, jit_uni_reduction_kernel.cpp, v2.5–3.x), so each add waits
    /// for the one before (`Roofline.accumulationChainSeconds`).
    public var cpuReductionAccumulators = 1
    /// Cycles between dependent vector FP adds on a CPU whose profile does not measure it
    /// (`vector_add_latency`): 3 on AMD Zen 1–4, 4 on Intel Skylake to Ice Lake (Agner Fog,
    /// "Instruction tables", VADDPS), fewer on Golden Cove's dedicated adders; the longest, so
    /// that an unmeasured sum is not predicted faster than it runs.
    public var cpuVectorAddLatencyCycles = 4.0

    public init() {}
}
