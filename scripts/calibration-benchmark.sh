#!/usr/bin/env bash
# The calibration benchmark of issue 4: measure this host's ceilings (`detect --measure`), measure
# the default suite with oneDNN (or ENGINE=torch|openblas), fit the calibration block on half of the kernels (every other
# kernel of each class) and report the error on the other half only.
# Target: held-out median APE <= 10%, p90 <= 25%; uncalibrated (issue 14) median <= 25%, p90 <= 60%.
#
#   scripts/calibration-benchmark.sh [BIN] [OUT_DIR] [THREADS]
#   ENGINE=torch RIDGELINE_PYTHON=/usr/bin/python3 scripts/calibration-benchmark.sh   # Debian's python3-torch
#   KEEP_UNRELIABLE=1 scripts/calibration-benchmark.sh   # go on when detect's checks fail (busy machine):
#                                                        # the profile is marked UNRELIABLE, so are the figures
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
keep=()
if [[ -n "${KEEP_UNRELIABLE:-}" ]]; then keep=(--keep-unreliable); fi
printf '== ridgeline detect --measure %s-o %s (load average: %s)\n' "${keep[*]:+${keep[*]} }" "$profile" "$(cut -d' ' -f1-3 /proc/loadavg)"
# detect refuses (non-zero exit, set -e stops here) when its measurement fails its checks.
"$bin" detect --measure "${keep[@]}" -o "$profile" > /dev/null
rm -f "$run"
start=$(date +%s)
printf '== ridgeline measure --engine %s --suite default --threads %s -o %s\n' "$engine" "$threads" "$run"
"$bin" measure --engine "$engine" --suite default --threads "$threads" -o "$run"
echo "measured $(wc -l < "$run") kernels in $(( $(date +%s) - start )) s (load average: $(cut -d' ' -f1-3 /proc/loadavg))"
printf '\n== ridgeline validate --hardware %s --measurements %s (uncalibrated, whole suite; issue 14: median <= 25%%, p90 <= 60%%)\n' "$profile" "$run"
"$bin" validate --hardware "$profile" --measurements "$run" | tail -12
for statistic in median min; do
  printf '\n== ridgeline calibrate --hardware %s --measurements %s --statistic %s (held-out half only)\n' "$profile" "$run" "$statistic"
  "$bin" calibrate --hardware "$profile" --measurements "$run" --statistic "$statistic" -o "$out/host-calibrated-$engine-$statistic.yaml"
done
