"""JUnit XML for CI: one test case per requirement of the report.

CI systems (GitLab, Jenkins, GitHub test reporters) read the common JUnit dialect: a failed
requirement is a ``<failure>`` whose message is the first piece of evidence, a requirement that
was not tested or was waived is ``<skipped>`` with the reason. The run's identity (profile,
seed, transcript hash, verdict) goes into the suite's ``<properties>`` so a CI log can be traced
back to its certificate.
"""

from __future__ import annotations

from lxml import etree

from reports.model import Outcome, Report, RequirementResult

__all__ = ["render_junit"]


def _failure_text(result: RequirementResult) -> str:
    lines = [f"{result.level.value} {result.id}: {result.title}", f"Clause: {result.source}"]
    for evidence in result.evidence:
        seqs = f" (transcript events {', '.join(map(str, evidence.seqs))})" if evidence.seqs else ""
        lines.append(f"- {evidence.kind}: {evidence.summary}{seqs}")
    if result.hint:
        lines.append(f"How to fix: {result.hint}")
    return "\n".join(lines)


def _failure_message(result: RequirementResult) -> str:
    first = result.evidence[0].summary if result.evidence else "no evidence recorded"
    return f"{result.level.value} {result.id} failed: {first}"


def _skip_message(result: RequirementResult) -> str:
    if result.waiver is not None:
        w = result.waiver
        return f"waived until {w.expires.isoformat()} by {w.approved_by}: {w.reason}"
    return "not tested"


def render_junit(report: Report) -> bytes:
    """The report as JUnit XML (UTF-8 bytes with an XML declaration)."""
    counts = report.counts()
    verdict, reason = report.compute_verdict()
    duration = (report.finished - report.started).total_seconds()
    root = etree.Element("testsuites", name=f"lienthong certification: {report.subject}")
    suite = etree.SubElement(
        root,
        "testsuite",
        name=f"lienthong certification ({report.profile})",
        tests=str(len(report.requirements)),
        failures=str(counts[Outcome.FAILED]),
        errors="0",
        skipped=str(counts[Outcome.NOT_TESTED] + counts[Outcome.WAIVED]),
        timestamp=report.started.isoformat(),
        time=f"{duration:.3f}",
        hostname=report.axis_endpoint,
    )
    root.attrib.update(
        {k: suite.attrib[k] for k in ("tests", "failures", "errors", "skipped", "time")}
    )
    properties = etree.SubElement(suite, "properties")
    for name, value in (
        ("verdict", verdict.value),
        ("reason", reason),
        ("profile", report.profile),
        ("seed", str(report.seed)),
        ("time_scale", f"{report.time_scale:g}"),
        ("suite_version", report.suite_version),
        ("sut", f"{report.sut.software} ({report.sut.vendor})"),
        ("mutant", report.conditions.mutant or ""),
        ("agency", f"{report.sut.agency} ({report.sut.organ_id})"),
        ("sut_system_id", report.sut.system_id),
        ("overrides", report.conditions.override_text()),
        ("transcript_sha256", report.transcript_sha256),
        ("transcript_events", str(report.transcript_events)),
    ):
        etree.SubElement(properties, "property", name=name, value=value)
    for result in report.requirements:
        case = etree.SubElement(
            suite, "testcase", classname=f"lienthong.{result.family}", name=result.id, time="0"
        )
        if result.verdict is Outcome.FAILED:
            failure = etree.SubElement(
                case, "failure", message=_failure_message(result), type=result.level.value
            )
            failure.text = _failure_text(result)
        elif result.verdict in (Outcome.NOT_TESTED, Outcome.WAIVED):
            etree.SubElement(case, "skipped", message=_skip_message(result))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
