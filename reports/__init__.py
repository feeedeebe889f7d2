"""Reports: one report model rendered for people and machines.

A certification run becomes a :class:`~reports.model.Report` (JSON with a schema in
``spec/schemas/``), rendered to the officer's HTML, JUnit XML for CI, a signed certificate
(JSON, and a one-page PDF); generated runs go to ``reports/out/<kind>/<run-id>/`` with a
``run.json`` index. :func:`verify_certificate` checks a certificate against the keys a
verifier trusts (the onboarding board calls it on import).
"""

from reports.certificate_document import CertificateDocument
from reports.errors import (
    CertificateError,
    ReportError,
    ReportFormatError,
    VerificationInputError,
    WaiverError,
)
from reports.keys import TrustedKeys
from reports.model import (
    Conditions,
    Coverage,
    DocumentTimeline,
    Evidence,
    EvidenceLine,
    Outcome,
    Report,
    RequirementResult,
    SutIdentity,
    TimelineEvent,
    Verdict,
    Waiver,
)
from reports.verification import (
    Certificate,
    Verification,
    VerificationStatus,
    verify_certificate,
    verify_certificate_file,
)

__all__ = [
    "Certificate",
    "CertificateDocument",
    "CertificateError",
    "Conditions",
    "Coverage",
    "DocumentTimeline",
    "Evidence",
    "EvidenceLine",
    "Outcome",
    "Report",
    "ReportError",
    "ReportFormatError",
    "RequirementResult",
    "SutIdentity",
    "TimelineEvent",
    "TrustedKeys",
    "Verdict",
    "Verification",
    "VerificationInputError",
    "VerificationStatus",
    "Waiver",
    "WaiverError",
    "verify_certificate",
    "verify_certificate_file",
]
