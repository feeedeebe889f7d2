"""A finished run seen through its measurement window: the derived quantities the metrics of
:mod:`sim.catalogue` are computed from, each worked out once."""

from __future__ import annotations

import functools
import math
from datetime import timedelta

import numpy as np

from sim import cohorts
from sim.axis import WAIT_EDGES
from sim.metrics import ELECTRONIC, PAPER_CLASS
from sim.model import Model
from sim.planner import PeakHour, Trend, backlog_trend, paper_free_day, peak_hour
from sim.statuses import CODE_INDEX
from sim.types import DAY, HOUR, Channel, Tier

NATIONAL = slice(Tier.CENTRAL, Tier.PROVINCE + 1)


class Measures:
    """Derived views of a finished ``model``, shared by the metrics."""

    def __init__(self, model: Model) -> None:
        self.model = model
        self.metrics = model.metrics
        self.axis = model.axis
        self.first_day = int(model.warmup // DAY)
        self.first_hour = int(model.warmup // HOUR)
        self.window_seconds = model.horizon - model.warmup

    def __repr__(self) -> str:
        return f"<Measures of {self.model!r}>"

    # -- volumes ----------------------------------------------------------------------------

    @functools.cached_property
    def _deliveries(self) -> np.ndarray:
        return self.metrics.deliveries[self.first_day :]

    @property
    def documents(self) -> float:
        return float(self.metrics.documents[self.first_day :].sum())

    @property
    def deliveries_total(self) -> float:
        return float(self._deliveries.sum())

    @property
    def deliveries_electronic(self) -> float:
        return float(self._deliveries[:, :, : Channel.PAPER].sum())

    def electronic_share(self, tier: Tier | None = None) -> float:
        d = self._deliveries if tier is None else self._deliveries[:, tier : tier + 1]
        return _ratio(d[:, :, : Channel.PAPER].sum(), d.sum())

    @property
    def axis_share(self) -> float:
        return _ratio(self._deliveries[:, :, Channel.AXIS].sum(), self._deliveries.sum())

    @property
    def axis_sent(self) -> float:
        return float(self.metrics.axis_documents[NATIONAL].sum())

    @property
    def axis_received(self) -> float:
        return float(self.metrics.axis_receipts[NATIONAL, NATIONAL].sum())

    # -- paper-free dates -------------------------------------------------------------------

    def _date_value(self, day: float) -> float:
        if math.isnan(day):
            return math.nan
        return float((self.model.calendar.start + timedelta(days=int(day))).toordinal())

    def paper_free(self, tier: Tier) -> float:
        """The date (ordinal) from which ``tier`` sends 95 % electronically (NaN: not within
        the run)."""
        by = self.metrics.sent_by_tier[:, tier]
        return self._date_value(paper_free_day(by[:, 0], by.sum(axis=1), self.first_day))

    def paper_free_province(self, group: int) -> float:
        by = self.metrics.sent_by_province[:, group]
        return self._date_value(paper_free_day(by[:, 0], by.sum(axis=1), self.first_day))

    # -- time to status ---------------------------------------------------------------------

    def _cohort(self, code: int, paper: bool) -> tuple[np.ndarray, np.ndarray]:
        cls = PAPER_CLASS if paper else ELECTRONIC
        events = self.metrics.tts_group[CODE_INDEX[code], cls].sum(axis=(0, 1))
        follow = self.metrics.follow_group[cls].sum(axis=(0, 1))
        return events, follow

    def tts(self, code: int, q: float, *, paper: bool = False) -> float:
        """Hours from sending until ``code`` (quantile ``q``), censoring-corrected by weekday
        of sending."""
        events, follow = self._cohort(code, paper)
        return cohorts.quantile(cohorts.stratified(events, follow), q) / HOUR

    def open_share(self, code: int) -> float:
        events, follow = self._cohort(code, False)
        return 1.0 - _ratio(events.sum(), follow.sum())

    # -- feedback ---------------------------------------------------------------------------

    @property
    def feedback_complete(self) -> float:
        docs, model = self.model.docs, self.model
        n = docs.count
        window = (docs.t[:n] >= model.warmup) & (docs.t[:n] < model.horizon)
        window &= docs.recipients[:n] > 0
        complete = docs.heard[:n] >= docs.recipients[:n]
        return _ratio((complete & window).sum(), window.sum())

    def overdue(self, tier: Tier | None = None) -> float:
        m = self.metrics
        if tier is None:
            return 1.0 - _ratio(m.due_met.sum(), m.due_total.sum())
        return 1.0 - _ratio(m.due_met[tier], m.due_total[tier])

    # -- the axis ---------------------------------------------------------------------------

    def axis_hours(self, name: str) -> float:
        return float(getattr(self.axis, name)[self.axis.hours_in_window()].sum())

    def axis_utilisation(self, *, office: bool) -> float:
        servers = self.axis.servers
        if office:
            return _ratio(
                self.axis_hours("hour_office_busy"), servers * self.axis_hours("hour_office")
            )
        return self.axis_hours("hour_busy") / (servers * self.window_seconds)

    @property
    def axis_queue_max(self) -> float:
        return float(self.axis.hour_queue_max[self.axis.hours_in_window()].max(initial=0))

    def axis_wait(self, q: float) -> float:
        hist = self.axis.wait_hist
        total = hist.sum()
        if not total:
            return math.nan
        b = int(np.searchsorted(np.cumsum(hist), q * total, side="left"))
        if b == 0:
            return 0.0  # within the first bin: no wait worth a millisecond
        return float(WAIT_EDGES[min(b, len(WAIT_EDGES) - 1)])

    @functools.cached_property
    def peak(self) -> PeakHour | None:
        window = self.axis.hours_in_window()
        start = window.start - window.start % 24
        hours = np.arange(start, window.stop)
        working = np.array(
            [self.model.calendar.is_working_day(int(h // 24)) for h in hours], dtype=bool
        )
        working &= hours >= window.start
        return peak_hour(
            self.axis.hour_jobs[start : window.stop],
            self.axis.hour_busy[start : window.stop],
            working,
            self.axis.servers,
        )

    @property
    def peak_load(self) -> float:
        """Offered load in the peak hour against capacity: λ × mean service / servers."""
        if self.peak is None:
            return math.nan
        return self.peak.jobs_per_s / self.axis.capacity_per_s

    # -- desks and backlogs -----------------------------------------------------------------

    @functools.cached_property
    def _staff(self) -> np.ndarray:
        return self.model.agencies.staff_by_tier()

    def desk_utilisation(self, desk: int, tier: Tier) -> float:
        working = self.model.ctx.window_w[1] - self.model.ctx.window_w[0]
        return _ratio(self.metrics.desk_busy[desk, tier], self._staff[desk, tier] * working)

    def desk_time(self, desk: int, tier: Tier) -> float:
        m = self.metrics
        return _ratio(m.desk_sojourn[desk, tier], m.desk_jobs[desk, tier]) / HOUR

    @functools.cached_property
    def backlog(self) -> np.ndarray:
        """Deliveries received and not finished, at the end of each hour, by tier."""
        m = self.metrics
        return np.cumsum(m.arrived - m.finished, axis=0)

    def backlog_mean(self, tier: Tier) -> float:
        b = self.backlog[self.first_hour :, tier]
        return float(b.mean()) if len(b) else 0.0

    def backlog_end(self, tier: Tier) -> float:
        return float(self.backlog[-1, tier])

    def handling_mean(self, tier: Tier) -> float:
        m = self.metrics
        return _ratio(m.sojourn_sum[tier], m.sojourn_n[tier]) / HOUR

    @functools.cached_property
    def province_backlog(self) -> np.ndarray:
        """Backlog at the end of each day, by province group."""
        m = self.metrics
        return np.cumsum(m.arrived_province - m.finished_province, axis=0)

    def province_trend(self, group: int) -> Trend:
        cal = self.model.calendar
        days = [d for d in range(self.first_day, self.model.days) if cal.is_working_day(d)]
        return backlog_trend(self.province_backlog[days, group].astype(float))

    def connected_share(self, tier: Tier) -> float:
        mine = self.model.topology.tier == tier
        onboard = self.model.rollout.onboard[mine]
        return _ratio((onboard < self.model.horizon).sum(), mine.sum())


def _ratio(a: float, b: float) -> float:
    return float(a) / float(b) if b else math.nan
