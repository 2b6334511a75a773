#!/usr/bin/env bash
# The calibration benchmark of issue 4: measure this host's ceilings (`detect --measure`), measure
# the default suite with oneDNN (or ENGINE=torch|openblas), fit the calibration block on half of the kernels (every other
# kernel of each class) and report the error on the other half only.
# Target: held-out median APE <= 10%, p90 <= 25%.
#
#   scripts/calibration-benchmark.sh [BIN] [OUT_DIR] [THREADS]
#   ENGINE=torch RIDGELINE_PYTHON=/usr/bin/python3 scripts/calibration-benchmark.sh   # Debian's python3-torch
#
# One thread by default: on a machine shared with other work, a multi-threaded kernel waits at
# every OpenMP barrier for whichever of its threads was descheduled, so its time measures the
# load, not the hardware. The `min` statistic (least-disturbed repetition) is reported beside the
# median for the same reason.
set -euo pipefail
bin=${1:-.build/release/ridgeline}
out=${2:-reports/tmp/calibration}
threads=${3:-1}
engine=${ENGINE:-onednn}
mkdir -p "$out"
profile="$out/host-measured.yaml"
run="$out/default-suite-$engine-${threads}t.jsonl"
printf '== ridgeline detect --measure -o %s\n' "$profile"
"$bin" detect --measure -o "$profile" > /dev/null
rm -f "$run"
start=$(date +%s)
printf '== ridgeline measure --engine %s --suite default --threads %s -o %s\n' "$engine" "$threads" "$run"
"$bin" measure --engine "$engine" --suite default --threads "$threads" -o "$run"
echo "measured $(wc -l < "$run") kernels in $(( $(date +%s) - start )) s"
for statistic in median min; do
  printf '\n== ridgeline calibrate --hardware %s --measurements %s --statistic %s (held-out half only)\n' "$profile" "$run" "$statistic"
  "$bin" calibrate --hardware "$profile" --measurements "$run" --statistic "$statistic" -o "$out/host-calibrated-$engine-$statistic.yaml"
done
