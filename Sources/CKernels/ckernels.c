#include "ckernels.h"

#if defined(__x86_64__) && defined(__clang__) || defined(__x86_64__) && defined(__GNUC__) && __GNUC__ >= 10
#include <immintrin.h>

int rl_bf16_kernel_built(void) { return 1; }

__attribute__((target("avx512f,avx512bf16"), noinline))
double rl_bf16_dot_chains12(long iterations, int shift) {
    /* bf16 is the top half of an fp32: 1.0 = 0x3F80, 2^-shift = exponent (127 - shift) << 7. */
    const __m512i one_bits = _mm512_set1_epi16((short)0x3F80);
    const __m512i b_bits = _mm512_set1_epi16((short)((127 - shift) << 7));
    const __m512bh a = (__m512bh)one_bits, b = (__m512bh)b_bits;
    __m512 c0 = _mm512_setzero_ps(), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0;
    __m512 c6 = c0, c7 = c0, c8 = c0, c9 = c0, c10 = c0, c11 = c0;
    for (long i = 0; i < iterations; i++) {
        c0 = _mm512_dpbf16_ps(c0, a, b); c1 = _mm512_dpbf16_ps(c1, a, b); c2 = _mm512_dpbf16_ps(c2, a, b);
        c3 = _mm512_dpbf16_ps(c3, a, b); c4 = _mm512_dpbf16_ps(c4, a, b); c5 = _mm512_dpbf16_ps(c5, a, b);
        c6 = _mm512_dpbf16_ps(c6, a, b); c7 = _mm512_dpbf16_ps(c7, a, b); c8 = _mm512_dpbf16_ps(c8, a, b);
        c9 = _mm512_dpbf16_ps(c9, a, b); c10 = _mm512_dpbf16_ps(c10, a, b); c11 = _mm512_dpbf16_ps(c11, a, b);
    }
    __m512 s = _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(c0, c1), _mm512_add_ps(c2, c3)),
                             _mm512_add_ps(_mm512_add_ps(c4, c5), _mm512_add_ps(c6, c7)));
    s = _mm512_add_ps(s, _mm512_add_ps(_mm512_add_ps(c8, c9), _mm512_add_ps(c10, c11)));
    float lanes[16];
    _mm512_storeu_ps(lanes, s);
    double total = 0;
    for (int i = 0; i < 16; i++) total += lanes[i];
    return total;
}
#else
int rl_bf16_kernel_built(void) { return 0; }
double rl_bf16_dot_chains12(long iterations, int shift) { (void)iterations; (void)shift; return -1; }
#endif
