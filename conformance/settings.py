"""The settings of one certification run, built once at the edge (the ``lienthong certify``
command or the pytest plugin's options) and passed to everything else.

Each field that a user sets carries its option in its metadata (:mod:`conformance.options`):
:data:`OPTIONS` is the one table both front ends are built from, so a run started from the
command line and one started with ``pytest conformance/checks`` are the same run. This module
imports nothing heavy: the plugin reads it in every pytest session.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conformance.errors import ConformanceError
from conformance.options import ids, option, options_of, path, yes_no

__all__ = [
    "ADAPTER_KINDS",
    "DEFAULT_OUT",
    "DEFAULT_TIME_SCALE",
    "DEFAULT_VALIDITY_MONTHS",
    "OPTIONS",
    "REFERENCE_AGENCY",
    "CertifySettings",
    "SettingsError",
]

DEFAULT_TIME_SCALE = 300.0
"""Model seconds per real second: a 5-minute deadline passes in one real second."""
DEFAULT_OUT = Path("reports/out/certify")
DEFAULT_EXPLORATION_EXAMPLES = 4
"""Random scenarios the stateful exploration plays in a run (each about half a second)."""
DEFAULT_VALIDITY_MONTHS = 12
"""How long a certificate is valid by policy."""
ADAPTER_KINDS = ("reference", "manual", "http")
DEFAULT_OPERATOR_TIMEOUT = 900.0
REFERENCE_AGENCY = "000.00.00.H44"
"""The agency the reference SUT serves when no ``organ_id`` is given (UBND tỉnh Phú Thọ)."""
_MAX_OFFICER = 200


class SettingsError(ConformanceError, ValueError):
    """Options that cannot make a run (unknown profile, bad adapter, a mutant without the
    reference SUT, …): the run stops with exit code 2 before it starts."""


@dataclass(frozen=True, slots=True, kw_only=True)
class CertifySettings:
    """Everything a certification run needs to know before it starts.

    ``adapter`` is ``reference`` (the in-process reference SUT), ``manual`` (an operator
    follows prompts) or the URL of the vendor's control endpoint; there is no default, so a
    run never certifies the reference SUT by accident. ``organ_id`` and ``system_id`` are the
    agency whose installation is certified and its connection system (``organ_id`` is
    required except for the reference SUT; the system defaults to the agency's level-1
    system). ``axis_url`` ``None`` starts an in-process fake axis on a free port; with a URL,
    ``axis_token`` is the admin API's bearer token. ``mutant`` names a defect of
    :mod:`conformance.mutants` to plant in the reference SUT. ``require_signature`` ``None``
    keeps the profile's choice. ``replay`` is a scenario file written by the exploration to run
    instead of the suite. ``requirements`` focuses the run on the tests that verify those ids
    (a partial run: never CERTIFIED). ``signing_key`` ``None`` is the installation's key in the
    user's data folder.
    """

    adapter: str = field(
        metadata=option(
            "adapter",
            "the SUT to certify (required): the http(s):// URL of its control endpoint "
            "(docs/adapter-contract.md), 'manual' (an operator follows prompts) or 'reference' "
            "(the reference SUT, to try the suite out)",
            metavar="URL|manual|reference",
        )
    )
    profile: str = field(
        default="full",
        metadata=option(
            "profile",
            "certification profile: full, receiver or sender (default full)",
            metavar="NAME",
        ),
    )
    organ_id: str | None = field(
        default=None,
        metadata=option(
            "organ-id",
            "the agency (mã định danh) whose installation is certified; required except for "
            f"the reference SUT (which serves {REFERENCE_AGENCY} by default)",
            metavar="CODE",
        ),
    )
    system_id: str | None = field(
        default=None,
        metadata=option(
            "system-id",
            "the SUT's connection system id (…W00; default: the system of the agency's "
            "level-1 organ, e.g. 00.44.W00)",
            metavar="ID",
        ),
    )
    officer: str | None = field(
        default=None,
        metadata=option(
            "officer", "who runs the certification (recorded in the certificate)", metavar="NAME"
        ),
    )
    axis_url: str | None = field(
        default=None,
        metadata=option(
            "axis",
            "use the fake axis running at URL (through its admin API) instead of starting one "
            "in-process on a free port",
            metavar="URL",
        ),
    )
    axis_token: str | None = field(
        default=None,
        repr=False,
        metadata=option(
            "axis-token", "the admin token of the axis given with --axis", metavar="TOKEN"
        ),
    )
    seed: int = field(
        default=0,
        metadata=option(
            "seed", "seed of every random choice of the run (default 0)", metavar="N", parse=int
        ),
    )
    time_scale: float = field(
        default=DEFAULT_TIME_SCALE,
        metadata=option(
            "time-scale",
            f"model seconds per real second, so the profile's deadlines in minutes pass in "
            f"seconds (default {DEFAULT_TIME_SCALE:g}); a preflight measures whether the SUT "
            "can meet it",
            metavar="X",
            parse=float,
        ),
    )
    out_dir: Path = field(
        default=DEFAULT_OUT,
        metadata=option(
            "out", f"where the run's folder goes (default {DEFAULT_OUT})", metavar="DIR", parse=path
        ),
    )
    waivers: Path | None = field(
        default=None,
        metadata=option(
            "waivers",
            "YAML file of waivers (accepted deviations, each with its approver) to apply",
            metavar="FILE",
            parse=path,
        ),
    )
    mutant: str | None = field(
        default=None,
        metadata=option(
            "mutant",
            "plant the named defect of the mutant catalogue in the reference SUT",
            metavar="NAME",
        ),
    )
    require_signature: bool | None = field(
        default=None,
        metadata=option(
            "require-signature",
            "override the profile: require signed documents (yes) or not (no); recorded in "
            "the certificate as an override",
            metavar="yes|no",
            parse=yes_no,
        ),
    )
    replay: Path | None = field(
        default=None,
        metadata=option(
            "replay",
            "replay a scenario file written by the exploration (scenarios/NAME.json) instead "
            "of the suite",
            metavar="FILE",
            parse=path,
        ),
    )
    requirements: tuple[str, ...] | None = field(
        default=None,
        metadata=option(
            "requirements",
            "run only the tests that verify these requirement ids (a partial run, e.g. to "
            "re-check a fix: INCOMPLETE, never CERTIFIED)",
            metavar="ID,ID",
            parse=ids,
        ),
    )
    exploration_examples: int = field(
        default=DEFAULT_EXPLORATION_EXAMPLES,
        metadata=option(
            "exploration-examples",
            f"random event sequences the stateful exploration tries (default "
            f"{DEFAULT_EXPLORATION_EXAMPLES}; 0 turns it off)",
            metavar="N",
            parse=int,
        ),
    )
    operator_timeout: float = field(
        default=DEFAULT_OPERATOR_TIMEOUT,
        metadata=option(
            "operator-timeout",
            f"real seconds the manual adapter waits for the operator per prompt (default "
            f"{DEFAULT_OPERATOR_TIMEOUT:g})",
            metavar="SECONDS",
            parse=float,
        ),
    )
    signing_key: Path | None = field(
        default=None,
        metadata=option(
            "signing-key",
            "the Ed25519 key that signs the certificate (default: the installation's key in "
            "the user's data folder, created on first use; `lienthong keys show` prints it)",
            metavar="FILE",
            parse=path,
        ),
    )
    validity_months: int = field(
        default=DEFAULT_VALIDITY_MONTHS,
        metadata=option(
            "validity-months",
            f"how long a certificate is valid (default {DEFAULT_VALIDITY_MONTHS} months; "
            "never beyond the first waiver's expiry)",
            metavar="N",
            parse=int,
        ),
    )

    def __post_init__(self) -> None:
        from conformance.profiles import PROFILES

        if self.profile not in PROFILES:
            raise SettingsError(
                f"profile={self.profile!r} is not a profile; choose one of {', '.join(PROFILES)}"
            )
        kind = self.adapter_kind  # validates the adapter
        self._check_mutant(kind)
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise SettingsError(f"seed={self.seed!r} must be an integer >= 0")
        if not isinstance(self.time_scale, int | float) or not self.time_scale > 0:
            raise SettingsError(f"time_scale={self.time_scale!r} must be a number > 0")
        self._check_axis()
        if not self.operator_timeout > 0:
            raise SettingsError(f"operator_timeout={self.operator_timeout!r} must be > 0")
        if self.exploration_examples < 0:
            raise SettingsError(f"exploration_examples={self.exploration_examples!r} must be >= 0")
        if not 1 <= self.validity_months <= 60:
            raise SettingsError(
                f"validity_months={self.validity_months!r} must be between 1 and 60"
            )
        self._check_party(kind)
        self._check_files()
        if self.requirements is not None:
            self._check_requirements()
        object.__setattr__(self, "time_scale", float(self.time_scale))
        object.__setattr__(self, "out_dir", Path(self.out_dir))

    def _check_mutant(self, kind: str) -> None:
        if self.mutant is None:
            return
        from conformance.mutants import UnknownMutant, mutant

        try:
            mutant(self.mutant)
        except UnknownMutant as exc:
            raise SettingsError(str(exc)) from None
        if kind != "reference":
            raise SettingsError(
                f"mutant={self.mutant!r} plants a defect in the reference SUT: it needs "
                f"adapter='reference', not {self.adapter!r}"
            )

    def _check_axis(self) -> None:
        if self.axis_url is None:
            return
        if not self.axis_url.startswith(("http://", "https://")):
            raise SettingsError(f"axis_url={self.axis_url!r} must be an http(s):// URL")
        if not self.axis_token:
            raise SettingsError(
                f"axis_url={self.axis_url!r} needs the axis's admin token (--axis-token); "
                "the axis prints it when it starts"
            )

    def _check_party(self, kind: str) -> None:
        from conformance.party import PartyError, sut_party

        if self.organ_id is None and kind != "reference":
            raise SettingsError(
                f"organ_id is required with adapter={self.adapter!r}: give --organ-id CODE, "
                "the agency (mã định danh) whose installation is certified, e.g. 000.00.00.H41"
            )
        try:
            sut_party(self.organ_id or REFERENCE_AGENCY, self.system_id)
        except PartyError as exc:
            raise SettingsError(str(exc)) from None
        if self.officer is not None and not 0 < len(self.officer.strip()) <= _MAX_OFFICER:
            raise SettingsError(
                f"officer={self.officer!r} must name who runs the certification "
                f"(1 to {_MAX_OFFICER} characters)"
            )

    def _check_files(self) -> None:
        for name in ("waivers", "replay"):
            value = getattr(self, name)
            if value is None:
                continue
            given = Path(value)
            if not given.is_file():
                raise SettingsError(f"{name}={str(given)!r}: no such file")
            object.__setattr__(self, name, given)
        if self.signing_key is not None:
            object.__setattr__(self, "signing_key", Path(self.signing_key))

    def _check_requirements(self) -> None:
        from spec.catalogue import catalogue

        chosen = tuple(self.requirements or ())
        unknown = [i for i in chosen if i not in catalogue()]
        if not chosen or unknown:
            raise SettingsError(
                f"requirements={chosen!r} must name catalogue ids (unknown: {unknown!r})"
            )
        object.__setattr__(self, "requirements", chosen)

    @property
    def adapter_kind(self) -> str:
        """``reference``, ``manual`` or ``http``."""
        if self.adapter in ("reference", "manual"):
            return self.adapter
        if isinstance(self.adapter, str) and self.adapter.startswith(("http://", "https://")):
            return "http"
        raise SettingsError(
            f"adapter={self.adapter!r} must be 'reference', 'manual' or the http(s):// URL of "
            "the SUT's control endpoint"
        )

    @property
    def in_process_axis(self) -> bool:
        return self.axis_url is None

    @property
    def agency(self) -> str:
        """The organ id of the agency certified (the reference SUT's default when not given)."""
        return self.organ_id or REFERENCE_AGENCY

    def resolved_profile(self) -> Any:
        """The :class:`~conformance.profiles.Profile`, with ``require_signature`` applied."""
        from conformance.profiles import profile

        chosen = profile(self.profile)
        if self.require_signature is None:
            return chosen
        return chosen.with_signatures(self.require_signature)

    def overrides(self) -> dict[str, Any]:
        """Every setting that changes what the profile judges or how, with its value, where
        it differs from the default: what a certificate must say beside the profile's name."""
        defaults = {f.name: f.default for f in dataclasses.fields(self)}
        out: dict[str, Any] = {}
        if self.require_signature is not None:
            out["require_signature"] = self.require_signature
        if self.requirements is not None:
            out["requirements"] = list(self.requirements)
        for name in ("time_scale", "exploration_examples", "seed"):
            if getattr(self, name) != defaults[name]:
                out[name] = getattr(self, name)
        return out

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
        if "adapter" not in given:
            raise SettingsError(
                "the adapter is required: give --adapter (for pytest: --lienthong-adapter) with "
                "the http(s):// URL of the SUT's control endpoint, 'manual', or 'reference' for "
                "the reference SUT"
            )
        return cls(**given)

    def to_json(self) -> dict[str, Any]:
        """The settings as recorded in the run's folder (never the admin token), written by
        :mod:`spec.jsonmap`; imported here, not above, because the plugin reads this module in
        every pytest session."""
        from spec.jsonmap import write

        return write(self, _recorded())


@functools.cache
def _recorded() -> Any:
    """How the settings are recorded: the agency certified (the reference SUT's when none
    was given), the files as text, every setting that shaped the verdict; neither the admin
    token nor where the run's files and key live."""
    from spec.jsonmap import Codec, Layout

    return Layout(
        omit=("organ_id", "axis_token", "out_dir", "operator_timeout", "signing_key"),
        codecs={"requirements": Codec(lambda ids: list(ids) if ids else None)},
        extra={"organ_id": lambda settings: settings.agency},
        order=(
            "profile",
            "adapter",
            "organ_id",
            "system_id",
            "officer",
            "axis_url",
            "seed",
            "time_scale",
            "waivers",
            "mutant",
            "require_signature",
            "replay",
            "exploration_examples",
            "requirements",
            "validity_months",
        ),
    )


OPTIONS = options_of(CertifySettings)
"""The certification options, one per settings field a user sets (``--NAME`` for
``lienthong certify``, ``--lienthong-NAME`` for pytest)."""
