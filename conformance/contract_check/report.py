"""The result of a contract check: per endpoint of the adapter contract, what the SUT got right
and what it got wrong (each wrong answer with its exact key and expected shape), or why the
endpoint was not checked; and the exit code that sums it up."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from conformance.contract import Endpoint
from spec.jsonmap import Codec, JsonWritable, Layout

__all__ = ["EXIT_BROKEN", "EXIT_CANNOT_CHECK", "EXIT_OK", "CheckReport", "EndpointCheck"]

EXIT_OK, EXIT_BROKEN, EXIT_CANNOT_CHECK = 0, 1, 2


@dataclass
class EndpointCheck(JsonWritable):
    """What one endpoint did. ``skipped`` says why it was not called (a capability the SUT
    does not declare, or an earlier step it needs that failed)."""

    json_layout: ClassVar[Layout] = Layout(
        codecs={"endpoint": Codec(lambda endpoint: endpoint.name)},
        extra={
            "method": lambda c: c.endpoint.method,
            "path": lambda c: c.endpoint.path,
            "verdict": lambda c: c.verdict,
        },
        order=("endpoint", "method", "path", "verdict", "right", "wrong", "skipped"),
    )

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


@dataclass
class CheckReport(JsonWritable):
    """Every endpoint's check, in the order they ran, and who the SUT said it was."""

    json_layout: ClassVar[Layout] = Layout(
        rename={"checks": "endpoints"},
        codecs={"seconds": Codec(lambda seconds: round(seconds, 3))},
        extra={"exitCode": lambda r: r.exit_code},
        order=("url", "identity", "exitCode", "seconds", "endpoints"),
    )

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
