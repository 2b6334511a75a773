/* The one micro-benchmark kernel Ridgeline cannot write in Swift: Swift has no bf16 type and no
 * way to emit AVX512-BF16's VDPBF16PS, the instruction oneDNN's bf16 matmuls run on Zen 4 and
 * Cooper Lake / Sapphire Rapids. Swift times it, checks its result and derives the FLOP rate. */
#ifndef RIDGELINE_BF16_KERNELS_H
#define RIDGELINE_BF16_KERNELS_H

/* Whether this build has the kernel (x86-64 with a compiler that knows AVX512-BF16). The CPU
 * must also have the avx512_bf16 flag: calling the kernel on a CPU without it traps (SIGILL). */
int rl_bf16_kernel_built(void);

/* `iterations` steps of 12 independent chains acc += dot(a, b) over 16 fp32 lanes, each step one
 * VDPBF16PS per chain (two bf16 products added per lane: 4 FLOPs per lane). a = 1 and
 * b = 2^-shift, both exact in bf16, so every partial sum is a whole number of 2^(1-shift) and the
 * result, 12 · 16 · iterations · 2^(1-shift), is exact while 12 · iterations < 2^24.
 * Returns the sum over all lanes of all chains. */
double rl_bf16_dot_chains12(long iterations, int shift);

#endif
