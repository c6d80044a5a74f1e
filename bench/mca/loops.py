#!/usr/bin/env python3
"""Runs llvm-mca on the innermost FMA loops of a JIT listing (DOTNET_JitDisasm / DOTNET_JitStdOutFile output).

    python3 loops.py LISTING [--mcpu znver3,znver4,icelake-server,sapphirerapids] [--mca llvm-mca-19]

For every method in the listing, each innermost loop that holds a vfmadd (the tile and row micro-kernels' loops) is
fed to llvm-mca for each -mcpu; printed per loop: its instruction and FMA counts, llvm-mca's cycles per iteration and
cycles per FMA. Branches, compares and bounds checks are dropped (llvm-mca models the body as a steady-state loop), GC
pointer size tags are rewritten for the assembler, comments are stripped. A static model: no cache misses, no
front-end effects of code alignment.

A listing for an instruction set this machine lacks (the Vector512 tiles on an AVX2-only machine) comes from NativeAOT:
    dotnet publish bench/mca/AotListing -c Release -r linux-x64 -p:ListingIsa=x86-64-v4 -p:ListingFile=/tmp/v4.txt
    python3 loops.py /tmp/v4.txt
llvm-mca-19 (Debian 12: apt-get install llvm-19; bench/mca/README.md) is required: LLVM 14's znver3 model books each 256-bit FMA
on both pipes (so it hides half a Zen 3 core) and it has no znver4; with 19, x86-64-v4 listings take znver4 and
sapphirerapids too."""
import re
import shutil
import subprocess
import sys

MCA = sys.argv[sys.argv.index("--mca") + 1] if "--mca" in sys.argv else shutil.which("llvm-mca-19")
if not MCA:
    sys.exit("loops.py: llvm-mca-19 not found (Debian: apt-get install llvm-19; see bench/mca/README.md). An older "
             "llvm-mca has no znver4 model and a wrong znver3 one; pass --mca PATH to use another build on purpose.")

# Models by listing: x86-64-v4 code (zmm registers) runs on the AVX-512 cores only; x86-64-v3 code on all four, but the
# kernels take it on znver4 and sapphirerapids (and icelake-server) only with AVX-512 switched off, so by default a v3
# listing is put to znver3 (the AVX2-only core) and icelake-server (the earlier tables' Intel column).
V4_MODELS = ["znver4", "icelake-server", "sapphirerapids"]  # znver3 has no AVX-512
V3_MODELS = ["znver3", "icelake-server"]

LABEL = re.compile(r"^(G_M\d+_IG\d+):")


def methods(text):
    for part in text.split("; Assembly listing for method ")[1:]:
        name = part.splitlines()[0]
        name = re.sub(r"KernelGen\.Generated\.<[^>]*>[A-F0-9]*__", "", name).split("(")[0]
        name = re.sub(r"KernelGen\.(Engine\.)?", "", name)
        yield name, part


def loops(body):
    """Innermost loops with FMAs: blocks T..B (in listing order) where B jumps back to T and no other back edge lies
    strictly inside. Bounds-check jumps to throw blocks and the loop branches are dropped."""
    order, blocks, label = [], {}, None
    for raw in body.splitlines():
        line = raw.split(";")[0].strip()
        match = LABEL.match(line)
        if match:
            label = match.group(1)
            order.append(label)
            blocks[label] = []
        elif line.startswith("RWD"):
            label = None  # the method's data section: constants, not instructions
        elif label and line and not line.startswith("align"):
            blocks[label].append(line)
    index = {name: i for i, name in enumerate(order)}
    edges = []
    for i, name in enumerate(order):
        for line in blocks[name]:
            target = line.split()[-1]
            if line.startswith("j") and target in index and index[target] <= i:
                edges.append((index[target], i))
    for first, last in edges:
        if any((a, b) != (first, last) and first <= a and b <= last for a, b in edges):
            continue  # not innermost
        instructions = [l for n in order[first:last + 1] for l in blocks[n] if not l.startswith(("j", "cmp ", "test "))]
        if any("vfmadd" in l for l in instructions):
            yield order[first], [assembler_form(l) for l in instructions]


def assembler_form(line):
    """The JIT's listing syntax as llvm-mca's assembler reads it: GC pointer size tags, data-section constants read
    RIP-relative, and vextractf128 of the upper half (the JIT leaves its immediate 1 out)."""
    line = re.sub(r"\b[bg]word ptr", "qword ptr", line)
    line = re.sub(r"\[reloc @RWD\d+[^\]]*\]", "[rip + 64]", line)
    if re.match(r"vextract[fi](128|32x4|64x2|32x8|64x4)\s+\w+,\s*\w+$", line):
        line += ", 1"
    # Widening moves read half the destination's width; the JIT names the source register at the full width.
    widening = re.match(r"(vpmov[sz]x\w+|vcvtph2ps)\s+(ymm|zmm)(\d+),\s*(ymm|zmm)(\d+)$", line)
    if widening:
        half = "xmm" if widening.group(2) == "ymm" else "ymm"
        line = f"{widening.group(1)} {widening.group(2)}{widening.group(3)}, {half}{widening.group(5)}"
    # AVX-512 compares into a mask: the JIT writes the predicate as a mnemonic LLVM does not take (vpcmpgeuw); LLVM's
    # aliases name "greater or equal" as "not less than" and unsigned "greater than" as "not less or equal".
    line = re.sub(r"^vpcmpge(u?[bwdq])\b", r"vpcmpnlt\1", line)
    line = re.sub(r"^vpcmpgtu([bwdq])\b", r"vpcmpnleu\1", line)
    # A broadcast from a register reads its low element: the JIT names the source at the destination's width.
    broadcast = re.match(r"(vbroadcasts[sd]|vpbroadcast[bwdq])\s+(\w+),\s*(ymm|zmm)(\d+)$", line)
    if broadcast:
        line = f"{broadcast.group(1)} {broadcast.group(2)}, xmm{broadcast.group(4)}"
    return line


def mca(instructions, cpu):
    result = subprocess.run([MCA, f"-mcpu={cpu}", "-x86-asm-syntax=intel", "-iterations=200"],
                            input=".intel_syntax noprefix\n" + "\n".join(instructions) + "\n", capture_output=True, text=True)
    cycles = re.search(r"Total Cycles:\s+(\d+)", result.stdout)
    if not cycles:
        print(result.stderr[:400], file=sys.stderr)
        return float("nan")
    return int(cycles.group(1)) / 200


def main():
    text = open(sys.argv[1], encoding="utf-8").read()
    v4 = re.search(r"\bzmm\d", text) is not None
    cpus = sys.argv[sys.argv.index("--mcpu") + 1].split(",") if "--mcpu" in sys.argv else (V4_MODELS if v4 else V3_MODELS)
    print(f"{MCA}; {'x86-64-v4 (AVX-512)' if v4 else 'x86-64-v3 (AVX2)'} listing; -mcpu {','.join(cpus)}")
    print("| method | loop | instructions | FMAs | " + " | ".join(f"{c} cycles/iter (per FMA)" for c in cpus) + " |")
    print("|---|---|---:|---:|" + "---:|" * len(cpus))
    for name, body in methods(text):
        for label, instructions in loops(body):
            fmas = sum("vfmadd" in i for i in instructions)
            cells = [f"{c:.2f} ({c / fmas:.2f})" for c in (mca(instructions, cpu) for cpu in cpus)]
            print(f"| {name} | {label} | {len(instructions)} | {fmas} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
