#!/usr/bin/env python3
"""Ridgeline's PyTorch engine: times kernel specs with PyTorch on a CPU or a CUDA GPU and writes
measurement records in the same JSON Lines format as `ridgeline measure`.

It runs on its own, so a GPU machine without Swift can produce measurements that
`ridgeline validate --measurements` reads:

    python3 scripts/torch_engine.py --device cuda --suite profiles/suites/default.jsonl -o out.jsonl

Kernel specs are the contract's (one JSON object per line; blank lines and '#' comments are
skipped). Records are appended and flushed one by one, so an interrupted run keeps every finished
record. Timing: CUDA events around each repetition on GPUs, time.perf_counter_ns on CPUs; warm-up
first; repetitions (at least 8, over at least 0.25 s) until the 95% confidence interval of the median is
within +-3% or a time cap;
median, min and quartiles of the repetitions. Kernels this script cannot run are reported on
stderr with the reason and skipped (and counted), never silently.
"""
import argparse
import datetime
import json
import math
import os
import platform
import sys
import time

try:
    import torch
    import torch.nn.functional as F
except ImportError as error:  # Ridgeline checks for this before starting the script.
    print(f"torch_engine.py: PyTorch is not installed ({error}); install it with `pip install torch`", file=sys.stderr)
    sys.exit(3)

DTYPES = {"fp32": torch.float32, "tf32": torch.float32, "bf16": torch.bfloat16, "fp16": torch.float16,
          "fp64": torch.float64}
UNARY = {
    "relu": torch.relu, "gelu": lambda x: F.gelu(x, approximate="tanh"), "gelu_erf": F.gelu, "exp": torch.exp,
    "log": torch.log, "tanh": torch.tanh, "sigmoid": torch.sigmoid, "sqrt": torch.sqrt, "square": torch.square,
    "abs": torch.abs, "silu": F.silu, "swish": F.silu, "neg": torch.neg, "mul_scalar": lambda x: x * 2,
    "scale": lambda x: x * 2,
}
BINARY = {"add": torch.add, "mul": torch.mul, "sub": torch.sub, "div": torch.div, "max": torch.maximum,
          "min": torch.minimum}


class Unsupported(Exception):
    """This engine cannot run the kernel; the message says why."""


def spec_error(source, message):
    print(f"{source}: {message}", file=sys.stderr)
    sys.exit(2)


def load_suite(path):
    """Kernel specs with their source line; a malformed line is an error naming it."""
    specs = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            text = line.strip()
            if not text or text.startswith("#"):
                continue
            try:
                spec = json.loads(text)
            except json.JSONDecodeError as error:
                spec_error(f"{path}:{number}", f"not valid JSON ({error})")
            if not isinstance(spec, dict) or "op" not in spec:
                spec_error(f"{path}:{number}", "expected a kernel spec object with an 'op' field")
            specs.append((f"{path}:{number}", spec))
    return specs


def dtype_of(spec, device):
    name = spec.get("dtype", "fp32")
    if name not in DTYPES:
        raise Unsupported(f"dtype {name} has no PyTorch tensor type here (only fp8 GEMMs run, as scaled matmuls)")
    if name == "fp64" and device.type == "cuda":
        pass  # runs, at the FP64 rate
    return DTYPES[name]


def randn(shape, dtype, device, requires_grad=False):
    return torch.randn(*shape, dtype=dtype, device=device, requires_grad=requires_grad)


def scaled_fp8_gemm(spec, device):
    """An fp8 GEMM as frameworks issue it: torch._scaled_mm on e4m3 operands (A row-major, B
    column-major, the layout cuBLASLt's fp8 kernels take), per-tensor scales, bf16 output, with
    the spec's accumulation: `fast_accum` true keeps the partial sums in the tensor cores,
    false (PyTorch's default) promotes them to FP32 every few k-blocks."""
    scaled_mm = getattr(torch, "_scaled_mm", None)
    e4m3 = getattr(torch, "float8_e4m3fn", None)
    if device.type != "cuda" or scaled_mm is None or e4m3 is None:
        raise Unsupported(f"fp8 GEMMs need torch._scaled_mm on a GPU with fp8 tensor cores (sm_89+); "
                          f"PyTorch {torch.__version__} on {device.type} has none")
    if torch.cuda.get_device_capability(device) < (8, 9):
        raise Unsupported(f"{torch.cuda.get_device_name(device)} has no fp8 tensor cores (sm_89+)")
    if spec.get("batch", 1) != 1 or spec.get("trans_a") or spec.get("trans_b"):
        raise Unsupported("torch._scaled_mm takes one row-major A and one column-major B: no batch, no transposes")
    m, n, k = spec["m"], spec["n"], spec["k"]
    a = torch.randn(m, k, device=device).to(e4m3)
    b = torch.randn(n, k, device=device).to(e4m3).t()
    one = torch.ones((), device=device, dtype=torch.float32)
    fast = bool(spec.get("fast_accum", False))

    def run():
        out = scaled_mm(a, b, scale_a=one, scale_b=one, out_dtype=torch.bfloat16, use_fast_accum=fast)
        return out[0] if isinstance(out, tuple) else out  # PyTorch 2.1-2.3 also return the amax
    return run


def build(spec, device):
    """Returns a zero-argument function that runs the kernel once, with inputs allocated here
    (outside the timed region)."""
    op = spec["op"]
    if op == "gemm" and spec.get("dtype") == "fp8":
        return scaled_fp8_gemm(spec, device)
    dtype = dtype_of(spec, device) if op != "optimizer" else DTYPES.get(spec.get("dtype", "fp32"), torch.float32)
    if device.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = spec.get("dtype") == "tf32"
        torch.backends.cudnn.allow_tf32 = spec.get("dtype") == "tf32"
    elif spec.get("dtype") == "tf32":
        raise Unsupported("tf32 is a GPU tensor-core mode; CPUs have no TF32 math")
    if op == "gemm":
        m, n, k, batch = spec["m"], spec["n"], spec["k"], spec.get("batch", 1)
        a = randn((batch, k, m), dtype, device).transpose(1, 2) if spec.get("trans_a") else randn((batch, m, k), dtype, device)
        b = randn((batch, n, k), dtype, device).transpose(1, 2) if spec.get("trans_b") else randn((batch, k, n), dtype, device)
        if batch == 1:
            a, b = a[0], b[0]
            return lambda: torch.matmul(a, b)
        return lambda: torch.bmm(a, b)
    if op == "conv2d":
        n, c, h, w, k, r, s = (spec[x] for x in "nchwkrs")
        stride, pad, groups = spec.get("stride", 1), spec.get("pad", 0), spec.get("groups", 1)
        memory_format = torch.channels_last if device.type == "cuda" else torch.contiguous_format
        x = randn((n, c, h, w), dtype, device).to(memory_format=memory_format)
        weight = randn((k, c // groups, r, s), dtype, device).to(memory_format=memory_format)
        y = F.conv2d(x, weight, stride=stride, padding=pad, groups=groups)
        dy = torch.randn_like(y)
        passes = spec.get("pass", "fwd")
        if device.type == "cuda":
            torch.backends.cudnn.benchmark = True
        if passes == "fwd":
            return lambda: F.conv2d(x, weight, stride=stride, padding=pad, groups=groups)
        if passes == "bwd_data":
            return lambda: torch.nn.grad.conv2d_input(x.shape, weight, dy, stride=stride, padding=pad, groups=groups)
        if passes == "bwd_weights":
            return lambda: torch.nn.grad.conv2d_weight(x, weight.shape, dy, stride=stride, padding=pad, groups=groups)
        raise Unsupported(f"unknown conv2d pass {passes}")
    if op == "elementwise":
        name, elements, inputs = spec["name"], spec["elements"], spec.get("inputs", 1)
        if spec.get("outputs", 1) != 1:
            raise Unsupported("element-wise ops with several outputs are not mapped to PyTorch")
        x = randn((elements,), dtype, device)
        if name in ("log", "sqrt"):
            x = x.abs() + 0.5
        if inputs == 1 and name in UNARY:
            f = UNARY[name]
            return lambda: f(x)
        if inputs == 2 and name in BINARY:
            y = randn((elements,), dtype, device).abs() + 0.5
            f = BINARY[name]
            return lambda: f(x, y)
        raise Unsupported(f"no PyTorch mapping for element-wise '{name}' with {inputs} inputs")
    if op == "copy":
        x = randn((spec["elements"],), dtype, device)
        out = torch.empty_like(x)
        return lambda: out.copy_(x)
    if op == "reduction":
        elements, outputs = spec["elements"], spec.get("outputs", 1)
        if spec.get("index_bytes"):
            raise Unsupported("an argmax reduction (index_bytes) has no PyTorch mapping here; a sum would time other work")
        if elements % outputs:
            raise Unsupported(f"{elements} elements do not split evenly into {outputs} outputs")
        x = randn((outputs, elements // outputs), dtype, device)
        return (lambda: x.sum()) if outputs == 1 else (lambda: x.sum(dim=1))
    if op in ("softmax", "layernorm", "rmsnorm"):
        rows, cols, passes = spec["rows"], spec["cols"], spec.get("pass", "fwd")
        x = randn((rows, cols), dtype, device, requires_grad=passes == "bwd")
        weight = torch.ones(cols, dtype=dtype, device=device, requires_grad=passes == "bwd")
        bias = torch.zeros(cols, dtype=dtype, device=device, requires_grad=passes == "bwd")
        if op == "softmax":
            f = lambda: F.softmax(x, dim=-1)
        elif op == "layernorm":
            f = lambda: F.layer_norm(x, (cols,), weight, bias)
        elif hasattr(F, "rms_norm"):
            f = lambda: F.rms_norm(x, (cols,), weight)
        else:
            f = lambda: x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-6) * weight
        return f if passes == "fwd" else backward_of(f, [x])
    if op == "attention":
        b, heads, seq, d = spec["batch"], spec["heads"], spec["seq"], spec["head_dim"]
        kv_heads, seq_kv = spec.get("kv_heads", heads), spec.get("seq_kv", seq)
        causal, impl, passes = spec.get("causal", False), spec.get("impl", "flash"), spec.get("pass", "fwd")
        grad = passes == "bwd"
        q = randn((b, heads, seq, d), dtype, device, grad)
        k = randn((b, kv_heads, seq_kv, d), dtype, device, grad)
        v = randn((b, kv_heads, seq_kv, d), dtype, device, grad)
        if impl == "flash":
            if not hasattr(F, "scaled_dot_product_attention"):
                raise Unsupported(f"PyTorch {torch.__version__} has no scaled_dot_product_attention (2.0+); use impl unfused")
            kwargs = {"is_causal": causal}
            if kv_heads != heads:
                kwargs["enable_gqa"] = True
            f = lambda: F.scaled_dot_product_attention(q, k, v, **kwargs)
        else:
            groups = heads // kv_heads

            def f():
                kk, vv = k.repeat_interleave(groups, 1), v.repeat_interleave(groups, 1)
                scores = q @ kk.transpose(-1, -2) / math.sqrt(d)
                if causal:
                    scores = scores.masked_fill(torch.ones(seq, seq_kv, device=device, dtype=torch.bool).triu(1), float("-inf"))
                return torch.softmax(scores, -1) @ vv
        return f if not grad else backward_of(f, [q, k, v])
    if op == "embedding":
        tokens, d_model, vocab = spec["tokens"], spec["d_model"], spec["vocab"]
        table = randn((vocab, d_model), dtype, device, spec.get("pass", "fwd") == "bwd")
        ids = torch.randint(0, vocab, (tokens,), device=device)
        f = lambda: F.embedding(ids, table)
        return f if spec.get("pass", "fwd") == "fwd" else backward_of(f, [table])
    if op == "optimizer":
        params = torch.nn.Parameter(torch.randn(spec["params"], dtype=dtype, device=device))
        params.grad = torch.randn_like(params)
        name = spec["name"]
        if name in ("adamw", "adam"):
            optimizer = (torch.optim.AdamW if name == "adamw" else torch.optim.Adam)([params], lr=1e-4, foreach=True)
        else:
            optimizer = torch.optim.SGD([params], lr=1e-4, momentum=0.9, foreach=True)
        return optimizer.step
    raise Unsupported(f"unknown op '{op}'")


def backward_of(forward, inputs):
    """The backward kernels of `forward` alone: the graph is built once, outside the timed region."""
    y = forward()
    dy = torch.randn_like(y)
    return lambda: torch.autograd.grad(y, inputs, dy, retain_graph=True)


def median_ci95(sorted_samples):
    """Distribution-free 95% CI of the median (order statistics n/2 -+ 1.96 sqrt(n)/2), as the
    Swift harness computes it; None below eight samples."""
    n = len(sorted_samples)
    half = 1.96 * math.sqrt(n) / 2
    low, high = math.floor(n / 2 - half), math.ceil(n / 2 + half) + 1
    if low < 1 or high > n:
        return None
    return sorted_samples[low - 1], sorted_samples[high - 1]


def quantile(sorted_samples, q):
    position = q * (len(sorted_samples) - 1)
    lower = int(math.floor(position))
    upper = min(lower + 1, len(sorted_samples) - 1)
    return sorted_samples[lower] + (sorted_samples[upper] - sorted_samples[lower]) * (position - lower)


def time_kernel(run, device, args, flush):
    """Warm-up, then repetitions until the median is known to +-target or the time cap."""
    cuda = device.type == "cuda"
    warm_start, warmup = time.perf_counter(), 0
    while warmup < 2 or (time.perf_counter() - warm_start < 0.02 and warmup < 1000):
        run()
        warmup += 1
    if cuda:
        torch.cuda.synchronize()
    samples, stable, start = [], False, time.perf_counter()
    while True:
        if flush is not None:
            flush()
        if cuda:
            begin, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            begin.record()
            run()
            end.record()
            end.synchronize()
            samples.append(begin.elapsed_time(end) / 1000)
        else:
            t0 = time.perf_counter_ns()
            run()
            samples.append((time.perf_counter_ns() - t0) / 1e9)
        ordered = sorted(samples)
        if len(samples) >= args.min_repetitions and time.perf_counter() - start >= args.min_time:
            ci = median_ci95(ordered)
            median = quantile(ordered, 0.5)
            if ci and median > 0 and (ci[1] - ci[0]) / 2 / median <= args.target:
                stable = True
                break
        if len(samples) >= args.max_repetitions or (time.perf_counter() - start >= args.time_cap and len(samples) >= 3):
            break
    return samples, warmup, stable


def grad_mode(spec):
    """Autograd off for a forward kernel, on for a backward pass or an optimizer step."""
    return torch.no_grad() if spec.get("pass", "fwd") == "fwd" and spec["op"] != "optimizer" else torch.enable_grad()


def profiled_times(prof, cuda):
    """(name, calls, microseconds) of each entry of a finished torch.profiler run that took time:
    on a GPU the kernels and their device time (the host-side ops and runtime calls that launch
    them carry none of it and are left out), on a CPU the ops and their CPU time."""
    for event in prof.key_averages():
        if cuda:
            us = getattr(event, "self_device_time_total", None)
            if us is None:  # PyTorch before 2.4 names it after CUDA
                us = getattr(event, "self_cuda_time_total", 0)
            if event.key.startswith(("ProfilerStep", "aten::", "cuda")):
                continue
        else:
            us = event.self_cpu_time_total
        if us > 0:
            yield event.key, event.count, us


def launched(run, cuda):
    """What one call of `run` launches, by torch.profiler: on a GPU each kernel's name, calls and
    device time (cuBLAS and cuDNN name their kernels by tile shape and split-K or stream-K choice,
    e.g. sm90_xmma_gemm_..._tilesize128x256x64_..., which is what the roofline's tile model is
    checked against); on a CPU the ATen ops and their CPU time (torch.profiler names no kernels
    there). Profiled apart from the timed repetitions, so the timing is not disturbed."""
    from torch.profiler import ProfilerActivity, profile
    with profile(activities=[ProfilerActivity.CUDA if cuda else ProfilerActivity.CPU]) as prof:
        run()
        if cuda:
            torch.cuda.synchronize()
    events = [{"name": name, "calls": calls, "us": us} for name, calls, us in profiled_times(prof, cuda)]
    events.sort(key=lambda e: -e["us"])
    return {"activity": "cuda" if cuda else "cpu", "events": events}


def keep_freed_memory():
    """Makes glibc keep freed blocks for reuse, as PyTorch's CUDA caching allocator does on GPUs.

    PyTorch's CPU allocator caches nothing, and glibc serves blocks above 32 MiB with mmap and
    unmaps them on free, so every large out-of-place op (relu of 32 Mi floats, say) page-faults a
    fresh output: measured here at 81 ms against 12 ms for the same bytes copied into a kept
    buffer. That times the kernel's allocator, not the kernel, so large blocks come from the
    heap (M_MMAP_MAX = 0) and stay there (M_TRIM_THRESHOLD at its maximum). Returns a note for
    the records, or why it could not be done."""
    try:
        import ctypes
        libc = ctypes.CDLL("libc.so.6")
        m_trim_threshold, m_mmap_max = -1, -4
        if libc.mallopt(m_mmap_max, 0) == 1 and libc.mallopt(m_trim_threshold, 2**31 - 1) == 1:
            return "glibc keeps freed memory (mallopt M_MMAP_MAX=0, M_TRIM_THRESHOLD=max)"
        return "mallopt refused; large outputs are page-faulted anew each repetition"
    except (OSError, AttributeError) as error:
        return f"not glibc ({error}); large outputs may be page-faulted anew each repetition"


def host_info(device):
    model, flags = platform.processor() or "unknown CPU", set()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name") and model in ("unknown CPU", platform.processor()):
                    model = line.split(":", 1)[1].strip()
                elif line.startswith("flags") and not flags:
                    flags = set(line.split(":", 1)[1].split())
    except OSError:
        pass
    cores = os.cpu_count() or 1
    simd = [f for f in ("avx2", "fma", "avx512f", "avx512_bf16", "avx512_fp16", "amx_bf16") if f in flags]
    fingerprint = f"{model}; {cores} cpus; {','.join(simd) or 'no avx'}"
    if device.type == "cuda":
        fingerprint += f"; {torch.cuda.get_device_name(device)}"
    return {"fingerprint": fingerprint, "cpu": model, "cores": cores}


def engine_version():
    parts = [f"PyTorch {torch.__version__}"]
    if torch.version.cuda:
        parts.append(f"CUDA {torch.version.cuda}")
    if torch.backends.cudnn.is_available():
        parts.append(f"cuDNN {torch.backends.cudnn.version()}")
    return parts[0] + (f" ({', '.join(parts[1:])})" if len(parts) > 1 else "")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--suite", required=True, help="JSON Lines file of kernel specs")
    parser.add_argument("--device", default="cpu", help="cpu, cuda or cuda:N")
    parser.add_argument("-o", "--output", help="append records to this file (default: stdout)")
    parser.add_argument("--threads", type=int, default=None, help="CPU threads (torch.set_num_threads)")
    parser.add_argument("--cold", action="store_true", help="flush the caches before each repetition")
    parser.add_argument("--time-cap", type=float, default=1.0, help="seconds per kernel before giving up on +-3%%")
    parser.add_argument("--target", type=float, default=0.03, help="relative half-width of the median's 95%% CI")
    parser.add_argument("--min-repetitions", type=int, default=8)
    parser.add_argument("--min-time", type=float, default=0.25,
                        help="keep repeating at least this long, so samples span several scheduling periods")
    parser.add_argument("--max-repetitions", type=int, default=2000)
    parser.add_argument("--kernel-names", action="store_true",
                        help="also record what one call launches (torch.profiler): on a GPU the kernels' names, "
                             "which carry cuBLAS's tile and split-K choice, and their device time")
    args = parser.parse_args()

    device = torch.device(args.device)
    if device.type == "cuda" and not torch.cuda.is_available():
        print("torch_engine.py: --device cuda but PyTorch sees no CUDA device", file=sys.stderr)
        sys.exit(3)
    allocator = keep_freed_memory() if device.type == "cpu" else "PyTorch CUDA caching allocator"
    if args.threads:
        torch.set_num_threads(args.threads)
    threads = torch.get_num_threads()
    specs = load_suite(args.suite)
    flush = None
    if args.cold:
        if device.type == "cuda":
            l2 = getattr(torch.cuda.get_device_properties(device), "L2_cache_size", 64 << 20)
            scratch = torch.empty(2 * l2 // 4, dtype=torch.float32, device=device)
            flush = scratch.zero_
        else:
            scratch = torch.empty((128 << 20) // 4, dtype=torch.float32)  # larger than any CPU's LLC we target
            flush = scratch.zero_
    host, version = host_info(device), engine_version()
    device_name = f"cuda: {torch.cuda.get_device_name(device)}" if device.type == "cuda" else "cpu"
    out = open(args.output, "a", encoding="utf-8") if args.output else sys.stdout
    measured, unsupported, interactive = 0, 0, sys.stderr.isatty()
    for index, (source, spec) in enumerate(specs, 1):
        try:
            run = build(spec, device)
            with grad_mode(spec):
                samples, warmup, stable = time_kernel(run, device, args, flush)
        except Unsupported as why:
            unsupported += 1
            print(f"skipped {source}: {why}", file=sys.stderr)
            continue
        except (RuntimeError, KeyError, TypeError, ValueError, AttributeError, MemoryError) as error:
            unsupported += 1
            print(f"failed {source}: {type(error).__name__}: {error}", file=sys.stderr)
            if device.type == "cuda":
                torch.cuda.empty_cache()
            continue
        ordered = sorted(samples)
        median = quantile(ordered, 0.5)
        ci = median_ci95(ordered)
        launches = None
        if args.kernel_names:
            try:
                with grad_mode(spec):
                    launches = launched(run, device.type == "cuda")
            except (RuntimeError, AttributeError, ImportError) as error:
                launches = {"error": f"{type(error).__name__}: {error}"}
        record = {
            "kernel": spec, "engine": "torch", "engine_version": version, "implementation": f"torch eager on {device}",
            "device": device_name, "threads": threads, "host": host,
            "median_s": median, "min_s": ordered[0], "p25_s": quantile(ordered, 0.25), "p75_s": quantile(ordered, 0.75),
            "iqr_s": quantile(ordered, 0.75) - quantile(ordered, 0.25), "stable": stable, "samples": len(samples),
            "repetitions": len(samples), "warmup": warmup, "discarded": 0, "disturbed_fallback": False,
            "counters": {"source": "none", "per_repetition_median": {},
                         "unavailable": {"*": "the PyTorch engine reads no hardware counters"}},
            "cache": "cold" if args.cold else "warm", "allocator": allocator,
            "timer": "cuda_events" if device.type == "cuda" else "time.perf_counter_ns",
            "timestamp": datetime.datetime.now(datetime.timezone.utc).isoformat(),
        }
        if ci and median > 0:
            record["ci95_rel"] = (ci[1] - ci[0]) / 2 / median
        if launches is not None:
            record["launched"] = launches
        out.write(json.dumps(record, sort_keys=True) + "\n")
        out.flush()
        measured += 1
        if interactive:
            print(f"[{index}/{len(specs)}] {spec['op']} {median * 1e3:.4g} ms", file=sys.stderr)
    print(f"torch_engine.py: measured {measured} of {len(specs)} kernels on {device_name}"
          + (f"; {unsupported} skipped (reasons above)" if unsupported else ""), file=sys.stderr)


if __name__ == "__main__":
    main()
