"""What a run measures, gathered as it goes into fixed-size counters and histograms.

Memory does not grow with the number of deliveries: times from sending to each status go into
log-spaced histograms (by tier, by phase, by week of sending), counts into small arrays by
day or hour. Only documents keep one small row each, to tell at the end whether their sender
heard back from every recipient. Nothing sent before the warm-up ends is counted, except the
axis and backlog time series, which show the warm-up too.
"""

from __future__ import annotations

import numpy as np

from sim.statuses import CODES
from sim.types import DAY, HOUR, Channel, Tier

EDGES = np.logspace(0.0, 8.0, 8 * 32 + 1)
"""Histogram bin edges for durations: 1 s to about 3 years, 32 bins a decade (7 % wide)."""

N_TIERS = len(Tier)
N_CHANNELS = len(Channel)
CODE_INDEX = np.full(max(CODES) + 1, -1, dtype=np.int64)
CODE_INDEX[list(CODES)] = np.arange(len(CODES))


def _bump(counts: np.ndarray, flat_index: np.ndarray) -> None:
    """Add one to ``counts`` at each flat index (numpy's add.at is fastest on one axis)."""
    np.add.at(counts.reshape(-1), flat_index, 1)


class DocBook:
    """One row per document: sender tier, time sent, recipients, final statuses heard back."""

    def __init__(self) -> None:
        self.count = 0
        self._cap = 0
        self.t = np.empty(0)
        self.tier = np.empty(0, dtype=np.int8)
        self.recipients = np.empty(0, dtype=np.int32)
        self.heard = np.empty(0, dtype=np.int32)

    def add(self, t: np.ndarray, tier: np.ndarray, recipients: np.ndarray) -> np.ndarray:
        n = len(t)
        if self.count + n > self._cap:
            self._grow(max(2 * self._cap, self.count + n, 1024))
        ids = np.arange(self.count, self.count + n, dtype=np.int64)
        self.t[ids] = t
        self.tier[ids] = tier
        self.recipients[ids] = recipients
        self.heard[ids] = 0
        self.count += n
        return ids

    def _grow(self, cap: int) -> None:
        for name in ("t", "tier", "recipients", "heard"):
            old = getattr(self, name)
            new = np.empty(cap, dtype=old.dtype)
            new[: self.count] = old[: self.count]
            setattr(self, name, new)
        self._cap = cap


class Metrics:
    """Counters of one run of ``days`` days with ``phases`` phase groups and ``systems``
    connection systems."""

    def __init__(self, days: int, phases: int, systems: int, *, warmup: float) -> None:
        self.days = days
        self.warmup = warmup
        self.horizon = days * DAY
        hours = days * 24
        weeks = (days + 6) // 7
        nb = len(EDGES) + 1
        nc = len(CODES)
        self.weeks = weeks
        self.deliveries = np.zeros((days, N_TIERS, N_CHANNELS), dtype=np.int64)
        self.documents = np.zeros((days, N_TIERS), dtype=np.int64)
        self.pages_saved = 0
        self.paper_copies = 0
        self.axis_documents = np.zeros(N_TIERS, dtype=np.int64)
        self.axis_receipts = np.zeros((N_TIERS, N_TIERS), dtype=np.int64)
        # times to status: one joint histogram (code, tier, phase, week, bin), filled from a
        # list of flat indices in bulk, which costs far less than adding batch by batch
        self._tts_shape = (nc, N_TIERS, phases, weeks, nb)
        self._tts = np.zeros(int(np.prod(self._tts_shape)), dtype=np.int64)
        self._tts_sum = np.zeros(nc * N_TIERS)
        self._pending: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self._pending_rows = 0
        self.due_total = np.zeros(N_TIERS, dtype=np.int64)
        self.due_met = np.zeros(N_TIERS, dtype=np.int64)
        self.arrived = np.zeros((hours, N_TIERS), dtype=np.int64)
        self.finished = np.zeros((hours, N_TIERS), dtype=np.int64)
        self.sojourn_sum = np.zeros(N_TIERS)
        self.sojourn_n = np.zeros(N_TIERS, dtype=np.int64)
        self.queue_sum = np.zeros(hours)
        self.queue_max = np.zeros(hours, dtype=np.int64)
        self.service_sum = np.zeros(hours)
        self.samples = np.zeros(hours, dtype=np.int64)
        self.sends = np.zeros((hours, systems), dtype=np.int64)
        self.downloads = np.zeros((hours, systems), dtype=np.int64)
        self.take_backs = np.zeros(3, dtype=np.int64)  # requested, agreed, rejected by spec
        self.refused = 0
        self.report_backs = 0

    def __repr__(self) -> str:
        return f"<Metrics of {self.days} days>"

    # -- helpers ---------------------------------------------------------------------------

    def _hour(self, t: np.ndarray) -> np.ndarray:
        return np.minimum((t // HOUR).astype(np.int64), self.days * 24 - 1)

    def _counted(self, t_send: np.ndarray) -> np.ndarray:
        return t_send >= self.warmup

    # -- recorders -------------------------------------------------------------------------

    def sent(self, t: np.ndarray, tier: np.ndarray) -> None:
        day = np.minimum((t // DAY).astype(np.int64), self.days - 1)
        _bump(self.documents, day * N_TIERS + tier)

    def delivered(
        self,
        t_send: np.ndarray,
        tier: np.ndarray,
        channel: np.ndarray,
        pages: np.ndarray,
        paper_copy: np.ndarray,
        due: np.ndarray,
    ) -> None:
        """Deliveries dispatched: by day of sending, recipient tier and channel."""
        day = np.minimum((t_send // DAY).astype(np.int64), self.days - 1)
        _bump(self.deliveries, (day * N_TIERS + tier) * N_CHANNELS + channel)
        counted = self._counted(t_send)
        electronic = channel != Channel.PAPER
        self.pages_saved += int(pages[counted & electronic & ~paper_copy].sum())
        self.paper_copies += int((counted & paper_copy).sum())
        with_due = counted & (due <= self.horizon)
        np.add.at(self.due_total, tier[with_due], 1)

    def axis_documents_sent(self, t_send: np.ndarray, sender_tier: np.ndarray) -> None:
        counted = self._counted(t_send)
        np.add.at(self.axis_documents, sender_tier[counted], 1)

    def axis_delivered(self, t_send: np.ndarray, sender_tier: np.ndarray, tier: np.ndarray) -> None:
        counted = self._counted(t_send)
        _bump(self.axis_receipts, sender_tier[counted] * N_TIERS + tier[counted])

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
        t_send: np.ndarray,
        receipt: np.ndarray,
        tier: np.ndarray,
        phase: np.ndarray,
    ) -> None:
        """Statuses reaching the document's sender at ``receipt``."""
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
        _, _, phases, weeks, nb = self._tts_shape
        c_tier = CODE_INDEX[code] * N_TIERS + tier
        dt = receipt - t_send
        b = np.searchsorted(EDGES, dt, side="right")
        week = np.minimum((t_send // (7 * DAY)).astype(np.int64), weeks - 1)
        self._pending.append((((c_tier * phases + phase) * weeks + week) * nb + b, c_tier, dt))
        self._pending_rows += len(dt)
        if self._pending_rows > 2_000_000:
            self._flush()

    def _flush(self) -> None:
        if not self._pending:
            return
        index, c_tier, dt = (np.concatenate(part) for part in zip(*self._pending, strict=True))
        self._tts += np.bincount(index, minlength=len(self._tts))
        self._tts_sum += np.bincount(c_tier, weights=dt, minlength=len(self._tts_sum))
        self._pending, self._pending_rows = [], 0

    def _joint(self) -> np.ndarray:
        self._flush()
        return self._tts.reshape(self._tts_shape)

    @property
    def tts_tier(self) -> np.ndarray:
        """Times to status: counts by (code, recipient tier, bin of :data:`EDGES`)."""
        return self._joint().sum(axis=(2, 3))

    @property
    def tts_phase(self) -> np.ndarray:
        """Counts by (code, recipient's rollout phase, bin)."""
        return self._joint().sum(axis=(1, 3))

    @property
    def tts_week(self) -> np.ndarray:
        """Counts by (code, week of sending, bin)."""
        return self._joint().sum(axis=(1, 2))

    @property
    def tts_sum(self) -> np.ndarray:
        """Sum of times to status (seconds) by (code, recipient tier)."""
        self._flush()
        return self._tts_sum.reshape(self._tts_shape[0], N_TIERS)

    def arrivals(self, t: np.ndarray, tier: np.ndarray) -> None:
        inside = t < self.horizon
        _bump(self.arrived, self._hour(t[inside]) * N_TIERS + tier[inside])

    def finishes(
        self,
        t_arrive: np.ndarray,
        t_end: np.ndarray,
        tier: np.ndarray,
        t_send: np.ndarray,
        due: np.ndarray,
    ) -> None:
        """Deliveries whose handling ends at ``t_end`` (completed or refused)."""
        inside = t_end < self.horizon
        _bump(self.finished, self._hour(t_end[inside]) * N_TIERS + tier[inside])
        np.add.at(self.sojourn_sum, tier[inside], t_end[inside] - t_arrive[inside])
        np.add.at(self.sojourn_n, tier[inside], 1)
        met = self._counted(t_send) & (due <= self.horizon) & (t_end <= due)
        np.add.at(self.due_met, tier[met], 1)

    def axis_sample(self, t: float, queued: int, in_service: int) -> None:
        h = min(int(t // HOUR), self.days * 24 - 1)
        self.samples[h] += 1
        if queued or in_service:
            self.queue_sum[h] += queued
            self.queue_max[h] = max(self.queue_max[h], queued)
            self.service_sum[h] += in_service
