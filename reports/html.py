"""The certification officer's HTML page for a report: one self-contained, printable file.

The page answers the officer's questions in the order they are asked: the verdict and why;
the counts and the coverage of the profile's MUST requirements; each failure explained in
place (the requirement's clause and statement from ``spec.catalogue``, the exchange that
proves it, a hint to fix); then the waived, untested and passed requirements; and a timeline
picture per document. Pictures are embedded as data URIs and the style is inline, so the file
opens anywhere, offline, exactly as it was issued.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import jinja2

from reports.certificate import report_digest
from reports.model import Evidence, EvidenceLine, Outcome, Report, RequirementResult
from reports.pages import TEMPLATES, page_environment
from reports.timeline import timeline_data_uri
from reports.when import vietnam_time
from spec.catalogue import Level, catalogue
from spec.clock import VIETNAM

__all__ = ["render_html"]

# Longest evidence detail shown in the page; report.json keeps all of it.
MAX_EXCERPT_CHARS = 4000
_LEVEL_ORDER = {Level.MUST: 0, Level.SHOULD: 1, Level.MAY: 2}


_KIND_LABELS = {
    "exchange": "message",
    "transcript": "on the wire",
    "finding": "validator",
    "note": "check",
}
_SOURCE_LABELS = {
    "legal": "Legal basis",
    "standard": "Standard",
    "sdk": "Axis SDK behaviour",
    "harness": "Harness rule",
}


@dataclass(frozen=True, slots=True)
class _EvidenceView:
    label: str
    summary: str
    text: str
    truncated: bool
    seqs: tuple[int, ...]
    lines: tuple[EvidenceLine, ...]
    seen_by: tuple[str, ...]


def _event_line(excerpt: dict[str, Any]) -> str:
    """A transcript excerpt as one line: its time and the summary its producer wrote."""
    return f"{excerpt.get('at', '')}  {excerpt.get('summary', '')}"


def _is_event(value: Any) -> bool:
    return isinstance(value, dict) and "seq" in value and "summary" in value


def _detail_text(evidence: Evidence) -> str:
    detail = evidence.detail
    if detail is None:
        return ""
    if evidence.kind == "finding" and isinstance(detail, dict) and "path" in detail:
        return f"{str(detail.get('severity', '')).upper()} {detail.get('req_id', '')} at {detail['path']}\n{detail.get('message', '')}"
    if isinstance(detail, list) and detail and all(_is_event(e) for e in detail):
        return "\n".join(_event_line(e) for e in detail)
    if isinstance(detail, str):
        return detail
    return json.dumps(detail, ensure_ascii=False, indent=2)


def _seen_by(evidence: Evidence) -> tuple[str, ...]:
    detail = evidence.detail
    if evidence.kind == "note" and isinstance(detail, dict) and set(detail) == {"tests"}:
        return tuple(_checks(detail["tests"]))
    return ()


def _view(evidence: Evidence) -> _EvidenceView:
    seen_by = _seen_by(evidence)
    text = "" if seen_by else _detail_text(evidence)
    truncated = len(text) > MAX_EXCERPT_CHARS
    return _EvidenceView(
        _KIND_LABELS[evidence.kind],
        evidence.summary,
        text[:MAX_EXCERPT_CHARS] if truncated else text,
        truncated,
        evidence.seqs,
        evidence.lines,
        seen_by,
    )


def _checks(tests: Iterable[str]) -> list[str]:
    """Test node ids as the names of the checks, once each: ``conformance/checks/test_a.py::
    test_b[X]`` → ``test_b``."""
    names = (str(t).rsplit("::", 1)[-1].split("[", 1)[0] for t in tests)
    return list(dict.fromkeys(names))


def _sources(result: RequirementResult) -> list[tuple[str, list[str]]]:
    """The requirement's sources grouped by kind, the regulation first."""
    found = catalogue().get(result.id)
    parts = found.sources if found else ()
    grouped: dict[str, list[str]] = {}
    for part in parts:
        grouped.setdefault(part.kind, []).append(part.text)
    if not grouped:
        return [("Source", [result.source])]
    return [(_SOURCE_LABELS[k], grouped[k]) for k in _SOURCE_LABELS if k in grouped]


def _clock(moment: datetime) -> str:
    return moment.astimezone(VIETNAM).strftime("%H:%M:%S")


def _statement(result: RequirementResult) -> str:
    found = catalogue().get(result.id)
    return found.statement if found else ""


def _ordered(report: Report, outcome: Outcome) -> list[RequirementResult]:
    chosen = [r for r in report.requirements if r.verdict is outcome]
    return sorted(chosen, key=lambda r: (_LEVEL_ORDER[r.level], r.id))


def _environment() -> jinja2.Environment:
    filters: dict[str, Callable[..., object]] = {
        "evidence": _view,
        "when": vietnam_time,
        "statement": _statement,
        "sources": _sources,
        "checks": _checks,
        "clock": _clock,
    }
    return page_environment(TEMPLATES, filters)


def render_html(report: Report, *, signed_by: str | None = None) -> str:
    """The officer's page for ``report`` as one HTML string; ``signed_by`` is the fingerprint
    of the key that signed its certificate (shown in the footer)."""
    verdict, reason = report.compute_verdict()
    duration = report.finished - report.started
    template = _environment().get_template("certification.html.j2")
    return template.render(
        report=report,
        verdict=verdict,
        reason=reason,
        counts=report.counts(),
        coverage=report.coverage,
        duration_seconds=round(duration.total_seconds()),
        failed=_ordered(report, Outcome.FAILED),
        waived=_ordered(report, Outcome.WAIVED),
        untested=_ordered(report, Outcome.NOT_TESTED),
        passed=_ordered(report, Outcome.PASSED),
        Outcome=Outcome,
        must=Level.MUST,
        digest=report_digest(report.to_json()),
        signed_by=signed_by,
        timelines=[
            (t, timeline_data_uri(t, time_scale=report.time_scale)) for t in report.timelines
        ],
    )
