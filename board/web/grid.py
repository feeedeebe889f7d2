"""A tile map of the 63 provinces: each province a square placed roughly where it lies (rows
from north to south, columns from west to east), so the country's shape is recognisable and a
phase's readiness reads at a glance."""

from __future__ import annotations

import functools
from dataclasses import dataclass

NORTH, WEST, STEP = 23.4, 102.2, 0.62

__all__ = ["Tile", "tiles"]


@dataclass(frozen=True, slots=True)
class Tile:
    """One province: its level-1 code, name, and grid row and column (1-based)."""

    code: str
    name: str
    row: int
    col: int


@functools.cache
def tiles() -> tuple[Tile, ...]:
    """Every province of 2016 on the grid, no two on the same square."""
    from fixtures.agencies import provinces

    taken: dict[tuple[int, int], tuple[str, str]] = {}
    for p in sorted(provinces("2016"), key=lambda p: (-p.lat, p.lon)):
        row = round((NORTH - p.lat) / STEP)
        col = round((p.lon - WEST) / STEP)
        spot = next((row + dr, col + dc) for dr, dc in _NEAR if (row + dr, col + dc) not in taken)
        taken[spot] = (p.code, p.name)
    top = min(r for r, _ in taken)
    left = min(c for _, c in taken)
    return tuple(
        Tile(code, name, r - top + 1, c - left + 1) for (r, c), (code, name) in taken.items()
    )


# Where to put a province whose square is taken: the nearest free square, east first.
_NEAR = sorted(
    ((dr, dc) for dr in range(-3, 4) for dc in range(-3, 4)),
    key=lambda d: (abs(d[0]) + abs(d[1]), -d[1], d[0]),
)
