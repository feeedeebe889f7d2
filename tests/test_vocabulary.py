"""The spec's vocabulary is written once, in ``spec``: status codes, business kinds, lifecycle
states, organ-id lengths and field limits.

Everything else derives from it: the schemas that must list it for their readers are checked
against it here, no module outside ``spec`` spells a status code, and a status code added to
spec's table alone is shown by the dashboard, the report timeline and the simulator.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, get_args

import pytest
from matplotlib.colors import to_rgba

import spec
from axis.dashboard.labels import STAGE_TONES
from axis.peer_plan import peer_schema
from conformance.contract import types as contract_types
from fixtures import factory
from reports.timeline import STAGE_COLOURS
from spec.business_kinds import WORDS, BusinessKind, KindWord
from spec.lifecycle import State
from spec.limits import MAX_LENGTH
from spec.organ_ids import QD20_MAX_LENGTH
from spec.status_codes import Stage, StatusCode

ROOT = Path(__file__).resolve().parents[1]
CODES = [c.value for c in StatusCode]


def _json(path: str) -> Any:
    return json.loads((ROOT / path).read_text("utf-8"))


# --- schemas that list the vocabulary for their readers ----------------------------------------


def test_the_peers_schema_lists_spec_codes_and_organ_id_length() -> None:
    schema = peer_schema()
    assert schema["$defs"]["code"]["enum"] == CODES
    send = schema["$defs"]["behaviour"]["properties"]["send"]["properties"]
    assert send["sender"]["maxLength"] == QD20_MAX_LENGTH
    assert send["to"]["items"]["maxLength"] == QD20_MAX_LENGTH


def test_the_adapter_contract_lists_spec_vocabulary() -> None:
    defs = _json("conformance/contract/common.schema.json")["$defs"]
    assert defs["StatusCode"]["enum"] == CODES
    assert defs["BusinessKind"]["enum"] == list(WORDS)
    assert defs["State"]["enum"] == [s.value for s in State]
    assert get_args(KindWord) == WORDS
    assert contract_types.BusinessKind is factory.Kind is KindWord
    take_back = _json("conformance/contract/take-back.response.schema.json")
    assert take_back["properties"]["statusCode"] == {"const": StatusCode.TAKE_BACK_REQUESTED.value}
    answer = _json("conformance/contract/take-back-answer.response.schema.json")
    answers = [c.value for c in StatusCode if c.stage.answers_take_back]
    assert answer["properties"]["statusCode"]["enum"] == answers
    send = _json("conformance/contract/send.request.schema.json")["properties"]
    later = [k.word for k in BusinessKind if k is not BusinessKind.NEW]
    assert send["business"]["properties"]["kind"]["enum"] == later
    assert send["codeNumber"]["maxLength"] == MAX_LENGTH["CodeNumber"]
    assert send["codeNotation"]["maxLength"] == MAX_LENGTH["CodeNotation"]


def test_the_xsd_status_code_pattern_accepts_exactly_spec_codes() -> None:
    xsd = (Path(spec.__file__).parent / "schemas" / "edxml.xsd").read_text("utf-8")
    [body] = re.findall(r'<xs:simpleType name="StatusCode">(.*?)</xs:simpleType>', xsd, re.S)
    [pattern] = re.findall(r'<xs:pattern value="([^"]+)"', body)
    xsd_class = pattern.replace("&#x", "\\u").replace(";", "")
    xsd_class = re.sub(r"\\u([0-9A-F]+)", lambda m: f"\\u{int(m[1], 16):04x}", xsd_class)
    accepted = {
        text
        for n in range(100)
        for text in (f"{n:02d}", str(n))
        if re.fullmatch(xsd_class, text) and not text.startswith("00")
    }
    assert {StatusCode.parse(t).value for t in accepted} == set(CODES)
    assert accepted == set(CODES) | {c.lstrip("0") for c in CODES}


# --- nothing outside spec spells a status code -------------------------------------------------

SOURCES = ("axis", "board", "conformance", "fixtures", "lienthong", "load", "reports", "sim")


def _code_literals(path: Path) -> list[int]:
    tree = ast.parse(path.read_text("utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
    }
    widths = {  # f"{name:16}": a format spec, not a code
        id(part)
        for node in ast.walk(tree)
        if isinstance(node, ast.FormattedValue) and node.format_spec is not None
        for part in ast.walk(node.format_spec)
    }
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and node.value in CODES
        and id(node) not in docstrings | widths
    ]


@pytest.mark.slow
def test_no_module_outside_spec_spells_a_status_code() -> None:
    found = {}
    for top in SOURCES:
        for path in sorted((ROOT / top).rglob("*.py")):
            lines = _code_literals(path)
            if lines:
                found[path.relative_to(ROOT).as_posix()] = lines
    assert not found, f"status codes spelled outside spec (use StatusCode): {found}"


# --- every stage has its look; a new code needs nothing but its row in spec --------------------


def test_every_stage_has_a_tone_and_a_colour() -> None:
    assert set(STAGE_TONES) == set(Stage) == set(STAGE_COLOURS)


NEW_CODE = """
    RETURNED = (
        "07",
        "receiver",
        Stage.REFUSED,
        "returned",
        "returned to the sender for more information",
        "Trả lại để bổ sung thông tin",
        True,
    )
"""


@pytest.fixture
def spec_with_a_new_code(tmp_path: Path) -> Path:
    """A copy of ``spec`` whose StatusCode has one more member, 07 RETURNED (stage REFUSED),
    after its last; the folder to put first on the path."""
    copy = tmp_path / "spec"
    shutil.copytree(Path(spec.__file__).parent, copy, ignore=shutil.ignore_patterns("__pycache__"))
    source = (copy / "status_codes.py").read_text("utf-8")
    [table] = [
        node
        for node in ast.parse(source).body
        if isinstance(node, ast.ClassDef) and node.name == "StatusCode"
    ]
    members = [n for n in table.body if isinstance(n, ast.Assign) and n.targets[0].id.isupper()]  # type: ignore[attr-defined]
    lines = source.splitlines(keepends=True)
    end = members[-1].end_lineno or 0
    (copy / "status_codes.py").write_text("".join([*lines[:end], NEW_CODE, *lines[end:]]), "utf-8")
    return tmp_path


@pytest.mark.slow
def test_a_status_code_added_to_spec_alone_is_shown_everywhere(
    spec_with_a_new_code: Path,
) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(spec_with_a_new_code), str(ROOT)])}
    done = subprocess.run(
        [sys.executable, "-m", "tests.new_code_probe", "07"],
        cwd=spec_with_a_new_code,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert Path(seen["spec"]).is_relative_to(spec_with_a_new_code)
    assert seen["code"] == {"name": "RETURNED", "label": "07 returned", "stage": "REFUSED"}

    dashboard = seen["dashboard"]
    assert dashboard["badges"], "the document page shows no badge for 07"
    for badge in dashboard["badges"]:
        assert f"tone-{STAGE_TONES[Stage.REFUSED]}" in badge["class"].split()
        assert badge["title"] == (
            "07: Trả lại để bổ sung thông tin — returned to the sender for more information"
        )
    assert dashboard["options"] == ["07 · Trả lại để bổ sung thông tin"]

    timeline = seen["timeline"]
    assert timeline["codes"] == ["07"]
    [box] = [b for b in timeline["boxes"] if b["text"] == "07"]
    assert tuple(box["colour"]) == to_rgba(STAGE_COLOURS[Stage.REFUSED])
    assert "02 07 refused" in timeline["legend"]
    assert timeline["png_bytes"] > 0

    simulator = seen["simulator"]
    assert 7 in simulator["codes"]
    assert simulator["metrics"]["tts_07_median_h"] == (
        "time to status 07 returned back at the sender, median"
    )
    assert "time to status 07 returned back at the sender, median" in simulator["report"]

    lifecycle = seen["lifecycle"]  # judged as what it is: a refusal
    assert lifecycle["07"] == {"state": "refused", "first": "07"}
    assert lifecycle["01 07"] == {"state": "refused", "first": "01"}
    assert lifecycle["01 07 03"]["rejected"] == [
        "LC-NOTHING-AFTER-REFUSAL",
        "03 after 07: a refused document gets no further forward status (earlier: 01, 07)",
    ]
    assert lifecycle["01 03 07"]["rejected"][0] == "LC-REFUSAL-BEFORE-ACCEPT"
    assert lifecycle["07 07"]["rejected"][0] == "LC-NO-REPEAT"
    assert lifecycle["02 07"]["rejected"] == [
        "LC-NOTHING-AFTER-REFUSAL",
        "07 after 02: a document is refused only once (earlier: 02)",
    ]
    assert seen["factory_description"] == "Trả lại để bổ sung thông tin"
