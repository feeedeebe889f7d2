"""The connection systems: when each polls the axis, and how long messages take to get from an
agency's software to the axis or across a platform.

Each system polls every ``poll_minutes`` (central bodies' systems and provinces' platforms may
differ), with its own phase, so a message stored on the axis is downloaded at the recipient
system's next poll (none during an outage). Latencies are drawn per message key.
"""

from __future__ import annotations

import numpy as np

from sim.axis import Axis
from sim.config import SystemsConfig
from sim.context import RunContext
from sim.distributions import Duration
from sim.randoms import Purpose
from sim.types import Role, Tier


class Systems:
    """Polls and latencies of every connection system of the run's topology; ``upload`` is
    the axis's upload latency, ``relay`` whether lower tiers go through their province's
    gateway (which adds the relay latency)."""

    def __init__(
        self,
        config: SystemsConfig,
        ctx: RunContext,
        axis: Axis,
        *,
        upload: Duration,
        relay: bool,
    ) -> None:
        self.config = config
        self.ctx = ctx
        self.axis = axis
        self.upload = upload
        self.relay = relay
        topo = ctx.topology
        self._lower = topo.tier >= Tier.DISTRICT
        owner = np.full(topo.n_systems, -1, dtype=np.int64)
        level1 = np.flatnonzero(topo.root == np.arange(len(topo)))
        owner[topo.system[level1]] = level1
        role = np.where(owner >= 0, topo.role[np.clip(owner, 0, None)], Role.PROVINCE)
        minutes = np.where(
            role == Role.CENTRAL, config.poll_minutes["central"], config.poll_minutes["province"]
        )
        slots = np.round(minutes * 60.0 / ctx.tick).astype(np.int64)
        self.poll_every = slots * ctx.tick
        u = ctx.randoms.uniform(Purpose.POLL, np.arange(topo.n_systems))
        self.poll_offset = np.floor(u * slots) * ctx.tick

    def __repr__(self) -> str:
        return f"<Systems: {len(self.poll_every)} connection systems>"

    def next_poll(self, system: np.ndarray, t: np.ndarray) -> np.ndarray:
        """When ``system`` next polls the axis at or after ``t`` (outages skipped)."""
        every, offset = self.poll_every[system], self.poll_offset[system]
        p = offset + np.ceil((t - offset) / every) * every
        if self.axis.outages:
            up = self.axis.up_at(p)
            moved = up != p
            if moved.any():
                p[moved] = (
                    offset[moved]
                    + np.ceil((up[moved] - offset[moved]) / every[moved]) * every[moved]
                )
        return p

    def upload_latency(self, agency: np.ndarray, keys: np.ndarray) -> np.ndarray:
        """From an agency's software to the axis, for messages ``keys``."""
        lat = self.upload.at(self.ctx.randoms.uniform(Purpose.UPLOAD, keys))
        if self.relay:
            lower = self._lower[agency]
            if lower.any():
                u = self.ctx.randoms.uniform(Purpose.RELAY, keys[lower])
                lat[lower] += self.config.relay.at(u)
        return lat

    def platform_latency(self, keys: np.ndarray) -> np.ndarray:
        """Across one system's platform, for messages ``keys``."""
        return self.config.platform.at(self.ctx.randoms.uniform(Purpose.PLATFORM, keys))

    def ack(self, keys: np.ndarray) -> np.ndarray:
        """From a download to the receiving software's status 01."""
        return self.config.ack.at(self.ctx.randoms.uniform(Purpose.ACK, keys))
