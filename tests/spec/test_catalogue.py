"""The requirement catalogue: unique ids, complete entries, and every rule in spec/ mapped to one."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

import spec
from spec.catalogue import Level, catalogue, requirement

SPEC_DIR = Path(spec.__file__).parent
ID_IN_CODE = re.compile(r"""["']((?:XML|MSG|BIZ|ATT|ST|SIG|LC|ID)-[A-Z0-9-]+)["']""")


def test_ids_are_unique_across_all_family_files() -> None:
    ids = []
    for path in sorted((SPEC_DIR / "requirements").glob("*.yaml")):
        ids += [entry["id"] for entry in yaml.safe_load(path.read_text("utf-8"))]
    duplicates = [i for i, n in Counter(ids).items() if n > 1]
    assert duplicates == []
    assert len(catalogue()) == len(ids)


def test_every_entry_is_complete() -> None:
    for req in catalogue().values():
        assert re.fullmatch(r"[A-Z]+(-[A-Z0-9]+)+", req.id), req.id
        assert req.title and req.source and req.statement, req.id
        assert isinstance(req.level, Level)
        assert req.id.split("-")[0] in {
            "XML", "MSG", "BIZ", "ATT", "ST", "SIG", "LC", "ID",
            "TR", "RCV", "SND", "FLOW", "ROB", "SEC",
        }, req.id  # fmt: skip


def test_every_rule_id_in_spec_code_is_in_the_catalogue() -> None:
    used = set()
    for path in SPEC_DIR.rglob("*.py"):
        used |= set(ID_IN_CODE.findall(path.read_text("utf-8")))
    assert len(used) > 40
    assert sorted(used - set(catalogue())) == []


def test_unknown_id_is_a_clear_error() -> None:
    with pytest.raises(spec.UnknownRequirement, match="NOPE-1"):
        requirement("NOPE-1")
    assert requirement("MSG-SUBJECT-REQUIRED").level is Level.MUST


def test_public_surface_is_curated() -> None:
    assert sorted(spec.__all__) == sorted(set(spec.__all__))
    for name in spec.__all__:
        assert hasattr(spec, name), name
    assert {"parse", "serialize", "check", "validate", "Finding", "catalogue"} <= set(spec.__all__)
