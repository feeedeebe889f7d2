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
from dataclasses import dataclass
from typing import Any

import jinja2

from reports.certificate import report_digest
from reports.model import Evidence, Outcome, Report, RequirementResult
from reports.timeline import timeline_data_uri
from reports.when import vietnam_time
from spec.catalogue import Level, catalogue

__all__ = ["render_html"]

# Longest evidence detail shown in the page; report.json keeps all of it.
MAX_EXCERPT_CHARS = 4000
_LEVEL_ORDER = {Level.MUST: 0, Level.SHOULD: 1, Level.MAY: 2}


@dataclass(frozen=True, slots=True)
class _EvidenceView:
    kind: str
    summary: str
    text: str
    truncated: bool
    seqs: tuple[int, ...]


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


def _view(evidence: Evidence) -> _EvidenceView:
    text = _detail_text(evidence)
    truncated = len(text) > MAX_EXCERPT_CHARS
    return _EvidenceView(
        evidence.kind,
        evidence.summary,
        text[:MAX_EXCERPT_CHARS] if truncated else text,
        truncated,
        evidence.seqs,
    )


def _statement(result: RequirementResult) -> str:
    found = catalogue().get(result.id)
    return found.statement if found else ""


def _ordered(report: Report, outcome: Outcome) -> list[RequirementResult]:
    chosen = [r for r in report.requirements if r.verdict is outcome]
    return sorted(chosen, key=lambda r: (_LEVEL_ORDER[r.level], r.id))


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("reports", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["evidence"] = _view
    env.filters["when"] = vietnam_time
    env.filters["statement"] = _statement
    return env


def render_html(report: Report) -> str:
    """The officer's page for ``report`` as one HTML string."""
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
        timelines=[
            (t, timeline_data_uri(t, time_scale=report.time_scale)) for t in report.timelines
        ],
    )
