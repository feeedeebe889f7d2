"""Receiving agencies at work: each delivery passes the clerk, a leader and an officer, each
desk serving its queue in the order documents joined it.

A delivery joins the clerk's queue when it reaches the agency (for an electronic one, when the
software has stored it and reported 01); the clerk registers it (03) or refuses it (02). It
joins a leader's queue only once it is registered, and, when its agency waits for paper
(SPEC §6), once the paper copy is in too; the leader assigns it (04). It joins the officers'
queue once assigned; an officer takes it up (05) and completes it (06) after the work and a
lead time that holds nobody. So each desk serves in the order of the previous desk's output,
as a real registry works, never in the order documents arrived at the door.

Each desk's queue is a :class:`sim.timeline.Timeline` keyed by the time a delivery may be
taken up; every tick each desk takes what became ready in the coming tick, in time order, and
books it at the person who frees first (:class:`sim.agencies.Desks`, in working time).
Statuses go back to the sender for electronic deliveries; paper deliveries' milestones are
measured at the receiver, since nothing comes back.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import simpy

from sim import statuses as st
from sim.agencies import Agencies, Desks
from sim.config import AgenciesConfig
from sim.context import RunContext
from sim.metrics import CLERK, LEADER, OFFICER, PAPER_CLASS
from sim.randoms import Purpose
from sim.records import DELIVERY, pick
from sim.statusflow import StatusFlow
from sim.systems import Systems
from sim.takebacks import TakeBacks
from sim.timeline import Timeline
from sim.types import Channel

PAPER = int(Channel.PAPER)

ReportBack = Callable[[np.ndarray, np.ndarray], None]
"""Called with completed steering rows (type 2) and their completion times."""


class Handling:
    """The three desks of every agency and their queues."""

    def __init__(
        self,
        env: simpy.Environment,
        config: AgenciesConfig,
        ctx: RunContext,
        *,
        agencies: Agencies,
        systems: Systems,
        statuses: StatusFlow,
        takebacks: TakeBacks,
        report_back: ReportBack,
    ) -> None:
        self.env = env
        self.config = config
        self.ctx = ctx
        self.agencies = agencies
        self.systems = systems
        self.statuses = statuses
        self.takebacks = takebacks
        self.report_back = report_back
        self.feedback = config.feedback
        self.clerk_queue = Timeline(DELIVERY, "t_next")
        self.leader_queue = Timeline(DELIVERY, "t_next")
        self.officer_queue = Timeline(DELIVERY, "t_next")

    def __repr__(self) -> str:
        queued = (self.clerk_queue.pending, self.leader_queue.pending, self.officer_queue.pending)
        return "<Handling: {} for clerks, {} for leaders, {} for officers>".format(*queued)

    def arrive(self, rows: np.ndarray) -> None:
        """Deliveries reach their recipients at ``t_arrive``: they join the clerk's queue (an
        electronic one once the software has stored it and reported 01)."""
        ctx = self.ctx
        inside = rows["t_arrive"] < ctx.horizon
        if not inside.all():
            ctx.metrics.arrive_late += int((~inside).sum())
            rows = pick(rows, inside)
        if not len(rows):
            return
        recipient = rows["recipient"]
        ctx.metrics.arrivals(rows["t_arrive"], ctx.tier[recipient], ctx.province[recipient])
        shown = rows["t_arrive"].copy()
        electronic = rows["channel"] != PAPER
        if electronic.any():
            shown[electronic] += self.systems.ack(rows["key"][electronic])
        rows["t_next"] = shown
        self._queue(self.clerk_queue, rows)

    def tick(self, now: float) -> None:
        """Each desk takes up what became ready before the next tick, in order."""
        until = now + self.ctx.tick
        for queue, stage in (
            (self.clerk_queue, self._register),
            (self.leader_queue, self._assign),
            (self.officer_queue, self._process),
        ):
            rows = queue.take(until)
            if len(rows):
                rows = self._still_wanted(rows, now)
            if len(rows):
                t = rows["t_next"]
                if len(t) > 1 and (t[1:] < t[:-1]).any():
                    rows = pick(rows, np.argsort(t, kind="stable"))
                stage(rows)

    def _queue(self, queue: Timeline, rows: np.ndarray) -> None:
        """``rows`` join ``queue`` at ``t_next``; those due after the run stay open."""
        inside = rows["t_next"] < self.ctx.horizon
        if not inside.all():
            self.ctx.metrics.open_beyond += int((~inside).sum())
            rows = pick(rows, inside)
        queue.add(rows)

    def _still_wanted(self, rows: np.ndarray, now: float) -> np.ndarray:
        """Leave out deliveries their sender took back (an agreed 13) by ``now``."""
        asked = np.isfinite(rows["t13"])
        if not asked.any():
            return rows
        gone = np.zeros(len(rows), dtype=bool)
        gone[asked] = self.takebacks.gone(rows["key"][asked], now)
        self.ctx.metrics.withdrawn += int(gone.sum())
        return pick(rows, ~gone)

    def _book(self, desks: Desks, rows: np.ndarray, effort: np.ndarray) -> np.ndarray:
        """Book ``rows`` at ``desks`` in order; returns each job's start in working time."""
        ready_w = np.asarray(self.ctx.calendar.to_work(rows["t_next"]))
        return desks.serve(rows["recipient"], ready_w, effort)

    def _register(self, rows: np.ndarray) -> None:
        """The clerks take in ``rows`` (in the order they were shown): 01, then 02 or 03."""
        ctx = self.ctx
        keys, recipient = rows["key"], rows["recipient"]
        tier = ctx.tier[recipient]
        shown = rows["t_next"]
        effort = self.agencies.clerk_effort(keys)
        start = self._book(self.agencies.clerks, rows, effort)
        done = np.maximum(np.asarray(ctx.calendar.from_work(start + effort)), shown)
        ctx.metrics.desk(CLERK, tier, start, effort, shown, done, ctx.window_w)
        electronic = rows["channel"] != PAPER
        refused = electronic & (
            ctx.randoms.uniform(Purpose.REFUSAL, keys) < self.agencies.refusal_rate
        )
        if electronic.any():
            accepted = electronic & ~refused
            if self.feedback:
                self.statuses.emit(
                    rows,
                    [
                        (st.ARRIVED, electronic, shown[electronic]),
                        (st.REFUSED, refused, done[refused]),
                        (st.ACCEPTED, accepted, done[accepted]),
                    ],
                )
            self._remember(rows, st.ARRIVED, electronic, shown)
            self._remember(rows, st.REFUSED, refused, done)
            self._remember(rows, st.ACCEPTED, accepted, done)
        if not electronic.all():
            paper = ~electronic
            self._paper_milestones(
                rows, paper, ((st.ARRIVED, rows["t_arrive"]), (st.ACCEPTED, done))
            )
        if refused.any():
            ctx.metrics.refused += int(refused.sum())
            ctx.metrics.open_beyond += int((done[refused] >= ctx.horizon).sum())
            gone = pick(rows, refused)
            ctx.metrics.finishes(
                gone["t_arrive"],
                done[refused],
                tier[refused],
                ctx.province[gone["recipient"]],
                gone["t_send"],
                gone["due"],
            )
        if rows["trace"].any():
            for row, t in zip(rows[rows["trace"]], done[rows["trace"]], strict=True):
                ctx.tracer.add(row["doc"], row["t_arrive"], "arrived", row["recipient"])
                ctx.tracer.add(row["doc"], t, "registered by the clerk", row["recipient"])
        if refused.any():
            go = ~refused
            ready, done, electronic = pick(rows, go), done[go], electronic[go]
        else:
            ready = rows
        # a leader takes it up once registered, and once the paper copy is in if it waits
        dependent = electronic & np.isfinite(ready["paper_at"])
        ready["t_next"] = np.where(dependent, np.maximum(done, ready["paper_at"]), done)
        if ready["trace"].any():
            for row in ready[ready["trace"] & dependent]:
                ctx.tracer.add(row["doc"], row["paper_at"], "paper copy in", row["recipient"])
        self._queue(self.leader_queue, ready)

    def _assign(self, rows: np.ndarray) -> None:
        """Leaders assign ``rows`` (in the order they became ready): 04."""
        ctx = self.ctx
        tier = ctx.tier[rows["recipient"]]
        effort = self.agencies.leader_effort(rows["key"])
        start = self._book(self.agencies.leaders, rows, effort)
        ready = rows["t_next"]
        assigned = np.maximum(np.asarray(ctx.calendar.from_work(start + effort)), ready)
        ctx.metrics.desk(LEADER, tier, start, effort, ready, assigned, ctx.window_w)
        self._statuses(rows, ((st.ASSIGNED, assigned),))
        if rows["trace"].any():
            for row, t in zip(rows[rows["trace"]], assigned[rows["trace"]], strict=True):
                ctx.tracer.add(row["doc"], t, "assigned by a leader", row["recipient"])
        rows["t_next"] = assigned
        self._queue(self.officer_queue, rows)

    def _process(self, rows: np.ndarray) -> None:
        """Officers take up and complete ``rows`` (in the order they were assigned): 05, 06;
        steering documents of type 2 bring a report back."""
        ctx = self.ctx
        recipient = rows["recipient"]
        tier = ctx.tier[recipient]
        work, lead = self.agencies.officer_work(rows["key"], rows["steering"])
        start = self._book(self.agencies.officers, rows, work)
        n = len(rows)
        ready = rows["t_next"]
        times = np.asarray(ctx.calendar.from_work(np.concatenate((start, start + work + lead))))
        taken = np.maximum(times[:n], ready)
        completed = np.maximum(times[n:], taken)
        done_work = np.asarray(ctx.calendar.from_work(start + work))
        ctx.metrics.desk(
            OFFICER, tier, start, work, ready, np.maximum(done_work, ready), ctx.window_w
        )
        self._statuses(rows, ((st.PROCESSING, taken), (st.COMPLETED, completed)))
        ctx.metrics.open_beyond += int((completed >= ctx.horizon).sum())
        ctx.metrics.finishes(
            rows["t_arrive"],
            completed,
            tier,
            ctx.province[recipient],
            rows["t_send"],
            rows["due"],
        )
        if rows["trace"].any():
            marked = rows["trace"]
            for row, b, c in zip(rows[marked], taken[marked], completed[marked], strict=True):
                ctx.tracer.add(row["doc"], b, "taken up by an officer", row["recipient"])
                ctx.tracer.add(row["doc"], c, "completed", row["recipient"])
        reports = (rows["steering"] == 2) & (completed < ctx.horizon)
        if reports.any():
            ctx.metrics.report_backs += int(reports.sum())
            self.report_back(pick(rows, reports), completed[reports])

    def _statuses(self, rows: np.ndarray, parts: tuple[tuple[int, np.ndarray], ...]) -> None:
        """Forward statuses ``parts`` of ``rows``: to the sender for electronic deliveries,
        as measured milestones for paper ones."""
        electronic = rows["channel"] != PAPER
        if electronic.any():
            if self.feedback:
                self.statuses.emit(rows, [(code, electronic, t[electronic]) for code, t in parts])
            for code, t in parts:
                self._remember(rows, code, electronic, t)
        if not electronic.all():
            self._paper_milestones(rows, ~electronic, parts)

    def _paper_milestones(
        self, rows: np.ndarray, paper: np.ndarray, parts: tuple[tuple[int, np.ndarray], ...]
    ) -> None:
        ctx = self.ctx
        recipient = rows["recipient"][paper]
        k = len(parts)
        codes = np.repeat(np.array([c for c, _ in parts], dtype=np.int8), len(recipient))
        ctx.metrics.status_received(
            codes,
            PAPER_CLASS,
            np.tile(rows["t_send"][paper], k),
            np.concatenate([t[paper] for _, t in parts]),
            np.tile(ctx.tier[recipient], k),
            np.tile(ctx.phase[recipient], k),
        )

    def _remember(self, rows: np.ndarray, code: int, which: np.ndarray, at: np.ndarray) -> None:
        """Keep the receiver's status times of deliveries that may get a take-back request."""
        asked = which & np.isfinite(rows["t13"])
        if asked.any():
            self.takebacks.remember(rows["key"][asked], code, at[asked])
