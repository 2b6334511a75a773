#!/usr/bin/env bash
# Regenerates the example reports committed under reports/ (make reports), so a visitor can see
# what Ridgeline produces without running it. Each report's provenance block records the command.
set -euo pipefail
bin=${1:-.build/release/ridgeline}
cd "$(dirname "$0")/.."

# The example kernels on two datacenter GPUs and a datacenter CPU: predictions only.
"$bin" compare --hardware h100-sxm5-80gb,a100-sxm4-80gb,epyc-9654 --kernels examples/kernels.jsonl \
  -o reports/compare-kernels-h100-a100-epyc

# Real H100 kernel timings (PyTorch eager, shared/reference) against the model's predictions.
reference=../shared/reference/gpu-measurements/h100-sxm5-kernels.jsonl
if [ -f "$reference" ]; then
  "$bin" report --measurements "$reference" --hardware h100-sxm5-80gb --mode eager -o reports/measurements-h100-reference
else
  echo "example-reports: $reference not found; skipping the H100 measurement report" >&2
fi

# One training workload on a datacenter CPU and two GPUs: GPT-2 124M on 10B and 100B tokens.
"$bin" compare --hardware epyc-9654,a100-sxm4-80gb,h100-sxm5-80gb --model gpt2-124m --tokens 10e9 --tokens 100e9 \
  -o reports/compare-gpt2-124m-epyc-a100-h100
