"""How the axis plays its default systems as simulated peer agencies: which peers run, how
fast their handling times pass, and the per-system behaviour file (``--peers``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from axis.errors import ConfigError

DEFAULT_TIME_SCALE = 720.0

__all__ = ["DEFAULT_TIME_SCALE", "PeerSettings"]


@dataclass(frozen=True, slots=True)
class PeerSettings:
    """``time_scale``: model seconds per real second for the peers' handling times (720: an
    hour of an agency's work takes five seconds); ``file``: per-system behaviour (YAML,
    ``axis/peers.schema.json``); ``poll_s``: how often a peer polls its inbox (real seconds)."""

    time_scale: float = DEFAULT_TIME_SCALE
    file: Path | None = None
    poll_s: float = 1.0

    def __post_init__(self) -> None:
        if not self.time_scale > 0:
            raise ConfigError(f"time_scale={self.time_scale!r} must be > 0")
        if not 0.05 <= self.poll_s <= 3600:
            raise ConfigError(f"poll_s={self.poll_s!r} must be in 0.05..3600 seconds")
