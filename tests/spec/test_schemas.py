"""The JSON Schemas of spec/schemas/ are sound, findable, and describe what the code writes."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from spec import Finding, InputRefused, Severity, check, schemas
from spec.rules.checker import Options

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "fixtures" / "corpus"
REQUIREMENTS = sorted((ROOT / "spec" / "requirements").glob("*.yaml"))


@pytest.mark.parametrize("name", schemas.names())
def test_every_schema_is_a_draft_2020_12_schema_named_by_its_file(name):
    schema = schemas.load(name)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == f"{schemas.BASE_URI}{name}.schema.json"
    assert schema.get("title") and schema.get("description")


def test_loader_knows_its_schemas_and_refuses_unknown_names():
    assert {"finding", "validation-report", "requirement-catalogue"} <= set(schemas.names())
    assert schemas.load("finding.schema.json") == schemas.load("finding")
    assert schemas.load("finding") is not schemas.load("finding")
    with pytest.raises(schemas.UnknownSchema, match="name='findings'"):
        schemas.load("findings")


# -- finding -------------------------------------------------------------------------------


def corpus_findings() -> list[Finding]:
    found = []
    for path in sorted((CORPUS / "invalid").glob("*.edxml")):
        try:
            found.extend(check(path.read_bytes(), Options()).findings)
        except InputRefused:
            continue  # refused input has no findings
    return found


def test_findings_as_the_validator_writes_them_are_valid():
    validator = schemas.validator("finding")
    found = corpus_findings()
    assert {f.severity for f in found} == set(Severity)
    for finding in found:
        validator.validate(finding.to_json())
        assert Finding.from_json(finding.to_json()) == finding


GOOD_FINDING = {
    "req_id": "MSG-SUBJECT-REQUIRED",
    "severity": "error",
    "path": "/edXML/edXMLEnvelope/edXMLHeader/MessageHeader/Subject",
    "message": "Subject (trích yếu nội dung) is empty",
}


@pytest.mark.parametrize(
    "change",
    [
        {"severity": "fatal"},
        {"req_id": "msg-subject-required"},
        {"req_id": "SUBJECT"},
        {"path": "MessageHeader/Subject"},
        {"message": ""},
        {"extra": 1},
    ],
)
def test_malformed_findings_are_rejected(change):
    validator = schemas.validator("finding")
    validator.validate(GOOD_FINDING)
    with pytest.raises(ValidationError):
        validator.validate({**GOOD_FINDING, **change})
    missing = dict(GOOD_FINDING)
    del missing["path"]
    assert not validator.is_valid(missing)


# -- validation report -----------------------------------------------------------------------


def run_validate_json(*paths: Path) -> list[dict]:
    result = subprocess.run(
        [sys.executable, "-m", "lienthong", "validate", "--json", "--today", "2024/12/31"]
        + [str(p) for p in paths],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode in (0, 1, 2), result.stderr
    return json.loads(result.stdout)


@pytest.mark.slow
def test_the_validate_command_writes_reports_of_this_shape():
    files = [
        CORPUS / "valid" / "edoc-new.edxml",
        CORPUS / "valid" / "status-02.edxml",
        CORPUS / "invalid" / "msg-subject-blank.edxml",
        CORPUS / "invalid" / "msg-signer-missing.edxml",
        CORPUS / "invalid" / "hostile-billion-laughs.edxml",
        CORPUS / "invalid" / "refused-html.edxml",
        CORPUS / "no-such-file.edxml",
    ]
    report = run_validate_json(*files)
    schemas.validator("validation-report").validate(report)
    assert [r["status"] for r in report] == [
        "ok",
        "ok",
        "errors",
        "ok",
        "refused",
        "refused",
        "refused",
    ]
    assert [r["kind"] for r in report][:4] == ["edoc", "status", "edoc", "edoc"]


def report_entry(**change: object) -> dict[str, object]:
    entry: dict[str, object] = {
        "file": "a.edxml",
        "status": "errors",
        "kind": "edoc",
        "findings": [GOOD_FINDING],
        "error": None,
    }
    entry.update(change)
    return entry


@pytest.mark.parametrize(
    "entry",
    [
        report_entry(status="ok"),  # ok with an error-level finding
        report_entry(findings=[]),  # errors without one
        report_entry(status="refused"),  # refused but with a kind and findings
        report_entry(status="refused", kind=None, findings=[], error=None),
        report_entry(error="why"),
        report_entry(kind="message"),
        report_entry(findings=[{**GOOD_FINDING, "severity": "fatal"}]),
        {k: v for k, v in report_entry().items() if k != "error"},
    ],
)
def test_inconsistent_report_entries_are_rejected(entry):
    validator = schemas.validator("validation-report")
    validator.validate([report_entry()])
    validator.validate(
        [report_entry(status="refused", kind=None, findings=[], error="input is empty")]
    )
    assert not validator.is_valid([entry])


# -- requirement catalogue -------------------------------------------------------------------


@pytest.mark.parametrize("path", REQUIREMENTS, ids=lambda p: p.name)
def test_every_requirement_family_file_fits_the_catalogue_schema(path):
    entries = yaml.safe_load(path.read_text("utf-8"))
    schemas.validator("requirement-catalogue").validate(entries)


@pytest.mark.parametrize(
    "change",
    [
        {"level": "MUST NOT"},
        {"id": "lc-no-repeat"},
        {"retired": "yes"},
        {"owner": "someone"},
        {"statement": ""},
    ],
)
def test_malformed_requirements_are_rejected(change):
    entries = yaml.safe_load(REQUIREMENTS[0].read_text("utf-8"))
    bad = copy.deepcopy(entries)
    bad[0].update(change)
    validator = schemas.validator("requirement-catalogue")
    assert validator.is_valid(entries)
    assert not validator.is_valid(bad)
    del bad[0]["id"]
    assert not validator.is_valid(bad)
