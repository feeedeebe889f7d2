"""The simulator's domain types, named once: simulated time, tiers, roles and channels.

Simulated time (:data:`SimTime`) is seconds since midnight of the scenario's first day, as a
float. The engine advances in ticks (``engine.tick_seconds``): connection systems poll on tick
boundaries, so every download and every intra-platform delivery happens on one.
"""

from __future__ import annotations

import enum

SimTime = float
"""Seconds since midnight (local time) of the scenario's first day."""

DAY = 86400.0
HOUR = 3600.0


class Tier(enum.IntEnum):
    """The tier of government an agency belongs to (spec.organ_ids.Tier, as a small int)."""

    CENTRAL = 0
    PROVINCE = 1
    DISTRICT = 2
    COMMUNE = 3

    @property
    def label(self) -> str:
        return self.name.lower()


class Role(enum.IntEnum):
    """What an agency is: it decides which workload streams it sends and how it is staffed."""

    CENTRAL = 0
    """VPCP, a ministry or a government body."""
    PROVINCE = 1
    """A provincial People's Committee (the level-1 H organ)."""
    DEPARTMENT = 2
    """A department (sở, ban, ngành) under a provincial People's Committee."""
    DISTRICT = 3
    COMMUNE = 4

    @property
    def label(self) -> str:
        return self.name.lower()

    @property
    def tier(self) -> Tier:
        return _TIER_OF_ROLE[self]


_TIER_OF_ROLE = {
    Role.CENTRAL: Tier.CENTRAL,
    Role.PROVINCE: Tier.PROVINCE,
    Role.DEPARTMENT: Tier.PROVINCE,
    Role.DISTRICT: Tier.DISTRICT,
    Role.COMMUNE: Tier.COMMUNE,
}


class Channel(enum.IntEnum):
    """How one delivery travels from sender to recipient."""

    AXIS = 0
    """Electronic, between two connection systems through the national axis."""
    PLATFORM = 1
    """Electronic, inside one connection system (a province's platform, a ministry's QLVB)."""
    PAPER = 2
    """On paper, by post: one side is not connected yet, or chose paper."""

    @property
    def label(self) -> str:
        return self.name.lower()
