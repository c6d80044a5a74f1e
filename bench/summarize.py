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
        print("| mask | d | N | KernelGen ms | GFLOP/s | % of peak | TensorPrimitives ms | naive ms | vs best peer | KernelGen allocated |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for (mask, d, n), times in sorted(groups.items()):
            ours, allocated = times["KernelGen"]
            peers = {name: t for name, (t, _) in times.items() if name != "KernelGen"}
            gflops = 4 * d * allowed_pairs(mask, n) / ours / 1e9
            share = f"{100 * gflops / peak:.0f}%" if peak else "n/a"
            print(f"| {mask} | {d} | {n} | {ours * 1e3:.2f} | {gflops:.1f} | {share} | {peers['TensorPrimitivesUnfused'] * 1e3:.2f} | "
                  f"{peers['NaiveScalar'] * 1e3:.1f} | {min(peers.values()) / ours:.2f}x | {allocated} |")
        print()

    scaling = {}
    for row in rows(folder, "ThreadScalingBenchmarks"):
        scaling[(row["Mask"], int(row["N"]), int(row["Threads"]))] = (seconds(row["Mean"]), row["Allocated"])
    if scaling:
        print("### Threads and scaling with N (d = 128)\n")
        print("| mask | N | 1 thread ms | 2 threads ms | speed-up | GFLOP/s (2 threads) | time(N) / time(N/2), 1 thread | allocated |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        for (mask, n, threads) in sorted(k for k in scaling if k[2] == 1):
            one, _ = scaling[(mask, n, 1)]
            two, allocated = scaling.get((mask, n, 2), (float("nan"), "?"))
            half = scaling.get((mask, n // 2, 1))
            ratio = f"{one / half[0]:.2f}" if half else ""
            print(f"| {mask} | {n} | {one * 1e3:.2f} | {two * 1e3:.2f} | {one / two:.2f}x | {4 * 128 * allowed_pairs(mask, n) / two / 1e9:.1f} | {ratio} | {allocated} |")
        print()

    decode = {}
    for row in rows(folder, "DecodeBenchmarks"):
        threads = int(row.get("Threads") or 1)
        decode.setdefault(int(row["Nk"]), {})[(row["Method"], threads)] = (seconds(row["Mean"]), row["Allocated"])
    if decode:
        print("### Decode step: Nq = 1, causal, d = 128\n")
        print("| Nk | KernelGen 1 thread us | KernelGen 2 threads us | K+V read GB/s (2 threads) | TensorPrimitives us | naive us | vs best peer (1 thread) | allocated |")
        print("|---:|---:|---:|---:|---:|---:|---:|---:|")
        for nk, times in sorted(decode.items()):
            one, allocated = times[("KernelGen", 1)]
            two = times.get(("KernelGen", 2), (float("nan"), ""))[0]
            peers = {name: t for (name, threads), (t, _) in times.items() if name != "KernelGen" and threads == 1}
            bandwidth = nk * 128 * 4 * 2 / two / 1e9
            print(f"| {nk} | {one * 1e6:.1f} | {two * 1e6:.1f} | {bandwidth:.1f} | {peers['TensorPrimitivesUnfused'] * 1e6:.1f} | "
                  f"{peers['NaiveScalar'] * 1e6:.1f} | {min(peers.values()) / one:.2f}x | {allocated} |")
        print()


if __name__ == "__main__":
    main(sys.argv[1])
