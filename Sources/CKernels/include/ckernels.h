/* The two instructions Ridgeline's micro-benchmarks need and Swift cannot emit: AVX512-BF16's
 * VDPBF16PS (Swift has no bf16 type; oneDNN's bf16 matmuls run on it on Zen 4 and Cooper Lake /
 * Sapphire Rapids) and the spin-wait hint PAUSE. Swift times the kernel, checks its result and
 * derives the FLOP rate. */
#ifndef RIDGELINE_CKERNELS_H
#define RIDGELINE_CKERNELS_H

/* Whether this build has the kernel (x86-64 with a compiler that knows AVX512-BF16). The CPU
 * must also have the avx512_bf16 flag: calling the kernel on a CPU without it traps (SIGILL). */
int rl_bf16_kernel_built(void);

/* `iterations` steps of 12 independent chains acc += dot(a, b) over 16 fp32 lanes, each step one
 * VDPBF16PS per chain (two bf16 products added per lane: 4 FLOPs per lane). a = 1 and
 * b = 2^-shift, both exact in bf16, so every partial sum is a whole number of 2^(1-shift) and the
 * result, 12 · 16 · iterations · 2^(1-shift), is exact while 12 · iterations < 2^24.
 * Returns the sum over all lanes of all chains. */
double rl_bf16_dot_chains12(long iterations, int shift);

/* The spin-wait hint for the benchmark team's barrier (PAUSE on x86, YIELD on Arm), as the
 * vendors' optimization manuals ask of spin loops. Without it, on the Zen 4 KVM guest, the
 * thread that finished a DRAM triad pass first and spun at the barrier left the other finishing
 * 8-25% of the sample's span later (median over a sample's 15+ passes, 14 rounds); with it, 1-3%
 * in most rounds. */
static inline void rl_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}
#endif
