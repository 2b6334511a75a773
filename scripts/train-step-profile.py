#!/usr/bin/env python3
"""Times one whole training step on a CUDA GPU and splits its device time by kernel family, so a
lent GPU says where a step's time goes, not only how long it takes.

The step is the reference's (reference/README.md, `train_step`, `resnet50`): torchvision
ResNet-50, channels-last, bf16 autocast over fp32 parameters, cudnn.benchmark, SGD with momentum
0.9, cross-entropy over 1000 classes, `zero_grad(set_to_none=True)`. The step time is the median
of `--steps` steps timed with CUDA events after warm-up; the split comes from torch.profiler's
CUDA kernel records over two more steps (kernel time only: gaps between kernels are in the step
time, not in any family).

    python3 scripts/train-step-profile.py -o out/train-step-profile.jsonl
    # back on a machine with Ridgeline (the profile id of the GPU the step ran on):
    ridgeline train --model resnet-50 --hardware h100-sxm5-80gb --mode eager --micro-batch 256 \\
        --global-batch 256 --optimizer sgd --autocast --kernels --json > predicted.json
    python3 scripts/train-step-profile.py --compare out/train-step-profile.jsonl --predicted predicted.json

Records (JSON Lines): one `train_step` record in the reference's layout, then one
`train_step_kernels` record per family with its device milliseconds per step, kernel calls per
step and its most expensive kernel names. Kernels no rule names go to `other`, listed, never
dropped. `--compare` prints measured against predicted per family (no GPU needed).
`--device cpu --batch 2` runs the same path on a CPU as a check of the script itself before a
GPU is spent on it: its families are PyTorch's CPU ops, not kernels, and its times mean nothing.
"""
import argparse
import json
import re
import statistics
import sys
import time

# Measured CUDA kernel names -> family, first match wins. cuDNN's convolution kernels name their
# pass (fprop, dgrad, wgrad); PyTorch's native batch norm kernels all contain batch_norm.
KERNEL_FAMILIES = [
    ("conv_dgrad", r"dgrad"),
    ("conv_wgrad", r"wgrad|splitkreduce|split_k_reduce"),
    ("conv_fwd", r"fprop|implicit_convolve|conv2d_fwd|convolve_"),
    ("batchnorm", r"batch_?norm|welford"),
    ("relu", r"clamp|threshold|relu"),
    ("add", r"functor\w*_add|add_?functor|add_kernel"),
    ("pool", r"max_?pool|avg_?pool|average_?pool"),
    ("optimizer", r"multi_tensor_apply|foreach|sgd"),
    ("loss", r"softmax|nll_loss|cross_entropy"),
    ("cast", r"copy_kernel|direct_copy|to_copy|bfloat16_copy"),
    ("fill", r"fill"),
    ("gemm", r"gemm|gemv|cublas|cutlass|xmma|nvjet"),
    ("conv_other", r"cudnn|nchwtonhwc|nhwctonchw|conv"),
    ("reduction", r"reduce"),
]


def kernel_family(name):
    """The family of a measured kernel (or, on a CPU, op) name; case does not matter."""
    for family, pattern in KERNEL_FAMILIES:
        if re.search(pattern, name, re.IGNORECASE):
            return family
    return "other"


def predicted_family(spec):
    """The family of one kernel of `ridgeline train --kernels --json`, by its spec."""
    op = spec.get("op")
    if op == "conv2d":
        return {"fwd": "conv_fwd", "bwd_data": "conv_dgrad", "bwd_weights": "conv_wgrad"}[spec.get("pass", "fwd")]
    if op == "gemm":
        return "gemm"
    if op == "optimizer":
        return "optimizer"
    if op in ("softmax", "layernorm", "rmsnorm"):
        return "loss" if op == "softmax" else "norm"
    if op == "reduction":
        # Pooling keeps an index or reduces a few elements an output; a batch norm's statistics
        # reduce a whole batch of pixels into a few values per channel.
        if spec.get("index_bytes") or spec["outputs"] * 64 > spec["elements"]:
            return "pool"
        return "batchnorm"
    if op == "elementwise":
        name = spec["name"]
        for family, names in (("batchnorm", ("batchnorm", "batchnorm_stats")), ("relu", ("relu",)), ("add", ("add",)),
                              ("pool", ("maxpool_bwd", "avgpool_bwd")), ("cast", ("cast",)), ("fill", ("fill",))):
            if name in names:
                return family
    return "other"


def measure(model_name, batch, steps, device_name):
    import torch
    import torch.nn.functional as F
    from torch.profiler import ProfilerActivity, profile

    if model_name != "resnet50":
        raise SystemExit(f"train-step-profile.py: unknown --model {model_name} (known: resnet50)")
    import torchvision

    device = torch.device(device_name)
    cuda = device.type == "cuda"
    if cuda:
        torch.backends.cudnn.benchmark = True
    model = torchvision.models.resnet50().to(device).to(memory_format=torch.channels_last)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    images = torch.randn(batch, 3, 224, 224, device=device).to(memory_format=torch.channels_last)
    labels = torch.randint(0, 1000, (batch,), device=device)

    def step():
        with torch.autocast(device.type, dtype=torch.bfloat16):
            loss = F.cross_entropy(model(images), labels)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)

    def synchronize():
        if cuda:
            torch.cuda.synchronize()

    def timed_step():
        """Milliseconds of one step: CUDA events on a GPU, the wall clock on a CPU."""
        if not cuda:
            start = time.perf_counter()
            step()
            return (time.perf_counter() - start) * 1000
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        step()
        end.record()
        torch.cuda.synchronize()
        return start.elapsed_time(end)

    for _ in range(5):
        step()
    synchronize()
    times = [timed_step() for _ in range(steps)]
    profiled = 2
    with profile(activities=[ProfilerActivity.CUDA if cuda else ProfilerActivity.CPU]) as prof:
        for _ in range(profiled):
            step()
        synchronize()
    by_name = {}
    for event in prof.key_averages():
        if cuda:
            # Kernels carry device time; the host-side ops and runtime calls that launch them do not.
            device_us = getattr(event, "self_device_time_total", None)
            if device_us is None:
                device_us = getattr(event, "self_cuda_time_total", 0)
            if event.key.startswith(("ProfilerStep", "aten::", "cuda")):
                continue
        else:
            device_us = event.self_cpu_time_total
        if device_us <= 0:
            continue
        calls, total = by_name.get(event.key, (0, 0.0))
        by_name[event.key] = (calls + event.count, total + device_us / 1000)
    families = {}
    for name, (calls, ms) in by_name.items():
        f = families.setdefault(kernel_family(name), {"calls": 0, "ms": 0.0, "names": []})
        f["calls"] += calls / profiled
        f["ms"] += ms / profiled
        f["names"].append((ms / profiled, name))
    step_record = {
        "section": "train_step", "model": model_name, "params": sum(p.numel() for p in model.parameters()),
        "batch": batch, "image": 224, "precision": "bf16-autocast", "optimizer": "sgd-momentum",
        "ms_median": statistics.median(times), "ms_min": min(times), "steps": steps,
        "device": torch.cuda.get_device_name(0) if cuda else "cpu", "torch": torch.__version__,
        "cudnn": torch.backends.cudnn.version() if cuda else None,
    }
    records = [step_record]
    for family, f in sorted(families.items(), key=lambda item: -item[1]["ms"]):
        top = [{"name": n[:160], "ms": round(ms, 4)} for ms, n in sorted(f["names"], reverse=True)[:8]]
        records.append({"section": "train_step_kernels", "model": model_name, "family": family,
                        "calls": f["calls"], "ms": f["ms"], "top": top})
    return records


def compare(measured_path, predicted_path):
    """Measured against predicted milliseconds per step, per family."""
    with open(measured_path, encoding="utf-8") as f:
        records = [json.loads(line) for line in f if line.strip()]
    step = next((r for r in records if r.get("section") == "train_step"), None)
    measured = {r["family"]: r["ms"] for r in records if r.get("section") == "train_step_kernels"}
    with open(predicted_path, encoding="utf-8") as f:
        predicted_record = json.load(f)
    if "kernels" not in predicted_record:
        raise SystemExit(f"{predicted_path}: no 'kernels' array (run ridgeline train with --kernels --json)")
    if any(k["pass"].startswith(("layer", "moe", "input", "output")) for k in predicted_record["kernels"]):
        # A transformer's listing holds one layer of each pass, not the step's kernels.
        raise SystemExit(f"{predicted_path}: a per-layer (transformer) listing; --compare sums a CNN's, which lists the whole step")
    predicted = {}
    for k in predicted_record["kernels"]:
        family = predicted_family(k["spec"])
        predicted[family] = predicted.get(family, 0.0) + k["time_s"] * k["count"] * 1000
    # The optimizer is priced per parameter, not listed kernel by kernel: its share of the step.
    predicted.setdefault("optimizer", predicted_record["breakdown"]["optimizer"] * 1000)
    print(f"{'family':<12} {'measured ms':>12} {'predicted ms':>13} {'error':>8}")
    for family in sorted(set(measured) | set(predicted), key=lambda x: -max(measured.get(x, 0), predicted.get(x, 0))):
        m, p = measured.get(family), predicted.get(family)
        error = f"{(p - m) / m:+.1%}" if m and p is not None else ""
        print(f"{family:<12} {m if m is not None else float('nan'):>12.3f} {p if p is not None else float('nan'):>13.3f} {error:>8}")
    if step:
        total = predicted_record["step_time_s"] * 1000
        print(f"{'step':<12} {step['ms_median']:>12.3f} {total:>13.3f} {(total - step['ms_median']) / step['ms_median']:>+8.1%}"
              f"   (kernels measured: {sum(measured.values()):.3f} ms)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="resnet50")
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--steps", type=int, default=8)
    parser.add_argument("--device", default="cuda", help="cuda (default), or cpu to check the script itself")
    parser.add_argument("-o", "--output", help="JSON Lines output (default: standard output)")
    parser.add_argument("--compare", metavar="MEASURED.jsonl", help="compare an earlier run's records with --predicted")
    parser.add_argument("--predicted", metavar="PREDICTED.json", help="`ridgeline train ... --kernels --json` output")
    args = parser.parse_args()
    if args.compare:
        if not args.predicted:
            parser.error("--compare needs --predicted")
        compare(args.compare, args.predicted)
        return
    if args.batch < 1 or args.steps < 1:
        parser.error("--batch and --steps must be at least 1")
    records = measure(args.model, args.batch, args.steps, args.device)
    text = "".join(json.dumps(r) + "\n" for r in records)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    print(f"{args.model}: {records[0]['ms_median']:.2f} ms per step; families: "
          + ", ".join(f"{r['family']} {r['ms']:.2f}" for r in records[1:]), file=sys.stderr)


if __name__ == "__main__":
    main()
