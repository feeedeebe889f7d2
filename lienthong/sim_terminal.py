"""What ``lienthong sim`` prints: the planner's answers and the figures, formatted for people
by the metric registry (percent, thousands, hours, dates), and paired differences with their
confidence intervals for comparisons and sweeps."""

from __future__ import annotations

from typing import Any

from sim.catalogue import HEADLINE, METRICS
from sim.output import difference_text, with_interval
from sim.replications import Replications
from sim.sweep import Comparison, SweepPoint

WIDTH = max(len(m.label) for m in METRICS)


def _header(reps: Replications) -> str:
    first = reps.results[0]
    seeds = reps.seeds
    which = f"seed {seeds[0]}" if len(seeds) == 1 else f"seeds {seeds[0]}–{seeds[-1]}"
    return (
        f"{reps.scenario.name}: {which}; measured from {first.start} for {first.days} days "
        f"after a {first.warmup_days}-day warm-up"
    )


def answers_text(answers: dict[str, Any]) -> list[str]:
    """The planner's answers, a line each."""
    lines = [f"paper-free ({answers['threshold']:.0%} of deliveries sent electronically):"]
    for tier, a in answers["paper_free"].items():
        lines.append(f"  {tier:<10} {a['text']}")
    reached = sum(1 for p in answers["provinces"] if p["paper_free"]["reached"])
    lines.append(f"  provinces  {reached} of {len(answers['provinces'])} groups within the run")
    p = answers["peak"]
    when = f"{p['hour']:02d}:00–{p['hour'] + 1:02d}:00" if p["hour"] is not None else "n/a"
    lines.append(
        f"peak hour {when}: {p['jobs_per_s']}, {p['load_text']} of the hub's capacity "
        f"({p['capacity_per_s']}); servers {p['utilisation_text']} busy"
    )
    if answers["bottleneck"]:
        lines.append(f"bottleneck: {answers['bottleneck']['text']}")
    growing = answers["growing_backlogs"]
    if growing:
        names = ", ".join(growing[:5]) + (", …" if len(growing) > 5 else "")
        lines.append(f"WARNING: backlog grows without bound in {len(growing)}: {names}")
    else:
        lines.append("backlogs: none grows without bound over the window")
    for row in answers.get("validation", []):
        lines.append(
            f"validation {row['period']}: {row['label']} published {row['published']}, "
            f"simulated {row['simulated']} ({row['error']})"
        )
    return lines


def scenario_summary(reps: Replications, answers: dict[str, Any]) -> str:
    summary = reps.summary()
    lines = [_header(reps), "", "the planner's answers"]
    lines += ["  " + line for line in answers_text(answers)]
    lines += ["", "key figures (mean ± 95 % interval)"]
    for m in HEADLINE:
        lines.append(f"  {m.label:<{WIDTH}} {with_interval(m, summary[m.name])}")
    return "\n".join(lines)


def _difference_lines(
    reference: Replications, other: Replications, differences: dict[str, Any]
) -> list[str]:
    sa, sb = reference.summary(), other.summary()
    lines = []
    for m in METRICS:
        d = differences[m.name]
        if not (m.headline or d.significant):
            continue
        mark = "*" if d.significant else " "
        lines.append(
            f"{mark} {m.label:<{WIDTH}} {m.format(sa[m.name].mean):>16} "
            f"{m.format(sb[m.name].mean):>16}   {difference_text(m, d)}"
        )
    return lines


def comparison_table(comparison: Comparison) -> str:
    a, b = comparison.a, comparison.b
    n = len(a.seeds)
    common = {(k, str(v)) for k, v in a.scenario.overrides}
    extra = [f"{k}={v}" for k, v in b.scenario.overrides if (k, str(v)) not in common]
    lines = [
        _header(a),
        f"B = {b.scenario.name}" + (f" with {', '.join(extra)}" if extra else ""),
        "",
        f"B - A per metric, paired by seed over {n} replications, with the 95 % interval;",
        "* = the interval excludes zero. Headline metrics and every significant difference:",
        f"  {'metric':<{WIDTH}} {'A':>16} {'B':>16}   B - A [95 % interval]",
    ]
    lines += _difference_lines(a, b, comparison.differences)
    significant = sum(d.significant for d in comparison.differences.values())
    lines.append(f"\n{significant} of {len(comparison.differences)} metrics differ significantly")
    return "\n".join(lines)


def sweep_table(points: list[SweepPoint]) -> str:
    reference = points[0]
    lines = [_header(reference.replications), f"reference variant: {reference.label}"]
    for point in points[1:]:
        lines += [
            "",
            f"## {point.label} - {reference.label} (paired by seed; * = significant)",
            f"  {'metric':<{WIDTH}} {'reference':>16} {'variant':>16}   difference [95 % interval]",
        ]
        lines += _difference_lines(reference.replications, point.replications, point.differences)
    if len(points) == 1:
        lines.append("(a single variant: nothing to compare)")
    return "\n".join(lines)
