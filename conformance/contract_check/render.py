"""The contract check's report as a person reads it: one block per endpoint, ``✓`` for what is
right, ``✗`` for what is wrong (exact key, what was there, the shape expected), ``-`` for what
was not checked and why; then one line that sums it up."""

from __future__ import annotations

from conformance.contract_check.report import CheckReport, EndpointCheck

__all__ = ["endpoint_lines", "render_lines", "summary_line"]

_WIDTH = 60
_VERDICT = {"ok": "ok", "broken": "BROKEN", "skipped": "not checked"}


def endpoint_lines(check: EndpointCheck) -> list[str]:
    lines = [f"{check.label:<{_WIDTH}} {_VERDICT[check.verdict]}"]
    lines += [f"  ✓ {text}" for text in check.right]
    lines += [f"  ✗ {text}" for text in check.wrong]
    if check.skipped:
        lines.append(f"  - {check.skipped}")
    return lines


def summary_line(report: CheckReport) -> str:
    counts = {verdict: 0 for verdict in _VERDICT}
    for check in report.checks:
        counts[check.verdict] += 1
    text = (
        f"{counts['ok']} endpoint(s) right, {counts['broken']} broken, "
        f"{counts['skipped']} not checked, in {report.seconds:.1f} s"
    )
    if report.broken:
        names = ", ".join(c.endpoint.name for c in report.broken)
        return f"BROKEN ({names}): {text}. Fix what is marked ✗, then run the check again."
    return f"OK: {text}. Next: lienthong certify --adapter {report.url} --organ-id YOUR-AGENCY-CODE"


def render_lines(report: CheckReport) -> list[str]:
    """The whole report, header to summary."""
    lines = [f"adapter contract check of {report.url}", ""]
    for check in report.checks:
        lines += endpoint_lines(check)
    lines += ["", summary_line(report)]
    return lines
