"""The settings of one certification run, built once at the edge (the ``lienthong certify``
flags or the pytest plugin's options) and passed to everything else.

The same object comes out of both front ends, so a run started from the command line and one
started with ``pytest conformance/`` are the same run.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conformance.errors import ConformanceError
from conformance.profiles import PROFILES, Profile, profile

__all__ = [
    "ADAPTER_KINDS",
    "DEFAULT_OUT",
    "DEFAULT_TIME_SCALE",
    "CertifySettings",
    "SettingsError",
]

DEFAULT_TIME_SCALE = 300.0
"""Model seconds per real second: a 5-minute deadline passes in one real second."""

DEFAULT_OUT = Path("reports/out/certify")
DEFAULT_EXPLORATION_EXAMPLES = 4
"""Random scenarios the stateful exploration plays in a run (each about half a second)."""
ADAPTER_KINDS = ("reference", "manual", "http")
DEFAULT_OPERATOR_TIMEOUT = 900.0


class SettingsError(ConformanceError, ValueError):
    """Options that cannot make a run (unknown profile, bad adapter, a mutant without the
    reference SUT, …): the run stops with exit code 2 before it starts."""


@dataclass(frozen=True, slots=True)
class CertifySettings:
    """Everything a certification run needs to know before it starts.

    ``adapter`` is ``reference`` (the in-process reference SUT), ``manual`` (an operator
    follows prompts) or the URL of the vendor's control endpoint. ``axis_url`` ``None``
    starts an in-process fake axis on a free port; with a URL, ``axis_token`` is the admin
    API's bearer token. ``mutant`` names a defect of :mod:`conformance.mutants` to plant in
    the reference SUT. ``require_signature`` ``None`` keeps the profile's choice. ``replay``
    is a scenario file written by the exploration (``scenarios/NAME.json``) to run instead of
    the suite. ``requirements`` focuses the run on the tests that verify those ids (a partial
    run: the other requirements are reported as not tested).
    """

    profile: str = "full"
    adapter: str = "reference"
    axis_url: str | None = None
    axis_token: str | None = dataclasses.field(default=None, repr=False)
    seed: int = 0
    time_scale: float = DEFAULT_TIME_SCALE
    out_dir: Path = DEFAULT_OUT
    waivers: Path | None = None
    mutant: str | None = None
    require_signature: bool | None = None
    replay: Path | None = None
    operator_timeout: float = DEFAULT_OPERATOR_TIMEOUT
    exploration_examples: int = DEFAULT_EXPLORATION_EXAMPLES
    requirements: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if self.profile not in PROFILES:
            raise SettingsError(
                f"profile={self.profile!r} is not a profile; choose one of {', '.join(PROFILES)}"
            )
        kind = self.adapter_kind  # validates the adapter
        if self.mutant is not None:
            from conformance.mutants import UnknownMutant, mutant

            try:
                mutant(self.mutant)
            except UnknownMutant as exc:
                raise SettingsError(str(exc)) from None
        if self.mutant is not None and kind != "reference":
            raise SettingsError(
                f"mutant={self.mutant!r} plants a defect in the reference SUT: it needs "
                f"adapter='reference', not {self.adapter!r}"
            )
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise SettingsError(f"seed={self.seed!r} must be an integer >= 0")
        if not isinstance(self.time_scale, int | float) or not self.time_scale > 0:
            raise SettingsError(f"time_scale={self.time_scale!r} must be a number > 0")
        if self.axis_url is not None:
            if not self.axis_url.startswith(("http://", "https://")):
                raise SettingsError(f"axis_url={self.axis_url!r} must be an http(s):// URL")
            if not self.axis_token:
                raise SettingsError(
                    f"axis_url={self.axis_url!r} needs the axis's admin token (--axis-token); "
                    "the axis prints it when it starts"
                )
        if not self.operator_timeout > 0:
            raise SettingsError(f"operator_timeout={self.operator_timeout!r} must be > 0")
        if self.exploration_examples < 0:
            raise SettingsError(f"exploration_examples={self.exploration_examples!r} must be >= 0")
        if self.requirements is not None:
            from spec.catalogue import catalogue

            ids = tuple(self.requirements)
            unknown = [i for i in ids if i not in catalogue()]
            if not ids or unknown:
                raise SettingsError(
                    f"requirements={ids!r} must name catalogue ids (unknown: {unknown!r})"
                )
            object.__setattr__(self, "requirements", ids)
        object.__setattr__(self, "time_scale", float(self.time_scale))
        object.__setattr__(self, "out_dir", Path(self.out_dir))

    @property
    def adapter_kind(self) -> str:
        """``reference``, ``manual`` or ``http``."""
        if self.adapter in ("reference", "manual"):
            return self.adapter
        if self.adapter.startswith(("http://", "https://")):
            return "http"
        raise SettingsError(
            f"adapter={self.adapter!r} must be 'reference', 'manual' or the http(s):// URL of "
            "the SUT's control endpoint"
        )

    @property
    def in_process_axis(self) -> bool:
        return self.axis_url is None

    def resolved_profile(self) -> Profile:
        """The profile, with ``require_signature`` applied when given."""
        chosen = profile(self.profile)
        if self.require_signature is None:
            return chosen
        return chosen.with_signatures(self.require_signature)

    def replace(self, **changes: Any) -> CertifySettings:
        """A copy with ``changes`` (validated again)."""
        return dataclasses.replace(self, **changes)

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> CertifySettings:
        """Settings from option values keyed by field name; ``None`` values keep the default
        (what argparse and pytest give for an option that was not passed)."""
        fields = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(options) - fields)
        if unknown:
            raise SettingsError(f"unknown settings {unknown!r}; known: {sorted(fields)!r}")
        given = {k: v for k, v in options.items() if v is not None}
        for name in ("out_dir", "waivers", "replay"):
            if name in given:
                given[name] = Path(given[name])
        if isinstance(given.get("requirements"), str):
            given["requirements"] = tuple(
                i.strip() for i in given["requirements"].split(",") if i.strip()
            )
        return cls(**given)

    def to_json(self) -> dict[str, Any]:
        """The settings as recorded in the run's files (never the admin token)."""
        return {
            "profile": self.profile,
            "adapter": self.adapter,
            "axis_url": self.axis_url,
            "seed": self.seed,
            "time_scale": self.time_scale,
            "out_dir": str(self.out_dir),
            "waivers": str(self.waivers) if self.waivers else None,
            "mutant": self.mutant,
            "require_signature": self.require_signature,
            "replay": str(self.replay) if self.replay else None,
            "exploration_examples": self.exploration_examples,
            "requirements": list(self.requirements) if self.requirements else None,
        }
