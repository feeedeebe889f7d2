"""Scenarios: YAML files over ``sim/defaults.yaml``, checked against ``sim/scenario.schema.json``.

A scenario names what it changes from the defaults, or from another scenario it ``extends``:
mappings merge key by key, lists and scalars replace. The shipped scenarios live in
``fixtures/scenarios/``; a scenario may also be any YAML file. Overrides such as
``axis.servers=4`` (dotted path, YAML value) apply on top, which is how sweeps vary a
parameter; ``phases.<name>.shift_days=30`` moves a phase of the plan and
``rollout.connections.<organ id>=<date>`` gives an agency its own connection date.

A scenario is parsed once into its typed configuration (:attr:`Scenario.config`,
:mod:`sim.config`); a problem is a :class:`sim.errors.ScenarioError` naming the key.
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from fixtures.handling import handling_times
from sim.config import ScenarioConfig, parse_config
from sim.errors import ScenarioError

Data = dict[str, Any]


@dataclass(frozen=True)
class Scenario:
    """A validated scenario: ``data`` is the merged mapping the model reads."""

    name: str
    source: str
    data: Data = field(repr=False)
    overrides: tuple[tuple[str, Any], ...] = ()

    def __repr__(self) -> str:
        extra = "".join(f", {k}={v!r}" for k, v in self.overrides)
        return f"load_scenario({self.source!r}{extra})"

    @functools.cached_property
    def config(self) -> ScenarioConfig:
        """The typed configuration (parsed once)."""
        return parse_config(self.data)

    @property
    def purpose(self) -> str:
        return str(self.data["purpose"])

    @property
    def days(self) -> int:
        return int(self.data["days"])

    @property
    def seed(self) -> int:
        return int(self.data["seed"])

    @property
    def replications(self) -> int:
        return int(self.data["replications"])

    def with_overrides(self, overrides: Iterable[tuple[str, Any]]) -> Scenario:
        """This scenario with dotted-path overrides applied and validated again."""
        overrides = tuple(overrides)
        data = copy.deepcopy(self.data)
        for path, value in overrides:
            _set(data, path, value)
        _validate(data, self.source)
        return _checked(Scenario(self.name, self.source, data, self.overrides + overrides))


def _checked(scenario: Scenario) -> Scenario:
    """``scenario``, once its typed configuration parses."""
    try:
        _ = scenario.config
    except ScenarioError as exc:
        raise ScenarioError(f"scenario {scenario.source!r}: {exc}") from None
    return scenario


def scenario_dir() -> Path:
    return Path(str(resources.files("fixtures") / "scenarios"))


def shipped_scenarios() -> dict[str, str]:
    """Shipped scenario names and their one-line purposes."""
    out = {}
    for path in sorted(scenario_dir().glob("*.yaml")):
        out[path.stem] = str(_read(path).get("purpose", "")).strip()
    return out


def load_scenario(ref: str | Path, overrides: Iterable[tuple[str, Any]] = ()) -> Scenario:
    """The scenario ``ref`` (a shipped name or a YAML file), with ``overrides`` applied."""
    path = _locate(ref)
    data = _resolve(path, ())
    _normalise(data)
    _validate(data, str(ref))
    scenario = Scenario(str(data["name"]), str(ref), data)
    overrides = tuple(overrides)
    return scenario.with_overrides(overrides) if overrides else _checked(scenario)


def parse_override(text: str) -> tuple[str, Any]:
    """``"axis.servers=4"`` -> ("axis.servers", 4): the value is read as YAML."""
    path, sep, value = text.partition("=")
    if not sep or not path.strip():
        raise ScenarioError(f"override (text={text!r}) must look like 'axis.servers=4'")
    return path.strip(), _yaml_value(value)


def parse_vary(text: str) -> tuple[str, list[Any]]:
    """``"axis.servers=4,8"`` -> ("axis.servers", [4, 8])."""
    path, sep, values = text.partition("=")
    items = [v for v in values.split(",") if v.strip()]
    if not sep or not path.strip() or not items:
        raise ScenarioError(f"--vary (text={text!r}) must look like 'axis.servers=4,8'")
    return path.strip(), [_yaml_value(v) for v in items]


def _yaml_value(text: str) -> Any:
    try:
        return _normalised(yaml.safe_load(text.strip()))
    except (yaml.YAMLError, ValueError) as exc:  # PyYAML raises ValueError for bad dates
        raise ScenarioError(f"value {text!r} is not valid YAML: {exc}") from None


@functools.cache
def schema() -> Data:
    """The scenario JSON Schema (sim/scenario.schema.json)."""
    text = (resources.files("sim") / "scenario.schema.json").read_text("utf-8")
    return json.loads(text)


@functools.cache
def _defaults() -> Data:
    # The agencies' handling times are shared with the fake axis's simulated peers.
    return _merge(_read(Path(str(resources.files("sim") / "defaults.yaml"))), handling_times())


def _locate(ref: str | Path) -> Path:
    path = Path(ref)
    if path.suffix in (".yaml", ".yml") or path.exists():
        if not path.is_file():
            raise ScenarioError(f"scenario file (ref={str(ref)!r}) does not exist")
        return path
    shipped = scenario_dir() / f"{ref}.yaml"
    if shipped.is_file():
        return shipped
    known = ", ".join(shipped_scenarios())
    raise ScenarioError(
        f"scenario (ref={str(ref)!r}) is neither a file nor a shipped name ({known})"
    )


def _read(path: Path) -> Data:
    try:
        data = yaml.safe_load(path.read_text("utf-8"))
    except (OSError, ValueError, yaml.YAMLError) as exc:  # ValueError: bad dates, encodings
        raise ScenarioError(f"cannot read scenario {str(path)!r}: {exc}") from None
    if not isinstance(data, dict):
        raise ScenarioError(f"scenario {str(path)!r} must hold a YAML mapping")
    return data


def _resolve(path: Path, seen: tuple[Path, ...]) -> Data:
    """The defaults, then each ``extends`` ancestor, then ``path`` itself, merged."""
    here = path.resolve()
    if here in seen:
        chain = " -> ".join(str(p) for p in (*seen, here))
        raise ScenarioError(f"scenario extends itself: {chain}")
    data = _read(path)
    parent = data.get("extends")
    if parent:
        base = _resolve(_locate_from(str(parent), path), (*seen, here))
    else:
        base = copy.deepcopy(_defaults())
    return _merge(base, data)


def _locate_from(ref: str, child: Path) -> Path:
    sibling = child.parent / ref
    if sibling.suffix in (".yaml", ".yml") and sibling.is_file():
        return sibling
    return _locate(ref)


def _merge(base: Data, over: Mapping[str, Any]) -> Data:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = _merge(dict(out[key]), value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _normalised(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _normalised(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalised(v) for v in value]
    return value


def _normalise(data: Data) -> None:
    data.update(_normalised(data))


_OPEN_MAPPINGS = ("phases", "rollout.connections")
"""Mappings whose keys the scenario names itself (phase names, organ ids, which hold dots)."""


def _set(data: Data, path: str, value: Any) -> None:
    for prefix in _OPEN_MAPPINGS:
        if path.startswith(prefix + ".") and len(path) > len(prefix) + 1:
            _set_open(data, prefix, path[len(prefix) + 1 :], value)
            return
    keys = path.split(".")
    node: Any = data
    for i, key in enumerate(keys[:-1]):
        if not isinstance(node, dict) or key not in node:
            raise ScenarioError(f"override path {path!r}: {'.'.join(keys[: i + 1])!r} is unknown")
        node = node[key]
    if not isinstance(node, dict) or keys[-1] not in node:
        raise ScenarioError(f"override path {path!r} names no setting of the scenario")
    node[keys[-1]] = _normalised(value)


def _set_open(data: Data, prefix: str, rest: str, value: Any) -> None:
    """Set ``prefix.rest``: under ``phases`` the rest is ``<name>.<setting>``, under
    ``rollout.connections`` an organ id."""
    node: Any = data
    for key in prefix.split("."):
        node = node.setdefault(key, {})
        if node is None:
            node = {}
    if prefix == "phases":
        name, sep, setting = rest.rpartition(".")
        if not sep or not name:
            raise ScenarioError(
                f"override path 'phases.{rest}' must look like phases.<phase name>.shift_days"
            )
        node.setdefault(name, {})[setting] = _normalised(value)
    else:
        node[rest] = _normalised(value)


def _validate(data: Data, source: str) -> None:
    validator = jsonschema.Draft202012Validator(schema())
    problems = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    if problems:
        first = problems[0]
        where = ".".join(str(p) for p in first.absolute_path) or "(top)"
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise ScenarioError(f"scenario {source!r}: {where}: {first.message}{more}")
    for key in ("start",):
        try:
            date.fromisoformat(str(data[key]))
        except ValueError:
            raise ScenarioError(
                f"scenario {source!r}: {key}(={data[key]!r}) must be an ISO date"
            ) from None
