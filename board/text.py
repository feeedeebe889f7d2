"""The board on a terminal: readiness tables, blockers, the simulation and the forecast as lines
of text, with numbers formatted for people (percent, thousands, hours, dates)."""

from __future__ import annotations

import math
from collections.abc import Mapping

from board.diff import CertificateDiff
from board.forecast import Forecast
from board.model import Agency
from board.readiness import PhaseReadiness, State
from board.simulate import PhaseSimulation

__all__ = [
    "diff_lines",
    "fmt_number",
    "forecast_lines",
    "overview_lines",
    "phase_lines",
    "simulation_lines",
]

MARK = {State.READY: "✔", State.EXPIRING: "!", State.BLOCKED: "✘"}


def fmt_number(value: float, unit: str, *, signed: bool = False) -> str:
    """``0.1234, share`` → ``12.3 %``; ``12345, letters`` → ``12,345``; hours with one
    decimal; NaN → ``n/a``."""
    if math.isnan(value):
        return "n/a"
    sign = "+" if signed else ""
    if unit == "share":
        return f"{value * 100:{sign}.1f} %" if not signed else f"{value * 100:+.2f} pt"
    if unit == "hours":
        return f"{value:{sign}.1f} h"
    return f"{value:{sign},.0f}"


def _name(organ_id: str, agencies: Mapping[str, Agency], width: int = 34) -> str:
    agency = agencies.get(organ_id)
    name = agency.name if agency else ""
    return (name[: width - 1] + "…") if len(name) > width else name


def overview_lines(phases: list[PhaseReadiness]) -> list[str]:
    """One line per phase: its state and counts."""
    lines = [f"{'phase':16} {'window':23} {'state':9} {'ready':>6} {'expiring':>9} {'blocked':>8}"]
    for p in phases:
        c = p.counts()
        lines.append(
            f"{p.plan.name:16} {p.plan.start}..{p.plan.end} {p.state.value:9} "
            f"{c[State.READY]:>6} {c[State.EXPIRING]:>9} {c[State.BLOCKED]:>8}"
        )
    return lines


def phase_lines(readiness: PhaseReadiness, agencies: Mapping[str, Agency]) -> list[str]:
    """A phase's table, then its blockers and flags, each with its reason."""
    plan = readiness.plan
    c = readiness.counts()
    verdict = "READY" if readiness.ready else "BLOCKED"
    lines = [
        f"{plan.name}: {plan.title}",
        f"window {plan.start} to {plan.end}; as of {readiness.as_of}: {verdict} — "
        f"{c[State.READY] + c[State.EXPIRING]} of {len(readiness.agencies)} members ready"
        + (f" ({c[State.EXPIRING]} with something expiring)" if c[State.EXPIRING] else ""),
        "",
        f"  {'organ id':15} {'agency':34} {'state':9} {'software':28} {'valid until':11}",
    ]
    for a in readiness.agencies:
        d = a.deployment
        software = f"{d.software.product} {d.software.version}" if d else "—"
        until = str(a.certificate.valid_until or "—") if a.certificate else "—"
        lines.append(
            f"{MARK[a.state]} {a.organ_id:15} {_name(a.organ_id, agencies):34} "
            f"{a.state.value:9} {software[:28]:28} {until:11}"
        )
    blocked = readiness.blocked
    if blocked:
        lines += ["", f"blockers ({len(blocked)} member(s)):"]
        for a in blocked:
            lines.append(f"  {a.organ_id} {_name(a.organ_id, agencies, 60)}")
            lines += [f"    - [{b.code.value}] {b.message}" for b in a.blockers]
    flagged = [a for a in readiness.agencies if a.flags]
    if flagged:
        lines += ["", "expiring within 30 days:"]
        for a in flagged:
            lines += [f"  {a.organ_id}: {f.message}" for f in a.flags]
    return lines


def simulation_lines(sim: PhaseSimulation) -> list[str]:
    """The cost of the gap, metric by metric: both arms and the paired difference with its
    95 % interval, starred where the interval excludes zero."""
    lines = [
        f"phase simulation of {sim.plan}: {sim.start} to {sim.end} ({sim.days} days after "
        f"{sim.warmup_days} of warm-up), {sim.replications} replication(s) with seeds "
        f"{', '.join(map(str, sim.seeds))}, scenario {sim.scenario} (districts and communes at "
        f"{sim.scale * 100:g} %)",
        f"  {sim.late} of {len(sim.connections)} members connect late or not at all in the "
        f"window ({sim.gap_agency_days:,} agency-days on paper)",
        "",
    ]
    width = max([len("metric"), *(len(d.label) for d in sim.differences)])
    lines.append(
        f"  {'metric':{width}}  {'on schedule':>12}  {'as it stands':>12}  "
        "difference [95 % interval]"
    )
    for d in sim.differences:
        star = " *" if d.significant else ""
        lines.append(
            f"  {d.label:{width}}  {d.on_schedule_text:>12}  {d.as_it_stands_text:>12}  "
            f"{d.text}{star}"
        )
    lines += ["", "  * the 95 % interval excludes zero: the gap changes this metric"]
    lines += [f"  note: {n}" for n in sim.notes]
    return lines


def _when_ready(forecast: Forecast) -> str:
    if forecast.start_passed:
        return (
            f", {forecast.days_from_now} days from {forecast.as_of} (its planned start "
            f"{forecast.planned} has passed)"
        )
    if forecast.days_late:
        return (
            f", {forecast.days_late} days ({forecast.weeks_late} week(s)) after its planned "
            f"start {forecast.planned}"
        )
    return f", on time for its planned start {forecast.planned}"


def forecast_lines(forecast: Forecast, agencies: Mapping[str, Agency]) -> list[str]:
    """When the phase is ready, member by member for the late ones, and the cost of a week."""
    lines = [
        f"go-live forecast of {forecast.plan} as of {forecast.as_of} "
        f"({forecast.capacity} certification run(s) a week, {forecast.runs} run(s) needed):",
        f"  phase ready on {forecast.ready_on}" + _when_ready(forecast),
    ]
    for a in forecast.late:
        when = (
            f"in {(a.ready_on - forecast.as_of).days} days"
            if forecast.start_passed
            else f"{a.days_late} days late"
        )
        lines.append(
            f"    {a.organ_id} {_name(a.organ_id, agencies):34} ready {a.ready_on} "
            f"({a.basis}; {when})"
        )
    cost = forecast.cost
    if cost is None:
        lines.append("  cost of a week of delay: run `lienthong board simulate` for this phase")
    else:
        lines.append(
            f"  each week of delay: {fmt_number(cost.letters_per_week, 'letters')} paper letters, "
            f"{fmt_number(cost.pages_per_week, 'pages')} pages; time to status 06 "
            f"{fmt_number(cost.tts_06_hours, 'hours', signed=True)} while it lasts"
        )
        lines.append(f"  ({cost.basis})")
    return lines


def diff_lines(diff: CertificateDiff) -> list[str]:
    """What changed from one run to the other."""
    a, b = diff.a, diff.b
    lines = [
        f"{a.software.vendor} {a.software.product}: certificate {a.short} "
        f"(issued {a.issued.date()}) → {b.short} (issued {b.issued.date()})"
    ]
    if diff.facts:
        lines.append("changed:")
        lines += [f"  {k:18} {x}  →  {y}" for k, x, y in diff.facts]
    if not diff.outcomes_known:
        lines.append(
            "per-requirement outcomes unknown: give certificates with their report.json beside them"
        )
    else:
        for title, ids in (
            ("newly failed", diff.newly_failed),
            ("fixed", diff.fixed),
            ("newly waived", diff.newly_waived),
            ("still failing", diff.still_failing),
        ):
            lines.append(f"{title} ({len(ids)}): {', '.join(ids) if ids else '—'}")
        for req, was, now in diff.other:
            lines.append(f"  {req}: {was} → {now}")
    if diff.unchanged:
        lines.append("no change")
    return lines
