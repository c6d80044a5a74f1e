#!/usr/bin/env python3
"""Writes icon.png, the package icon: an 8 x 8 causal mask (the picture each generated kernel's header draws), lit
cells on the diagonal and below, on a dark square. Standard library only (zlib writes the PNG's image data), so the
icon is reproducible from this file: python3 make-icon.py."""
import struct
import zlib
from pathlib import Path

SIZE = 128  # NuGet recommends 128 x 128
CELLS = 8
MARGIN = 8
GAP = 2
BACKGROUND = (24, 28, 38)
VISIBLE = (80, 200, 160)
DIAGONAL = (250, 200, 80)
HIDDEN = (44, 50, 64)


def colour(x, y):
    step = (SIZE - 2 * MARGIN) // CELLS
    cx, cy = x - MARGIN, y - MARGIN
    if not (0 <= cx < step * CELLS and 0 <= cy < step * CELLS):
        return BACKGROUND
    column, row = cx // step, cy // step
    if cx % step >= step - GAP or cy % step >= step - GAP:
        return BACKGROUND
    if column == row:
        return DIAGONAL
    return VISIBLE if column < row else HIDDEN


def chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def main():
    rows = b"".join(b"\x00" + bytes(c for x in range(SIZE) for c in colour(x, y)) for y in range(SIZE))
    png = (b"\x89PNG\r\n\x1a\n"
           + chunk(b"IHDR", struct.pack(">IIBBBBB", SIZE, SIZE, 8, 2, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(rows, 9))
           + chunk(b"IEND", b""))
    Path(__file__).with_name("icon.png").write_bytes(png)


if __name__ == "__main__":
    main()
