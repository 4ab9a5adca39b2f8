"""The two small, portable number machines every pet is derived from.

    fnv1a32(text)   FNV-1a, 32 bits, over the UTF-8 bytes of ``text``: the seed
    mulberry32(s)   Mulberry32, a 32-bit seeded PRNG: a function giving floats in [0, 1)
    pick(rand, xs)  one element of ``xs`` with equal odds

Both are defined on 32-bit unsigned integers, so the same text gives the same numbers on
every platform and Python version (unlike ``hash()`` or ``random``, whose algorithms and
seeding are not promised to stay put).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")
Random = Callable[[], float]

MASK = 0xFFFFFFFF
FNV_OFFSET = 0x811C9DC5  # 2166136261
FNV_PRIME = 0x01000193  # 16777619


def fnv1a32(text: str) -> int:
    """FNV-1a: for each byte, ``h ^= byte; h *= 16777619`` (mod 2**32), from 2166136261."""
    h = FNV_OFFSET
    for byte in text.encode("utf-8"):
        h = ((h ^ byte) * FNV_PRIME) & MASK
    return h


def mulberry32(seed: int) -> Random:
    """Mulberry32 by Tommy Ettinger, exactly as its common JavaScript form::

        function mulberry32(a) {
          return function () {
            let t = (a += 0x6D2B79F5);
            t = Math.imul(t ^ (t >>> 15), t | 1);
            t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
            return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
          };
        }

    JavaScript's bitwise operators work on 32-bit integers and ``Math.imul`` is a 32-bit
    multiply, so every step below is the same step taken modulo 2**32 on unsigned values;
    the bit patterns, and so the results, are identical.
    """
    state = seed & MASK

    def next_float() -> float:
        nonlocal state
        state = (state + 0x6D2B79F5) & MASK
        t = state
        t = ((t ^ (t >> 15)) * (t | 1)) & MASK
        t ^= (t + (((t ^ (t >> 7)) * (t | 61)) & MASK)) & MASK
        return ((t ^ (t >> 14)) & MASK) / 4294967296

    return next_float


def pick(rand: Random, items: Sequence[T]) -> T:
    """One of ``items``, each equally likely; uses exactly one draw."""
    return items[int(rand() * len(items))]
