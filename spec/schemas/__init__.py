"""The harness's schemas: JSON Schemas (Draft 2020-12) of its JSON forms, and the XSD of edXML.

Each ``<name>.schema.json`` here has the ``$id`` ``https://lienthong.example/schemas/<file>``, so
one schema refers to another by file name (``{"$ref": "finding.schema.json"}``); ``validator``
resolves such references within this folder only, never over the network. The XSD is read by
:mod:`spec.xsd`.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from spec.errors import SpecError

__all__ = ["BASE_URI", "UnknownSchema", "load", "names", "registry", "validator"]

BASE_URI = "https://lienthong.example/schemas/"
_SUFFIX = ".schema.json"


class UnknownSchema(SpecError, LookupError):
    """A schema name with no ``<name>.schema.json`` in spec/schemas/."""


def names() -> list[str]:
    """The schema names (file names without ``.schema.json``), sorted."""
    folder = resources.files("spec") / "schemas"
    return sorted(
        entry.name.removesuffix(_SUFFIX)
        for entry in folder.iterdir()
        if entry.name.endswith(_SUFFIX)
    )


def load(name: str) -> dict[str, Any]:
    """The schema ``name`` (``"finding"`` or ``"finding.schema.json"``) as a new dict."""
    stem = name.removesuffix(_SUFFIX)
    source = resources.files("spec") / "schemas" / f"{stem}{_SUFFIX}"
    if not source.is_file():
        raise UnknownSchema(f"schema name={name!r} is not in spec/schemas/; known: {names()!r}")
    schema: dict[str, Any] = json.loads(source.read_text("utf-8"))
    return schema


@functools.cache
def registry() -> Registry:
    """Every schema of the folder, by its ``$id``."""
    resources_ = [
        (f"{BASE_URI}{stem}{_SUFFIX}", Resource.from_contents(load(stem), DRAFT202012))
        for stem in names()
    ]
    return Registry().with_resources(resources_)


@functools.cache
def validator(name: str) -> Draft202012Validator:
    """A validator of schema ``name`` that resolves references to the other schemas here and
    checks ``format`` keywords (date, date-time, …)."""
    schema = load(name)
    return Draft202012Validator(
        schema, registry=registry(), format_checker=Draft202012Validator.FORMAT_CHECKER
    )
