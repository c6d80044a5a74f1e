#!/usr/bin/env python3
"""Turns the BenchmarkDotNet CSVs in a results folder into the markdown tables of RESULTS.md.

Effective GFLOP/s counts 4 * d flops per allowed (query, key) pair (2d for q.k, 2d for p.v), so a kernel that skips
masked keys is not credited for work it did not do. "% of peak" divides by the single-core Vector512 FMA rate that
FmaPeakBenchmarks measures on the same machine in the same run.
Usage: python3 bench/summarize.py bench/KernelGen.Bench/BenchmarkDotNet.Artifacts/results
"""
import csv
import os
import sys

UNITS = {"ns": 1e-9, "us": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1.0}
FMA_FLOPS_PER_CALL = (1 << 20) * 12 * 16 * 2
WINDOW_GLOBALS = [0, 1, 2, 3]
MASKS = ["full", "causal", "causal+window(256,0)", "window(256,256)+globals"]


def seconds(text):
    value, unit = text.replace(",", "").split()
    return float(value) * UNITS[unit]


def allowed_pairs(mask, n):
    if mask == "full":
        return n * n
    if mask == "causal":
        return n * (n + 1) // 2
    if mask == "causal+window(256,0)":
        return sum(min(i + 1, 257) for i in range(n))
    if mask == "window(256,256)+globals":
        total = 0
        for p in range(n):
            if p in WINDOW_GLOBALS:
                total += n
                continue
            start, end = max(0, p - 256), min(n, p + 257)
            total += end - start + sum(1 for g in WINDOW_GLOBALS if g < n and not start <= g < end)
        return total
    raise ValueError(mask)


def rows(folder, name):
    path = os.path.join(folder, f"KernelGen.Bench.{name}-report.csv")
    result = list(csv.DictReader(open(path, encoding="utf-8"))) if os.path.exists(path) else []
    for row in result:
        # BenchmarkDotNet shortens long parameter values ("windo(...)obals [23]").
        if row.get("Mask", "").startswith("windo"):
            row["Mask"] = "window(256,256)+globals"
    return result


def main(folder):
    peak = None
    for row in rows(folder, "FmaPeakBenchmarks"):
        peak = FMA_FLOPS_PER_CALL / seconds(row["Mean"]) / 1e9
    if peak:
        print(f"Measured single-core Vector512 FMA peak: **{peak:.1f} GFLOP/s** (FmaPeakBenchmarks).\n")

    groups = {}
    for row in rows(folder, "AttentionBenchmarks"):
        key = (row["Mask"], int(row["HeadDim"]), int(row["N"]))
        groups.setdefault(key, {})[row["Method"]] = (seconds(row["Mean"]), row["Allocated"])
    if groups:
        print("### One thread: KernelGen against the peers\n")
        print("| mask | d | N | KernelGen ms | GFLOP/s | % of peak | TorchSharp SDPA ms | SDPA GFLOP/s | TensorPrimitives ms | naive ms | vs SDPA | vs best peer | KernelGen allocated |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for (mask, d, n), times in sorted(groups.items(), key=lambda item: (MASKS.index(item[0][0]), item[0][1], item[0][2])):
            ours, allocated = times["KernelGen"]
            peers = {name: t for name, (t, _) in times.items() if name != "KernelGen"}
            flops = 4 * d * allowed_pairs(mask, n)
            gflops = flops / ours / 1e9
            share = f"{100 * gflops / peak:.0f}%" if peak else "n/a"
            torch = peers.get("TorchSharpSdpa", float("nan"))
            print(f"| {mask} | {d} | {n} | {ours * 1e3:.2f} | {gflops:.1f} | {share} | {torch * 1e3:.2f} | {flops / torch / 1e9:.1f} | "
                  f"{peers['TensorPrimitivesUnfused'] * 1e3:.2f} | {peers['NaiveScalar'] * 1e3:.1f} | {torch / ours:.2f}x | "
                  f"{min(peers.values()) / ours:.2f}x | {allocated} |")
        print()

    scaling = {}
    for row in rows(folder, "ThreadScalingBenchmarks"):
        scaling[(row["Method"], row["Mask"], int(row["N"]), int(row["Threads"]))] = (seconds(row["Mean"]), row["Allocated"])
    if scaling:
        nan = (float("nan"), "?")
        print("### Threads and scaling with N (d = 128)\n")
        print("| mask | N | 1 thread ms | 2 threads ms | speed-up | GFLOP/s (2 threads) | time(N) / time(N/2), 1 thread | SDPA 1 thread ms | SDPA 2 threads ms | vs SDPA, 2 threads | allocated |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for (_, mask, n, _) in sorted((k for k in scaling if k[0] == "KernelGen" and k[3] == 1), key=lambda k: (MASKS.index(k[1]), k[2])):
            one, _ = scaling[("KernelGen", mask, n, 1)]
            two, allocated = scaling.get(("KernelGen", mask, n, 2), nan)
            half = scaling.get(("KernelGen", mask, n // 2, 1))
            ratio = f"{one / half[0]:.2f}" if half else ""
            torch_one = scaling.get(("TorchSharpSdpa", mask, n, 1), nan)[0]
            torch_two = scaling.get(("TorchSharpSdpa", mask, n, 2), nan)[0]
            print(f"| {mask} | {n} | {one * 1e3:.2f} | {two * 1e3:.2f} | {one / two:.2f}x | {4 * 128 * allowed_pairs(mask, n) / two / 1e9:.1f} | {ratio} | "
                  f"{torch_one * 1e3:.2f} | {torch_two * 1e3:.2f} | {torch_two / two:.2f}x | {allocated} |")
        print()

    bandwidth = {}
    for row in rows(folder, "ReadBandwidthBenchmarks"):
        size = int(row["SizeMiB"])
        bandwidth[(size, int(row["Threads"]))] = size * (1 << 20) / seconds(row["Mean"]) / 1e9
    if bandwidth:
        print("### Read bandwidth (ReadBandwidthBenchmarks, Vector512 sum)\n")
        print("| buffer | 1 thread GB/s | 2 threads GB/s |")
        print("|---|---:|---:|")
        for size in sorted({s for s, _ in bandwidth}):
            print(f"| {size} MiB | {bandwidth.get((size, 1), float('nan')):.1f} | {bandwidth.get((size, 2), float('nan')):.1f} |")
        print()

    decode = {}
    for row in rows(folder, "DecodeBenchmarks"):
        threads = int(row.get("Threads") or 1)
        decode.setdefault(int(row["Nk"]), {})[(row["Method"], threads)] = (seconds(row["Mean"]), row["Allocated"])
    if decode:
        print("### Decode step: Nq = 1, causal, d = 128\n")
        print("| Nk | KernelGen 1 thread us | KernelGen 2 threads us | K+V read GB/s (2 threads) | SDPA 1 thread us | SDPA 2 threads us | TensorPrimitives us | naive us | vs SDPA (1 / 2 threads) | vs best peer (1 thread) | allocated |")
        print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        nan = (float("nan"), "")
        for nk, times in sorted(decode.items()):
            one, allocated = times[("KernelGen", 1)]
            two = times.get(("KernelGen", 2), nan)[0]
            torch_one = times.get(("TorchSharpSdpa", 1), nan)[0]
            torch_two = times.get(("TorchSharpSdpa", 2), nan)[0]
            peers = {name: t for (name, threads), (t, _) in times.items() if name != "KernelGen" and threads == 1}
            read = nk * 128 * 4 * 2 / two / 1e9
            print(f"| {nk} | {one * 1e6:.1f} | {two * 1e6:.1f} | {read:.1f} | {torch_one * 1e6:.1f} | {torch_two * 1e6:.1f} | "
                  f"{peers['TensorPrimitivesUnfused'] * 1e6:.1f} | {peers['NaiveScalar'] * 1e6:.1f} | {torch_one / one:.2f}x / {torch_two / two:.2f}x | "
                  f"{min(peers.values()) / one:.2f}x | {allocated} |")
        print()


def batched(folder):
    table = {}
    for row in rows(folder, "BatchedBenchmarks"):
        table[(row["Method"], int(row["Threads"]))] = (seconds(row["Mean"]), row["Allocated"])
    if not table:
        return
    lengths = [1024, 700, 500, 234]
    real = sum(l * (l + 1) / 2 for l in lengths) / (4 * 1024 * 1025 / 2)
    print("### Batched calls (issue 5)\n")
    print(f"Padded prefill: B = 4, 8 heads, N = 1024, d = 64, causal, lengths {', '.join(map(str, lengths))} "
          f"(40% of the tokens are padding; the real causal pairs are {100 * real:.0f}% of the padded ones). "
          "GQA decode: 32 query heads over 8 key/value heads, d = 128, one query against 4096 keys.\n")
    print("| threads | padded prefill ms | same call, no padding ms | padded / unpadded | SDPA padded (bool mask) ms | vs SDPA | GQA decode us | SDPA decode us | vs SDPA | allocated |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    nan = (float("nan"), "?")
    for threads in sorted({t for _, t in table}):
        padded, allocated = table.get(("PaddedPrefill_KernelGen", threads), nan)
        full = table.get(("UnpaddedPrefill_KernelGen", threads), nan)[0]
        torch = table.get(("PaddedPrefill_TorchSharpSdpa", threads), nan)[0]
        decode = table.get(("GqaDecode_KernelGen", threads), nan)[0]
        torch_decode = table.get(("GqaDecode_TorchSharpSdpa", threads), nan)[0]
        print(f"| {threads} | {padded * 1e3:.2f} | {full * 1e3:.2f} | {padded / full:.2f} | {torch * 1e3:.2f} | {torch / padded:.2f}x | "
              f"{decode * 1e6:.0f} | {torch_decode * 1e6:.0f} | {torch_decode / decode:.2f}x | {allocated} |")
    print()


if __name__ == "__main__":
    main(sys.argv[1])
    batched(sys.argv[1])
