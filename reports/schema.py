"""The JSON Schemas of the reports' documents (in ``spec/schemas/``) and the check against them.

The schemas are the contract for readers outside Python; every document this package reads or
writes passes through :func:`check` so code and schema cannot drift apart unnoticed. A
compiled validator (jsonschema-rs) answers whether a document is valid, in microseconds; the
reference implementation (jsonschema) words the problems of one that is not.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any

import jsonschema_rs
from jsonschema import Draft202012Validator

from reports.errors import ReportFormatError

REPORT_SCHEMA = "certification-report.schema.json"
CERTIFICATE_SCHEMA = "certificate.schema.json"
WAIVERS_SCHEMA = "waivers.schema.json"


@functools.cache
def load_schema(name: str) -> dict[str, Any]:
    """The schema ``spec/schemas/<name>`` as a dict."""
    text = (resources.files("spec") / "schemas" / name).read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    Draft202012Validator.check_schema(schema)
    return schema


@functools.cache
def _validator(name: str) -> Draft202012Validator:
    return Draft202012Validator(load_schema(name))


@functools.cache
def _compiled(name: str) -> Any:
    # Formats are annotations, as the reference validator treats them by default.
    return jsonschema_rs.Draft202012Validator(load_schema(name), validate_formats=False)


def check(name: str, document: Any, what: str) -> None:
    """Raise ``ReportFormatError`` naming the first problems when ``document`` does not match
    the schema ``name``; ``what`` says what the document is (``"report JSON"``)."""
    try:
        if _compiled(name).is_valid(document):
            return
    except ValueError:
        pass  # not plain JSON data (a mapping proxy, a key that is not text): the reference decides
    problems = sorted(_validator(name).iter_errors(document), key=lambda e: list(e.absolute_path))
    if not problems:
        return
    shown = [f"at /{'/'.join(str(p) for p in e.absolute_path)}: {e.message}" for e in problems[:3]]
    more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
    raise ReportFormatError(f"{what} does not match {name}: {'; '.join(shown)}{more}")
