#!/usr/bin/env python3
"""Compares two BenchmarkDotNet CSV exports of the same benchmark classes (e.g. KernelGen.EngineBench built from two
commits): one row per configuration with both means and new/old. Usage:
    python3 compare.py OLD_RESULTS_DIR NEW_RESULTS_DIR
Each directory is a BenchmarkDotNet `results` folder; every *-report.csv in it is read."""
import csv
import glob
import os
import statistics
import sys

UNITS = {"ns": 1e-6, "us": 1e-3, "μs": 1e-3, "ms": 1.0, "s": 1e3}
PARAMETERS = ("Mask", "HeadDim", "N", "Threads")


def milliseconds(text):
    value, unit = text.replace(",", "").split()
    return float(value) * UNITS[unit]


def read(directory):
    rows = {}
    for path in sorted(glob.glob(os.path.join(directory, "*-report.csv"))):
        kind = os.path.basename(path).split("-report")[0].split(".")[-1]
        with open(path, newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                key = (kind, row["Method"]) + tuple(row[p] for p in PARAMETERS if p in row)
                rows[key] = milliseconds(row["Mean"])
    return rows


def main():
    old, new = read(sys.argv[1]), read(sys.argv[2])
    ratios = []
    print("| benchmark | configuration | before ms | after ms | after / before |")
    print("|---|---|---:|---:|---:|")
    for key in sorted(set(old) & set(new), key=lambda k: tuple(str(x).zfill(6) for x in k)):
        ratio = new[key] / old[key]
        ratios.append(ratio)
        print(f"| {key[0]}.{key[1]} | {', '.join(key[2:])} | {old[key]:.3f} | {new[key]:.3f} | {ratio:.3f} |")
    if ratios:
        print(f"\nmedian after / before: {statistics.median(ratios):.3f} over {len(ratios)} configurations; "
              f"range {min(ratios):.3f} to {max(ratios):.3f}")


if __name__ == "__main__":
    main()
