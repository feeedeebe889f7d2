"""Sending: each delivery of a new document takes a channel and is put on its way.

A delivery is electronic when both agencies are onboarded and the sender uses the electronic
channel (the smaller of the two agencies' adoption shares, times the national uptake for
exchanges between systems); it then goes inside one platform when both sit under the same
connection system, and over the axis otherwise (districts and communes only through their
province's gateway, when ``rollout.gateway_relay`` is on). Everything else goes by post. A
share of the electronic deliveries also travels by post as a paper copy (their recipients wait
for it, :mod:`sim.handling`), and a few are asked back by their sender (status 13).
"""

from __future__ import annotations

import numpy as np
import simpy

from sim import statuses as st
from sim.agencies import Agencies
from sim.config import TakeBackConfig
from sim.context import RunContext
from sim.handling import Handling
from sim.post import Post
from sim.randoms import Purpose, combine
from sim.records import DELIVERY, pick
from sim.rollout import Rollout
from sim.statusflow import StatusFlow
from sim.systems import Systems
from sim.timeline import Timeline
from sim.types import HOUR, Channel, Tier
from sim.workload import NewDocuments

AXIS, PLATFORM, PAPER = int(Channel.AXIS), int(Channel.PLATFORM), int(Channel.PAPER)


class Router:
    """Puts the run's new documents on their way."""

    def __init__(
        self,
        env: simpy.Environment,
        config: TakeBackConfig,
        ctx: RunContext,
        *,
        rollout: Rollout,
        agencies: Agencies,
        post: Post,
        systems: Systems,
        statuses: StatusFlow,
        handling: Handling,
        types: list[str],
    ) -> None:
        self.env = env
        self.config = config
        self.ctx = ctx
        self.rollout = rollout
        self.agencies = agencies
        self.post = post
        self.systems = systems
        self.statuses = statuses
        self.handling = handling
        self.types = types
        self.doc_jobs = Timeline(DELIVERY, "t_axis")
        """Axis deliveries waiting for the tick that serves their document."""
        self._lower = ctx.topology.tier >= Tier.DISTRICT

    def __repr__(self) -> str:
        return f"<Router: {self.doc_jobs.pending} deliveries waiting for the axis>"

    def dispatch(self, new: NewDocuments) -> None:
        """Send a batch of documents: pick each delivery's channel and put it on its way."""
        ctx = self.ctx
        topo, rnd = ctx.topology, ctx.randoms
        n = len(new)
        ids = ctx.docs.add(new.t)
        ctx.metrics.sent(new.t, ctx.tier[new.sender])
        d = new.rec_doc
        s, r, t = new.sender[d], new.rec_agency, new.t[d]
        keys = combine(new.key[d], r)
        share = np.minimum(self.rollout.adoption(s, t), self.rollout.adoption(r, t))
        same = topo.system[s] == topo.system[r]
        electronic = rnd.uniform(Purpose.CHANNEL, keys) < share
        uptake = self.rollout.axis_uptake(new.t)
        if uptake is not None:
            # the sender sends a document between systems electronically, or not at all
            by_axis = rnd.uniform(Purpose.UPTAKE, new.key) < uptake
            electronic &= same | by_axis[d]
        reachable = self.systems.relay | ~(self._lower[s] | self._lower[r])
        channel = np.full(len(r), PAPER, dtype=np.int8)
        channel[electronic & same] = PLATFORM
        channel[electronic & ~same & reachable] = AXIS
        electronic = channel != PAPER
        rows = np.empty(len(r), DELIVERY)
        rows["doc"] = ids[d]
        rows["key"] = keys
        rows["doc_key"] = new.key[d]
        rows["sender"] = s
        rows["recipient"] = r
        rows["t_send"] = t
        rows["channel"] = channel
        rows["steering"] = new.steering[d]
        rows["pages"] = new.pages[d]
        rows["due"] = new.due[d]
        dependent = electronic & (
            rnd.uniform(Purpose.PAPER_COPY, keys) < self.agencies.paper_dependence[r]
        )
        by_post = dependent | ~electronic
        paper_at = np.full(len(r), np.inf)
        if by_post.any():
            opened = self.post.arrival(t[by_post], s[by_post], r[by_post], keys[by_post])
            # the letter is taken in on the engine's tick
            paper_at[by_post] = np.ceil(opened / ctx.tick) * ctx.tick
        rows["paper_at"] = paper_at
        rows["t13"] = np.inf
        if self.config.rate > 0:
            asked = rnd.uniform(Purpose.TAKE_BACK, new.key) < self.config.rate
            if asked.any():
                u = rnd.uniform(Purpose.TAKE_BACK_DELAY, new.key)
                t13 = np.where(asked, new.t - self.config.mean_hours * HOUR * np.log1p(-u), np.inf)
                rows["t13"] = np.where(electronic, t13[d], np.inf)
        rows["trace"] = ctx.tracer.pick(ids, new.t)[d]
        ctx.docs.recipients[ids] = np.bincount(d[electronic], minlength=n)
        ctx.metrics.delivered(
            t,
            ctx.tier[s],
            ctx.province[s],
            ctx.tier[r],
            ctx.phase[r],
            channel,
            rows["pages"],
            dependent,
            rows["due"],
        )
        self._route(rows, channel)
        for i in np.flatnonzero(rows["trace"]).tolist():
            row = rows[i]
            kind = self.types[new.stream[d[i]]]
            way = Channel(int(row["channel"])).label
            to = topo.organ_ids[row["recipient"]]
            ctx.tracer.add(
                row["doc"], row["t_send"], "sent", row["sender"], f"{kind} to {to} by {way}"
            )

    def _route(self, rows: np.ndarray, channel: np.ndarray) -> None:
        """Put new deliveries on their way: axis, platform or post; and queue take-backs."""
        ctx = self.ctx
        # by the axis: one job per document, however many recipients it has there
        via_axis = pick(rows, channel == AXIS)
        if len(via_axis):
            _, first, inverse = np.unique(via_axis["doc"], return_index=True, return_inverse=True)
            senders = via_axis["sender"][first]
            job_keys = via_axis["doc_key"][first]
            upload = via_axis["t_send"][first] + self.systems.upload_latency(senders, job_keys)
            via_axis["t_axis"] = upload[inverse]
            self.doc_jobs.add(via_axis)
            ctx.metrics.uploaded(upload, ctx.topology.system[senders])
        # inside one platform: delivered on the next tick after the platform's latency
        inside = pick(rows, channel == PLATFORM)
        if len(inside):
            ready = inside["t_send"] + self.systems.platform_latency(inside["key"])
            inside["t_arrive"] = (ready // ctx.tick + 1) * ctx.tick
            self.handling.arrive(inside)
        posted = pick(rows, channel == PAPER)
        if len(posted):
            posted["t_arrive"] = posted["paper_at"]
            self.handling.arrive(posted)
        asking = pick(rows, np.isfinite(rows["t13"]))
        if len(asking):
            everyone = np.arange(len(asking))
            self.statuses.emit(asking, [(st.TAKE_BACK, everyone, asking["t13"])], from_sender=True)
