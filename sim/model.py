"""The SimPy model of the national network: agencies write, the axis relays, agencies handle.

:class:`Model` assembles one run from a scenario's typed configuration (:mod:`sim.config`):
each part takes the SimPy environment, its own section of the configuration and the shared
:class:`sim.context.RunContext`. Long-lived SimPy processes drive it:

* the **writers** wake at every midnight and write the day's documents (:mod:`sim.workload`),
  which the router puts on their way by axis, platform or post (:mod:`sim.routing`);
* the **clock** ticks every ``engine.tick_seconds`` (150 s by default): the axis serves the
  messages that arrived during the tick (:mod:`sim.axis`), systems download what the axis
  holds (:mod:`sim.systems`), statuses reach the senders (:mod:`sim.statusflow`), and each
  desk of every agency takes up what became ready (:mod:`sim.handling`);
* the **rollout** process wakes on each onboarding day and logs who came online;
* the **outages** process marks when the axis goes down and comes back.

Per message, nothing is a SimPy event: a tick's messages are one batch of numpy rows. Every
queue keeps its exact order: the axis serves in arrival order, each desk in the order the
previous desk let documents go. The run begins ``warmup_days`` before the scenario's start, so
the measurement window opens on busy desks.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import numpy as np
import simpy

from sim.agencies import Agencies
from sim.axis import Axis
from sim.calendar import WorkCalendar
from sim.config import ScenarioConfig, parse_config
from sim.context import RunContext
from sim.handling import Handling
from sim.metrics import DocBook, Metrics
from sim.post import Post
from sim.randoms import Purpose, Randoms
from sim.records import pick, stack
from sim.rollout import Rollout, build_rollout
from sim.routing import Router
from sim.statusflow import StatusFlow
from sim.systems import Systems
from sim.takebacks import TakeBacks
from sim.topology import Topology, from_fixtures
from sim.traces import TraceEvent, Tracer
from sim.types import DAY, HOUR, SimTime
from sim.workload import NewDocuments, Workload, concat_documents

Progress = Callable[[int], object]
"""Told how many more days are done; what it returns is ignored."""

__all__ = ["Model", "TraceEvent"]


class Model:
    """One run of a scenario (its typed ``config``, or its validated data) with one seed;
    ``days`` overrides the number of measured days."""

    def __init__(
        self,
        config: ScenarioConfig | Mapping[str, Any],
        seed: int,
        *,
        topology: Topology | None = None,
        days: int | None = None,
    ) -> None:
        if not isinstance(config, ScenarioConfig):
            config = parse_config(config)
        self.config = config = config.with_days(days)
        self.seed = int(seed)
        self.env = simpy.Environment()
        self.days = config.warmup_days + config.days
        """Days simulated, the warm-up included."""
        self.tick = config.tick_seconds
        self.warmup = config.warmup_days * DAY
        self.horizon = self.days * DAY
        cal = config.calendar
        self.calendar = WorkCalendar(
            config.origin, self.days, hours=cal.hours, weekdays=cal.weekdays, holidays=cal.holidays
        )
        topo = config.topology
        self.topology = topology or from_fixtures(topo.era, topo.scale, topo.seed)
        self.randoms = Randoms(self.seed)
        schedule = config.rollout.schedule_seed
        self.rollout: Rollout = build_rollout(
            config.rollout,
            self.topology,
            self.calendar,
            self.randoms if schedule is None else Randoms(schedule),
        )
        self.provinces = _province_groups(self.topology)
        self.workload = Workload(config.workload, self.topology, self.calendar, self.randoms)
        self.ctx = self._context()
        self._assemble()
        self.log: list[tuple[SimTime, str]] = []
        self._reports: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []

    def _context(self) -> RunContext:
        """What every part shares: recorders, the window, agency groups."""
        window = (self.warmup, self.horizon)
        quota = self.config.metrics.trace_documents
        self.metrics = Metrics(
            self.days,
            len(self.rollout.labels),
            len(self.provinces[1]),
            self.topology.n_systems,
            window=window,
        )
        work = self.calendar.to_work
        return RunContext(
            env=self.env,
            calendar=self.calendar,
            topology=self.topology,
            randoms=self.randoms,
            metrics=self.metrics,
            docs=DocBook(),
            tracer=Tracer(quota, self._trace_stride(quota), self.warmup),
            tick=self.tick,
            window=window,
            window_w=(float(work(self.warmup)), float(work(self.horizon))),
            tier=self.topology.tier.astype(np.int64),
            phase=self.rollout.phase.astype(np.int64),
            province=self.provinces[0],
        )

    def _assemble(self) -> None:
        """The parts, each with the environment, its section of the configuration and the
        shared context."""
        env, config, ctx = self.env, self.config, self.ctx
        self.axis = Axis(
            env, config.axis, self.randoms, self.calendar, outages=self._outages(),
            window=ctx.window,
        )  # fmt: skip
        self.systems = Systems(
            config.systems, ctx, self.axis, upload=config.axis.latency,
            relay=config.rollout.gateway_relay,
        )  # fmt: skip
        self.agencies = Agencies(config.agencies, self.topology, self.calendar, self.randoms)
        self.takebacks = TakeBacks()
        take_back = config.agencies.take_back
        self.statuses = StatusFlow(
            env, take_back, ctx, self.systems, self.takebacks,
            audit=config.metrics.audit_lifecycle,
        )  # fmt: skip
        self.handling = Handling(
            env, config.agencies, ctx, agencies=self.agencies, systems=self.systems,
            statuses=self.statuses, takebacks=self.takebacks, report_back=self._report_back,
        )  # fmt: skip
        self.router = Router(
            env, take_back, ctx, rollout=self.rollout, agencies=self.agencies,
            post=Post(config.post, self.topology, self.calendar, self.randoms),
            systems=self.systems, statuses=self.statuses, handling=self.handling,
            types=self.workload.types,
        )  # fmt: skip

    def __repr__(self) -> str:
        return f"<Model {self.config.name!r} seed={self.seed} days={self.config.days}>"

    # -- set-up ------------------------------------------------------------------------------

    @property
    def docs(self) -> DocBook:
        return self.ctx.docs

    @property
    def traces(self) -> dict[int, list[TraceEvent]]:
        return self.ctx.tracer.traces

    @property
    def audit(self) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]] | None:
        return self.statuses.audit

    def _outages(self) -> list[tuple[float, float]]:
        origin = datetime.combine(self.calendar.start, datetime.min.time())
        out = []
        for outage in self.config.axis.outages:
            t = (outage.start - origin).total_seconds()
            out.append((t, t + outage.hours * HOUR))
        axis = self.config.axis
        rng = self.randoms.generator(Purpose.OUTAGES)
        for _ in range(int(rng.poisson(axis.random_per_week * self.days / 7.0))):
            t = float(rng.uniform(0, self.horizon))
            out.append((t, t + float(rng.exponential(axis.random_mean_hours)) * HOUR))
        return out

    def _trace_stride(self, quota: int) -> int:
        if quota <= 0:
            return 0
        expected = self.workload.expected_per_day() * max(1.0, self.config.days * 5 / 7)
        return max(1, int(expected // quota))

    # -- running -----------------------------------------------------------------------------

    def run(self, progress: Progress | None = None) -> Model:
        """Run the model to its horizon; ``progress(days_done)`` is called once per day."""
        self.env.process(self._writers(progress))
        self.env.process(self._clock())
        self.env.process(self._rollout_log())
        self.env.process(self._outage_log())
        self.env.run(until=self.horizon + self.tick / 2)
        return self

    def _writers(self, progress: Progress | None) -> simpy.events.ProcessGenerator:
        for day in range(self.days):
            written = [self.workload.day(day), *self._reports_due(day)]
            batch = [new for new in written if new is not None]
            if batch:
                self.router.dispatch(concat_documents(batch))
                self.statuses.post()
            if progress is not None and day:
                progress(1)
            yield self.env.timeout(DAY)
        if progress is not None:
            progress(1)

    def _clock(self) -> simpy.events.ProcessGenerator:
        while True:
            yield self.env.timeout(self.tick)
            now = self.env.now
            self._axis_tick(now)
            if now % HOUR == 0:
                self.axis.close_hour(now)
            self.handling.tick(now)
            self.statuses.post()

    def _rollout_log(self) -> simpy.events.ProcessGenerator:
        onboard, phase, labels = self.rollout.onboard, self.rollout.phase, self.rollout.labels
        days = np.unique(np.floor(onboard[np.isfinite(onboard)] / DAY))
        for day in days[(days >= 0) & (days < self.days)].tolist():
            yield self.env.timeout(day * DAY - self.env.now)
            today = (onboard >= day * DAY) & (onboard < (day + 1) * DAY)
            counts = np.bincount(phase[today], minlength=len(labels))
            what = ", ".join(f"{n} of {labels[p]}" for p, n in enumerate(counts.tolist()) if n)
            self.log.append((self.env.now, f"agencies connected: {what}"))

    def _outage_log(self) -> simpy.events.ProcessGenerator:
        for a, b in self.axis.outages:
            if a >= self.horizon:
                return
            yield self.env.timeout(max(a - self.env.now, 0.0))
            self.log.append((self.env.now, "axis down"))
            yield self.env.timeout(max(b - self.env.now, 0.0))
            self.log.append((self.env.now, "axis up"))

    # -- the axis ----------------------------------------------------------------------------

    def _axis_tick(self, now: SimTime) -> None:
        """The axis serves the tick's documents and statuses; systems download them."""
        docs = self.router.doc_jobs.take(now)
        status = self.statuses.jobs.take(now)
        if not len(docs) and not len(status):
            return
        on_axis = status["channel"] == 0
        if len(docs):
            _, first, inverse = np.unique(docs["doc"], return_index=True, return_inverse=True)
            arrivals = docs["t_axis"][first]
            keys = docs["doc_key"][first]
        else:
            first = inverse = np.empty(0, dtype=np.int64)
            arrivals = keys = np.empty(0)
        if on_axis.any():
            arrivals = np.concatenate((arrivals, status["t"][on_axis]))
            keys = np.concatenate(
                (keys.astype(np.uint64), self.statuses.job_keys(pick(status, on_axis)))
            )
        dep = self.axis.serve(arrivals, keys)
        if len(docs):
            self._documents_departed(docs, first, dep[: len(first)][inverse], now)
        if len(status):
            done = status["t"].copy()
            done[on_axis] = dep[len(first) :]
            self.statuses.departed(status, done, now)

    def _documents_departed(
        self, docs: np.ndarray, first: np.ndarray, dep: np.ndarray, now: SimTime
    ) -> None:
        ctx = self.ctx
        ctx.metrics.axis_documents_sent(docs["t_send"][first], ctx.tier[docs["sender"][first]])
        system = self.topology.system[docs["recipient"]]
        download = np.maximum(self.systems.next_poll(system, dep), now)
        docs["t_arrive"] = download
        ctx.metrics.axis_delivered(
            docs["t_send"], ctx.tier[docs["sender"]], ctx.tier[docs["recipient"]]
        )
        ctx.metrics.downloaded(download, system)
        self.handling.arrive(docs)
        if docs["trace"].any():
            for row, d in zip(docs[docs["trace"]], dep[docs["trace"]], strict=True):
                ctx.tracer.add(row["doc"], row["t_axis"], "axis: document in", row["sender"])
                ctx.tracer.add(row["doc"], d, "axis: document stored", row["sender"])
                ctx.tracer.add(row["doc"], row["t_arrive"], "downloaded", row["recipient"])

    # -- report-backs ------------------------------------------------------------------------

    def _report_back(self, rows: np.ndarray, at: np.ndarray) -> None:
        """Steering documents of type 2 completed at ``at``: each recipient reports back to the
        sender. Reports due today go now; later ones join their day's batch of documents."""
        day = (at // DAY).astype(np.int64)
        today = day == int(self.env.now // DAY)
        if today.any():
            mine = pick(rows, today)
            self.router.dispatch(
                self.workload.report_backs(
                    mine["recipient"], mine["sender"], at[today], mine["key"]
                )
            )
        if not today.all():
            later = ~today
            self._reports.append((day[later], pick(rows, later), at[later]))

    def _reports_due(self, day: int) -> list[NewDocuments]:
        """The report-backs waiting for ``day``, as one batch."""
        if not self._reports:
            return []
        days = np.concatenate([d for d, _, _ in self._reports])
        rows = stack([r for _, r, _ in self._reports])
        at = np.concatenate([a for _, _, a in self._reports])
        due = days == day
        self._reports = [(days[~due], pick(rows, ~due), at[~due])] if not due.all() else []
        if not due.any():
            return []
        mine = pick(rows, due)
        return [self.workload.report_backs(mine["recipient"], mine["sender"], at[due], mine["key"])]


def _province_groups(topology: Topology) -> tuple[np.ndarray, list[str]]:
    """Each agency's province group (the provinces in organ-id order, then the central
    bodies), and the groups' labels: the People's Committees' organ ids."""
    pcs = np.unique(topology.province[topology.province >= 0])
    index = np.full(len(topology), len(pcs), dtype=np.int64)
    lookup = {int(p): i for i, p in enumerate(pcs.tolist())}
    mine = topology.province >= 0
    index[mine] = [lookup[int(p)] for p in topology.province[mine].tolist()]
    labels = [topology.organ_ids[p] for p in pcs.tolist()] + ["central"]
    return index, labels
