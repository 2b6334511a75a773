#!/usr/bin/env bash
# The GPU half of issue 4's check, in one call for a machine with PyTorch and CUDA but no Swift
# (the device machine a session may be lent): times the GPU suite, the default suite, the
# convolutions of the ResNet-50 step (profiles/suites/resnet50.jsonl: every shape of the H100
# train_step row in all three passes) and the few-tile, deep-k GEMMs of weight gradients
# (profiles/suites/gemm-deepk.jsonl) with scripts/torch_engine.py on cuda:0 (the last two with
# --kernel-names: each record names the cuDNN/cuBLAS kernels one call launched), then profiles that
# ResNet-50 step by kernel family and times ResNet-18, VGG-16 and the reference's six GPT and Llama
# steps (scripts/train-step-profile.py), and writes the records, the logs and the machine's description
# to OUT (default: gpu-measurements/). About 6-8 minutes on an H100.
#
#   scripts/gpu-measure.sh [OUT]
#
# Back on a machine with Ridgeline (GPU = h100 or h200, the profile id to match):
#   ridgeline validate  --hardware h100-sxm5-80gb --measurements OUT/h100-gpu-suite.jsonl
#   ridgeline calibrate --hardware h100-sxm5-80gb --measurements OUT/h100-gpu-suite.jsonl -o /tmp/h100-cal.yaml
#   ridgeline validate  --hardware h100-sxm5-80gb --measurements OUT/h100-resnet50-suite.jsonl
#   ridgeline validate  --hardware h100-sxm5-80gb --measurements OUT/h100-gemm-deepk-suite.jsonl
#   python3 -c 'import json,sys; [print(r["kernel"], r["median_s"], r.get("launched")) for r in map(json.loads, open(sys.argv[1]))]' \
#     OUT/h100-gemm-deepk-suite.jsonl     # the kernel cuBLAS chose for each (tile shape, split-K)
#   ridgeline train --model resnet-50 --hardware h100-sxm5-80gb --mode eager --micro-batch 256 --global-batch 256 \
#     --optimizer sgd --autocast --kernels --json > predicted.json
#   scripts/train-step-profile.py --compare OUT/h100-train-step-profile.jsonl --predicted predicted.json
#   ridgeline check-runs --runs OUT/h100-train-steps.jsonl --runs OUT/h100-train-step-profile.jsonl
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-${OUT:-gpu-measurements}}
mkdir -p "$out"
python=${RIDGELINE_PYTHON:-python3}
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm,clocks.max.memory,power.limit,driver_version --format=csv \
  > "$out/nvidia-smi.csv" 2>&1 || echo "nvidia-smi failed" >> "$out/nvidia-smi.csv"
"$python" -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, "cudnn", torch.backends.cudnn.version(), "device", torch.cuda.get_device_name(0))' \
  | tee "$out/torch.txt"
gpu=$("$python" -c 'import torch; n = torch.cuda.get_device_name(0).lower(); print(next((g for g in ("h200", "h100", "a100", "l40s") if g in n), "gpu"))')
for suite in gpu default resnet50 gemm-deepk; do
  start=$(date +%s)
  names=()
  case $suite in resnet50 | gemm-deepk) names=(--kernel-names) ;; esac
  "$python" scripts/torch_engine.py --device cuda --suite "profiles/suites/$suite.jsonl" ${names[@]+"${names[@]}"} \
    -o "$out/$gpu-$suite-suite.jsonl" 2> "$out/$gpu-$suite-suite.log" || echo "torch_engine.py exited $? on the $suite suite" >> "$out/$gpu-$suite-suite.log"
  echo "$suite suite: $(wc -l < "$out/$gpu-$suite-suite.jsonl" 2>/dev/null || echo 0) records in $(( $(date +%s) - start )) s; $(tail -1 "$out/$gpu-$suite-suite.log")"
done
# Where the ResNet-50 step's time goes, by kernel family (torch.profiler), beside its step time.
"$python" scripts/train-step-profile.py --model resnet50 -o "$out/$gpu-train-step-profile.jsonl" \
  2> "$out/$gpu-train-step-profile.log" || echo "train-step-profile.py exited $?" >> "$out/$gpu-train-step-profile.log"
echo "train step profile: $(tail -1 "$out/$gpu-train-step-profile.log")"
# ResNet-18, VGG-16 and the reference's six GPT and Llama steps on this GPU: whole steps Ridgeline
# was never fitted on (`ridgeline check-runs --runs OUT/<gpu>-train-steps.jsonl`).
"$python" scripts/train-step-profile.py --model resnet18,vgg16,transformers -o "$out/$gpu-train-steps.jsonl" \
  2> "$out/$gpu-train-steps.log" || echo "train-step-profile.py exited $?" >> "$out/$gpu-train-steps.log"
echo "train steps: $(grep -c '"train_step"' "$out/$gpu-train-steps.jsonl" 2>/dev/null || echo 0) of 8; $(tail -1 "$out/$gpu-train-steps.log")"
