"""Seeded fault plans: the axis misbehaving on purpose, reproducibly.

A plan is a list of rules (``fault_plan.schema.json``), each for a system and an operation (or
any), optionally aimed at one document (an axis DocId, or a DocumentId: every call about a
message carrying it), firing on every matching call, with a probability, or on the next N
calls. Draws come
from one generator per rule and system, seeded from the plan's seed, so the same seed and the
same calls give the same faults whatever other systems do meanwhile. Every fault that fires is
an ``Injection``; the app applies it and writes it to the transcript.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from axis.errors import ConfigError

KINDS = ("latency", "error", "reset", "timeout", "duplicate", "reorder", "outage", "delay")
# Kinds that only make sense for one operation; other operations never consume their draws.
_ONLY_FOR = {
    "duplicate": "getReceivedEdocList",
    "reorder": "getReceivedEdocList",
    "delay": "sendEdoc",
}
DEFAULT_HOLD_S = 30.0

# Kinds that act on a listing, not on one message: a rule aimed at a document cannot have them.
_UNTARGETED = ("duplicate", "reorder")

__all__ = [
    "ANYTHING",
    "CallSubject",
    "FaultPlan",
    "FaultRule",
    "Injection",
    "load_plan",
    "plan_schema",
]


@cache
def plan_schema() -> dict[str, Any]:
    """The JSON Schema of a fault plan."""
    text = (resources.files("axis") / "fault_plan.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


class CallSubject:
    """What one call is about, for rules aimed at one document: ``doc_id``, the axis DocId it
    names (the ``docId`` header of getEdoc, downloadEdoc, updateStatus, getSentEdocList), and
    the DocumentIds of the messages concerned: the stored message behind ``doc_id``, or the
    message a sendEdoc carries (a document's own DocumentId and the original it revokes,
    updates or replaces; a status's ResponseFor/DocumentId). ``find`` computes them on first
    use only (a store lookup or a parse, which plans without such rules never need)."""

    __slots__ = ("_find", "_ids", "doc_id")

    def __init__(
        self, doc_id: str | None = None, find: Callable[[], Iterable[str]] | None = None
    ) -> None:
        self.doc_id = doc_id
        self._find = find
        self._ids: frozenset[str] | None = None

    def __repr__(self) -> str:
        return f"CallSubject(doc_id={self.doc_id!r})"

    @property
    def document_ids(self) -> frozenset[str]:
        if self._ids is None:
            found = self._find() if self._find is not None else ()
            self._ids = frozenset(i.strip() for i in found if i and i.strip())
        return self._ids


ANYTHING = CallSubject()
"""The subject of a call that names no message (listings, counts, the registry)."""


@dataclass(frozen=True, slots=True)
class Injection:
    """One fault that fired: what to do to this call."""

    rule: str
    kind: str
    params: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {"rule": self.rule, "kind": self.kind, **self.params}


@dataclass(slots=True)
class FaultRule:
    """One rule of a plan, with its remaining ``next`` budget and its generators."""

    id: str
    kind: str
    spec: dict[str, Any]
    seed: int
    remaining: int | None = None
    _rngs: dict[str, random.Random] = field(default_factory=dict, repr=False)

    def applies_to(self, op: str, system: str, subject: CallSubject = ANYTHING) -> bool:
        only = _ONLY_FOR.get(self.kind)
        if only is not None and op != only:
            return False
        spec = self.spec
        if spec.get("system", "*") not in ("*", system):
            return False
        if spec.get("operation", "*") not in ("*", op):
            return False
        doc_id = spec.get("doc_id")
        if doc_id is not None and subject.doc_id != doc_id:
            return False
        document_id = spec.get("document_id")
        return document_id is None or document_id.strip() in subject.document_ids

    def rng(self, system: str) -> random.Random:
        rng = self._rngs.get(system)
        if rng is None:
            rng = self._rngs[system] = random.Random(f"axis-faults:{self.seed}:{self.id}:{system}")
        return rng

    def fires(self, system: str, now: float, started: float) -> bool:
        if self.kind == "outage":
            start = started + float(self.spec.get("start_s", 0))
            return start <= now < start + float(self.spec["duration_s"])
        if self.remaining is not None:
            if self.remaining <= 0:
                return False
            self.remaining -= 1
            return True
        probability = self.spec.get("probability")
        if probability is None:
            return True
        return self.rng(system).random() < float(probability)

    def params(self, system: str) -> dict[str, Any]:
        spec = self.spec
        if self.kind == "latency":
            return {"latency_ms": round(_draw_ms(spec["latency"], self.rng(system)), 3)}
        if self.kind == "error":
            return {"http_status": spec.get("http_status", 503), "apply": spec.get("apply", False)}
        if self.kind == "reset":
            return {"apply": spec.get("apply", False)}
        if self.kind == "timeout":
            return {"hold_s": spec.get("hold_s", DEFAULT_HOLD_S), "apply": spec.get("apply", False)}
        if self.kind == "outage":
            return {"mode": spec.get("mode", "error"), "http_status": spec.get("http_status", 503)}
        if self.kind == "delay":
            return {"delay_s": spec["delay_s"]}
        if self.kind == "reorder":
            return {"shuffle_seed": self.rng(system).getrandbits(32)}
        if self.kind == "duplicate":
            return {"pick": self.rng(system).getrandbits(32)}
        raise ConfigError(f"kind={self.kind!r} is not one of {KINDS}")  # pragma: no cover

    def describe(self) -> dict[str, Any]:
        out = {"id": self.id, **self.spec}
        if self.remaining is not None:
            out["remaining"] = self.remaining
        return out


def _draw_ms(latency: dict[str, Any], rng: random.Random) -> float:
    kind = latency["distribution"]
    if kind == "fixed":
        return float(latency["ms"])
    if kind == "uniform":
        low, high = sorted((float(latency["low_ms"]), float(latency["high_ms"])))
        return rng.uniform(low, high)
    if kind == "exponential":
        mean = float(latency["mean_ms"])
        return rng.expovariate(1.0 / mean) if mean > 0 else 0.0
    if kind == "normal":
        return max(0.0, rng.gauss(float(latency["mean_ms"]), float(latency["sd_ms"])))
    if kind == "lognormal":
        median = float(latency["median_ms"])
        return median * rng.lognormvariate(0.0, float(latency["sigma"])) if median > 0 else 0.0
    raise ConfigError(f"latency distribution {kind!r} is unknown")  # pragma: no cover


class FaultPlan:
    """A validated plan, ready to decide each call's faults. ``started`` anchors outage
    windows (seconds on the axis clock)."""

    def __init__(self, spec: dict[str, Any], *, started: float) -> None:
        try:
            jsonschema.validate(spec, plan_schema())
        except jsonschema.ValidationError as exc:
            where = "/".join(str(p) for p in exc.absolute_path) or "(top)"
            raise ConfigError(f"fault plan invalid at {where}: {exc.message}") from None
        for index, rule in enumerate(spec["rules"]):
            aimed = "doc_id" in rule or "document_id" in rule
            if aimed and rule["kind"] in _UNTARGETED:
                raise ConfigError(
                    f"fault plan invalid at rules/{index}: a {rule['kind']} rule acts on a "
                    "listing and cannot be aimed at one document (doc_id, document_id)"
                )
        self.spec = spec
        self.seed = int(spec.get("seed", 0))
        self.started = started
        self.rules = [
            FaultRule(
                id=str(rule.get("id") or f"rule-{index}"),
                kind=rule["kind"],
                spec=rule,
                seed=self.seed,
                remaining=rule.get("next"),
            )
            for index, rule in enumerate(spec["rules"])
        ]

    def __repr__(self) -> str:
        return f"FaultPlan({self.spec!r}, started={self.started!r})"

    def decide(
        self, op: str, system: str, now: float, subject: CallSubject = ANYTHING
    ) -> list[Injection]:
        """The faults for one call of ``op`` by ``system`` about ``subject``, in rule
        order."""
        out = []
        for rule in self.rules:
            if rule.applies_to(op, system, subject) and rule.fires(system, now, self.started):
                out.append(Injection(rule.id, rule.kind, rule.params(system)))
        return out

    def describe(self) -> dict[str, Any]:
        return {"seed": self.seed, "rules": [r.describe() for r in self.rules]}


def load_plan(path: Path, *, started: float) -> FaultPlan:
    """Read a plan from a YAML or JSON file; raises ``ConfigError`` with the reason."""
    try:
        text = path.read_text("utf-8")
    except OSError as exc:
        raise ConfigError(f"fault file {str(path)!r} cannot be read: {exc}") from None
    try:
        spec = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"fault file {str(path)!r} is not YAML/JSON: {exc}") from None
    if not isinstance(spec, dict):
        raise ConfigError(f"fault file {str(path)!r} must hold an object with 'rules'")
    return FaultPlan(spec, started=started)
