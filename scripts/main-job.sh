#!/usr/bin/env bash
# The main job `make run` performs: list profiles, detect and measure this host, show one, predict representative kernels on
# three devices, and check the engine against the real H100 timings.
set -euo pipefail
bin=${1:-.build/release/ridgeline}
step() { printf '\n== %s\n' "$*"; }

step "ridgeline profiles"
"$bin" profiles
step "ridgeline detect --measure (this host: topology, measured ceilings; written where --hardware host finds it)"
"$bin" detect --measure
step "ridgeline show h100-sxm5-80gb"
"$bin" show h100-sxm5-80gb
for hw in h100-sxm5-80gb a100-sxm4-80gb epyc-9654; do
  step "ridgeline predict --hardware $hw --kernels examples/kernels.jsonl"
  "$bin" predict --hardware "$hw" --kernels examples/kernels.jsonl
done
step "ridgeline check-reference (real H100 kernel timings vs prediction)"
"$bin" check-reference

# Training time: Llama 2 7B on 2T tokens (its published recipe: 4M-token batches of 4096-token
# sequences) on 64 GPUs, A100-80GB against H100. For scale: Touvron et al. 2023 (Table 2) report
# 184,320 A100-80GB GPU-hours for the real run, on Meta's own cluster and software.
for hw in a100-sxm4-80gb h100-sxm5-80gb; do
  step "ridgeline train --model llama2-7b --hardware $hw --gpus 64 --zero 1 --micro-batch 2 --recompute selective --tokens 2e12"
  "$bin" train --model llama2-7b --hardware "$hw" --gpus 64 --zero 1 --micro-batch 2 --recompute selective --tokens 2e12
done
# Capacity planning: the same run, searched exhaustively over A100/H100/H200 up to 256 GPUs
# (layout, micro-batch, recompute, ZeRO, sequence parallel) against a 30-day deadline.
step "ridgeline plan --model llama2-7b --tokens 2e12 --hardware a100-sxm4-80gb,h100-sxm5-80gb,h200-sxm-141gb --max-devices 256 --deadline 30 --top 5"
"$bin" plan --model llama2-7b --tokens 2e12 --hardware a100-sxm4-80gb,h100-sxm5-80gb,h200-sxm-141gb --max-devices 256 --deadline 30 --top 5
step "ridgeline check-megatron (published Megatron-LM A100 runs vs prediction)"
"$bin" check-megatron

# Measure a short suite on this host with oneDNN (one thread: on a shared machine a multi-threaded
# kernel times the load, not the hardware) and judge the host profile on it. The records go to a
# scratch file; scripts/calibration-benchmark.sh calibrates on the full default suite.
measurements=$(mktemp "${TMPDIR:-/tmp}/ridgeline-short-XXXXXX.jsonl")
trap 'rm -f "$measurements"' EXIT
step "ridgeline measure --suite short --threads 1 -o $measurements"
"$bin" measure --suite short --threads 1 -o "$measurements"
step "ridgeline validate --hardware host --measurements $measurements"
"$bin" validate --hardware host --measurements "$measurements"

# The measurements above as a report: the host's roofline with each kernel measured and predicted,
# predicted vs measured time, and the error per kernel and per class.
step "ridgeline report --measurements $measurements --hardware host"
"$bin" report --measurements "$measurements" --hardware host -o reports/tmp/measurements-host

# Last: why deep learning needs GPUs, as a report: GPT-2 124M on 10B tokens on this host's CPU
# against two datacenter GPUs (step time and its breakdown, time, cost, energy, and the ceilings,
# ridge points, parallel units and bandwidths side by side). HTML, Markdown, CSV and JSON; the
# path of its index.html is the last line printed.
step "ridgeline compare --hardware host,h100-sxm5-80gb,a100-sxm4-80gb --model gpt2-124m --tokens 10e9"
"$bin" compare --hardware host,h100-sxm5-80gb,a100-sxm4-80gb --model gpt2-124m --tokens 10e9 -o reports/tmp/compare-gpt2-host-gpus
