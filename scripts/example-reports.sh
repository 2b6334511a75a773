#!/usr/bin/env bash
# Regenerates the example reports committed under reports/ (make reports), so a visitor can see
# what Ridgeline produces without running it. Each report's provenance block records the command.
set -euo pipefail
bin=${1:-.build/release/ridgeline}
cd "$(dirname "$0")/.."

# The example kernels on two datacenter GPUs and a datacenter CPU: predictions only.
"$bin" compare --hardware h100-sxm5-80gb,a100-sxm4-80gb,epyc-9654 --kernels examples/kernels.jsonl \
  -o reports/compare-kernels-h100-a100-epyc

# Real H100 kernel timings (PyTorch eager, reference/gpu-measurements) against the model's predictions.
reference=reference/gpu-measurements/h100-sxm5-kernels.jsonl
if [ -f "$reference" ]; then
  "$bin" report --measurements "$reference" --hardware h100-sxm5-80gb --mode eager -o reports/measurements-h100-reference
else
  echo "example-reports: $reference not found; skipping the H100 measurement report" >&2
fi

# A capacity plan: Llama 2 7B on 2T tokens over A100/H100/H200, up to 256 GPUs, 30-day deadline.
# The plan's JSON is kept beside its report, so the report regenerates from it.
plan_dir=reports/plan-llama2-7b-2t
mkdir -p "$plan_dir"
"$bin" plan --model llama2-7b --tokens 2e12 --hardware a100-sxm4-80gb,h100-sxm5-80gb,h200-sxm-141gb --max-devices 256 \
  --deadline 30 --top 10 --json > "$plan_dir/plan.json.tmp"
mv "$plan_dir/plan.json.tmp" "$plan_dir/plan.json"
"$bin" report --plan "$plan_dir/plan.json" -o "$plan_dir"

# This host's ceilings, measured by micro-benchmarks (about 10-45 s), against the nominal ones and
# the static host profile. The measured profile is written beside the report, not over the one
# `--hardware host` uses.
ceilings_dir=reports/ceilings-host
mkdir -p "$ceilings_dir"
"$bin" detect --measure --json -o "$ceilings_dir/host-measured.yaml" > "$ceilings_dir/detect.json.tmp"
mv "$ceilings_dir/detect.json.tmp" "$ceilings_dir/detect.json"
"$bin" report --ceilings "$ceilings_dir/detect.json" --hardware profiles/hardware/host.yaml -o "$ceilings_dir"

# A short oneDNN suite measured on this host (one thread, about 25 s), as a measurement report and
# as a validation report of `ridgeline validate --json` on the same records, both judged with the
# profile measured above. The records are kept.
host_dir=reports/measurements-host-onednn
mkdir -p "$host_dir"
rm -f "$host_dir/records.jsonl.tmp"
"$bin" measure --suite short --threads 1 -o "$host_dir/records.jsonl.tmp"
mv "$host_dir/records.jsonl.tmp" "$host_dir/records.jsonl"
"$bin" report --measurements "$host_dir/records.jsonl" --hardware "$ceilings_dir/host-measured.yaml" -o "$host_dir"
validation_dir=reports/validation-host-onednn
mkdir -p "$validation_dir"
"$bin" validate --hardware "$ceilings_dir/host-measured.yaml" --measurements "$host_dir/records.jsonl" --json > "$validation_dir/validation.json.tmp"
mv "$validation_dir/validation.json.tmp" "$validation_dir/validation.json"
"$bin" report --validation "$validation_dir/validation.json" --hardware "$ceilings_dir/host-measured.yaml" -o "$validation_dir"

# One training workload on a datacenter CPU and two GPUs: GPT-2 124M on 10B and 100B tokens.
"$bin" compare --hardware epyc-9654,a100-sxm4-80gb,h100-sxm5-80gb --model gpt2-124m --tokens 10e9 --tokens 100e9 \
  -o reports/compare-gpt2-124m-epyc-a100-h100
