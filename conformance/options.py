"""The option table of certification: one entry per field of
:class:`~conformance.settings.CertifySettings`, read from the fields' metadata, so the
``lienthong certify`` command and the pytest plugin offer the same options with the same help.

The command spells an option ``--NAME``; the plugin, which is loaded in every pytest session
of an environment where lienthong is installed, spells it ``--lienthong-NAME`` in its own
option group, so it never collides with a project's own ``--profile`` or ``--seed``. Both put
the value under the field's name; :meth:`CertifySettings.from_options` builds the settings.
This module imports nothing heavy: the plugin reads it in every session.
"""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "PYTEST_DEST",
    "PYTEST_PREFIX",
    "Option",
    "add_cli_arguments",
    "add_pytest_options",
    "ids",
    "option",
    "options_of",
    "path",
    "values_of",
    "yes_no",
]

PYTEST_PREFIX = "lienthong-"
PYTEST_DEST = "lienthong_"
"""pytest keeps every plugin's options in one namespace: ours are ``lienthong_<field>``."""
_KEY = "lienthong.option"


def yes_no(text: str) -> bool:
    """``yes`` → True, ``no`` → False (the spelling of a boolean override)."""
    if text not in ("yes", "no"):
        raise argparse.ArgumentTypeError(f"{text!r} is not yes or no")
    return text == "yes"


def ids(text: str) -> tuple[str, ...]:
    """``A,B , C`` → ``("A", "B", "C")``: a comma-separated list of requirement ids."""
    return tuple(i.strip() for i in text.split(",") if i.strip())


@dataclass(frozen=True, slots=True)
class Option:
    """One certification option: the settings ``field`` it fills, its ``name`` (``--NAME`` on
    the command line, ``--lienthong-NAME`` for pytest), its help text, how a value is written
    (``metavar``) and read (``parse``, e.g. ``int``)."""

    name: str
    help: str
    metavar: str | None = None
    parse: Callable[[str], Any] | None = None
    choices: tuple[str, ...] | None = None
    field: str = ""

    @property
    def cli_flag(self) -> str:
        return f"--{self.name}"

    @property
    def pytest_flag(self) -> str:
        return f"--{PYTEST_PREFIX}{self.name}"

    def _keywords(self, dest: str) -> dict[str, Any]:
        keywords: dict[str, Any] = {"dest": dest, "default": None, "help": self.help}
        if self.metavar is not None:
            keywords["metavar"] = self.metavar
        if self.parse is not None:
            keywords["type"] = self.parse
        if self.choices is not None:
            keywords["choices"] = self.choices
        return keywords


def option(
    name: str,
    help: str,
    *,
    metavar: str | None = None,
    parse: Callable[[str], Any] | None = None,
    choices: tuple[str, ...] | None = None,
) -> dict[str, Option]:
    """Field metadata that makes a settings field an option (``field(metadata=option(...))``)."""
    return {_KEY: Option(name, help, metavar, parse, choices)}


def options_of(settings_class: type) -> tuple[Option, ...]:
    """The options of a settings dataclass, in field order, each bound to its field."""
    return tuple(
        dataclasses.replace(f.metadata[_KEY], field=f.name)
        for f in dataclasses.fields(settings_class)
        if _KEY in f.metadata
    )


def add_cli_arguments(parser: argparse.ArgumentParser, options: Iterable[Option]) -> None:
    """The options as ``--NAME`` arguments of a command."""
    for entry in options:
        parser.add_argument(entry.cli_flag, **entry._keywords(entry.field))


def add_pytest_options(group: Any, options: Iterable[Option]) -> None:
    """The options as ``--lienthong-NAME`` options of a pytest option group."""
    for entry in options:
        group.addoption(entry.pytest_flag, **entry._keywords(PYTEST_DEST + entry.field))


def values_of(source: Any, options: Iterable[Option], *, prefix: str = "") -> dict[str, Any]:
    """The value of each option's field in ``source`` (an argparse namespace, pytest's
    ``config.option`` with ``prefix`` :data:`PYTEST_DEST`, or a mapping), keyed by field
    name, None where it was not given."""
    if isinstance(source, Mapping):
        return {o.field: source.get(prefix + o.field) for o in options}
    return {o.field: getattr(source, prefix + o.field, None) for o in options}


def path(text: str) -> Path:
    """A path option's value."""
    return Path(text)
