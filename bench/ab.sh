#!/usr/bin/env bash
# Compares two builds of KernelGen: bench/KernelGen.EngineBench's --builds mode of each, in alternating processes.
#   bench/ab.sh <before-commit> [rounds] [filter]
# Builds the bench at <before-commit> (a detached worktree with this checkout's bench folder copied in) and here, then
# runs before, after, before, after, ... and prints per call the median over rounds of each build and after / before.
set -euo pipefail
cd "$(dirname "$0")/.."
before=${1:?usage: bench/ab.sh <before-commit> [rounds] [filter]}
rounds=${2:-5}
filter=${3:-}
tree=$(mktemp -d)/before
git worktree add --detach "$tree" "$before" >/dev/null
trap 'git worktree remove --force "$tree"' EXIT
rm -rf "$tree/bench/KernelGen.EngineBench" && cp -r bench/KernelGen.EngineBench "$tree/bench/"
rm -rf "$tree/bench/KernelGen.EngineBench/bin" "$tree/bench/KernelGen.EngineBench/obj"
cp bench/KernelGen.Bench/BenchKernels.cs "$tree/bench/KernelGen.Bench/BenchKernels.cs"
dotnet build -c Release "$tree/bench/KernelGen.EngineBench" >/dev/null
dotnet build -c Release bench/KernelGen.EngineBench >/dev/null
out=$(mktemp -d)
# Odd rounds run before first, even rounds after first, so a drift within a round falls on both builds alike.
for round in $(seq 1 "$rounds"); do
  runs=(before after)
  [ $((round % 2)) -eq 0 ] && runs=(after before)
  for build in "${runs[@]}"; do
    if [ "$build" = before ]; then dll="$tree/bench/KernelGen.EngineBench/bin/Release/net10.0/KernelGen.EngineBench.dll"
    else dll=bench/KernelGen.EngineBench/bin/Release/net10.0/KernelGen.EngineBench.dll; fi
    dotnet "$dll" --builds $filter > "$out/$build.$round"
  done
done
echo "raw runs: $out" >&2
python3 - "$out" "$rounds" <<'PY'
import sys, statistics, collections
out, rounds = sys.argv[1], int(sys.argv[2])
runs = {b: collections.defaultdict(list) for b in ("before", "after")}
order = []
for b in runs:
    for r in range(1, rounds + 1):
        for line in open(f"{out}/{b}.{r}"):
            name, ms = line.rstrip("\n").split("\t")
            runs[b][name].append(float(ms))
            if name not in order: order.append(name)
print("| call | before ms | after ms | after / before |\n|---|---:|---:|---:|")
for name in order:
    a, b = statistics.median(runs["before"][name]), statistics.median(runs["after"][name])
    print(f"| {name} | {a:.3f} | {b:.3f} | {b / a:.3f} |")
PY
