"""What a rollout phase costs when its agencies are not all ready on the plan's date.

An onboarding board knows, for each agency of a phase, the date the plan gives it and the date
it actually goes electronic (when its software is certified and its connection registered).
:func:`simulate_phase` runs the phase twice with the same seeds — once with every agency on
the plan's date (the baseline), once with each on its own date, the others of the network as
the scenario has them — and returns, for every metric, the paired difference (actual minus
baseline) with its 95 % confidence interval. Because every random number is keyed by what it
is for (:mod:`sim.randoms`), the two runs see the same documents, efforts and delays, and the
differences are the phase's alone.

    >>> from datetime import date
    >>> from sim import PhaseRollout, simulate_phase
    >>> phase = PhaseRollout(
    ...     "wave-3",
    ...     planned=date(2016, 6, 1),
    ...     connections={"000.00.00.H29": date(2016, 6, 1), "000.00.00.H01": date(2016, 7, 15),
    ...                  "000.00.00.H02": None},
    ... )
    >>> effect = simulate_phase(phase, days=28, replications=3)   # doctest: +SKIP
    >>> effect.metric("electronic_share").text                    # doctest: +SKIP
    '−2.1 pp [−2.4 pp, −1.8 pp]'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, ClassVar

from sim.catalogue import BY_NAME, KEY, metric
from sim.errors import ScenarioError
from sim.output import difference_text
from sim.replications import Replications
from sim.scenario import Scenario, load_scenario
from sim.stats import Estimate
from sim.sweep import compare
from spec.jsonmap import Codec, JsonWritable, Layout

KEY_METRICS: tuple[str, ...] = tuple(m.name for m in KEY)
"""The differences a board shows first, the registry's key metrics (every other metric is in
:attr:`PhaseEffect.differences`): the paper-free date per tier, the hub's load in its peak
hour, electronic share, paper letters and pages, time to status 06, office-hour utilisation."""


@dataclass(frozen=True)
class PhaseRollout:
    """A phase as a board sees it: ``connections`` maps each agency's organ id to the date it
    goes electronic (None: not within the run; it stays on paper); the plan's date is
    ``planned``, or the agency's own date in ``schedule`` (a plan whose members join on days
    of their own). A ministry's or a province's organ id brings the agencies under it along,
    after their usual lags."""

    name: str
    planned: date
    connections: Mapping[str, date | None]
    schedule: Mapping[str, date] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.connections:
            raise ScenarioError(f"phase {self.name!r}: connections(={{}}) names no agency")
        for organ_id, when in self.connections.items():
            if when is not None and not isinstance(when, date):
                raise ScenarioError(
                    f"phase {self.name!r}: connections[{organ_id!r}](={when!r}) must be a date "
                    "or None"
                )
        for organ_id, when in self.schedule.items():
            if organ_id not in self.connections:
                raise ScenarioError(
                    f"phase {self.name!r}: schedule[{organ_id!r}] names an agency that is not "
                    "in connections"
                )
            if not isinstance(when, date):
                raise ScenarioError(
                    f"phase {self.name!r}: schedule[{organ_id!r}](={when!r}) must be a date"
                )

    def planned_for(self, organ_id: str) -> date:
        """The plan's date for ``organ_id``."""
        return self.schedule.get(organ_id, self.planned)

    @property
    def late(self) -> dict[str, date | None]:
        """The agencies that go electronic after their plan date (or not within the run)."""
        return {k: v for k, v in self.connections.items() if v is None or v > self.planned_for(k)}


_MEAN = Codec(lambda estimate: estimate.mean)


@dataclass(frozen=True, slots=True)
class MetricDifference(JsonWritable):
    """One metric of the phase: baseline and actual means, and their paired difference. Its
    JSON form has the means, the difference's interval and pairs, and the texts for people."""

    json_layout: ClassVar[Layout] = Layout(
        codecs={"baseline": _MEAN, "actual": _MEAN, "difference": _MEAN},
        extra={
            "baseline_text": lambda d: BY_NAME[d.name].format(d.baseline.mean),
            "actual_text": lambda d: BY_NAME[d.name].format(d.actual.mean),
            "low": lambda d: d.difference.low,
            "high": lambda d: d.difference.high,
            "pairs": lambda d: d.difference.n,
            "significant": lambda d: bool(d.significant),
            "text": lambda d: d.text,
        },
        order=(
            "name",
            "label",
            "unit",
            "baseline",
            "baseline_text",
            "actual",
            "actual_text",
            "difference",
            "low",
            "high",
            "pairs",
            "significant",
            "text",
        ),
    )

    name: str
    label: str
    unit: str
    baseline: Estimate
    actual: Estimate
    difference: Estimate

    @property
    def significant(self) -> bool:
        """The difference's 95 % interval excludes zero."""
        return self.difference.significant

    @property
    def text(self) -> str:
        """The difference for people, with its interval: ``+1,234 [+1,100, +1,368]``."""
        return difference_text(BY_NAME[self.name], self.difference)


@dataclass
class PhaseEffect(JsonWritable):
    """The phase run on the plan's date (``baseline``) and on each agency's own date
    (``actual``), same seeds; ``differences`` is actual − baseline per metric. Its JSON form
    names the phase, its date, the late agencies, the seeds and the key metrics."""

    json_layout: ClassVar[Layout] = Layout(
        codecs={"phase": Codec(lambda phase: phase.name)},
        omit=("baseline", "actual", "differences"),
        extra={
            "planned": lambda e: e.phase.planned,
            "late": lambda e: e.phase.late,
            "seeds": lambda e: e.seeds,
            "metrics": lambda e: e.table(),
        },
    )

    phase: PhaseRollout
    baseline: Replications
    actual: Replications
    differences: dict[str, Estimate] = field(repr=False)

    def __repr__(self) -> str:
        significant = sum(d.significant for d in self.differences.values())
        return (
            f"<PhaseEffect {self.phase.name}: {len(self.phase.late)} of "
            f"{len(self.phase.connections)} agencies late, {significant} metrics differ>"
        )

    @property
    def seeds(self) -> list[int]:
        return self.baseline.seeds

    def metric(self, name: str) -> MetricDifference:
        """The metric ``name`` (any of :data:`sim.catalogue.METRICS`)."""
        m = metric(name)
        a, b = self.baseline.summary(), self.actual.summary()
        return MetricDifference(m.name, m.label, m.unit, a[name], b[name], self.differences[name])

    def table(self, names: Sequence[str] = KEY_METRICS) -> list[MetricDifference]:
        return [self.metric(name) for name in names]


def simulate_phase(
    phase: PhaseRollout,
    *,
    scenario: Scenario | str = "baseline-2016",
    start: date | None = None,
    days: int = 28,
    warmup_days: int = 7,
    replications: int = 3,
    seed: int | None = None,
    scale: float | None = 0.05,
    tick_seconds: float | None = 300,
    overrides: Sequence[tuple[str, Any]] = (),
    jobs: int | None = 1,
    scheduler: str | None = None,
    progress: bool = False,
) -> PhaseEffect:
    """Run ``phase`` on the plan's dates and on each agency's own date, paired.

    The run measures ``days`` days from ``start`` (default: the plan's date) after
    ``warmup_days``. ``scale`` (districts and communes at this share of their number; None:
    the scenario's) and ``tick_seconds`` (None: the scenario's) trade detail for speed: the
    national traffic is the same at any scale. ``overrides`` are further scenario settings
    for both runs. ``jobs`` local processes (None: one per core) or a Dask ``scheduler``
    run the replications."""
    base = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    common: list[tuple[str, Any]] = [
        ("start", (start or phase.planned).isoformat()),
        ("days", int(days)),
        ("warmup_days", int(warmup_days)),
    ]
    if scale is not None:
        common.append(("topology.scale", float(scale)))
    if tick_seconds is not None:
        common.append(("engine.tick_seconds", tick_seconds))
    common += list(overrides)
    connections = dict(base.config.rollout.connections)
    planned = {**connections, **{k: phase.planned_for(k) for k in phase.connections}}
    actual = {**connections, **phase.connections}
    a = base.with_overrides([*common, ("rollout.connections", _dates(planned))])
    b = base.with_overrides([*common, ("rollout.connections", _dates(actual))])
    comparison = compare(
        a,
        b,
        replications=replications,
        seed=seed,
        jobs=jobs,
        scheduler=scheduler,
        progress=progress,
    )
    return PhaseEffect(phase, comparison.a, comparison.b, comparison.differences)


def _dates(connections: Mapping[str, date | None]) -> dict[str, str | None]:
    return {k: None if v is None else v.isoformat() for k, v in connections.items()}


def phase_dates(planned: date, delays: Mapping[str, int | None]) -> dict[str, date | None]:
    """Connection dates from delays in days after ``planned`` (None: not within the run)."""
    return {k: None if d is None else planned + timedelta(days=int(d)) for k, d in delays.items()}
