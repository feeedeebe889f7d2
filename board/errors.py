"""The exceptions of the board package: one base class, a subclass per failure kind."""

from __future__ import annotations

from collections.abc import Sequence


class BoardError(Exception):
    """Base class of every error raised by :mod:`board`."""


class CertificateRefused(BoardError, ValueError):
    """A certificate file the board will not take: unreadable, not a certificate, invalid (its
    signature does not verify, or it disagrees with the report, transcript or waivers file
    beside it), or signed by a key that is not trusted. ``reasons`` lists every reason, one
    sentence each; ``kind`` is ``unreadable``, ``malformed``, ``invalid`` or ``untrusted``."""

    def __init__(self, source: str, kind: str, reasons: Sequence[str]) -> None:
        self.source = source
        self.kind = kind
        self.reasons = tuple(reasons)
        super().__init__(f"{source}: {kind}: " + "; ".join(self.reasons))


class TrustedKeyError(BoardError, ValueError):
    """A trusted key (file or fingerprint) or folder that cannot be read as Ed25519 public
    keys."""


class PlanError(BoardError, ValueError):
    """A phase plan that does not validate. ``problems`` lists every problem, each naming where
    in the file it is (``members[3].id (line 12)``)."""

    def __init__(self, source: str, problems: Sequence[str]) -> None:
        self.source = source
        self.problems = tuple(problems)
        shown = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"phase plan {source} is not valid:\n{shown}")


class RegistryError(BoardError):
    """The registry file cannot be opened, or a change asked of it makes no sense (an unknown
    agency, plan or certificate)."""


class NotFound(RegistryError, KeyError):
    """An agency, plan, product or certificate the registry does not hold."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "not found"


class SimulationError(BoardError):
    """The phase simulation could not be set up or run."""
