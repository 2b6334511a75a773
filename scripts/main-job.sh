#!/usr/bin/env bash
# The main job `make run` performs: list profiles, show one, predict representative kernels on
# three devices, and check the engine against the real H100 timings.
set -euo pipefail
bin=${1:-.build/release/ridgeline}
step() { printf '\n== %s\n' "$*"; }

step "ridgeline profiles"
"$bin" profiles
step "ridgeline show h100-sxm5-80gb"
"$bin" show h100-sxm5-80gb
for hw in h100-sxm5-80gb a100-sxm4-80gb epyc-9654; do
  step "ridgeline predict --hardware $hw --kernels examples/kernels.jsonl"
  "$bin" predict --hardware "$hw" --kernels examples/kernels.jsonl
done

# Last: a comparison report of this host against datacenter GPUs, written as HTML, Markdown, CSV
# and JSON; its path is the last line printed.
step "ridgeline compare --hardware host,h100-sxm5-80gb,a100-sxm4-80gb --kernels examples/kernels.jsonl"
"$bin" compare --hardware host,h100-sxm5-80gb,a100-sxm4-80gb --kernels examples/kernels.jsonl -o reports/tmp/compare-host-gpus
