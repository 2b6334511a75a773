#!/usr/bin/env python3
"""Derives vTrain's host costs (VTrainSource) from a count, not a fit of the predictions.

In the host-bound rows (hidden 1024, micro-batch 1, no pipeline) the step time per micro-batch
grows linearly with the layer count; the slope is the host time of one layer (forward,
recomputation, backward). Over Ridgeline's 45 listed kernels of such a layer it gives the host
seconds per kernel; the extra slope at tp 2 and 4 over the 6 all-reduce calls tensor parallelism
adds per layer gives the host seconds per collective call.

usage: scripts/vtrain-host-cost.py [reference/training-runs/vtrain-a100-single-node.csv]
"""
import csv
import statistics
import sys
from collections import defaultdict

KERNELS_PER_LAYER = 45      # compiled list, forward + full recompute + backward, tp any
CALLS_PER_LAYER = 6         # tensor-parallel all-reduces: 2 forward, 2 recompute, 2 backward

path = sys.argv[1] if len(sys.argv) > 1 else "reference/training-runs/vtrain-a100-single-node.csv"
series = defaultdict(dict)
for row in csv.DictReader(open(path)):
    if row["micro_batch"] == "1" and row["pp"] == "1" and row["hidden"] == "1024":
        per_micro_batch = float(row["measured_iteration_s"]) / (int(row["global_batch"]) // int(row["dp"]))
        series[(int(row["tp"]), row["dp"], row["global_batch"])][int(row["layers"])] = per_micro_batch

slopes = defaultdict(list)
for (tp, _, _), points in series.items():
    if len(points) < 2:
        continue
    xs = sorted(points)
    ys = [points[x] for x in xs]
    mx, my = statistics.mean(xs), statistics.mean(ys)
    slopes[tp].append(sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs))

base = statistics.median(slopes[1])
print(f"tp 1: {base * 1e3:.3f} ms a layer ({len(slopes[1])} series) -> {base / KERNELS_PER_LAYER * 1e6:.1f} us per listed kernel")
calls = []
for tp in sorted(t for t in slopes if t in (2, 4)):
    s = statistics.median(slopes[tp])
    calls.append((s - base) / CALLS_PER_LAYER)
    print(f"tp {tp}: {s * 1e3:.3f} ms a layer ({len(slopes[tp])} series) -> {calls[-1] * 1e6:.1f} us per collective call")
print(f"per collective call (mean of tp 2 and 4): {statistics.mean(calls) * 1e6:.1f} us")
