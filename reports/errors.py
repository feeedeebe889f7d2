"""The exceptions of the reports package: one base class, a subclass per failure kind."""

from __future__ import annotations


class ReportError(Exception):
    """Base class of every error raised by :mod:`reports`."""


class ReportFormatError(ReportError, ValueError):
    """A report, certificate or waivers document that does not match its JSON Schema or whose
    contents contradict each other."""


class WaiverError(ReportError, ValueError):
    """A waivers file that cannot be applied: unreadable, invalid, or naming a requirement it
    does not waive. ``problems`` lists every problem found, one sentence each."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


class CertificateError(ReportError):
    """A signing key that cannot be created or loaded safely, or a trusted key that cannot be
    read."""


class VerificationInputError(ReportError):
    """A file a verification needs (the certificate, its report, its transcript) is missing or
    cannot be read: nothing can be said about the certificate."""
