"""The pytest plugin of the conformance suite (entry point ``lienthong-conformance``).

It is loaded in every pytest session of an environment where lienthong is installed, so it
stays small: it adds its option group and the ``requirement`` marker, and does nothing else
unless the session certifies a SUT — ``--sut-adapter`` is given, or the paths to collect lie in
the ``conformance`` package. Only then does it import the suite's machinery
(:mod:`conformance.runtime`) and register it: the fixtures (the axis, the SUT, the judge), the
per-requirement bookkeeping and the report. The project's own test run is left alone.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest

__all__ = ["MARKER", "OPTIONS", "is_active", "settings_args", "settings_from_config"]

GROUP = "lienthong-conformance"
MARKER = "requirement"
_PACKAGE = Path(__file__).resolve().parent

# (flag, CertifySettings field, argparse keywords)
OPTIONS: tuple[tuple[str, str, dict[str, Any]], ...] = (
    (
        "--sut-adapter",
        "adapter",
        {
            "metavar": "ADAPTER",
            "help": "the SUT to certify: 'reference' (the reference SUT, in-process), 'manual' "
            "(prompts an operator) or the http(s):// URL of the SUT's control endpoint; "
            "giving it turns the conformance suite on",
        },
    ),
    (
        "--profile",
        "profile",
        {
            "metavar": "NAME",
            "help": "certification profile: full, receiver or sender (default full)",
        },
    ),
    (
        "--axis",
        "axis_url",
        {
            "metavar": "URL",
            "help": "use the fake axis running at URL (through its admin API) instead of "
            "starting one in-process on a free port",
        },
    ),
    (
        "--axis-token",
        "axis_token",
        {"metavar": "TOKEN", "help": "the admin token of the axis given with --axis"},
    ),
    (
        "--seed",
        "seed",
        {"type": int, "metavar": "N", "help": "seed of every random choice of the run (default 0)"},
    ),
    (
        "--time-scale",
        "time_scale",
        {
            "type": float,
            "metavar": "X",
            "help": "model seconds per real second: profile deadlines in minutes pass in "
            "seconds (default 300)",
        },
    ),
    (
        "--report-dir",
        "out_dir",
        {"metavar": "DIR", "help": "where run folders go (default reports/out/certify)"},
    ),
    (
        "--waivers",
        "waivers",
        {"metavar": "FILE", "help": "YAML file of waivers (accepted deviations) to apply"},
    ),
    (
        "--mutant",
        "mutant",
        {
            "metavar": "NAME",
            "help": "plant the named defect of conformance.mutants in the reference SUT",
        },
    ),
    (
        "--require-signature",
        "require_signature",
        {
            "choices": ("yes", "no"),
            "help": "override the profile: require signed documents (yes) or not (no)",
        },
    ),
    (
        "--replay",
        "replay",
        {
            "metavar": "FILE",
            "help": "replay a scenario file written by the exploration instead of the suite",
        },
    ),
    (
        "--requirements",
        "requirements",
        {
            "metavar": "ID,ID",
            "help": "run only the tests that verify these requirement ids (a partial run)",
        },
    ),
    (
        "--exploration-examples",
        "exploration_examples",
        {
            "type": int,
            "metavar": "N",
            "help": "how many random event sequences the stateful exploration tries "
            "(default 4; 0 turns it off)",
        },
    ),
)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup(GROUP, "lienthong conformance suite (certify a SUT)")
    for flag, field, kwargs in OPTIONS:
        group.addoption(flag, dest=f"lienthong_{field}", default=None, **kwargs)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(*ids): the catalogue requirement ids (spec/requirements/) a conformance "
        "test verifies",
    )
    config.addinivalue_line(
        "markers",
        "audit: a conformance test that judges everything the SUT sent in the run (runs last)",
    )
    config.addinivalue_line(
        "markers", "replay: the conformance test that replays a scenario file (--replay)"
    )
    if not is_active(config):
        return
    from conformance.runtime import CertificationSession
    from conformance.settings import SettingsError

    try:
        settings = settings_from_config(config)
    except SettingsError as exc:
        raise pytest.UsageError(str(exc)) from None
    if getattr(config.option, "numprocesses", None) or getattr(config, "workerinput", None):
        raise pytest.UsageError(
            "the conformance suite drives one SUT from one process: run it without -n"
        )
    if settings.adapter_kind == "manual" and config.getoption("capture", "no") != "no":
        raise pytest.UsageError(
            "--sut-adapter=manual prompts an operator: run pytest with -s (no capture)"
        )
    import conformance.runtime as runtime

    config.pluginmanager.register(CertificationSession(config, settings), runtime.SESSION_PLUGIN)
    config.pluginmanager.register(runtime, "lienthong-conformance-fixtures")


def is_active(config: pytest.Config) -> bool:
    """Whether this session certifies a SUT: ``--sut-adapter`` given, or a path to collect
    inside the conformance package."""
    if config.getoption("lienthong_adapter", default=None) is not None:
        return True
    pyargs = bool(config.getoption("pyargs", default=False))
    for arg in config.args:
        target = str(arg).split("::", 1)[0]
        path = (pyargs and _module_path(target)) or Path(target)
        if not path.is_absolute():
            path = Path(config.invocation_params.dir) / path
        try:
            if path.resolve().is_relative_to(_PACKAGE):
                return True
        except OSError:
            continue
    return False


def _module_path(name: str) -> Path | None:
    """Where the module or package ``name`` (``pytest --pyargs conformance``) lives, or None
    when ``name`` is not an importable dotted name."""
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None:
        return None
    if spec.submodule_search_locations:
        return Path(next(iter(spec.submodule_search_locations)))
    return Path(spec.origin) if spec.origin else None


def settings_from_config(config: pytest.Config) -> Any:
    """The run's :class:`~conformance.settings.CertifySettings` from the pytest options."""
    from conformance.settings import CertifySettings

    values = {field: config.getoption(f"lienthong_{field}") for _, field, _ in OPTIONS}
    choice = values.get("require_signature")
    if choice is not None:
        values["require_signature"] = choice == "yes"
    return CertifySettings.from_options(values)


def settings_args(settings: Any) -> list[str]:
    """The pytest options that give back ``settings`` (a CertifySettings) through
    :func:`settings_from_config`: how ``lienthong certify`` hands its settings to pytest."""
    args: list[str] = []
    for flag, field, _ in OPTIONS:
        value = getattr(settings, field)
        if value is None:
            continue
        if field == "require_signature":
            value = "yes" if value else "no"
        elif field == "requirements":
            value = ",".join(value)
        args.append(f"{flag}={value}")
    return args
