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

# Measure a short suite on this host with oneDNN and judge the host profile on it. The records go
# to a scratch file; `make bench`'s calibration benchmark uses the full default suite.
measurements=$(mktemp "${TMPDIR:-/tmp}/ridgeline-short-XXXXXX.jsonl")
trap 'rm -f "$measurements"' EXIT
step "ridgeline measure --suite short -o $measurements"
"$bin" measure --suite short -o "$measurements"
step "ridgeline validate --hardware host --measurements $measurements"
"$bin" validate --hardware host --measurements "$measurements"
