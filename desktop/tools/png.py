"""Screen pixels to a PNG the model can see: scaled down to what the API uses, encoded
with zlib alone (no imaging library).

    fit(pixels, longest=1568)   the RGB array scaled (area average) so its longer side is
                                at most ``longest``; returns (array, scale)
    encode(pixels)              PNG bytes of an RGB array (height, width, 3)

The Messages API shrinks images whose longer side passes 1568 pixels anyway; sending them
that size keeps requests small and lets the tool say how screen coordinates map.
"""

from __future__ import annotations

import struct
import zlib
from typing import Any

LONGEST_SIDE = 1568


def fit(pixels: Any, longest: int = LONGEST_SIDE) -> tuple[Any, float]:
    """``pixels`` scaled down so neither side passes ``longest``; and the scale used."""
    import numpy as np

    height, width = pixels.shape[:2]
    scale = min(1.0, longest / max(height, width))
    if scale >= 1.0:
        return pixels, 1.0
    new_w, new_h = max(1, round(width * scale)), max(1, round(height * scale))
    # Area average: each target pixel is the mean of the source pixels it covers, so
    # thin text stays legible where picking one pixel would drop strokes.
    xs = np.linspace(0, width, new_w + 1).astype(int)
    ys = np.linspace(0, height, new_h + 1).astype(int)
    summed = np.add.reduceat(pixels.astype(np.uint32), ys[:-1], axis=0)
    summed = np.add.reduceat(summed, xs[:-1], axis=1)
    counts = np.outer(np.diff(ys), np.diff(xs))[:, :, None]
    return (summed // counts).astype(np.uint8), new_w / width


def encode(pixels: Any, level: int = 6) -> bytes:
    """PNG bytes (8-bit RGB, the Sub filter on every row: screens compress well so)."""
    import numpy as np

    height, width = pixels.shape[:2]
    rows = np.ascontiguousarray(pixels, dtype=np.uint8).reshape(height, width * 3)
    filtered = np.empty((height, width * 3 + 1), dtype=np.uint8)
    filtered[:, 0] = 1  # filter type Sub: each byte minus the one a pixel to its left
    filtered[:, 1:4] = rows[:, :3]
    filtered[:, 4:] = rows[:, 3:] - rows[:, :-3]  # uint8 arithmetic wraps, as PNG wants
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    body = zlib.compress(filtered.tobytes(), level)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", body)
        + _chunk(b"IEND", b"")
    )


def size_of(png: bytes) -> tuple[int, int]:
    """(width, height) from a PNG's header."""
    return struct.unpack(">II", png[16:24])


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)
