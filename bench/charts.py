#!/usr/bin/env python3
"""Draws one SVG per mask from the AttentionBenchmarks CSV: time per call against N, log-log, KernelGen (one thread)
against each peer, one line per implementation and head dimension. No plotting library needed.
Usage: python3 bench/charts.py bench/KernelGen.Bench/BenchmarkDotNet.Artifacts/results bench/charts
"""
import math
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from summarize import rows, seconds  # noqa: E402

COLOURS = {"KernelGen": "#1f4e9c", "TorchSharpSdpa": "#b8283a", "TensorPrimitivesUnfused": "#d07a1a", "NaiveScalar": "#888888"}
DASH = {64: "", 128: "6,4"}


def chart(mask, series, path):
    width, height, left, right, top, bottom = 640, 360, 70, 250, 40, 50
    xs = sorted({n for points in series.values() for n, _ in points})
    ts = [t for points in series.values() for _, t in points]
    x0, x1 = math.log10(min(xs)) - 0.1, math.log10(max(xs)) + 0.1
    y0, y1 = math.floor(math.log10(min(ts))), math.ceil(math.log10(max(ts)))
    px = lambda n: left + (math.log10(n) - x0) / (x1 - x0) * (width - left - right)
    py = lambda t: top + (y1 - math.log10(t)) / (y1 - y0) * (height - top - bottom)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="11">',
           f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
           f'<text x="{left}" y="20" font-size="13" font-weight="bold">{mask}: time per call (log-log, one thread)</text>']
    for e in range(y0, y1 + 1):
        y = py(10 ** e)
        label = f"{10 ** e * 1e3:g} ms"
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#e0e0e0"/>')
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{label}</text>')
    for n in xs:
        x = px(n)
        out.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{height - bottom}" stroke="#f0f0f0"/>')
        out.append(f'<text x="{x:.1f}" y="{height - bottom + 16}" text-anchor="middle">N = {n}</text>')
    legend_y = top + 10
    for (method, d), points in sorted(series.items()):
        points = sorted(points)
        path_data = " ".join(f"{'M' if i == 0 else 'L'}{px(n):.1f},{py(t):.1f}" for i, (n, t) in enumerate(points))
        dash = f' stroke-dasharray="{DASH[d]}"' if DASH.get(d) else ""
        out.append(f'<path d="{path_data}" fill="none" stroke="{COLOURS[method]}" stroke-width="2"{dash}/>')
        for n, t in points:
            out.append(f'<circle cx="{px(n):.1f}" cy="{py(t):.1f}" r="3" fill="{COLOURS[method]}"/>')
        out.append(f'<line x1="{width - right + 12}" y1="{legend_y}" x2="{width - right + 36}" y2="{legend_y}" stroke="{COLOURS[method]}" stroke-width="2"{dash}/>')
        out.append(f'<text x="{width - right + 42}" y="{legend_y + 4}">{method}, d = {d}</text>')
        legend_y += 18
    out.append("</svg>")
    with open(path, "w", encoding="utf-8") as file:
        file.write("\n".join(out) + "\n")


def main(folder, target):
    os.makedirs(target, exist_ok=True)
    by_mask = {}
    for row in rows(folder, "AttentionBenchmarks"):
        by_mask.setdefault(row["Mask"], {}).setdefault((row["Method"], int(row["HeadDim"])), []).append((int(row["N"]), seconds(row["Mean"])))
    for mask, series in sorted(by_mask.items()):
        name = mask.replace("(", "-").replace(")", "").replace(",", "-").replace("+", "-")
        chart(mask, series, os.path.join(target, f"{name}.svg"))
        print(os.path.join(target, f"{name}.svg"))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
