#!/usr/bin/env python3
"""Residuals of `ridgeline check-serving`'s TensorRT-LLM throughput rows on the NVLink parts, joined
to the batch `serve --max-load --requests N` picks: the figures behind the README's "Where it still
misses" (hypotheses (b) and (c)).

    python3 scripts/serving-moe-residuals.py [path/to/ridgeline]

(b) decode-heavy rows (osl >= 1000, isl <= osl) on h100-sxm5-80gb at max-load batches of 768 and
more: median signed error, dense models against Mixtral.
(c) decode-heavy Mixtral rows on h100-sxm5-80gb and a100-sxm4-80gb binned by the gate/up expert
GEMM's compute/memory ratio at that batch (`ridgeline predict` of the grouped GEMM over the 8
experts, each expert's mean share of the b*k routed tokens padded to the profile's grouped tile
rows: 128 on H100, grouped_gemm_tile_rows; 64 on A100, its smallest gemm_tiles entry).
"""
import csv, json, math, re, statistics, subprocess, sys

BIN = sys.argv[1] if len(sys.argv) > 1 else ".build/release/ridgeline"
TABLE = "reference/inference/trtllm-h100-a100-l40s.csv"
PARTS = {"h100-sxm5-80gb": 128, "a100-sxm4-80gb": 64}  # grouped GEMM tile rows per profile
SHAPES = {"mixtral-8x7b": (4096, 14336), "mixtral-8x22b": (6144, 16384)}  # d_model, expert_ffn


def run(*args):
    return json.loads(subprocess.run([BIN, *args], check=True, capture_output=True, text=True).stdout)


source = list(csv.DictReader(open(TABLE)))
rows = [r for r in run("check-serving", "--json")["rows"] if r["kind"] == "throughput" and r["hardware"] in PARTS]
dense, moe, bins = [], [], {}
for r in rows:
    s = source[r["line"] - 2]
    isl, osl = int(s["isl"]), int(s["osl"])
    if osl < 1000 or isl > osl:
        continue
    tp, pp, prec = re.match(r"tp(\d+) pp(\d+) (\w+)", r["layout"]).groups()
    load = ["--max-load"]
    n = re.search(r"num_requests=(\d+)", s["notes"])
    if n:
        load += ["--requests", n.group(1)]
    serve = run("serve", "--model", r["model"], "--hardware", r["hardware"], "--tp", tp, "--pp", pp,
                "--precision", prec, "--input-tokens", str(isl), "--output-tokens", str(osl), *load, "--json")
    batch = serve["batch"]
    is_moe = r["model"] in SHAPES
    if r["hardware"] == "h100-sxm5-80gb" and batch >= 768:
        (moe if is_moe else dense).append(r["error"])
    if not is_moe:
        continue
    h, f = SHAPES[r["model"]]
    tile = PARTS[r["hardware"]]
    m = math.ceil(batch * 2 / 8 / tile) * tile
    gemm = {"op": "gemm", "m": m, "n": 2 * f // int(tp), "k": h, "batch": 8, "dtype": prec}
    p = run("predict", "--hardware", r["hardware"], "--kernel", json.dumps(gemm), "--json")[0]
    ratio = p["compute_s"] / p["memory_s"]
    edge = next((e for e in (0.5, 0.9, 1.5, 2.5) if ratio < e), math.inf)
    bins.setdefault(edge, []).append(r["error"])

med = lambda v: f"{statistics.median(v) * 100:+.1f}% ({len(v)} rows)"
print(f"(b) h100 decode-heavy, max-load batch >= 768: dense {med(dense)}, Mixtral {med(moe)}")
low = 0.0
for edge in sorted(bins):
    print(f"(c) Mixtral decode-heavy, expert GEMM compute/memory {low:g}-{edge:g}: {med(bins[edge])}")
    low = edge
