"""The pytest plugin of the conformance suite (entry point ``lienthong-conformance``).

It is loaded in every pytest session of an environment where lienthong is installed, so it
stays small and never collides with a project's own options: its options are the
certification option table (:data:`conformance.settings.OPTIONS`) spelled ``--lienthong-NAME``
in their own group, and it does nothing else unless the session certifies a SUT —
``--lienthong-adapter`` is given, ``lienthong certify`` handed it a prepared run
(:class:`GivenRun`), or the paths to collect lie in the ``conformance`` package (then the
adapter must be named). Only then does it import the suite's machinery
(:mod:`conformance.runtime`) and register it.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest

__all__ = ["GROUP", "MARKER", "GivenRun", "is_active", "prepared_from_config"]

GROUP = "lienthong"
MARKER = "requirement"
_PACKAGE = Path(__file__).resolve().parent


class GivenRun:
    """Hands a prepared run (:class:`conformance.prepared.PreparedRun`) to the plugin: how
    ``lienthong certify`` starts pytest, with the settings object itself and no option
    strings (``pytest.main(args, plugins=[GivenRun(prepared)])``). ``summary`` False leaves
    the verdict for the caller to print."""

    def __init__(self, prepared: Any, *, summary: bool = True) -> None:
        self.prepared = prepared
        self.summary = summary

    def __repr__(self) -> str:
        return f"GivenRun({self.prepared.settings!r})"


def pytest_addoption(parser: pytest.Parser) -> None:
    from conformance.options import add_pytest_options
    from conformance.settings import OPTIONS

    group = parser.getgroup(GROUP, "lienthong conformance suite (certify a SUT)")
    add_pytest_options(group, OPTIONS)


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
    prepared = prepared_from_config(config)
    given = _given(config)
    if getattr(config.option, "numprocesses", None) or getattr(config, "workerinput", None):
        raise pytest.UsageError(
            "the conformance suite drives one SUT from one process: run it without -n"
        )
    if prepared.settings.adapter_kind == "manual" and config.getoption("capture", "no") != "no":
        raise pytest.UsageError(
            "--lienthong-adapter=manual prompts an operator: run pytest with -s (no capture)"
        )
    import conformance.runtime as runtime

    summary = given.summary if given is not None else True
    config.pluginmanager.register(
        runtime.CertificationSession(config, prepared, summary=summary), runtime.SESSION_PLUGIN
    )
    config.pluginmanager.register(runtime, "lienthong-conformance-fixtures")


def _given(config: pytest.Config) -> GivenRun | None:
    for plugin in config.pluginmanager.get_plugins():
        if isinstance(plugin, GivenRun):
            return plugin
    return None


def is_active(config: pytest.Config) -> bool:
    """Whether this session certifies a SUT: a run handed over by ``lienthong certify``,
    ``--lienthong-adapter`` given, or a path to collect inside the conformance package."""
    if _given(config) is not None:
        return True
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


def prepared_from_config(config: pytest.Config) -> Any:
    """The run's :class:`~conformance.prepared.PreparedRun`: the one ``lienthong certify``
    handed over, or one built from the ``--lienthong-*`` options (a bad option or file is a
    usage error naming it)."""
    given = _given(config)
    if given is not None:
        return given.prepared
    from conformance.options import PYTEST_DEST, values_of
    from conformance.prepared import CouldNotRun, prepare
    from conformance.settings import OPTIONS, CertifySettings, SettingsError

    try:
        values = values_of(config.option, OPTIONS, prefix=PYTEST_DEST)
        settings = CertifySettings.from_options(values)
        return prepare(settings)
    except (SettingsError, CouldNotRun) as exc:
        raise pytest.UsageError(f"lienthong: {exc}") from None
