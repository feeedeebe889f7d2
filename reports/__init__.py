"""Reports: one report model rendered for people and machines.

A certification run becomes a :class:`~reports.model.Report` (JSON with a schema in
``spec/schemas/``), rendered to the officer's HTML, JUnit XML for CI and a signed certificate;
generated runs go to ``reports/out/<kind>/<run-id>/`` with a ``run.json`` index.
"""

from reports.errors import CertificateError, ReportError, ReportFormatError, WaiverError
from reports.model import (
    Coverage,
    DocumentTimeline,
    Evidence,
    Outcome,
    Report,
    RequirementResult,
    SutIdentity,
    TimelineEvent,
    Verdict,
    Waiver,
)

__all__ = [
    "CertificateError",
    "Coverage",
    "DocumentTimeline",
    "Evidence",
    "Outcome",
    "Report",
    "ReportError",
    "ReportFormatError",
    "RequirementResult",
    "SutIdentity",
    "TimelineEvent",
    "Verdict",
    "Waiver",
    "WaiverError",
]
