#!/usr/bin/env python3
"""Writes the reference all-reduce tables (reference/collectives/allreduce-GPU-Ngpu.csv: nccl-tests'
all_reduce_perf columns as CSV, times in ns) in the text layout all_reduce_perf prints (nccl-tests
src/util.cu), one file per table, so that `ridgeline calibrate-network --nccl-tests` reads them
like any nccl-tests run:

    scripts/nccl-tests-from-table.py OUTDIR reference/collectives/allreduce-a100-*gpu.csv
"""
import csv, os, re, sys

def convert(path, outdir):
    ranks = int(re.search(r"-(\d+)gpu\.csv$", path).group(1))
    gpu = "NVIDIA A100-SXM4-80GB" if "a100" in path else "Tesla V100-SXM2-32GB"
    rows = list(csv.reader(open(path)))[1:]
    out = [
        "# nccl-tests version 2.13.8 nccl-headers=21903 nccl-library=21903",
        "# Collective test starting: all_reduce_perf",
        f"# nThread 1 nGpus {ranks} minBytes {rows[0][0]} maxBytes {rows[-1][0]} step: 1048576(bytes) warmup iters: 5 iters: 20 agg iters: 1 validation: 1 graph: 0",
        "#",
        "# Using devices",
    ]
    for r in range(ranks):
        out.append(f"#  Rank {r:2d} Group  0 Pid  {4242:6d} on {'dgx-node':>10s} device {r:2d} [0000:{0x07 + 16 * r:02x}:00] {gpu}")
    out += [
        "#",
        "#                                                              out-of-place                       in-place          ",
        "#       size         count      type   redop    root     time   algbw   busbw #wrong     time   algbw   busbw #wrong",
        "#        (B)    (elements)                               (us)  (GB/s)  (GB/s)            (us)  (GB/s)  (GB/s)       ",
    ]
    for size, count, dtype, t1, b1, t2, b2 in rows:
        us1, us2 = float(t1) / 1e3, float(t2) / 1e3
        alg1, alg2 = int(size) / us1 / 1e3, int(size) / us2 / 1e3
        out.append(f"{int(size):12d}  {int(count):12d}  {dtype:>8s}  {'sum':>6s}  {-1:6d}  {us1:7.2f}  {alg1:6.2f}  {float(b1):6.2f}  {0:6d}  {us2:7.2f}  {alg2:6.2f}  {float(b2):6.2f}  {0:6d}")
    out += ["# Out of bounds values : 0 OK", "# Avg bus bandwidth    : 0 ", "#", "# Collective test concluded: all_reduce_perf", ""]
    name = os.path.basename(path).replace(".csv", ".txt").replace("allreduce", "all_reduce_perf")
    with open(os.path.join(outdir, name), "w") as f:
        f.write("\n".join(out))

if __name__ == "__main__":
    os.makedirs(sys.argv[1], exist_ok=True)
    for p in sys.argv[2:]:
        convert(p, sys.argv[1])
