"""What a run measures, gathered as it goes into fixed-size counters and histograms.

Memory does not grow with the number of deliveries: times from sending to each status go into
log-spaced histograms (by delivery class, tier, phase and week of sending), counts into small
arrays by day or hour. Only documents keep one small row each, to tell at the end whether
their sender heard back from every electronic recipient.

Deliveries sent before the measurement window (the warm-up) are not counted, and neither is
anything after the horizon, except in the time series, which cover the whole run. Times to
status are right-censored at the horizon: next to the histogram of the times observed, each
group keeps the histogram of its deliveries' *follow-up* (horizon minus sending time), from
which :mod:`sim.cohorts` estimates the distribution as if every delivery had been followed to
its end.
"""

from __future__ import annotations

import numpy as np

from sim.statuses import CODE_INDEX, N_CODES
from sim.types import DAY, HOUR, Channel, Tier

EDGES = np.logspace(0.0, 8.0, 8 * 32 + 1)
"""Histogram bin edges for durations: 1 s to about 3 years, 32 bins a decade (7 % wide)."""
N_BINS = len(EDGES) + 1

N_TIERS = len(Tier)
N_CHANNELS = len(Channel)
ELECTRONIC, PAPER_CLASS = 0, 1
CLASSES = ("electronic", "paper")
"""Delivery classes for times to status: by axis or platform, or by post."""
DESKS = ("clerk", "leader", "officer")
CLERK, LEADER, OFFICER = 0, 1, 2


def _bump(counts: np.ndarray, flat_index: np.ndarray) -> None:
    """Add one to ``counts`` at each flat index (numpy's add.at is fastest on one axis)."""
    np.add.at(counts.reshape(-1), flat_index, 1)


def duration_bin(dt: np.ndarray) -> np.ndarray:
    return np.searchsorted(EDGES, dt, side="right")


class DocBook:
    """One row per document: time sent, electronic recipients, final statuses heard back."""

    def __init__(self) -> None:
        self.count = 0
        self._cap = 0
        self.t = np.empty(0)
        self.recipients = np.empty(0, dtype=np.int32)
        self.heard = np.empty(0, dtype=np.int32)

    def add(self, t: np.ndarray) -> np.ndarray:
        n = len(t)
        if self.count + n > self._cap:
            self._grow(max(2 * self._cap, self.count + n, 1024))
        ids = np.arange(self.count, self.count + n, dtype=np.int64)
        self.t[ids] = t
        self.recipients[ids] = 0
        self.heard[ids] = 0
        self.count += n
        return ids

    def _grow(self, cap: int) -> None:
        for name in ("t", "recipients", "heard"):
            old = getattr(self, name)
            new = np.empty(cap, dtype=old.dtype)
            new[: self.count] = old[: self.count]
            setattr(self, name, new)
        self._cap = cap


class Metrics:
    """Counters of one run of ``days`` days (the warm-up included) over the window
    [``window[0]``, ``window[1]``) with ``phases`` phase groups, ``provinces`` province groups
    (the last one: central bodies) and ``systems`` connection systems."""

    def __init__(
        self,
        days: int,
        phases: int,
        provinces: int,
        systems: int,
        *,
        window: tuple[float, float],
    ) -> None:
        self.days = days
        self.window = window
        self.horizon = days * DAY
        hours = days * 24
        weeks = (days + 6) // 7
        self.weeks = weeks
        self.phases = phases
        self.provinces = provinces
        # deliveries by day of sending: recipient tier x channel, sender tier x class,
        # sender province x class
        self.deliveries = np.zeros((days, N_TIERS, N_CHANNELS), dtype=np.int64)
        self.sent_by_tier = np.zeros((days, N_TIERS, 2), dtype=np.int64)
        self.sent_by_province = np.zeros((days, provinces, 2), dtype=np.int64)
        self.documents = np.zeros((days, N_TIERS), dtype=np.int64)
        self.pages_saved = 0
        self.paper_copies = 0
        self.paper_letters = 0
        self.paper_pages = 0
        self.axis_documents = np.zeros(N_TIERS, dtype=np.int64)
        self.axis_receipts = np.zeros((N_TIERS, N_TIERS), dtype=np.int64)
        # the national figures' scope (ministry- and province-level agencies), by day sent
        self.national_sent = np.zeros(days, dtype=np.int64)
        self.national_received = np.zeros(days, dtype=np.int64)
        # times to status: (code, class, tier, phase, weekday sent, bin) and (code, class, week,
        # bin), filled from lists of flat indices in bulk; follow-up of the deliveries the same
        # way. The weekday of sending is a stratum: a document sent on a Friday meets the
        # weekend sooner, so its handling time is not independent of its follow-up.
        self._group_shape = (N_CODES, 2, N_TIERS, phases, 7, N_BINS)
        self._week_shape = (N_CODES, 2, weeks, N_BINS)
        self._group = np.zeros(int(np.prod(self._group_shape)), dtype=np.int64)
        self._week = np.zeros(int(np.prod(self._week_shape)), dtype=np.int64)
        self._sum = np.zeros(N_CODES * 2 * N_TIERS)
        self._pending: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
        self._pending_rows = 0
        self.follow_group = np.zeros((2, N_TIERS, phases, 7, N_BINS), dtype=np.int64)
        self.follow_week = np.zeros((2, weeks, N_BINS), dtype=np.int64)
        self.due_total = np.zeros(N_TIERS, dtype=np.int64)
        self.due_met = np.zeros(N_TIERS, dtype=np.int64)
        self.arrived = np.zeros((hours, N_TIERS), dtype=np.int64)
        self.finished = np.zeros((hours, N_TIERS), dtype=np.int64)
        self.arrived_province = np.zeros((days, provinces), dtype=np.int64)
        self.finished_province = np.zeros((days, provinces), dtype=np.int64)
        self.sojourn_sum = np.zeros(N_TIERS)
        self.sojourn_n = np.zeros(N_TIERS, dtype=np.int64)
        # desks: busy seconds (working time) of jobs started in the window, and time from
        # ready to done per job (clock seconds), by desk and tier
        self.desk_busy = np.zeros((len(DESKS), N_TIERS))
        self.desk_sojourn = np.zeros((len(DESKS), N_TIERS))
        self.desk_jobs = np.zeros((len(DESKS), N_TIERS), dtype=np.int64)
        self.sends = np.zeros((hours, systems), dtype=np.int64)
        self.downloads = np.zeros((hours, systems), dtype=np.int64)
        self.take_backs = np.zeros(3, dtype=np.int64)  # requested, agreed, rejected by spec
        self.refused = 0
        self.report_backs = 0
        self.withdrawn = 0
        self.dispatched = 0  # deliveries put on their way, whole run
        self.arrived_total = 0  # deliveries that reached their recipient within the run
        self.arrive_late = 0  # deliveries that reach their recipient after the run
        self.open_beyond = 0  # arrived deliveries whose next step falls after the run

    def __repr__(self) -> str:
        return f"<Metrics of {self.days} days>"

    # -- helpers ---------------------------------------------------------------------------

    def _hour(self, t: np.ndarray) -> np.ndarray:
        return np.minimum((t // HOUR).astype(np.int64), self.days * 24 - 1)

    def _day(self, t: np.ndarray) -> np.ndarray:
        return np.minimum((t // DAY).astype(np.int64), self.days - 1)

    def _counted(self, t_send: np.ndarray) -> np.ndarray:
        return (t_send >= self.window[0]) & (t_send < self.window[1])

    def _week_of(self, t_send: np.ndarray) -> np.ndarray:
        return np.minimum((t_send // (7 * DAY)).astype(np.int64), self.weeks - 1)

    # -- recorders -------------------------------------------------------------------------

    def sent(self, t: np.ndarray, tier: np.ndarray) -> None:
        _bump(self.documents, self._day(t) * N_TIERS + tier)

    def delivered(
        self,
        t_send: np.ndarray,
        sender_tier: np.ndarray,
        sender_province: np.ndarray,
        tier: np.ndarray,
        phase: np.ndarray,
        channel: np.ndarray,
        pages: np.ndarray,
        paper_copy: np.ndarray,
        due: np.ndarray,
    ) -> None:
        """Deliveries dispatched: counts by day, the paper they take, their follow-up."""
        self.dispatched += len(t_send)
        day = self._day(t_send)
        _bump(self.deliveries, (day * N_TIERS + tier) * N_CHANNELS + channel)
        cls = (channel == Channel.PAPER).astype(np.int64)
        _bump(self.sent_by_tier, (day * N_TIERS + sender_tier) * 2 + cls)
        _bump(self.sent_by_province, (day * self.provinces + sender_province) * 2 + cls)
        counted = self._counted(t_send)
        if not counted.any():
            return
        electronic = cls == ELECTRONIC
        by_post = counted & ~electronic
        copies = counted & paper_copy
        self.pages_saved += int(pages[counted & electronic & ~paper_copy].sum())
        self.paper_copies += int(copies.sum())
        self.paper_letters += int(by_post.sum() + copies.sum())
        self.paper_pages += int(pages[by_post].sum() + pages[copies].sum())
        with_due = counted & (due <= self.horizon)
        np.add.at(self.due_total, tier[with_due], 1)
        c, follow = cls[counted], self.horizon - t_send[counted]
        b = duration_bin(follow)
        weekday = day[counted] % 7
        _bump(
            self.follow_group,
            (((c * N_TIERS + tier[counted]) * self.phases + phase[counted]) * 7 + weekday) * N_BINS
            + b,
        )
        _bump(self.follow_week, (c * self.weeks + self._week_of(t_send[counted])) * N_BINS + b)

    def axis_documents_sent(self, t_send: np.ndarray, sender_tier: np.ndarray) -> None:
        counted = self._counted(t_send)
        np.add.at(self.axis_documents, sender_tier[counted], 1)
        national = sender_tier <= Tier.PROVINCE
        np.add.at(self.national_sent, self._day(t_send[national]), 1)

    def axis_delivered(self, t_send: np.ndarray, sender_tier: np.ndarray, tier: np.ndarray) -> None:
        counted = self._counted(t_send)
        _bump(self.axis_receipts, sender_tier[counted] * N_TIERS + tier[counted])
        national = (sender_tier <= Tier.PROVINCE) & (tier <= Tier.PROVINCE)
        np.add.at(self.national_received, self._day(t_send[national]), 1)

    def uploaded(self, t: np.ndarray, system: np.ndarray) -> None:
        """Messages a system sends to the axis at ``t`` (for the traffic profile)."""
        inside = t < self.horizon
        _bump(self.sends, self._hour(t[inside]) * self.sends.shape[1] + system[inside])

    def downloaded(self, t: np.ndarray, system: np.ndarray) -> None:
        """Messages a system downloads from the axis at ``t`` (for the traffic profile)."""
        inside = t < self.horizon
        _bump(self.downloads, self._hour(t[inside]) * self.downloads.shape[1] + system[inside])

    def status_received(
        self,
        code: np.ndarray,
        cls: int,
        t_send: np.ndarray,
        receipt: np.ndarray,
        tier: np.ndarray,
        phase: np.ndarray,
    ) -> None:
        """Statuses reaching the document's sender at ``receipt`` (``cls`` electronic), or a
        paper delivery's milestones at its receiver (``cls`` paper)."""
        keep = (receipt < self.horizon) & self._counted(t_send)
        if not keep.all():
            if not keep.any():
                return
            code, t_send, receipt, tier, phase = (
                code[keep],
                t_send[keep],
                receipt[keep],
                tier[keep],
                phase[keep],
            )
        c = CODE_INDEX[code] * 2 + cls
        dt = receipt - t_send
        b = duration_bin(dt)
        c_tier = c * N_TIERS + tier
        weekday = (t_send // DAY).astype(np.int64) % 7
        group = ((c_tier * self.phases + phase) * 7 + weekday) * N_BINS + b
        week = (c * self.weeks + self._week_of(t_send)) * N_BINS + b
        self._pending.append((group, week, c_tier, dt))
        self._pending_rows += len(dt)
        if self._pending_rows > 2_000_000:
            self._flush()

    def _flush(self) -> None:
        if not self._pending:
            return
        group, week, c_tier, dt = (
            np.concatenate(part) for part in zip(*self._pending, strict=True)
        )
        self._group += np.bincount(group, minlength=len(self._group))
        self._week += np.bincount(week, minlength=len(self._week))
        self._sum += np.bincount(c_tier, weights=dt, minlength=len(self._sum))
        self._pending, self._pending_rows = [], 0

    @property
    def tts_group(self) -> np.ndarray:
        """Times to status: counts by (code index, class, recipient tier, phase, weekday of
        sending, bin)."""
        self._flush()
        return self._group.reshape(self._group_shape)

    @property
    def tts_week(self) -> np.ndarray:
        """Counts by (code index, class, week of sending, bin)."""
        self._flush()
        return self._week.reshape(self._week_shape)

    @property
    def tts_sum(self) -> np.ndarray:
        """Sum of times to status (seconds) by (code index, class, recipient tier)."""
        self._flush()
        return self._sum.reshape(N_CODES, 2, N_TIERS)

    def arrivals(self, t: np.ndarray, tier: np.ndarray, province: np.ndarray) -> None:
        inside = t < self.horizon
        self.arrived_total += int(inside.sum())
        _bump(self.arrived, self._hour(t[inside]) * N_TIERS + tier[inside])
        _bump(self.arrived_province, self._day(t[inside]) * self.provinces + province[inside])

    def finishes(
        self,
        t_arrive: np.ndarray,
        t_end: np.ndarray,
        tier: np.ndarray,
        province: np.ndarray,
        t_send: np.ndarray,
        due: np.ndarray,
    ) -> None:
        """Deliveries whose handling ends at ``t_end`` (completed or refused)."""
        inside = t_end < self.horizon
        _bump(self.finished, self._hour(t_end[inside]) * N_TIERS + tier[inside])
        _bump(
            self.finished_province,
            self._day(t_end[inside]) * self.provinces + province[inside],
        )
        np.add.at(self.sojourn_sum, tier[inside], t_end[inside] - t_arrive[inside])
        np.add.at(self.sojourn_n, tier[inside], 1)
        met = self._counted(t_send) & (due <= self.horizon) & (t_end <= due)
        np.add.at(self.due_met, tier[met], 1)

    def desk(
        self,
        desk: int,
        tier: np.ndarray,
        start_w: np.ndarray,
        effort: np.ndarray,
        ready: np.ndarray,
        done: np.ndarray,
        window_w: tuple[float, float],
    ) -> None:
        """Jobs served at one kind of desk: busy time of those starting in the window
        (working time ``window_w``), and their time from ready to done."""
        inside = (start_w >= window_w[0]) & (start_w < window_w[1])
        self.desk_busy[desk] += np.bincount(tier[inside], effort[inside], minlength=N_TIERS)
        measured = inside & (done < self.horizon)
        self.desk_sojourn[desk] += np.bincount(
            tier[measured], (done - ready)[measured], minlength=N_TIERS
        )
        self.desk_jobs[desk] += np.bincount(tier[measured], minlength=N_TIERS)
