#!/usr/bin/env python3
"""Measures the rate of llm-foundry's Triton port of FlashAttention (FlashKernel.tritonPortRate).

No benchmark of the port is published, so its rate relative to FlashAttention-2 is measured once,
on Ampere, from the LLM Foundry rows that ran it (first seen 2023-04 and 2023-10, `attn_impl:
triton`), and carried to Hopper by flash-attn 2.x's published sm80 penalty. Each row's predicted
step splits into non-attention time N and FlashAttention-2-rate attention time A; the fit is
step = c * (N + A / r), one c and one r over all rows: r comes from how the error grows with the
share of attention (the sequence length), c from its level.

A is what `ridgeline train` adds when the row's attention runs at half rate (`--flash-kernel
flash1` minus `flash2`: 1/0.5 - 1 = 1 times A); N is `check-runs`' prediction less A / rate, with
the rate the shipped source uses. With --hardware-prefix h100 the same fit on the H100 bf16 rows
(there A is at flash2's Hopper rate, 0.62 of native) says how far Hopper departs from the Ampere rate; it is not
used by the model.

usage: scripts/llmfoundry-triton-rate.py [--ridgeline .build/release/ridgeline] [--hardware-prefix a100|h100]
"""
import argparse
import csv
import json
import math
import os
import re
import subprocess
import tempfile

CSV = "reference/training-runs/llmfoundry-mpt-fsdp.csv"
HARDWARE = {"A100-40GB": "a100-sxm4-40gb", "A100-80GB": "a100-sxm4-80gb", "H100-80GB": "h100-sxm5-80gb"}
SHIPPED_RATE = 0.72  # FlashKernel.tritonPortRate, to recover N from check-runs' prediction

parser = argparse.ArgumentParser()
parser.add_argument("--ridgeline", default=".build/release/ridgeline")
parser.add_argument("--hardware-prefix", default="a100", choices=["a100", "h100"])
args = parser.parse_args()

rows = [r for r in csv.DictReader(open(CSV))]
triton = [
    r for r in rows
    if r["gpu_type"].lower().startswith(args.hardware_prefix) and r["precision"] != "amp_fp8"
    and ("2023-04" <= r["first_seen"][-10:] < "2024-01" or r["model_name"] in ("MPT-13B", "MPT-30B") and r["first_seen"][-10:] >= "2024-01")
]

# check-runs' predictions, which carry every setting of the source (autocast, FSDP precision, ...).
out = subprocess.run([args.ridgeline, "check-runs", "--runs", CSV, "--verbose"], capture_output=True, text=True, check=True).stdout
predicted = {}
for line in out.splitlines():
    m = re.match(r"(llmf_\d+)\s.*\s([\d.]+) (s|ms)\s+([+-]\d+\.\d)%\s*$", line)
    if m:
        predicted[m.group(1)] = float(m.group(2)) * (1e-3 if m.group(3) == "ms" else 1)

tmp = tempfile.mkdtemp()
def attention_seconds(r):
    """A: the row's attention time at FlashAttention-2's rate, from `train` at two kernels."""
    path = os.path.join(tmp, f"{r['model_name']}-{r['seq_len']}.yaml")
    with open(path, "w") as f:
        f.write(
            f"name: {r['model_name']}\nlayers: {r['layers']}\nd_model: {r['hidden']}\nheads: {r['heads']}\n"
            f"kv_heads: {r['heads']}\nffn: {r['ffn']}\nffn_kind: gelu\nnorm: layernorm\nvocab: {r['vocab']}\n"
            f"max_seq: {r['seq_len']}\nposition: learned\ntied_embeddings: true\nbias: true\ndropout: false\n")
    zero = {"FULL_SHARD": "3", "HYBRID_SHARD": "3", "SHARD_GRAD_OP": "2", "NO_SHARD": "0"}[r["sharding_strategy"]]
    base = [args.ridgeline, "train", "--model", path, "--hardware", HARDWARE[r["gpu_type"]], "--gpus", r["gpus"],
            "--zero", zero, "--micro-batch", r["micro_batch"], "--global-batch", r["global_batch"], "--seq", r["seq_len"],
            "--mode", "eager", "--recompute", "full" if r["recompute"].startswith("full") else "none", "--json"]
    step = {}
    for kernel in ("flash2", "flash1"):
        step[kernel] = json.loads(subprocess.run(base + ["--flash-kernel", kernel], capture_output=True, text=True, check=True).stdout)["step_time_s"]
    return step["flash1"] - step["flash2"]

data = []
for r in triton:
    a = attention_seconds(r)  # at flash2's rate on either generation (0.62 of native on Hopper)
    n = predicted[r["run_id"]] - a / SHIPPED_RATE
    data.append((float(r["measured_iteration_s"]), n, a, r))

def fit(points):
    best = None
    for k in range(400, 1201, 5):
        rate = k / 1000
        residuals = [math.log(meas / (n + a / rate)) for meas, n, a, _ in points]
        c = sum(residuals) / len(residuals)
        sse = sum((x - c) ** 2 for x in residuals)
        if best is None or sse < best[0]:
            best = (sse, rate, math.exp(c))
    return best

_, rate, c = fit(data)
print(f"{len(data)} {args.hardware_prefix.upper()} rows with attn_impl triton: r = {rate:.3f}, c = {c:.3f}")
groups = {}
for p in data:
    groups.setdefault((p[3]["first_seen"][-10:], p[3]["gpu_type"]), []).append(p)
for key in sorted(groups):
    _, r_, c_ = fit(groups[key])
    print(f"  {key[0]} {key[1]}: {len(groups[key])} rows, r = {r_:.3f}, c = {c_:.3f}")
