/* A STREAM triad (McCalpin, https://www.cs.virginia.edu/stream/) reduced to what ridgeline-bench
 * compares against: a[i] = b[i] + s*c[i] over three arrays of N doubles, OpenMP static schedule,
 * arrays first touched by the threads that use them, best of NTIMES, 24 bytes counted per element
 * (no write-allocate traffic), as STREAM counts.
 *
 * Build: gcc -O3 -march=native -fopenmp stream_triad.c -o stream_triad
 * Run:   ./stream_triad N NTIMES   -> prints "triad_bytes_per_s <best> check <a[N-1]>"
 */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 20000000L;
    int times = argc > 2 ? atoi(argv[2]) : 10;
    double *a = aligned_alloc(64, n * sizeof(double));
    double *b = aligned_alloc(64, n * sizeof(double));
    double *c = aligned_alloc(64, n * sizeof(double));
    if (!a || !b || !c) { fprintf(stderr, "stream_triad: cannot allocate 3 x %ld doubles\n", n); return 1; }
    const double s = 3.0;
#pragma omp parallel for schedule(static)
    for (long i = 0; i < n; i++) { a[i] = 0.0; b[i] = 1.0; c[i] = 2.0; }
    double best = 1e30;
    for (int k = 0; k < times; k++) {
        double t0 = omp_get_wtime();
#pragma omp parallel for schedule(static)
        for (long i = 0; i < n; i++) a[i] = b[i] + s * c[i];
        double t = omp_get_wtime() - t0;
        if (t < best) best = t;
    }
    /* Every element must be 1 + 3*2 = 7, else the loop did not run as written. */
    for (long i = 0; i < n; i += 4096) if (a[i] != 7.0) { fprintf(stderr, "stream_triad: wrong result\n"); return 2; }
    printf("triad_bytes_per_s %.6e check %.1f threads %d\n", 24.0 * (double)n / best, a[n - 1], omp_get_max_threads());
    return 0;
}
