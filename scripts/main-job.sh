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
