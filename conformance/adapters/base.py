"""The SUT adapter protocol: the adapter contract (docs/adapter-contract.md) as Python.

The suite triggers everything a SUT does through one of these: configure it for the axis,
make it send a document, move a received document on in its workflow, ask for or answer a
take-back, and (optionally) list what it has registered or reset it. It never judges the SUT
through the adapter; it judges what crosses the axis.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

from conformance.contract import (
    Action,
    ActionResult,
    ClockSettings,
    Configuration,
    DocumentRequest,
    RegisteredDocument,
    SentDocument,
    SigningCredentials,
    SutIdentity,
)

if TYPE_CHECKING:
    from conformance.clock import HarnessClock

__all__ = ["SutAdapter", "make_configuration"]


@runtime_checkable
class SutAdapter(Protocol):
    """How the suite drives a system under test. Every method raises a
    :class:`~conformance.errors.ConformanceError` subclass on failure: ``SutUnreachable``,
    ``UnknownDocument``, ``ActionRefused``, ``NotSupported``, ``ContractViolation``, …"""

    def describe(self) -> SutIdentity:
        """Product, vendor, version, contract version and capabilities of the SUT."""
        ...

    def configure(self, config: Configuration) -> None:
        """Point the SUT at the axis as ``config.system_id`` serving ``config.organ_id``
        (build ``config`` with :func:`make_configuration`)."""
        ...

    def send_document(self, request: DocumentRequest) -> SentDocument:
        """Make the SUT issue and send a document with this content."""
        ...

    def act(
        self, document_id: str, action: Action | str, reason: str | None = None
    ) -> ActionResult:
        """Accept, refuse (with ``reason``), assign, process or complete a received document."""
        ...

    def request_take_back(self, document_id: str, recipient: str, reason: str) -> ActionResult:
        """Ask ``recipient`` to give back a document the SUT sent (status 13)."""
        ...

    def answer_take_back(
        self, document_id: str, requester: str | None, agree: bool, reason: str | None = None
    ) -> ActionResult:
        """Answer a take-back request the SUT received: agree (15) or refuse (16)."""
        ...

    def registered(self, direction: str | None = None) -> list[RegisteredDocument]:
        """The documents in the SUT's register (``direction``: "received", "sent" or both);
        raises ``NotSupported`` when the SUT does not offer it."""
        ...

    def document(self, document_id: str) -> RegisteredDocument:
        """One registered document; ``UnknownDocument`` when there is none by that id,
        ``NotSupported`` when the SUT does not offer it."""
        ...

    def reset(self) -> None:
        """Forget every document and the configuration; raises ``NotSupported`` when the SUT
        cannot."""
        ...

    def close(self) -> None:
        """Release what the adapter holds (connections, a SUT it started)."""
        ...


def make_configuration(
    axis_endpoint: str,
    system_id: str,
    secret: str,
    organ_id: str,
    *,
    ca_pem: str | None = None,
    signing: SigningCredentials | None = None,
    require_signature: bool = False,
    clock: HarnessClock | None = None,
    poll_interval: float | None = None,
) -> Configuration:
    """The ``configure`` request for these arguments (the clock as its scale and time now)."""
    for name, value in (
        ("axis_endpoint", axis_endpoint),
        ("system_id", system_id),
        ("secret", secret),
        ("organ_id", organ_id),
    ):
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"{name}={value!r} must be a non-empty string")
    if poll_interval is not None and not poll_interval > 0:
        raise ValueError(f"poll_interval={poll_interval!r} must be > 0 (model seconds)")
    return Configuration(
        axis_endpoint=axis_endpoint,
        system_id=system_id,
        secret=secret,
        organ_id=organ_id,
        ca_pem=ca_pem,
        signing=signing,
        require_signature=require_signature,
        clock=ClockSettings(clock.time_scale, clock.timestamp()) if clock else None,
        poll_interval=poll_interval,
    )
