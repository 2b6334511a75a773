#!/usr/bin/env python3
"""Times one whole training step on a CUDA GPU and splits its device time by kernel family, so a
lent GPU says where a step's time goes, not only how long it takes.

The steps are the reference's (reference/README.md, `train_step`). `resnet50`: torchvision
ResNet-50, channels-last, bf16 autocast over fp32 parameters, cudnn.benchmark, SGD with momentum
0.9, cross-entropy over 1000 classes, `zero_grad(set_to_none=True)`; `resnet18` and `vgg16` run
the same way (steps the reference does not have). The GPT and Llama rows
(`gpt2-124M`, `llama-1B-like`, ...; `--model transformers` runs all six): the network the
README describes, built from the row's shape in the repository's copy of the reference
(reference/gpu-measurements/h100-sxm5-more.jsonl), with its parameter count checked against the
row's `params`; bf16 autocast over fp32 parameters, logits cast to fp32 before the loss, fused
AdamW. The step time is the median of `--steps` steps timed with CUDA events after warm-up; the
split comes from torch.profiler's CUDA kernel records over two more steps (kernel time only:
gaps between kernels are in the step time, not in any family).

    python3 scripts/train-step-profile.py -o out/train-step-profile.jsonl
    python3 scripts/train-step-profile.py --model transformers -o out/train-steps.jsonl
    # back on a machine with Ridgeline (the profile id of the GPU the step ran on):
    ridgeline check-runs --runs out/train-steps.jsonl
    ridgeline train --model resnet-50 --hardware h100-sxm5-80gb --mode eager --micro-batch 256 \\
        --global-batch 256 --optimizer sgd --autocast --kernels --json > predicted.json
    python3 scripts/train-step-profile.py --compare out/train-step-profile.jsonl --predicted predicted.json

Records (JSON Lines): per model one `train_step` record in the reference's layout (with the GPU
in `device`, which `ridgeline check-runs` reads), then one `train_step_kernels` record per family
with its device milliseconds per step, kernel calls per step and its most expensive kernel names.
Kernels no rule names go to `other`, listed, never dropped. `--compare` prints measured against
predicted per family for the CNN (no GPU needed).
`--device cpu` runs the same path on a CPU as a check of the script itself before a GPU is spent
on it (use `--batch 2`): transformers shrink to a smoke shape (recorded in `smoke`), PyTorch
releases without scaled_dot_product_attention, rms_norm or fused AdamW get plain stand-ins (listed
in `fallbacks`), its families are PyTorch's CPU ops, not kernels, and its times mean nothing.
"""
import argparse
import json
import os
import re
import statistics
import sys
import time

# Measured CUDA kernel names -> family, first match wins. cuDNN's convolution kernels name their
# pass (fprop, dgrad, wgrad); PyTorch's native batch norm kernels all contain batch_norm.
KERNEL_FAMILIES = [
    ("attention", r"flash|fmha|sdpa|attention"),
    ("conv_dgrad", r"dgrad"),
    ("conv_wgrad", r"wgrad|splitkreduce|split_k_reduce"),
    ("conv_fwd", r"fprop|implicit_convolve|conv2d_fwd|convolve_"),
    ("batchnorm", r"batch_?norm|welford"),
    ("norm", r"layer_?norm|rms_?norm|gammabeta"),
    ("relu", r"clamp|threshold|relu"),
    ("activation", r"gelu|silu|swiglu"),
    ("mul", r"mul_?functor|mul_kernel"),
    ("add", r"functor\w*_add|add_?functor|add_kernel"),
    ("pool", r"max_?pool|avg_?pool|average_?pool"),
    ("embedding", r"embedding|index_select|indexing_backward|scatter_add|gather"),
    ("optimizer", r"multi_tensor_apply|foreach|sgd|adam"),
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


REFERENCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "reference", "gpu-measurements",
                         "h100-sxm5-more.jsonl")

# `--device cpu`: a transformer keeps its structure at this size, to check the script, not to time.
SMOKE_SHAPE = {"vocab": 512, "d_model": 64, "layers": 2, "heads": 4, "kv_heads": 2, "ffn": 128, "seq": 64}


def reference_transformers(path=REFERENCE):
    """The reference's transformer `train_step` rows by model name, in file order."""
    rows = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            row = json.loads(line) if line.strip() else {}
            if row.get("section") == "train_step" and "vocab" in row:
                rows[row["model"]] = row
    return rows


# torchvision CNNs by the `model` names their records carry (TrainStepSource.cnnModels maps each
# to its shipped profile): the reference's resnet50, and two it does not have.
CNNS = ("resnet50", "resnet18", "vgg16")


def build_cnn(torch, F, device, name, batch):
    """A torchvision CNN as the reference's `resnet50` row ran it: the step, and its record fields."""
    import torchvision

    if device.type == "cuda":
        torch.backends.cudnn.benchmark = True
    model = getattr(torchvision.models, name)().to(device).to(memory_format=torch.channels_last)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    images = torch.randn(batch, 3, 224, 224, device=device).to(memory_format=torch.channels_last)
    labels = torch.randint(0, 1000, (batch,), device=device)

    def step():
        with torch.autocast(device.type, dtype=torch.bfloat16):
            loss = F.cross_entropy(model(images), labels)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)

    fields = {"params": sum(p.numel() for p in model.parameters()), "batch": batch, "image": 224,
              "precision": "bf16-autocast", "optimizer": "sgd-momentum"}
    return step, fields, []


def build_transformer(torch, F, device, row, batch, smoke):
    """The GPT or Llama network of a reference `train_step` row (reference/README.md): the step, its
    record fields and the stand-ins an old PyTorch needed."""
    nn = torch.nn
    shape = dict(row, **SMOKE_SHAPE) if smoke else row
    llama = "llama" in row["model"].lower()
    d, heads, layers, vocab, seq = shape["d_model"], shape["heads"], shape["layers"], shape["vocab"], shape["seq"]
    kv_heads = shape.get("kv_heads", heads) if llama else heads
    ffn = shape.get("ffn", 4 * d) if llama else 4 * d
    head_dim = d // heads
    # PyTorch's own kernels where this release has them; stand-ins, listed in the record, where not.
    sdpa, native_rms_norm = getattr(F, "scaled_dot_product_attention", None), getattr(F, "rms_norm", None)
    fallbacks = []
    if sdpa is None:
        fallbacks.append("attention: matmul, causal mask and softmax (no scaled_dot_product_attention)")
    if llama and native_rms_norm is None:
        fallbacks.append("rms_norm: written out (no F.rms_norm)")

    def attention(q, k, v):
        if sdpa is not None:
            if kv_heads != heads:
                return sdpa(q, k, v, is_causal=True, enable_gqa=True)
            return sdpa(q, k, v, is_causal=True)
        k, v = (t.repeat_interleave(heads // kv_heads, dim=1) for t in (k, v))
        scores = q @ k.transpose(-2, -1) / head_dim ** 0.5
        mask = torch.ones(q.shape[-2], k.shape[-2], dtype=torch.bool, device=q.device).triu(1)
        return scores.masked_fill(mask, float("-inf")).softmax(-1) @ v

    def rms_norm(x, weight):
        if native_rms_norm is not None:
            return native_rms_norm(x, (d,), weight)
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + torch.finfo(x.dtype).eps) * weight

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            if llama:
                self.norm1, self.norm2 = nn.Parameter(torch.ones(d)), nn.Parameter(torch.ones(d))
                self.q = nn.Linear(d, d, bias=False)
                self.kv = nn.Linear(d, 2 * kv_heads * head_dim, bias=False)
                self.o = nn.Linear(d, d, bias=False)
                self.up = nn.Linear(d, 2 * ffn, bias=False)
                self.down = nn.Linear(ffn, d, bias=False)
            else:
                self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
                self.qkv = nn.Linear(d, 3 * d)
                self.o = nn.Linear(d, d)
                self.up = nn.Linear(d, 4 * d)
                self.down = nn.Linear(4 * d, d)

        def forward(self, x):
            b, s, _ = x.shape
            if llama:
                h = rms_norm(x, self.norm1)
                q = self.q(h).view(b, s, heads, head_dim).transpose(1, 2)
                k, v = self.kv(h).view(b, s, 2, kv_heads, head_dim).permute(2, 0, 3, 1, 4)
            else:
                q, k, v = self.qkv(self.ln1(x)).view(b, s, 3, heads, head_dim).permute(2, 0, 3, 1, 4)
            x = x + self.o(attention(q, k, v).transpose(1, 2).reshape(b, s, d))
            if llama:
                gate, up = self.up(rms_norm(x, self.norm2)).chunk(2, dim=-1)
                return x + self.down(F.silu(gate) * up)
            return x + self.down(F.gelu(self.up(self.ln2(x))))

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.tokens = nn.Embedding(vocab, d)
            self.positions = None if llama else nn.Embedding(seq, d)
            self.blocks = nn.ModuleList(Block() for _ in range(layers))
            self.norm = nn.Parameter(torch.ones(d)) if llama else nn.LayerNorm(d)
            self.head = nn.Linear(d, vocab, bias=False)

        def forward(self, idx):
            x = self.tokens(idx)
            if self.positions is not None:
                x = x + self.positions(torch.arange(idx.shape[1], device=idx.device))
            for block in self.blocks:
                x = block(x)
            x = rms_norm(x, self.norm) if llama else self.norm(x)
            return self.head(x)

    model = Net().to(device)
    params = sum(p.numel() for p in model.parameters())
    if not smoke and params != row["params"]:
        raise SystemExit(f"train-step-profile.py: built {row['model']} with {params} parameters, the reference row has "
                         f"{row['params']}: the network differs from the one measured")
    try:
        optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4, fused=device.type == "cuda")
    except TypeError:
        optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)
        fallbacks.append("AdamW: not fused (this PyTorch has no fused argument)")
    tokens = torch.randint(0, vocab, (batch, seq + 1), device=device)
    inputs, targets = tokens[:, :-1], tokens[:, 1:]

    def step():
        with torch.autocast(device.type, dtype=torch.bfloat16):
            logits = model(inputs)
        loss = F.cross_entropy(logits.float().reshape(-1, vocab), targets.reshape(-1))
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)

    fields = {"params": params, "vocab": vocab, "d_model": d, "layers": layers, "heads": heads}
    if llama:
        fields.update(kv_heads=kv_heads, ffn=ffn)
    fields.update(seq=seq, batch=batch, precision="bf16-autocast", optimizer="adamw-fused")
    if smoke:
        fields["smoke"] = SMOKE_SHAPE
    return step, fields, fallbacks


def measure(model_name, batch, steps, device_name, transformers):
    """The `train_step` record of one model and one `train_step_kernels` record per kernel family;
    `transformers` are the reference's rows (`reference_transformers`)."""
    import torch
    import torch.nn.functional as F
    from torch.profiler import ProfilerActivity, profile
    from torch_engine import profiled_times  # beside this script; imports torch, so only when measuring

    device = torch.device(device_name)
    cuda = device.type == "cuda"
    if model_name in CNNS:
        step, fields, fallbacks = build_cnn(torch, F, device, model_name, batch if batch else 256)
    else:
        if model_name not in transformers:
            raise SystemExit(f"train-step-profile.py: unknown --model {model_name} "
                             f"(known: {', '.join(CNNS)}, cnns, transformers, {', '.join(transformers)})")
        row = transformers[model_name]
        step, fields, fallbacks = build_transformer(torch, F, device, row, batch if batch else row["batch"], not cuda)

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
    for name, count, us in profiled_times(prof, cuda):
        calls, total = by_name.get(name, (0, 0.0))
        by_name[name] = (calls + count, total + us / 1000)
    families = {}
    for name, (calls, ms) in by_name.items():
        f = families.setdefault(kernel_family(name), {"calls": 0, "ms": 0.0, "names": []})
        f["calls"] += calls / profiled
        f["ms"] += ms / profiled
        f["names"].append((ms / profiled, name))
    step_record = {"section": "train_step", "model": model_name, **fields,
                   "ms_median": statistics.median(times), "ms_min": min(times), "steps": steps,
                   "device": torch.cuda.get_device_name(0) if cuda else "cpu", "torch": torch.__version__,
                   "cudnn": torch.backends.cudnn.version() if cuda else None}
    if cuda:
        step_record["peak_mem_gb"] = torch.cuda.max_memory_allocated() / 1e9
    if fallbacks:
        step_record["fallbacks"] = fallbacks
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
    parser.add_argument("--model", default="resnet50",
                        help="resnet50 (default), resnet18 or vgg16 (cnns: all three), a transformer row of the reference "
                             "(gpt2-124M, ...; transformers: all six), or several, comma-separated")
    parser.add_argument("--batch", type=int, default=0, help="images or sequences per step (default: the reference row's)")
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
    if args.batch < 0 or args.steps < 1:
        parser.error("--batch must be 0 (the reference row's) or more and --steps at least 1")
    transformers = reference_transformers()
    groups = {"transformers": list(transformers), "cnns": list(CNNS)}
    models = [name for part in args.model.split(",") for name in groups.get(part, [part])]
    out = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout
    try:
        for name in models:
            records = measure(name, args.batch, args.steps, args.device, transformers)
            # Each model's records are written as soon as they exist: a later model that fails
            # (out of memory, say) leaves the earlier ones.
            out.write("".join(json.dumps(r) + "\n" for r in records))
            out.flush()
            print(f"{name}: {records[0]['ms_median']:.2f} ms per step; families: "
                  + ", ".join(f"{r['family']} {r['ms']:.2f}" for r in records[1:]), file=sys.stderr)
    finally:
        if args.output:
            out.close()


if __name__ == "__main__":
    main()
