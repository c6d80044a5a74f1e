#!/usr/bin/env python3
"""Turns the BenchmarkDotNet CSV of AttentionBenchmarks into the markdown table in RESULTS.md.

Effective GFLOP/s counts 4 * d flops per allowed (query, key) pair (2d for q.k, 2d for p.v), so a kernel that skips
masked keys is not credited for work it did not do. Usage: python3 bench/summarize.py path/to/report.csv
"""
import csv
import sys

UNITS = {"ns": 1e-9, "us": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1.0}


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
    raise ValueError(mask)


def main(path):
    rows = list(csv.DictReader(open(path, encoding="utf-8")))
    groups = {}
    for row in rows:
        key = (row["Mask"], int(row["HeadDim"]), int(row["N"]))
        groups.setdefault(key, {})[row["Method"]] = seconds(row["Mean"])
    print("| mask | d | N | KernelGen ms | GFLOP/s | TensorPrimitives ms | naive ms | vs best peer |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for (mask, d, n), times in sorted(groups.items()):
        ours = times["KernelGen"]
        peers = {name: t for name, t in times.items() if name != "KernelGen"}
        gflops = 4 * d * allowed_pairs(mask, n) / ours / 1e9
        best = min(peers.values())
        print(f"| {mask} | {d} | {n} | {ours * 1e3:.2f} | {gflops:.1f} | {peers['TensorPrimitivesUnfused'] * 1e3:.2f} | "
              f"{peers['NaiveScalar'] * 1e3:.1f} | {best / ours:.2f}x |")


if __name__ == "__main__":
    main(sys.argv[1])
