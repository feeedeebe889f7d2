"""Times to status when the run ends before every delivery does: right-censored durations.

A delivery sent on the last day of the window cannot show a five-day handling time, so simply
taking the statuses observed before the horizon makes delays look short (and warm desks look
idle). For a group of deliveries (a tier, a phase, the cohort sent in one week) the model
keeps two histograms over the same duration bins: the times observed, and every delivery's
*follow-up* (horizon minus sending time). The life-table estimate of the distribution is then

    F(b) = sum over bins b' <= b of  events(b') / at_risk(b')

where ``at_risk(b')`` counts the deliveries followed at least to bin ``b'``: each bin's share
is estimated among those who could have shown it. Sending times are spread independently of
handling times, so this is unbiased; it counts deliveries that will never get the status
(refused, taken back) as never reaching it, so ``F`` may level off below 1. A quantile the
estimate does not reach within the followed time is *censored* (NaN): the run was too short
to say.

Sending times are not quite independent of handling times: a document sent late on a Friday
meets the weekend at once, and near the end of the run the deliveries followed for a short
time are mostly those sent late in the week. So each group is split by the weekday of
sending, estimated per weekday, and the weekdays' curves are averaged weighted by their
deliveries (:func:`stratified`).
"""

from __future__ import annotations

import numpy as np

from sim.metrics import EDGES


def incidence(events: np.ndarray, follow: np.ndarray) -> np.ndarray:
    """The estimated share of deliveries that got the status within each bin's upper edge
    (``events`` and ``follow`` over the bins of :data:`sim.metrics.EDGES`)."""
    at_risk = np.cumsum(follow[::-1])[::-1].astype(float)
    share = np.divide(events, at_risk, out=np.zeros(len(events)), where=at_risk > 0)
    return np.minimum(np.cumsum(share), 1.0)


def stratified(events: np.ndarray, follow: np.ndarray) -> np.ndarray:
    """The estimate over strata (``events`` and ``follow`` of shape (strata, bins)): each
    stratum's curve weighted by its deliveries."""
    n = follow.sum(axis=1).astype(float)
    if not n.sum():
        return np.zeros(events.shape[-1])
    curves = np.array([incidence(e, f) for e, f in zip(events, follow, strict=True)])
    return (curves * n[:, None]).sum(axis=0) / n.sum()


def quantile(cdf: np.ndarray, q: float) -> float:
    """The duration (seconds) by which a share ``q`` got the status (NaN when the estimate
    does not reach ``q``); geometric interpolation within a bin."""
    if not len(cdf) or cdf[-1] < q:
        return float("nan")
    b = int(np.searchsorted(cdf, q, side="left"))
    if b == 0:
        return float(EDGES[0])
    if b >= len(EDGES):
        return float(EDGES[-1])
    before = cdf[b - 1]
    step = cdf[b] - before
    frac = (q - before) / step if step > 0 else 1.0
    lo, hi = EDGES[b - 1], EDGES[b]
    return float(lo * (hi / lo) ** frac)


def summary(events: np.ndarray, follow: np.ndarray) -> dict[str, float]:
    """A group's deliveries, the share still without the status when the run ended, and the
    censoring-corrected median and 95th percentile (hours; NaN when censored). ``events`` and
    ``follow`` are over bins, or (strata, bins) to estimate by stratum."""
    n = float(follow.sum())
    seen = float(events.sum())
    cdf = stratified(events, follow) if events.ndim == 2 else incidence(events, follow)
    return {
        "n": n,
        "observed": seen,
        "open_share": 1.0 - seen / n if n else float("nan"),
        "median_h": quantile(cdf, 0.5) / 3600.0,
        "p95_h": quantile(cdf, 0.95) / 3600.0,
        "reached_share": float(cdf[-1]) if len(cdf) else float("nan"),
    }
