"""The throw-away axis a contract check configures the SUT against: an in-process fake axis on
a free port with two systems registered, the SUT's and one partner's, fresh secrets for both,
and the means to put the partner's documents and statuses on it and to wait for what the SUT
does about them (in real seconds, on the axis's long-poll)."""

from __future__ import annotations

import contextlib
import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from axis.client import AxisAdmin
from axis.config import AxisConfig
from axis.events import Event, StoredEvent
from axis.server import running_axis
from conformance.clock import HarnessClock
from conformance.contract import SigningCredentials
from conformance.errors import ConformanceError
from conformance.observe import is_ok_call
from conformance.party import Cast, sut_party
from conformance.settings import REFERENCE_AGENCY
from fixtures.agencies import Agency, lookup
from fixtures.factory import DocumentFactory
from spec import parse, serialize
from spec.model import Edoc, Status

__all__ = ["Account", "Sandbox", "open_sandbox"]

_LONG_POLL = 10.0  # real seconds per admin long-poll


@dataclass(frozen=True, slots=True)
class Account:
    """An agency and the connection system serving it on the sandbox axis."""

    agency: Agency
    secret: str = field(repr=False)

    @property
    def organ_id(self) -> str:
        return self.agency.organ_id

    @property
    def system_id(self) -> str:
        return self.agency.system_id


def _account(organ_id: str) -> Account:
    agency = lookup(organ_id)
    if agency is None:  # pragma: no cover - the constants are fixture agencies
        raise ConformanceError(f"agency {organ_id!r} is not in the fixture registry")
    return Account(agency, secrets.token_hex(16))


class Sandbox:
    """The axis at ``url``, the SUT's account and the partner the harness plays."""

    def __init__(self, url: str, admin: AxisAdmin, clock: HarnessClock) -> None:
        self.url = url
        self.admin = admin
        self.clock = clock
        cast = Cast.for_run(sut_party(REFERENCE_AGENCY))
        self.sut = _account(cast.sut.organ_id)
        self.partner = _account(cast.partners[0].organ_id)
        self.factory = DocumentFactory(seed=secrets.randbelow(1 << 30), today=clock.today())
        for account in (self.sut, self.partner):
            admin.put_system(
                account.system_id,
                account.secret,
                name=account.agency.name,
                agencies=[account.organ_id],
            )

    def __repr__(self) -> str:
        return f"<Sandbox {self.url!r}>"

    def head(self) -> int:
        """The transcript's last event: a cursor for "from now on"."""
        return int(self.admin.stats()["head"]["seq"])

    def signing_credentials(self) -> tuple[str, SigningCredentials]:
        """A throw-away test CA's certificate and the SUT agency's signing key and certificate
        issued by it (PEM), for a SUT that declares the ``signature`` capability."""
        from cryptography.hazmat.primitives import serialization

        from spec.testca import TestCA

        now = self.clock.now()
        ca = TestCA.create("lienthong contract check CA", now=now)
        key, certificate = ca.issue(self.sut.agency.name, self.sut.organ_id, now=now)
        pem = serialization.Encoding.PEM
        key_pem = key.private_bytes(
            pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode("ascii")
        return (
            ca.certificate.public_bytes(pem).decode("ascii"),
            SigningCredentials(key_pem, certificate.public_bytes(pem).decode("ascii")),
        )

    # -- the partner's messages ------------------------------------------------------------

    def document_for_sut(self) -> tuple[Edoc, str]:
        """A valid document from the partner to the SUT's agency, put on the axis; returns it
        and its axis DocId."""
        doc = self.factory.edoc(self.partner.agency, [self.sut.agency], attachments=1)
        return doc, self._inject(serialize(doc), "edoc")

    def take_back_request(self, doc: Edoc, reason: str) -> str:
        """The partner's 13 asking the SUT to give ``doc`` back; returns its axis DocId."""
        status = self.factory.take_back(doc, self.sut.agency, self.clock.wall(), reason)
        return self._inject(serialize(status), "status")

    def _inject(self, data: bytes, messagetype: str) -> str:
        answer = self.admin.inject(data, system_id=self.partner.system_id, messagetype=messagetype)
        if answer.get("status") != "OK":  # pragma: no cover - the sandbox's own messages
            raise ConformanceError(f"the sandbox axis refused its own message: {answer}")
        return str(answer["DocId"])

    # -- what the SUT does -----------------------------------------------------------------

    def wait(
        self,
        after: int,
        within: float,
        match: Callable[[Event], bool] = lambda _: True,
        **filters: str,
    ) -> Event | None:
        """The first transcript event after ``after`` matching ``filters`` and ``match``,
        waiting at most ``within`` real seconds; None when none came."""
        deadline = time.monotonic() + within
        cursor = after
        while (left := deadline - time.monotonic()) > 0:
            event = self.admin.wait_for(cursor, timeout=round(min(left, _LONG_POLL), 3), **filters)
            if event is None:
                continue
            if match(event):
                return event
            cursor = event.seq
        return None

    def wait_ack(self, after: int, doc_id: str, within: float) -> Event | None:
        """The SUT's accepted updateStatus on ``doc_id`` (its transport ack)."""
        return self.wait(
            after,
            within,
            is_ok_call,
            kind="call",
            system=self.sut.system_id,
            op="updateStatus",
            doc_id=doc_id,
        )

    def wait_stored(
        self, after: int, within: float, messagetype: str, document_id: str
    ) -> Event | None:
        """A message of ``messagetype`` the SUT put on the axis about ``document_id``."""
        return self.wait(
            after,
            within,
            lambda e: _stored_about(e, messagetype, document_id),
            kind="stored",
            system=self.sut.system_id,
        )

    def wait_status(self, after: int, within: float, document_id: str, code: str) -> Event | None:
        """The SUT's status ``code`` about ``document_id``, once it is on the axis."""
        return self.wait(
            after,
            within,
            lambda e: _stored_about(e, "status", document_id) and self.status_code(e) == code,
            kind="stored",
            system=self.sut.system_id,
        )

    def status_code(self, stored: Event) -> str | None:
        """The StatusCode of a status message the SUT stored (None when unreadable)."""
        try:
            message = parse(self.admin.message_body(stored.doc_id)).message
        except Exception:  # the SUT's bytes: anything may be wrong with them
            return None
        return (message.status_code or "").strip() if isinstance(message, Status) else None


def _stored_about(event: Event, messagetype: str, document_id: str) -> bool:
    body = event.body
    return (
        isinstance(body, StoredEvent)
        and body.messagetype == messagetype
        and body.document_id.strip() == document_id
    )


@contextlib.contextmanager
def open_sandbox(clock: HarnessClock) -> Iterator[Sandbox]:
    """A throw-away axis, running until the block ends."""
    config = AxisConfig(seed=secrets.randbelow(1 << 30), seed_defaults=False)
    with running_axis(config, calendar=clock) as axis, axis.admin() as admin:
        yield Sandbox(axis.url, admin, clock)
