"""What each simulated peer agency does (``--peers FILE``, ``axis/peers.schema.json``): how it
answers the documents it receives, how it answers take-back requests, which documents it sends
on a schedule. Without a file every default system answers each document 01 → 03 → 04 → 05 →
06 and agrees to take-back requests.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import jsonschema
import yaml

from axis.errors import ConfigError
from spec.status_codes import FORWARD_PATH, StatusCode

Answer = Literal["forward", "refuse", "silent", "twice"]
TakeBack = Literal["agree", "refuse", "silent"]

__all__ = [
    "PeerBehaviour",
    "PeerPlan",
    "SendSchedule",
    "load_peer_plan",
    "peer_plan",
    "peer_schema",
]


@functools.cache
def peer_schema() -> dict[str, Any]:
    """The JSON Schema of a peers file."""
    schema: dict[str, Any] = json.loads(
        (resources.files("axis") / "peers.schema.json").read_text("utf-8")
    )
    return schema


@dataclass(frozen=True, slots=True)
class SendSchedule:
    """``count`` documents to ``to``, the first ``first_after_s`` after start, then one every
    ``every_s`` (model seconds); each asked back with a 13 ``take_back_after_s`` after it was
    sent, when set. ``sender`` is the peer's agency that sends (its first when None)."""

    to: tuple[str, ...]
    every_s: float = 3600.0
    count: int = 1
    first_after_s: float = 0.0
    take_back_after_s: float | None = None
    sender: str | None = None


@dataclass(frozen=True, slots=True)
class PeerBehaviour:
    """One peer's behaviour (see the schema's descriptions)."""

    answer: Answer = "forward"
    statuses: tuple[StatusCode, ...] = FORWARD_PATH
    take_back: TakeBack = "agree"
    send: SendSchedule | None = None


@dataclass(frozen=True, slots=True)
class PeerPlan:
    """Behaviours by system id; ``default`` for the simulated systems not listed; a system
    listed as None is not played."""

    default: PeerBehaviour = PeerBehaviour()
    systems: Mapping[str, PeerBehaviour | None] = field(default_factory=dict)

    def behaviour(self, system_id: str) -> PeerBehaviour | None:
        return self.systems.get(system_id, self.default)


def _behaviour(raw: Mapping[str, Any], base: PeerBehaviour) -> PeerBehaviour:
    send = raw.get("send")
    return PeerBehaviour(
        answer=raw.get("answer", base.answer),
        statuses=tuple(StatusCode.parse(c) for c in raw["statuses"])
        if "statuses" in raw
        else base.statuses,
        take_back=raw.get("take_back", base.take_back),
        send=SendSchedule(
            to=tuple(send["to"]),
            every_s=float(send.get("every_s", 3600.0)),
            count=int(send.get("count", 1)),
            first_after_s=float(send.get("first_after_s", 0.0)),
            take_back_after_s=float(send["take_back_after_s"])
            if "take_back_after_s" in send
            else None,
            sender=send.get("sender"),
        )
        if send is not None
        else base.send,
    )


def peer_plan(spec: Mapping[str, Any]) -> PeerPlan:
    """A plan from its parsed form; raises ``ConfigError`` naming where it is invalid."""
    validator = jsonschema.Draft202012Validator(peer_schema())
    error = jsonschema.exceptions.best_match(validator.iter_errors(spec))
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "(top)"
        raise ConfigError(f"peers file invalid at {where}: {error.message}")
    default = _behaviour(spec.get("default", {}), PeerBehaviour())
    systems = {
        str(sid): None if raw is False else _behaviour(raw, default)
        for sid, raw in spec.get("systems", {}).items()
    }
    return PeerPlan(default, systems)


def load_peer_plan(path: Path) -> PeerPlan:
    """Read a peers file (YAML or JSON); raises ``ConfigError`` with the reason."""
    try:
        spec = yaml.safe_load(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"peers file {str(path)!r} cannot be read: {exc}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"peers file {str(path)!r} is not YAML/JSON: {exc}") from None
    if not isinstance(spec, dict):
        raise ConfigError(f"peers file {str(path)!r} must hold a mapping (default, systems)")
    return peer_plan(spec)
