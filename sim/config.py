"""A scenario as typed configuration: parsed once from the validated YAML data, then read by
attribute.

:func:`parse_config` turns the merged mapping of a scenario (``sim.scenario``) into a frozen
:class:`ScenarioConfig`; each component of the model takes its own part (``config.axis``,
``config.agencies``, …). Everything the JSON Schema cannot say is checked here, and a problem
raises :class:`sim.errors.ScenarioError` naming the key (``engine.tick_seconds``,
``phases.phase-2-2016.shift_days``, ``rollout.connections.000.00.00.H29``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from sim.distributions import Duration
from sim.errors import ScenarioError
from sim.types import DAY, HOUR, Role

STEERING = ("none", "directive", "report")
"""SteeringType 0, 1, 2 by name (2 asks for a report back)."""


@dataclass(frozen=True, slots=True)
class PhaseSpec:
    """A phase of a plan: its members (organ ids of level-1 organs, or every one) and window."""

    name: str
    title: str
    start: date
    end: date
    members: tuple[str, ...] | None  # None: every level-1 organ

    def shifted(self, days: int) -> PhaseSpec:
        """The same phase ``days`` later (earlier when negative)."""
        step = timedelta(days=days)
        return replace(self, start=self.start + step, end=self.end + step)


@dataclass(frozen=True, slots=True)
class Uptake:
    """A national uptake curve for exchanges between connection systems: the share of such
    documents actually sent electronically, on top of the agencies' own ramp, is
    ``1 − exp(−exp((t − pivot) / width_days))``: slow at first (5 % three widths before the
    pivot), 63 % at the pivot, complete two widths after it."""

    pivot: date
    width_days: float


@dataclass(frozen=True, slots=True)
class AdoptionConfig:
    initial: float
    ramp_days: float
    axis_uptake: Uptake | None


@dataclass(frozen=True, slots=True)
class RolloutConfig:
    phases: tuple[PhaseSpec, ...]
    spread: str
    always_connected: tuple[str, ...]
    unlisted: str
    lower_tiers: Mapping[Role, tuple[float, float]]
    adoption: AdoptionConfig
    gateway_relay: bool
    schedule_seed: int | None
    """None: onboarding days are drawn per replication; a number fixes them in every one."""
    connections: Mapping[str, date | None]
    """Organ id -> the date it goes electronic (None: not within the run), over the plan."""


@dataclass(frozen=True, slots=True)
class CalendarConfig:
    weekdays: tuple[int, ...]
    hours: tuple[tuple[float, float], ...]
    holidays: tuple[date, ...]


@dataclass(frozen=True, slots=True)
class SystemsConfig:
    poll_minutes: Mapping[str, float]
    platform: Duration
    relay: Duration
    ack: Duration


@dataclass(frozen=True, slots=True)
class PostConfig:
    base_days: float
    km_per_day: float
    jitter_days: float
    extra_days: Mapping[Role, float]


@dataclass(frozen=True, slots=True)
class StreamConfig:
    name: str
    sender: Role
    recipient: Role
    scope: str
    direction: str
    type_name: str
    per_day: float
    broadcast: float
    extra_recipients: float
    steering: tuple[float, float, float]
    due_days: float


@dataclass(frozen=True, slots=True)
class WorkloadConfig:
    pages_mean: float
    report_type: str
    streams: tuple[StreamConfig, ...]
    calibration: Mapping[str, Any]
    validation: tuple[Mapping[str, Any], ...]


@dataclass(frozen=True, slots=True)
class Staff:
    clerks: int
    leaders: int
    officers: int


@dataclass(frozen=True, slots=True)
class TakeBackConfig:
    rate: float
    mean_hours: float
    agree: float
    answer: Duration  # seconds


@dataclass(frozen=True, slots=True)
class AgenciesConfig:
    staff: Mapping[Role, Staff]
    clerk: Duration  # seconds
    leader: Duration  # seconds
    officer: tuple[Duration, Duration, Duration]  # seconds, by steering type
    lead_days: tuple[Duration, Duration, Duration]  # working days, by steering type
    refusal_rate: float
    paper_dependence: Mapping[Role, float]
    paper_dependence_spread: float
    take_back: TakeBackConfig
    feedback: bool


@dataclass(frozen=True, slots=True)
class Outage:
    start: datetime
    hours: float


@dataclass(frozen=True, slots=True)
class AxisConfig:
    servers: int
    service: Duration  # seconds
    latency: Duration  # seconds
    outages: tuple[Outage, ...]
    random_per_week: float
    random_mean_hours: float


@dataclass(frozen=True, slots=True)
class TopologyConfig:
    era: str
    scale: float
    seed: int


@dataclass(frozen=True, slots=True)
class MetricsConfig:
    trace_documents: int
    audit_lifecycle: bool


@dataclass(frozen=True, slots=True)
class ScenarioConfig:
    """Everything a run of a scenario reads, typed. ``start`` is the first measured day; the
    run begins ``warmup_days`` before it so that desks and queues are not empty when the
    measurement starts."""

    name: str
    purpose: str
    start: date
    days: int
    warmup_days: int
    seed: int
    replications: int
    tick_seconds: float
    topology: TopologyConfig
    calendar: CalendarConfig
    rollout: RolloutConfig
    systems: SystemsConfig
    post: PostConfig
    workload: WorkloadConfig
    agencies: AgenciesConfig
    axis: AxisConfig
    metrics: MetricsConfig
    shifts: Mapping[str, int] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"<ScenarioConfig {self.name!r} from {self.start} for {self.days} days>"

    @property
    def origin(self) -> date:
        """Day 0 of the run: the first day of the warm-up."""
        return self.start - timedelta(days=self.warmup_days)

    def with_days(self, days: int | None) -> ScenarioConfig:
        """This configuration measured over ``days`` days instead (None: unchanged)."""
        if days is None:
            return self
        if days < 1:
            raise ScenarioError(f"days(={days!r}) must be >= 1")
        return replace(self, days=int(days))

    def warnings(self) -> list[str]:
        """What in the scenario lies outside its simulated window, so a run would not show it."""
        out = []
        first = datetime.combine(self.origin, datetime.min.time())
        end = datetime.combine(self.start + timedelta(days=self.days), datetime.min.time())
        for i, outage in enumerate(self.axis.outages):
            stop = outage.start + timedelta(hours=outage.hours)
            if stop <= first or outage.start >= end:
                out.append(
                    f"axis.outages[{i}] ({outage.start:%Y-%m-%d %H:%M}, {outage.hours:g} h) lies "
                    f"outside the simulated window {first:%Y-%m-%d} – {end:%Y-%m-%d}: the run "
                    "will not show it (set start and --days to cover it)"
                )
        for phase in self.rollout.phases:
            if phase.name in self.shifts and (phase.start >= end.date() or phase.end < self.start):
                out.append(
                    f"phases.{phase.name}.shift_days={self.shifts[phase.name]}: the shifted "
                    f"phase ({phase.start} – {phase.end}) lies outside the measured window "
                    f"{self.start} – {end.date()}; its effect will not show"
                )
        return out


# -- parsing -------------------------------------------------------------------------------


def parse_config(data: Mapping[str, Any]) -> ScenarioConfig:
    """The typed configuration of a scenario's validated data (``Scenario.data``)."""
    tick = _number(data, "engine", "tick_seconds")
    if HOUR % tick:
        raise ScenarioError(
            f"engine.tick_seconds(={tick!r}) must divide an hour (60, 150, 300, 900, …)"
        )
    warmup = data["warmup_days"]
    if warmup != int(warmup):
        raise ScenarioError(f"warmup_days(={warmup!r}) must be a whole number of days")
    rollout = _rollout(data["rollout"])
    shifts = _shifts(data.get("phases") or {}, rollout.phases)
    rollout = replace(
        rollout,
        phases=tuple(p.shifted(shifts[p.name]) if p.name in shifts else p for p in rollout.phases),
    )
    config = ScenarioConfig(
        name=str(data["name"]),
        purpose=str(data["purpose"]).strip(),
        start=_date(data["start"], "start"),
        days=int(data["days"]),
        warmup_days=int(warmup),
        seed=int(data["seed"]),
        replications=int(data["replications"]),
        tick_seconds=tick,
        topology=TopologyConfig(
            str(data["topology"]["era"]),
            float(data["topology"]["scale"]),
            int(data["topology"]["seed"]),
        ),
        calendar=_calendar(data["calendar"]),
        rollout=rollout,
        systems=_systems(data["systems"], tick),
        post=PostConfig(
            base_days=float(data["post"]["base_days"]),
            km_per_day=float(data["post"]["km_per_day"]),
            jitter_days=float(data["post"]["jitter_days"]),
            extra_days=_per_role(data["post"]["extra_days"]),
        ),
        workload=_workload(data["workload"]),
        agencies=_agencies(data["agencies"]),
        axis=_axis(data["axis"]),
        metrics=MetricsConfig(
            int(data["metrics"]["trace_documents"]), bool(data["metrics"]["audit_lifecycle"])
        ),
        shifts=shifts,
    )
    return config


def _number(data: Mapping[str, Any], *path: str) -> float:
    node: Any = data
    for key in path:
        node = node[key]
    return float(node)


def _date(value: Any, where: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ScenarioError(f"{where}(={value!r}) must be an ISO date such as 2016-03-25") from None


def _duration(spec: Mapping[str, Any], where: str, scale: float = 1.0) -> Duration:
    try:
        return Duration.of(spec, scale)
    except ScenarioError as exc:
        raise ScenarioError(f"{where}: {exc}") from None


def _per_role(spec: Mapping[str, Any]) -> dict[Role, float]:
    return {role: float(spec[role.label]) for role in Role}


def _clock(text: str, where: str) -> float:
    try:
        hh, mm = str(text).split(":")
        seconds = int(hh) * 3600 + int(mm) * 60
    except ValueError:
        raise ScenarioError(f"{where}(={text!r}) must look like '07:30'") from None
    if not 0 <= seconds <= DAY:
        raise ScenarioError(f"{where}(={text!r}) must lie within one day")
    return float(seconds)


def _calendar(spec: Mapping[str, Any]) -> CalendarConfig:
    hours = tuple(
        (_clock(a, f"calendar.hours[{i}][0]"), _clock(b, f"calendar.hours[{i}][1]"))
        for i, (a, b) in enumerate(spec["hours"])
    )
    previous = 0.0
    for a, b in hours:
        if not previous <= a < b:
            raise ScenarioError(
                f"calendar.hours(={spec['hours']!r}) must be ordered, non-overlapping spans"
            )
        previous = b
    return CalendarConfig(
        weekdays=tuple(int(d) for d in spec["weekdays"]),
        hours=hours,
        holidays=tuple(_date(h, f"calendar.holidays[{i}]") for i, h in enumerate(spec["holidays"])),
    )


def fixture_phase(name: str) -> PhaseSpec:
    """The phase ``name`` of ``fixtures/data/phases.yaml``."""
    from fixtures.agencies import phases

    for phase in phases():
        if phase.name == name:
            return PhaseSpec(phase.name, phase.title, phase.start, phase.end, phase.members)
    known = ", ".join(p.name for p in phases())
    raise ScenarioError(
        f"rollout.phases: {name!r} is not a phase of fixtures/data/phases.yaml (known: {known})"
    )


def _phases(items: Any) -> tuple[PhaseSpec, ...]:
    out = []
    for i, item in enumerate(items):
        if isinstance(item, str):
            out.append(fixture_phase(item))
            continue
        members = item["members"]
        where = f"rollout.phases[{i}]"
        out.append(
            PhaseSpec(
                name=str(item["name"]),
                title=str(item.get("title", item["name"])),
                start=_date(item["start"], f"{where}.start"),
                end=_date(item["end"], f"{where}.end"),
                members=None if members == "all" else tuple(str(m) for m in members),
            )
        )
    names = [p.name for p in out]
    for phase in out:
        if phase.end < phase.start:
            raise ScenarioError(
                f"rollout.phases: {phase.name!r} ends ({phase.end}) before it starts "
                f"({phase.start})"
            )
        if names.count(phase.name) > 1:
            raise ScenarioError(f"rollout.phases: {phase.name!r} is listed twice")
    return tuple(out)


def _rollout(spec: Mapping[str, Any]) -> RolloutConfig:
    lags = {}
    for role in Role:
        low, high = (float(x) for x in spec["lower_tiers"][role.label])
        if high < low:
            raise ScenarioError(
                f"rollout.lower_tiers.{role.label}(=[{low:g}, {high:g}]) must be [min, max]"
            )
        lags[role] = (low, high)
    adoption = spec["adoption"]
    uptake = adoption.get("axis_uptake")
    connections = {
        str(organ): (None if when is None else _date(when, f"rollout.connections.{organ}"))
        for organ, when in (spec.get("connections") or {}).items()
    }
    seed = spec.get("schedule_seed")
    return RolloutConfig(
        phases=_phases(spec["phases"]),
        spread=str(spec["spread"]),
        always_connected=tuple(str(x) for x in spec["always_connected"]),
        unlisted=str(spec["unlisted"]),
        lower_tiers=lags,
        adoption=AdoptionConfig(
            initial=float(adoption["initial"]),
            ramp_days=float(adoption["ramp_days"]),
            axis_uptake=None
            if uptake is None
            else Uptake(
                _date(uptake["pivot"], "rollout.adoption.axis_uptake.pivot"),
                float(uptake["width_days"]),
            ),
        ),
        gateway_relay=bool(spec["gateway_relay"]),
        schedule_seed=None if seed is None else int(seed),
        connections=connections,
    )


def _shifts(spec: Mapping[str, Any], phases: tuple[PhaseSpec, ...]) -> dict[str, int]:
    known = [p.name for p in phases]
    out = {}
    for name, adjust in spec.items():
        if name not in known:
            raise ScenarioError(
                f"phases.{name}: the plan (rollout.phases) has no phase called {name!r} "
                f"(it has: {', '.join(known) or 'none'})"
            )
        shift = adjust.get("shift_days", 0)
        if shift != int(shift):
            raise ScenarioError(f"phases.{name}.shift_days(={shift!r}) must be whole days")
        out[str(name)] = int(shift)
    return out


def _systems(spec: Mapping[str, Any], tick: float) -> SystemsConfig:
    polls = {k: float(v) for k, v in spec["poll_minutes"].items()}
    for key, minutes in polls.items():
        slots = minutes * 60.0 / tick
        if slots < 1 or abs(slots - round(slots)) > 1e-9:
            raise ScenarioError(
                f"systems.poll_minutes.{key}(={minutes:g}) must be a whole multiple of "
                f"engine.tick_seconds(={tick:g} s)"
            )
    return SystemsConfig(
        poll_minutes=polls,
        platform=_duration(spec["platform_seconds"], "systems.platform_seconds"),
        relay=_duration(spec["relay_seconds"], "systems.relay_seconds"),
        ack=_duration(spec["ack_seconds"], "systems.ack_seconds"),
    )


def parse_stream(spec: Mapping[str, Any], i: int) -> StreamConfig:
    """The workload stream ``spec`` (the ``i``-th of ``workload.streams``), typed."""
    where = f"workload.streams[{i}] ({spec['name']})"
    steering = tuple(float(spec["steering"].get(k, 0.0)) for k in STEERING)
    if abs(sum(steering) - 1.0) > 1e-6:
        raise ScenarioError(f"{where}.steering(={dict(spec['steering'])!r}) shares must sum to 1")
    return StreamConfig(
        name=str(spec["name"]),
        sender=Role[str(spec["from"]).upper()],
        recipient=Role[str(spec["to"]).upper()],
        scope=str(spec["scope"]),
        direction=str(spec["direction"]),
        type_name=str(spec["type"]),
        per_day=float(spec["per_day"]),
        broadcast=float(spec.get("broadcast", 0.0)),
        extra_recipients=float(spec.get("extra_recipients", 0.0)),
        steering=(steering[0], steering[1], steering[2]),
        due_days=float(spec.get("due_days", 0.0)),
    )


def _workload(spec: Mapping[str, Any]) -> WorkloadConfig:
    streams = tuple(parse_stream(s, i) for i, s in enumerate(spec["streams"]))
    names = [s.name for s in streams]
    for name in names:
        if names.count(name) > 1:
            raise ScenarioError(f"workload.streams: {name!r} is listed twice")
    return WorkloadConfig(
        pages_mean=float(spec["pages_mean"]),
        report_type=str(spec["report_type"]),
        streams=streams,
        calibration=dict(spec.get("calibration") or {}),
        validation=tuple(dict(v) for v in spec.get("validation") or ()),
    )


def _agencies(spec: Mapping[str, Any]) -> AgenciesConfig:
    staff = {
        role: Staff(
            int(spec["staff"][role.label]["clerks"]),
            int(spec["staff"][role.label]["leaders"]),
            int(spec["staff"][role.label]["officers"]),
        )
        for role in Role
    }
    take_back = spec["take_back"]
    officer = tuple(
        _duration(spec["officer_hours"][k], f"agencies.officer_hours.{k}", HOUR) for k in STEERING
    )
    lead = tuple(_duration(spec["lead_days"][k], f"agencies.lead_days.{k}") for k in STEERING)
    return AgenciesConfig(
        staff=staff,
        clerk=_duration(spec["clerk_minutes"], "agencies.clerk_minutes", 60.0),
        leader=_duration(spec["leader_minutes"], "agencies.leader_minutes", 60.0),
        officer=(officer[0], officer[1], officer[2]),
        lead_days=(lead[0], lead[1], lead[2]),
        refusal_rate=float(spec["refusal_rate"]),
        paper_dependence=_per_role(spec["paper_dependence"]),
        paper_dependence_spread=float(spec["paper_dependence_spread"]),
        take_back=TakeBackConfig(
            rate=float(take_back["rate"]),
            mean_hours=float(take_back["mean_hours"]),
            agree=float(take_back["agree"]),
            answer=_duration(
                take_back["answer_minutes"], "agencies.take_back.answer_minutes", 60.0
            ),
        ),
        feedback=bool(spec["feedback"]),
    )


def _axis(spec: Mapping[str, Any]) -> AxisConfig:
    outages = []
    for i, item in enumerate(spec["outages"]):
        try:
            start = datetime.fromisoformat(str(item["start"]))
        except ValueError:
            raise ScenarioError(
                f"axis.outages[{i}].start(={item['start']!r}) must look like 2016-10-10T08:00"
            ) from None
        outages.append(Outage(start.replace(tzinfo=None), float(item["hours"])))
    return AxisConfig(
        servers=int(spec["servers"]),
        service=_duration(spec["service_seconds"], "axis.service_seconds"),
        latency=_duration(spec["latency_seconds"], "axis.latency_seconds"),
        outages=tuple(outages),
        random_per_week=float(spec["random_outages"]["per_week"]),
        random_mean_hours=float(spec["random_outages"]["mean_hours"]),
    )
