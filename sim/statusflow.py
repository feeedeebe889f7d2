"""Status messages on their way: from the receiving agency's software back to the sender's,
through the axis or inside one platform, and the sender's take-back requests (13) going the
other way with their answers (15, 16).

A status inside a platform reaches the sender without queueing, so unless a take-back may
still withdraw its delivery it is counted the moment it is emitted (it reaches the sender on
the tick after its latency). The others wait in the axis's queue (:attr:`StatusFlow.jobs`)
until the tick that serves them. Which statuses may follow a take-back is spec's lifecycle's
answer (:mod:`sim.statuses`, :mod:`sim.takebacks`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import simpy

from sim import statuses as st
from sim.config import TakeBackConfig
from sim.context import RunContext
from sim.metrics import ELECTRONIC
from sim.randoms import Purpose, message_keys
from sim.records import DELIVERY, STATUS, pick, stack
from sim.systems import Systems
from sim.takebacks import TakeBacks
from sim.timeline import Timeline
from sim.types import Channel

AXIS = int(Channel.AXIS)
_FIELDS = ("doc", "key", "sender", "recipient", "t_send", "trace")
_TERMINAL = np.zeros(max(st.CODES) + 1, dtype=bool)
_TERMINAL[list(st.TERMINAL)] = True

Part = tuple[int, np.ndarray, np.ndarray]
"""(status code, which rows: a mask or indices, emitted at)."""


class StatusFlow:
    """Statuses of one run, from emission to the sender (or, for 13, to the receiver)."""

    def __init__(
        self,
        env: simpy.Environment,
        config: TakeBackConfig,
        ctx: RunContext,
        systems: Systems,
        takebacks: TakeBacks,
        *,
        audit: bool,
    ) -> None:
        self.env = env
        self.config = config
        self.ctx = ctx
        self.systems = systems
        self.takebacks = takebacks
        self.jobs = Timeline(STATUS, "t")
        self.audit: list[tuple[np.ndarray, np.ndarray, np.ndarray]] | None = [] if audit else None
        self._outbox: list[np.ndarray] = []
        self._inbox: list[dict[str, np.ndarray]] = []

    def __repr__(self) -> str:
        return f"<StatusFlow: {self.jobs.pending} statuses for the axis>"

    def emit(self, rows: np.ndarray, parts: list[Part], *, from_sender: bool = False) -> None:
        """Statuses about deliveries ``rows``: for each (code, which, emitted) of ``parts``,
        status ``code`` of ``rows[which]`` at those times (those within the run)."""
        ctx = self.ctx
        which = [w.nonzero()[0] if w.dtype == bool else w for _, w, _ in parts]
        idx = np.concatenate(which) if len(which) > 1 else which[0]
        emitted = np.concatenate([e for _, _, e in parts]) if len(parts) > 1 else parts[0][2]
        codes = np.repeat(
            np.array([c for c, _, _ in parts], dtype=np.int8), [len(w) for w in which]
        )
        keep = emitted < ctx.horizon
        if not keep.all():
            idx, emitted, codes = idx[keep], emitted[keep], codes[keep]
        if len(idx) == 0:
            return
        base = (
            rows if len(idx) == len(rows) and len(parts) == 1 and _whole(idx) else pick(rows, idx)
        )
        if base["trace"].any():
            for i in np.flatnonzero(base["trace"]).tolist():
                who = base["sender"][i] if from_sender else base["recipient"][i]
                ctx.tracer.add(base["doc"][i], emitted[i], f"status {codes[i]:02d} sent", who)
        keys = message_keys(base["key"], codes)
        queued = (base["channel"] == AXIS) | (base["t13"] < np.inf)
        if not queued.all():
            direct = ~queued
            fields = {name: base[name][direct] for name in _FIELDS}
            fields["code"] = codes[direct]
            fields["emitted"] = emitted[direct]
            ready = fields["emitted"] + self.systems.platform_latency(keys[direct])
            fields["receipt"] = (ready // ctx.tick + 1) * ctx.tick
            self._inbox.append(fields)
            if not queued.any():
                return
            base, emitted, codes, keys = (
                pick(base, queued),
                emitted[queued],
                codes[queued],
                keys[queued],
            )
        n = len(base)
        out = np.empty(n, STATUS)
        out["emitted"] = emitted
        out["code"] = codes
        for name in _FIELDS:
            out[name] = base[name]
        out["channel"] = base["channel"]
        out["tb"] = base["t13"] < np.inf
        origin = base["sender"] if from_sender else base["recipient"]
        axis = base["channel"] == AXIS
        delay = np.empty(n)
        if axis.any():
            delay[axis] = self.systems.upload_latency(origin[axis], keys[axis])
            ctx.metrics.uploaded(emitted[axis] + delay[axis], ctx.topology.system[origin[axis]])
        if not axis.all():
            delay[~axis] = self.systems.platform_latency(keys[~axis])
        out["t"] = emitted + delay
        self._outbox.append(out)

    def post(self) -> None:
        """Statuses emitted since the last call: the axis's to its queue, the platforms' to
        their senders."""
        if self._outbox:
            self.jobs.add(stack(self._outbox))
            self._outbox = []
        if self._inbox:
            inbox = self._inbox
            fields = (
                inbox[0]
                if len(inbox) == 1
                else {k: np.concatenate([f[k] for f in inbox]) for k in inbox[0]}
            )
            self._inbox = []
            self.received(fields, fields["receipt"])

    def job_keys(self, status: np.ndarray) -> np.ndarray:
        """The axis-job key of each status message."""
        return message_keys(status["key"], status["code"])

    def departed(self, status: np.ndarray, done: np.ndarray, now: float) -> None:
        """Statuses of the tick leave the axis (or the take-back check) at ``done``."""
        tb = status["tb"]
        if tb.any():
            keep = np.ones(len(status), dtype=bool)
            keep[tb] = ~self.takebacks.suppressed(
                status["key"][tb], status["code"][tb], status["emitted"][tb]
            )
            status, done = pick(status, keep), done[keep]
        asks = status["code"] == st.TAKE_BACK
        if asks.any():
            self._take_backs(pick(status, asks), done[asks], now)
            status, done = pick(status, ~asks), done[~asks]
        if len(status) == 0:
            return
        axis = status["channel"] == AXIS
        receipt = np.full(len(status), now)
        if axis.any():
            system = self.ctx.topology.system[status["sender"][axis]]
            receipt[axis] = np.maximum(self.systems.next_poll(system, done[axis]), now)
            self.ctx.metrics.downloaded(receipt[axis], system)
        self.received(status, receipt)

    def received(self, status: Any, receipt: np.ndarray) -> None:
        """Statuses reach the documents' senders at ``receipt``; ``status`` holds the fields
        of :data:`sim.records.STATUS` that matter (a structured array or a dict of arrays)."""
        ctx = self.ctx
        recipient = status["recipient"]
        ctx.metrics.status_received(
            status["code"],
            ELECTRONIC,
            status["t_send"],
            receipt,
            ctx.tier[recipient],
            ctx.phase[recipient],
        )
        final = _TERMINAL[status["code"]] & (receipt < ctx.horizon)
        if final.any():
            heard = np.flatnonzero(final)
            tb = np.asarray(status["tb"])[heard] if "tb" in _names(status) else None
            if tb is not None and tb.any():
                first = self.takebacks.first_finals(status["key"][heard[tb]])
                heard = np.concatenate((heard[~tb], heard[tb][first]))
            np.add.at(ctx.docs.heard, status["doc"][heard], 1)
        self._audit(status)
        if status["trace"].any():
            for i in np.flatnonzero(status["trace"]).tolist():
                what = f"status {status['code'][i]:02d} received"
                ctx.tracer.add(status["doc"][i], receipt[i], what, status["sender"][i])

    def _audit(self, status: Any) -> None:
        if self.audit is not None and len(status["code"]):
            self.audit.append(
                (status["key"].copy(), status["code"].copy(), status["emitted"].copy())
            )

    def _take_backs(self, asks: np.ndarray, done: np.ndarray, now: float) -> None:
        """The sender's 13s reach their receivers, who answer 15 or 16 if spec allows the 13."""
        ctx, rnd = self.ctx, self.ctx.randoms
        system = ctx.topology.system[asks["recipient"]]
        axis = asks["channel"] == AXIS
        seen = np.full(len(asks), now)
        if axis.any():
            seen[axis] = np.maximum(self.systems.next_poll(system[axis], done[axis]), now)
            ctx.metrics.downloaded(seen[axis], system[axis])
        keys = asks["key"]
        effort = self.config.answer.at(rnd.uniform(Purpose.ANSWER, keys))
        work = np.asarray(ctx.calendar.to_work(seen)) + effort
        answer = np.maximum(np.asarray(ctx.calendar.from_work(work)), seen)
        agreed = rnd.uniform(Purpose.AGREE, keys) < self.config.agree
        allowed = np.array(
            [
                self.takebacks.allowed(k, t)
                for k, t in zip(keys.tolist(), asks["emitted"].tolist(), strict=True)
            ],
            dtype=bool,
        )
        for key, at in zip(
            keys[allowed & agreed].tolist(), answer[allowed & agreed].tolist(), strict=True
        ):
            self.takebacks.withdraw(key, at)
        ctx.metrics.take_backs += (
            int(allowed.sum()),
            int((allowed & agreed).sum()),
            int((~allowed).sum()),
        )
        self._audit(pick(asks, allowed))
        for code, which in ((st.AGREED, allowed & agreed), (st.DECLINED, allowed & ~agreed)):
            if which.any():
                rows = np.zeros(int(which.sum()), DELIVERY)
                for name in ("doc", "key", "sender", "recipient", "t_send", "channel", "trace"):
                    rows[name] = asks[name][which]
                rows["t13"] = asks["emitted"][which]
                self.emit(rows, [(code, np.arange(len(rows)), answer[which])])


def _whole(idx: np.ndarray) -> bool:
    """True when ``idx`` lists every row in order (so no copy is needed)."""
    return bool(idx[0] == 0 and idx[-1] == len(idx) - 1 and (np.diff(idx) == 1).all())


def _names(status: Any) -> tuple[str, ...]:
    names = getattr(getattr(status, "dtype", None), "names", None)
    return tuple(names) if names else tuple(status)
