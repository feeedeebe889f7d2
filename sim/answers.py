"""The planner's answers over a scenario's replications, as plain data for the terminal and
the report: when each tier and province stops sending on paper, the hub's peak-hour load
against its capacity, the bottleneck, and the backlogs that grow without bound."""

from __future__ import annotations

import math
from collections import Counter
from datetime import date, timedelta
from typing import Any

from sim.catalogue import BY_NAME
from sim.metrics import DESKS
from sim.planner import PAPER_FREE_SHARE, bottleneck
from sim.replications import Replications
from sim.stats import estimate
from sim.types import Tier


def _date_answer(values: list[float], end: date) -> dict[str, Any]:
    """Paper-free dates of the replications (ordinals, NaN when not reached) as one answer."""
    reached = [v for v in values if not math.isnan(v)]
    e = estimate(reached)
    out: dict[str, Any] = {
        "reached": len(reached),
        "replications": len(values),
        "mean": e.mean,
        "half_width_days": e.half_width,
    }
    if not reached:
        out["text"] = f"not by {end.isoformat()}"
    else:
        text = date.fromordinal(round(e.mean)).isoformat()
        if e.n > 1 and math.isfinite(e.half_width):
            text += f" ± {e.half_width:,.0f} days"
        if len(reached) < len(values):
            text += f" ({len(reached)} of {len(values)} replications; the others later)"
        out["text"] = text
    return out


def answers(reps: Replications) -> dict[str, Any]:
    """The planner's answers for one scenario's replications."""
    first = reps.results[0]
    end = date.fromisoformat(first.start) + timedelta(days=first.days)
    summary = reps.summary()
    tiers = {
        t.label: _date_answer([r.scalars[f"paper_free_{t.label}"] for r in reps.results], end)
        for t in Tier
    }
    provinces = []
    for i, row in enumerate(first.provinces):
        rows = [r.provinces[i] for r in reps.results]
        growth = estimate([p["backlog_growth"] for p in rows])
        growing = sum(p["growing"] for p in rows)
        provinces.append(
            {
                "organ_id": row["organ_id"],
                "name": row["name"],
                "paper_free": _date_answer([p["paper_free"] for p in rows], end),
                "backlog_mean": estimate([p["backlog_mean"] for p in rows]).mean,
                "backlog_end": estimate([p["backlog_end"] for p in rows]).mean,
                "backlog_growth": growth.mean,
                "growing": growing * 2 > len(rows),
            }
        )
    hours = Counter(_peak_hour(r.axis_day) for r in reps.results)
    peak_hour = hours.most_common(1)[0][0] if hours else None
    load = summary["axis_peak_hour_load"]
    utilisation = {
        f"{desk}s, {t.label} tier": summary[f"desk_utilisation_{t.label}_{desk}"].mean
        for t in Tier
        for desk in DESKS
    }
    utilisation["the axis"] = summary["axis_office_utilisation"].mean
    found = bottleneck(utilisation)
    growing = [p for p in provinces if p["growing"]]
    return {
        "threshold": PAPER_FREE_SHARE,
        "paper_free": tiers,
        "provinces": provinces,
        "peak": {
            "hour": peak_hour,
            "jobs_per_s": BY_NAME["axis_peak_hour_jobs_per_s"].format(
                summary["axis_peak_hour_jobs_per_s"].mean
            ),
            "capacity_per_s": BY_NAME["axis_capacity_per_s"].format(
                summary["axis_capacity_per_s"].mean
            ),
            "load": load.mean,
            "load_text": BY_NAME["axis_peak_hour_load"].format(load.mean),
            "utilisation_text": BY_NAME["axis_peak_hour_utilisation"].format(
                summary["axis_peak_hour_utilisation"].mean
            ),
        },
        "bottleneck": None
        if found is None
        else {
            "what": found[0],
            "utilisation": found[1],
            "text": f"{found[0]}, {found[1] * 100:.0f} % busy in office hours",
        },
        "utilisation": utilisation,
        "growing_backlogs": [p["name"] for p in growing],
        "warnings": sorted({w for r in reps.results for w in r.warnings}),
        "validation": _validation(reps),
    }


def _validation(reps: Replications) -> list[dict[str, Any]]:
    """Published figures against the replications' mean, with the error of each."""
    out = []
    for i, row in enumerate(reps.results[0].validation):
        e = estimate([r.validation[i]["simulated"] for r in reps.results])
        published = row["published"]
        simulated = f"{e.mean:,.0f}"
        if e.n > 1 and math.isfinite(e.half_width):
            simulated += f" ± {e.half_width:,.0f}"
        out.append(
            {
                **row,
                "simulated_mean": e.mean,
                "error_share": e.mean / published - 1 if published else math.nan,
                "published": f"{published:,.0f}",
                "simulated": simulated,
                "error": f"{(e.mean / published - 1) * 100:+.1f} %" if published else "–",
            }
        )
    return out


def _peak_hour(axis_day: list[float]) -> int | None:
    finite = [(v, h) for h, v in enumerate(axis_day) if v is not None and math.isfinite(v)]
    return max(finite)[1] if finite else None
