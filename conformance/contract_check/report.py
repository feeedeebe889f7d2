"""The result of a contract check: per endpoint of the adapter contract, what the SUT got right
and what it got wrong (each wrong answer with its exact key and expected shape), or why the
endpoint was not checked; and the exit code that sums it up."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from conformance.contract import Endpoint

__all__ = ["EXIT_BROKEN", "EXIT_CANNOT_CHECK", "EXIT_OK", "CheckReport", "EndpointCheck"]

EXIT_OK, EXIT_BROKEN, EXIT_CANNOT_CHECK = 0, 1, 2


@dataclass
class EndpointCheck:
    """What one endpoint did. ``skipped`` says why it was not called (a capability the SUT
    does not declare, or an earlier step it needs that failed)."""

    endpoint: Endpoint
    right: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)
    skipped: str | None = None

    @property
    def verdict(self) -> str:
        """``ok``, ``broken`` or ``skipped``."""
        if self.wrong:
            return "broken"
        if self.skipped is not None and not self.right:
            return "skipped"
        return "ok"

    @property
    def label(self) -> str:
        return f"{self.endpoint.method} {self.endpoint.path}"

    def to_json(self) -> dict[str, Any]:
        return {
            "endpoint": self.endpoint.name,
            "method": self.endpoint.method,
            "path": self.endpoint.path,
            "verdict": self.verdict,
            "right": list(self.right),
            "wrong": list(self.wrong),
            "skipped": self.skipped,
        }


@dataclass
class CheckReport:
    """Every endpoint's check, in the order they ran, and who the SUT said it was."""

    url: str
    checks: list[EndpointCheck] = field(default_factory=list)
    identity: dict[str, Any] | None = None
    seconds: float = 0.0

    @property
    def broken(self) -> list[EndpointCheck]:
        return [c for c in self.checks if c.verdict == "broken"]

    @property
    def exit_code(self) -> int:
        return EXIT_BROKEN if self.broken else EXIT_OK

    def check(self, name: str) -> EndpointCheck:
        """The check of the endpoint called ``name`` (``"send"``, …)."""
        for found in self.checks:
            if found.endpoint.name == name:
                return found
        raise KeyError(f"name={name!r}: no such endpoint in this report")

    def to_json(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "identity": self.identity,
            "exitCode": self.exit_code,
            "seconds": round(self.seconds, 3),
            "endpoints": [c.to_json() for c in self.checks],
        }
