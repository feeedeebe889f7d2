"""The SimPy model of the national network: agencies write, the axis relays, agencies handle.

Long-lived SimPy processes drive the model:

* the **writers** wake at every midnight and write the day's documents (:mod:`sim.workload`);
  each delivery goes by the axis, inside one connection system's platform, or by post,
  depending on who is connected (:mod:`sim.rollout`);
* the **clock** ticks every ``engine.tick_seconds`` (150 s by default): the axis serves the
  messages that arrived during the tick (:mod:`sim.axis`), systems poll and download what the
  axis holds, statuses reach the senders, and the agencies take in what reached them
  (:mod:`sim.agencies`), emitting statuses along spec's lifecycle (:mod:`sim.statuses`);
* the **rollout** process wakes on each onboarding day and logs who came online;
* the **outages** process marks when the axis goes down and comes back.

Per message, nothing is a SimPy event: a tick's messages are one batch of numpy rows, and a
document's way through clerk, leader and officer is computed the moment it arrives (the
delays in between are seen by nobody else, so they merge). Every queue keeps its exact
order: the axis serves in arrival order, each desk in the order of the incoming register.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import numpy as np
import simpy

from sim import statuses as st
from sim.agencies import Agencies
from sim.axis import Axis
from sim.calendar import WorkCalendar, parse_clock
from sim.distributions import Duration
from sim.errors import ScenarioError
from sim.metrics import DocBook, Metrics
from sim.post import Post
from sim.records import ARRIVING, DELIVERY, RESUMING, STATUS, key_of, pick, stack
from sim.rollout import Rollout, build_rollout
from sim.timeline import Timeline
from sim.topology import Topology, from_fixtures
from sim.types import DAY, HOUR, Channel, Role, SimTime, Tier
from sim.workload import NewDocuments, Workload, concat_documents

STREAMS = (
    "workload",
    "routing",
    "axis",
    "latency",
    "desks",
    "post",
    "take-back",
    "rollout",
    "habits",
    "outages",
    "systems",
)
"""The model's independent random streams, each spawned from the run's seed."""

Progress = Callable[[int], None]

AXIS, PLATFORM, PAPER = int(Channel.AXIS), int(Channel.PLATFORM), int(Channel.PAPER)


@dataclass(frozen=True, slots=True)
class TraceEvent:
    """One step in the life of a traced document."""

    t: SimTime
    what: str
    agency: int
    detail: str = ""


class Model:
    """One run of a scenario (its validated data ``config``) with one seed."""

    def __init__(
        self,
        config: Mapping[str, Any],
        seed: int,
        *,
        topology: Topology | None = None,
        days: int | None = None,
    ) -> None:
        self.config = config
        self.seed = int(seed)
        self.days = int(days if days is not None else config["days"])
        self.tick = float(config["engine"]["tick_seconds"])
        if DAY % self.tick:
            raise ScenarioError(f"engine.tick_seconds(={self.tick!r}) must divide a day")
        spawned = np.random.SeedSequence(self.seed).spawn(len(STREAMS))
        self.rng = {
            name: np.random.default_rng(s) for name, s in zip(STREAMS, spawned, strict=True)
        }
        cal = config["calendar"]
        self.calendar = WorkCalendar(
            _as_date(config["start"]),
            self.days,
            hours=[(parse_clock(a), parse_clock(b)) for a, b in cal["hours"]],
            weekdays=cal["weekdays"],
            holidays=[_as_date(h) for h in cal["holidays"]],
        )
        topo = config["topology"]
        self.topology = topology or from_fixtures(
            str(topo["era"]), float(topo["scale"]), int(topo["seed"])
        )
        self.warmup = float(config["warmup_days"]) * DAY
        self.horizon = self.days * DAY
        self.rollout: Rollout = build_rollout(
            config["rollout"], self.topology, self.calendar, self.rng["rollout"]
        )
        self.relay = bool(config["rollout"]["gateway_relay"])
        agencies = config["agencies"]
        self.agencies = Agencies(agencies, self.topology, self.calendar, self.rng["habits"])
        self.feedback = bool(agencies["feedback"])
        take_back = agencies["take_back"]
        self.take_back_rate = float(take_back["rate"])
        self.take_back_delay = float(take_back["mean_hours"]) * HOUR
        self.take_back_agree = float(take_back["agree"])
        self.answer_effort = Duration.of(take_back["answer_minutes"], 60.0)
        axis = config["axis"]
        self.axis = Axis(
            int(axis["servers"]),
            Duration.of(axis["service_seconds"]),
            self.rng["axis"],
            outages=self._outages(axis),
            warmup=self.warmup,
        )
        self.latency = Duration.of(axis["latency_seconds"])
        systems = config["systems"]
        self.relay_latency = Duration.of(systems["relay_seconds"])
        self.platform_latency = Duration.of(systems["platform_seconds"])
        self.ack = Duration.of(systems["ack_seconds"])
        self._init_polls(systems["poll_minutes"])
        self.post = Post(config["post"], self.topology, self.calendar)
        work = config["workload"]
        self.workload = Workload(
            work["streams"],
            self.topology,
            self.calendar,
            pages_mean=float(work["pages_mean"]),
            report_type=str(work["report_type"]),
        )
        self.metrics = Metrics(
            self.days, len(self.rollout.labels), self.topology.n_systems, warmup=self.warmup
        )
        self.docs = DocBook()
        self._tier = self.topology.tier.astype(np.int64)
        self._phase = self.rollout.phase.astype(np.int64)
        self._lower = self.topology.tier >= Tier.DISTRICT
        self._n = len(self.topology)
        # pending work
        self.doc_jobs = Timeline(DELIVERY, "t_axis")
        self.status_jobs = Timeline(STATUS, "t")
        self.arrivals = Timeline(DELIVERY, "t_next")
        # take-backs: (document, recipient) -> the receiver's status times, and withdrawals
        self._receiver_times: dict[int, tuple[float, ...]] = {}
        self._withdrawn: dict[int, float] = {}
        metrics_spec = config["metrics"]
        self._trace_quota = int(metrics_spec["trace_documents"])
        self._trace_stride = self._trace_stride_for(self._trace_quota)
        self.traces: dict[int, list[TraceEvent]] = {}
        self.audit: list[tuple[np.ndarray, np.ndarray, np.ndarray]] | None = (
            [] if metrics_spec["audit_lifecycle"] else None
        )
        self.log: list[tuple[SimTime, str]] = []
        self._outbox: list[np.ndarray] = []
        self._inbox: list[dict[str, np.ndarray]] = []
        self._reports: dict[int, list[tuple[np.ndarray, np.ndarray, np.ndarray]]] = {}
        self.env = simpy.Environment()

    def __repr__(self) -> str:
        return f"<Model {self.config.get('name', '?')!r} seed={self.seed} days={self.days}>"

    # -- set-up ------------------------------------------------------------------------------

    def _outages(self, axis: Mapping[str, Any]) -> list[tuple[float, float]]:
        out = []
        origin = datetime.combine(self.calendar.start, datetime.min.time())
        for item in axis["outages"]:
            try:
                start = datetime.fromisoformat(str(item["start"]))
            except ValueError:
                raise ScenarioError(
                    f"axis.outages start(={item['start']!r}) must look like 2016-10-10T08:00"
                ) from None
            t = (start - origin).total_seconds()
            out.append((t, t + float(item["hours"]) * HOUR))
        rand = axis["random_outages"]
        rng = self.rng["outages"]
        count = rng.poisson(float(rand["per_week"]) * self.days / 7.0)
        for _ in range(int(count)):
            t = float(rng.uniform(0, self.horizon))
            out.append((t, t + float(rng.exponential(float(rand["mean_hours"]))) * HOUR))
        return out

    def _init_polls(self, poll_minutes: Mapping[str, Any]) -> None:
        topo = self.topology
        owner = np.full(topo.n_systems, -1, dtype=np.int64)
        level1 = np.flatnonzero(topo.root == np.arange(len(topo)))
        owner[topo.system[level1]] = level1
        role = np.where(owner >= 0, topo.role[np.clip(owner, 0, None)], Role.PROVINCE)
        minutes = np.where(role == Role.CENTRAL, poll_minutes["central"], poll_minutes["province"])
        slots = minutes * 60.0 / self.tick
        if not np.allclose(slots, np.round(slots)) or (np.round(slots) < 1).any():
            raise ScenarioError(
                f"systems.poll_minutes(={dict(poll_minutes)!r}) must be whole multiples of "
                f"engine.tick_seconds(={self.tick!r})"
            )
        self.poll_every = np.round(slots) * self.tick
        self.poll_offset = (
            self.rng["systems"].integers(0, np.round(slots).astype(np.int64)) * self.tick
        )

    def _trace_stride_for(self, quota: int) -> int:
        if quota <= 0:
            return 0
        per_day = sum(s.per_day * len(s.senders) for s in self.workload.streams)
        expected = per_day * max(1.0, (self.horizon - self.warmup) / DAY * 5 / 7)
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
            batch = [self.workload.day(day, self.rng["workload"])]
            batch += [self._reports_of(*part) for part in self._reports.pop(day, [])]
            batch = [new for new in batch if new is not None]
            if batch:
                self.dispatch(concat_documents(batch))
                self._post_outbox()
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
            self._desk_tick(now)
            self._post_outbox()

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

    # -- sending -----------------------------------------------------------------------------

    def dispatch(self, new: NewDocuments) -> None:
        """Send a batch of documents: pick each delivery's channel and put it on its way."""
        topo, rng = self.topology, self.rng["routing"]
        n = len(new)
        sender_tier = self._tier[new.sender]
        ids = self.docs.add(new.t, sender_tier, np.bincount(new.rec_doc, minlength=n))
        self.metrics.sent(new.t, sender_tier)
        d = new.rec_doc
        s, r, t = new.sender[d], new.rec_agency, new.t[d]
        m = len(r)
        share = np.minimum(self.rollout.adoption(s, t), self.rollout.adoption(r, t))
        electronic = rng.random(m) < share
        same = topo.system[s] == topo.system[r]
        reachable = self.relay | ~(self._lower[s] | self._lower[r])
        channel = np.full(m, PAPER, dtype=np.int8)
        channel[electronic & same] = PLATFORM
        channel[electronic & ~same & reachable] = AXIS
        electronic = channel != PAPER
        rows = np.empty(m, DELIVERY)
        rows["doc"] = ids[d]
        rows["sender"] = s
        rows["recipient"] = r
        rows["t_send"] = t
        rows["channel"] = channel
        rows["steering"] = new.steering[d]
        rows["pages"] = new.pages[d]
        rows["due"] = new.due[d]
        rows["stage"] = ARRIVING
        dependent = electronic & (rng.random(m) < self.agencies.paper_dependence[r])
        by_post = dependent | ~electronic
        paper_at = np.full(m, np.inf)
        if by_post.any():
            opened = self.post.arrival(t[by_post], s[by_post], r[by_post], self.rng["post"])
            # the letter is taken in on the engine's tick
            paper_at[by_post] = np.ceil(opened / self.tick) * self.tick
        rows["paper_at"] = paper_at
        rows["t13"] = np.inf
        if self.take_back_rate > 0:
            tb_rng = self.rng["take-back"]
            asked = tb_rng.random(n) < self.take_back_rate
            if asked.any():
                t13 = np.where(asked, new.t + tb_rng.exponential(self.take_back_delay, n), np.inf)
                rows["t13"] = np.where(electronic, t13[d], np.inf)
        rows["trace"] = self._traced(ids, new.t)[d]
        self.metrics.delivered(t, self._tier[r], channel, rows["pages"], dependent, rows["due"])
        self._route(rows, channel)
        for i in np.flatnonzero(rows["trace"]).tolist():
            row = rows[i]
            kind = self.workload.types[new.stream[d[i]]]
            way = Channel(int(row["channel"])).label
            to = topo.organ_ids[row["recipient"]]
            self._trace(
                row["doc"], row["t_send"], "sent", row["sender"], f"{kind} to {to} by {way}"
            )

    def _traced(self, ids: np.ndarray, t: np.ndarray) -> np.ndarray:
        """Which new documents get a trace: every stride-th one after the warm-up, up to the
        quota."""
        if not self._trace_stride or len(self.traces) >= self._trace_quota:
            return np.zeros(len(ids), dtype=bool)
        traced = (ids % self._trace_stride == 0) & (t >= self.warmup)
        traced &= np.cumsum(traced) <= self._trace_quota - len(self.traces)
        for doc in ids[traced].tolist():
            self.traces[doc] = []
        return traced

    def _route(self, rows: np.ndarray, channel: np.ndarray) -> None:
        """Put new deliveries on their way: axis, platform or post; and queue take-backs."""
        # by the axis: one job per document, however many recipients it has there
        via_axis = pick(rows, channel == AXIS)
        if len(via_axis):
            _, first, inverse = np.unique(via_axis["doc"], return_index=True, return_inverse=True)
            senders = via_axis["sender"][first]
            upload = via_axis["t_send"][first] + self._upload_latency(senders)
            via_axis["t_axis"] = upload[inverse]
            self.doc_jobs.add(via_axis)
            self.metrics.uploaded(upload, self.topology.system[senders])
        # inside one platform: delivered on the next tick after the platform's latency
        inside = pick(rows, channel == PLATFORM)
        if len(inside):
            ready = inside["t_send"] + self.platform_latency.draw(self.rng["latency"], len(inside))
            inside["t_arrive"] = (ready // self.tick + 1) * self.tick
            self._arrive(inside)
        posted = pick(rows, channel == PAPER)
        if len(posted):
            posted["t_arrive"] = posted["paper_at"]
            self._arrive(posted)
        asking = pick(rows, np.isfinite(rows["t13"]))
        if len(asking):
            everyone = np.arange(len(asking))
            self._emit(asking, [(st.TAKE_BACK, everyone, asking["t13"])], from_sender=True)

    def _arrive(self, rows: np.ndarray) -> None:
        """Deliveries reach their recipients at ``t_arrive`` (those within the horizon)."""
        rows["t_next"] = rows["t_arrive"]
        self.arrivals.add(pick(rows, rows["t_arrive"] < self.horizon))

    def _upload_latency(self, agency: np.ndarray) -> np.ndarray:
        lat = self.latency.draw(self.rng["latency"], len(agency))
        lower = self._lower[agency]
        if self.relay and lower.any():
            lat[lower] += self.relay_latency.draw(self.rng["latency"], int(lower.sum()))
        return lat

    def _emit(
        self,
        rows: np.ndarray,
        parts: list[tuple[int, np.ndarray, np.ndarray]],
        *,
        from_sender: bool = False,
    ) -> None:
        """Statuses about deliveries ``rows``: for each (code, which rows, emitted at), the
        status ``code`` of ``rows[which]`` at those times.

        Inside a platform nothing queues, so unless a take-back may still withdraw the
        delivery a status reaches the sender on the tick after its latency, known now. The
        others join the outbox for the axis (or, with a take-back pending, for the check)."""
        which = [w.nonzero()[0] if w.dtype == bool else w for _, w, _ in parts]
        idx = np.concatenate(which) if len(which) > 1 else which[0]
        emitted = np.concatenate([e for _, _, e in parts]) if len(parts) > 1 else parts[0][2]
        codes = np.repeat(
            np.array([c for c, _, _ in parts], dtype=np.int8), [len(w) for w in which]
        )
        keep = emitted < self.horizon
        if not keep.all():
            idx, emitted, codes = idx[keep], emitted[keep], codes[keep]
        if len(idx) == 0:
            return
        base = pick(rows, idx)
        if base["trace"].any():
            for i in np.flatnonzero(base["trace"]).tolist():
                who = base["sender"][i] if from_sender else base["recipient"][i]
                self._trace(base["doc"][i], emitted[i], f"status {codes[i]:02d} sent", who)
        queued = (base["channel"] == AXIS) | (base["t13"] < np.inf)
        if not queued.all():
            direct = ~queued
            fields = {name: base[name][direct] for name in _STATUS_FIELDS}
            fields["code"] = codes[direct]
            fields["emitted"] = emitted[direct]
            ready = fields["emitted"] + self.platform_latency.draw(
                self.rng["latency"], len(fields["code"])
            )
            fields["receipt"] = (ready // self.tick + 1) * self.tick
            self._inbox.append(fields)
            if not queued.any():
                return
            base, emitted, codes = pick(base, queued), emitted[queued], codes[queued]
        n = len(base)
        out = np.empty(n, STATUS)
        out["emitted"] = emitted
        out["code"] = codes
        for name in _STATUS_FIELDS:
            out[name] = base[name]
        out["channel"] = base["channel"]
        out["tb"] = base["t13"] < np.inf
        origin = base["sender"] if from_sender else base["recipient"]
        axis = base["channel"] == AXIS
        delay = (
            self._upload_latency(origin)
            if axis.all()
            else self.platform_latency.draw(self.rng["latency"], n)
        )
        if axis.any():
            if not axis.all():
                delay[axis] = self._upload_latency(origin[axis])
            self.metrics.uploaded(emitted[axis] + delay[axis], self.topology.system[origin[axis]])
        out["t"] = emitted + delay
        self._outbox.append(out)

    def _post_outbox(self) -> None:
        """Statuses emitted since the last call: the axis's to its queue, the platforms' to
        their senders."""
        if self._outbox:
            self.status_jobs.add(stack(self._outbox))
            self._outbox = []
        if self._inbox:
            inbox = self._inbox
            fields = (
                inbox[0]
                if len(inbox) == 1
                else {k: np.concatenate([f[k] for f in inbox]) for k in inbox[0]}
            )
            self._inbox = []
            self._received(fields, fields["receipt"])

    # -- the axis and the systems --------------------------------------------------------------

    def _poll(self, system: np.ndarray, t: np.ndarray) -> np.ndarray:
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

    def _axis_tick(self, now: SimTime) -> None:
        docs = self.doc_jobs.take(now)
        status = self.status_jobs.take(now)
        if len(docs) or len(status):
            self._serve_tick(docs, status, now)
        queued, serving = self.axis.sample(now)
        self.metrics.axis_sample(now - self.tick / 2, queued, serving)

    def _serve_tick(self, docs: np.ndarray, status: np.ndarray, now: SimTime) -> None:
        """The axis serves the tick's documents and statuses; systems download them."""
        on_axis = status["channel"] == AXIS
        if len(docs):
            unique_docs, first, inverse = np.unique(
                docs["doc"], return_index=True, return_inverse=True
            )
            doc_arrivals = docs["t_axis"][first]
        else:
            unique_docs = first = inverse = np.empty(0, dtype=np.int64)
            doc_arrivals = np.empty(0)
        arrivals = np.concatenate((doc_arrivals, status["t"][on_axis]))
        if len(arrivals):
            dep = self.axis.serve(arrivals)
            if len(docs):
                self._documents_departed(docs, first, dep[: len(unique_docs)][inverse], now)
            done = status["t"].copy()
            done[on_axis] = dep[len(unique_docs) :]
        else:
            done = status["t"]
        if len(status):
            self._statuses_departed(status, done, now)

    def _documents_departed(
        self, docs: np.ndarray, first: np.ndarray, dep: np.ndarray, now: SimTime
    ) -> None:
        senders = docs["sender"][first]
        self.metrics.axis_documents_sent(docs["t_send"][first], self._tier[senders])
        system = self.topology.system[docs["recipient"]]
        download = np.maximum(self._poll(system, dep), now)
        docs["t_arrive"] = download
        self.metrics.axis_delivered(
            docs["t_send"], self._tier[docs["sender"]], self._tier[docs["recipient"]]
        )
        self.metrics.downloaded(download, system)
        self._arrive(docs)
        if docs["trace"].any():
            for row, d in zip(docs[docs["trace"]], dep[docs["trace"]], strict=True):
                self._trace(row["doc"], row["t_axis"], "axis: document in", row["sender"])
                self._trace(row["doc"], d, "axis: document stored", row["sender"])
                self._trace(row["doc"], row["t_arrive"], "downloaded", row["recipient"])

    def _statuses_departed(self, status: np.ndarray, done: np.ndarray, now: SimTime) -> None:
        if status["tb"].any():
            keep = self._not_withdrawn(status)
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
            system = self.topology.system[status["sender"][axis]]
            receipt[axis] = np.maximum(self._poll(system, done[axis]), now)
            self.metrics.downloaded(receipt[axis], system)
        self._received(status, receipt)

    def _received(self, status: Any, receipt: np.ndarray) -> None:
        """Statuses reach the documents' senders at ``receipt``; ``status`` holds the fields
        of :data:`sim.records.STATUS` that matter (a structured array or a dict of arrays)."""
        recipient = status["recipient"]
        self.metrics.status_received(
            status["code"],
            status["t_send"],
            receipt,
            self._tier[recipient],
            self._phase[recipient],
        )
        final = _TERMINAL[status["code"]] & (receipt < self.horizon)
        if final.any():
            np.add.at(self.docs.heard, status["doc"][final], 1)
        self._audit(status)
        if status["trace"].any():
            for i in np.flatnonzero(status["trace"]).tolist():
                what = f"status {status['code'][i]:02d} received"
                self._trace(status["doc"][i], receipt[i], what, status["sender"][i])

    def _audit(self, status: Any) -> None:
        if self.audit is not None and len(status["code"]):
            key = key_of(status["doc"], status["recipient"], self._n)
            self.audit.append((key, status["code"].copy(), status["emitted"].copy()))

    def _not_withdrawn(self, status: np.ndarray) -> np.ndarray:
        keep = np.ones(len(status), dtype=bool)
        for i in np.flatnonzero(status["tb"]).tolist():
            row = status[i]
            at = self._withdrawn.get(int(row["doc"]) * self._n + int(row["recipient"]))
            if at is not None and row["emitted"] > at and int(row["code"]) not in st.AFTER_AGREED:
                keep[i] = False
        return keep

    def _take_backs(self, asks: np.ndarray, done: np.ndarray, now: SimTime) -> None:
        """The sender's 13s reach their receivers, who answer 15 or 16 if spec allows the 13."""
        rng = self.rng["take-back"]
        system = self.topology.system[asks["recipient"]]
        axis = asks["channel"] == AXIS
        seen = np.full(len(asks), now)
        if axis.any():
            seen[axis] = np.maximum(self._poll(system[axis], done[axis]), now)
            self.metrics.downloaded(seen[axis], system[axis])
        work = np.asarray(self.calendar.to_work(seen)) + self.answer_effort.draw(rng, len(asks))
        answer = np.maximum(np.asarray(self.calendar.from_work(work)), seen)
        agreed = rng.random(len(asks)) < self.take_back_agree
        allowed = np.ones(len(asks), dtype=bool)
        for i, row in enumerate(asks):
            key = int(row["doc"]) * self._n + int(row["recipient"])
            allowed[i] = _take_back_allowed(self._receiver_times.get(key), float(row["emitted"]))
            if allowed[i] and agreed[i]:
                self._withdrawn[key] = float(answer[i])
        self.metrics.take_backs += (
            int(allowed.sum()),
            int((allowed & agreed).sum()),
            int((~allowed).sum()),
        )
        self._audit(pick(asks, allowed))
        for code, which in ((st.AGREED, allowed & agreed), (st.DECLINED, allowed & ~agreed)):
            if which.any():
                rows = np.zeros(int(which.sum()), DELIVERY)
                for name in ("doc", "sender", "recipient", "t_send", "channel", "trace"):
                    rows[name] = asks[name][which]
                rows["t13"] = asks["emitted"][which]
                self._emit(rows, [(code, np.arange(len(rows)), answer[which])])

    # -- the agencies --------------------------------------------------------------------------

    def _desk_tick(self, now: SimTime) -> None:
        rows = self.arrivals.take(now + self.tick / 2)
        if len(rows) == 0:
            return
        tb = np.isfinite(rows["t13"])
        if tb.any():
            keep = np.ones(len(rows), dtype=bool)
            for i in np.flatnonzero(tb).tolist():
                at = self._withdrawn.get(int(rows["doc"][i]) * self._n + int(rows["recipient"][i]))
                keep[i] = at is None or at > now
            rows = pick(rows, keep)
        resuming = pick(rows, rows["stage"] == RESUMING)
        arriving = pick(rows, rows["stage"] == ARRIVING)
        ready = self._register(arriving, now) if len(arriving) else arriving
        both = [part for part in (resuming, ready) if len(part)]
        if both:
            self._handle(stack(both), now)

    def _register(self, rows: np.ndarray, now: SimTime) -> np.ndarray:
        """The clerks take in ``rows``; returns the rows a leader may assign now."""
        rng = self.rng["desks"]
        recipient = rows["recipient"]
        tier = self._tier[recipient]
        self.metrics.arrivals(rows["t_arrive"], tier)
        electronic = rows["channel"] != PAPER
        # the software stores each downloaded document and reports 01; then the clerk sees it
        shown = np.full(len(rows), now)
        shown[electronic] += self.ack.draw(self.rng["latency"], int(electronic.sum()))
        w_done = self.agencies.register(recipient, shown, rng)
        t_done = np.maximum(np.asarray(self.calendar.from_work(w_done)), shown)
        refused = electronic & (rng.random(len(rows)) < self.agencies.refusal_rate)
        if self.feedback and electronic.any():
            accepted = electronic & ~refused
            self._emit(
                rows,
                [
                    (st.ARRIVED, electronic, shown[electronic]),
                    (st.REFUSED, refused, t_done[refused]),
                    (st.ACCEPTED, accepted, t_done[accepted]),
                ],
            )
        if refused.any():
            self.metrics.refused += int(refused.sum())
            gone = pick(rows, refused)
            self.metrics.finishes(
                gone["t_arrive"], t_done[refused], tier[refused], gone["t_send"], gone["due"]
            )
        self._remember(rows, refused, shown, t_done)
        if rows["trace"].any():
            for row, t in zip(rows[rows["trace"]], t_done[rows["trace"]], strict=True):
                self._trace(row["doc"], row["t_arrive"], "arrived", row["recipient"])
                self._trace(row["doc"], t, "registered by the clerk", row["recipient"])
        paper_at = rows["paper_at"]
        waits = electronic & ~refused & np.isfinite(paper_at) & (paper_at > t_done)
        if waits.any():
            later = pick(rows, waits)
            later["stage"] = RESUMING
            later["t_next"] = later["paper_at"]
            later["w_ready"] = self.calendar.to_work(later["paper_at"])
            self.arrivals.add(pick(later, later["t_next"] < self.horizon))
            for row in later[later["trace"]]:
                self._trace(row["doc"], row["paper_at"], "paper copy in", row["recipient"])
        go = ~refused & ~waits
        ready = pick(rows, go)
        ready["w_ready"] = w_done[go]
        return ready

    def _handle(self, rows: np.ndarray, now: SimTime) -> None:
        """Leaders assign and officers process ``rows``; statuses 04, 05, 06 and report-backs."""
        rng = self.rng["desks"]
        recipient = rows["recipient"]
        times = self.agencies.handle(recipient, rows["w_ready"], rows["steering"], rng)
        assigned, taken, completed = (np.maximum(x, now) for x in times)
        electronic = rows["channel"] != PAPER
        if self.feedback and electronic.any():
            self._emit(
                rows,
                [
                    (st.ASSIGNED, electronic, assigned[electronic]),
                    (st.PROCESSING, electronic, taken[electronic]),
                    (st.COMPLETED, electronic, completed[electronic]),
                ],
            )
        self.metrics.finishes(
            rows["t_arrive"], completed, self._tier[recipient], rows["t_send"], rows["due"]
        )
        for i in np.flatnonzero(np.isfinite(rows["t13"])).tolist():
            key = int(rows["doc"][i]) * self._n + int(rows["recipient"][i])
            before = self._receiver_times.get(key, (np.inf,) * 3)
            later = (float(assigned[i]), float(taken[i]), float(completed[i]))
            self._receiver_times[key] = (*before[:3], *later)
        if rows["trace"].any():
            marked = rows["trace"]
            for row, a, b, c in zip(
                rows[marked], assigned[marked], taken[marked], completed[marked], strict=True
            ):
                self._trace(row["doc"], a, "assigned by a leader", row["recipient"])
                self._trace(row["doc"], b, "taken up by an officer", row["recipient"])
                self._trace(row["doc"], c, "completed", row["recipient"])
        reports = (rows["steering"] == 2) & (completed < self.horizon)
        if reports.any():
            self._report_back(pick(rows, reports), completed[reports])

    def _remember(
        self, rows: np.ndarray, refused: np.ndarray, shown: np.ndarray, t_done: np.ndarray
    ) -> None:
        """Keep the first status times of deliveries that may get a take-back request."""
        for i in np.flatnonzero(np.isfinite(rows["t13"])).tolist():
            key = int(rows["doc"][i]) * self._n + int(rows["recipient"][i])
            t01, t = float(shown[i]), float(t_done[i])
            self._receiver_times[key] = (t01, t, np.inf) if refused[i] else (t01, np.inf, t)

    def _report_back(self, rows: np.ndarray, at: np.ndarray) -> None:
        """Steering documents of type 2 completed at ``at``: each recipient reports back to the
        sender. Reports due on a later day join that day's batch of documents."""
        self.metrics.report_backs += len(rows)
        day = (at // DAY).astype(np.int64)
        today = day == int(self.env.now // DAY)
        if today.any():
            self.dispatch(
                self._reports_of(rows["recipient"][today], rows["sender"][today], at[today])
            )
        for d in np.unique(day[~today]).tolist():
            mine = day == d
            self._reports.setdefault(d, []).append(
                (rows["recipient"][mine], rows["sender"][mine], at[mine])
            )

    def _reports_of(
        self, sender: np.ndarray, recipient: np.ndarray, at: np.ndarray
    ) -> NewDocuments:
        n = len(sender)
        return NewDocuments(
            sender=sender.copy(),
            t=at,
            steering=np.zeros(n, dtype=np.int8),
            due=np.full(n, np.inf),
            pages=self.workload.pages(self.rng["workload"], n),
            stream=np.full(n, self.workload.report_back, dtype=np.int16),
            rec_doc=np.arange(n),
            rec_agency=recipient.copy(),
        )

    # -- traces ------------------------------------------------------------------------------

    def _trace(self, doc: int, t: float, what: str, agency: int, detail: str = "") -> None:
        events = self.traces.get(int(doc))
        if events is not None:
            events.append(TraceEvent(float(t), what, int(agency), detail))


_STATUS_FIELDS = ("doc", "sender", "recipient", "t_send", "trace")

_TERMINAL = np.zeros(max(st.CODES) + 1, dtype=bool)
_TERMINAL[list(st.TERMINAL)] = True


def _take_back_allowed(times: tuple[float, ...] | None, t13: float) -> bool:
    """Whether spec's lifecycle lets a 13 at ``t13`` follow what the receiver emitted by then.

    ``times`` are the receiver's (01, 02, 03, 04, 05, 06) times (inf: not emitted), or None when
    it has not downloaded the document yet."""
    if times is None:
        return st.TAKE_BACK_ALLOWED[0]
    t01, t02, t03, t04, t05, t06 = (*times, *(math.inf,) * (6 - len(times)))
    if t02 <= t13:
        return st.TAKE_BACK_AFTER_REFUSAL
    steps = sum(x <= t13 for x in (t01, t03, t04, t05, t06))
    return st.TAKE_BACK_ALLOWED[steps]


def _as_date(value: Any) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ScenarioError(
            f"date (value={value!r}) must be an ISO date such as 2016-03-25"
        ) from None
