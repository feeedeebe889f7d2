"""The engine's calendar queue: rows come out tick by tick, in time order, never early."""

from __future__ import annotations

import numpy as np
import pytest

from sim.errors import ModelError
from sim.records import STATUS
from sim.timeline import Timeline


def rows(times: list[float]) -> np.ndarray:
    out = np.zeros(len(times), STATUS)
    out["t"] = times
    out["doc"] = np.arange(len(times))
    return out


def test_rows_come_out_by_tick_whatever_order_they_went_in() -> None:
    rng = np.random.default_rng(1)
    timeline = Timeline(STATUS, "t", bin_seconds=3600.0)
    times = rng.uniform(0, 5 * 3600, 2000)
    for chunk in np.array_split(times, 7):
        timeline.add(rows(chunk.tolist()))
    taken = []
    for tick in range(1, 5 * 60 + 1):
        until = tick * 60.0
        got = timeline.take(until)
        assert (got["t"] < until).all() and (got["t"] >= until - 60.0).all()
        taken.append(got["t"])
        if tick == 100:
            # newcomers for the hour in progress, and for later
            late = rng.uniform(until, 5 * 3600, 300)
            timeline.add(rows(late.tolist()))
            times = np.concatenate((times, late))
    assert np.array_equal(np.sort(np.concatenate(taken)), np.sort(times))
    assert timeline.pending == 0


def test_an_effect_before_its_cause_is_a_model_error() -> None:
    timeline = Timeline(STATUS, "t")
    timeline.add(rows([100.0]))
    timeline.take(120.0)
    with pytest.raises(ModelError, match="added after"):
        timeline.add(rows([110.0]))
    with pytest.raises(ModelError, match="take"):
        timeline.take(60.0)
