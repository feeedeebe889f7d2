"""The reference SUT: a small but real document-management client (phần mềm quản lý văn bản).

It keeps its own SQLite register, polls the axis for documents and statuses with backoff,
registers and reports on what it receives, runs the receiving workflow on request, sends
documents and take-back requests, answers take-backs, retries what fails without losing or
doubling anything, and signs and verifies documents when given keys. It is driven through the
adapter contract (:mod:`conformance.reference.controller`), exactly as a vendor's test build is.

With ``Behaviour()`` it is honest and passes the full profile; each toggle of
:class:`~conformance.reference.behaviour.Behaviour` plants one defect (the suite's mutants).
"""

from __future__ import annotations

import functools
import hashlib
import logging
import tempfile
import threading
import time
from pathlib import Path

import httpx
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from axis.client import AxisClient
from conformance.clock import HarnessClock
from conformance.contract import (
    CONTRACT_VERSION,
    Action,
    ActionResult,
    Configuration,
    DocumentRequest,
    RecipientState,
    RecordedStatus,
    RegisteredDocument,
    SentDocument,
    SutIdentity,
)
from conformance.errors import NotConfigured, SutError, UnknownDocument
from conformance.reference.behaviour import Behaviour
from conformance.reference.documents import identity
from conformance.reference.link import AxisLink, RetryPolicy
from conformance.reference.outbox import Outbox
from conformance.reference.poller import Poller
from conformance.reference.register import PENDING, Register, StatusRecord
from conformance.reference.sender import Sender
from conformance.reference.session import Session
from conformance.reference.workflow import Workflow, replay
from spec.business_kinds import BusinessKind
from spec.formats import parse_timestamp

log = logging.getLogger("conformance.reference")

PRODUCT = "lienthong reference SUT"
VENDOR = "lienthong"
VERSION = "1.0"
CAPABILITIES = frozenset(
    {"registered", "reset", "take-back", "business-kinds", "signature", "clock"}
)
DEFAULT_POLL_INTERVAL = 30.0
"""Model seconds between two polls of the axis when nothing happens."""
MAX_BACKOFF = 300.0
"""Model seconds the polling loop waits at most between cycles while the axis fails, so it
recovers within minutes of an outage's end."""
AXIS_TIMEOUT = 60.0
"""Model seconds an axis call may take before the SUT gives up on it (and retries)."""
MIN_AXIS_TIMEOUT, MAX_AXIS_TIMEOUT = 1.0, 10.0
WRONG_SECRET_SUFFIX = "-not-the-secret"

__all__ = ["CAPABILITIES", "DEFAULT_POLL_INTERVAL", "ReferenceSut", "build_id"]


@functools.cache
def _source_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def build_id(behaviour: Behaviour) -> str:
    """The reference SUT's build (adapter contract 1.1): the digest of its source, and the
    defects planted in it, since a mutant is another build."""
    planted = "".join(f"+{name}" for name in behaviour.defects)
    return f"src-{_source_digest()[:12]}{planted}"


def _recorded(record: StatusRecord) -> RecordedStatus:
    return RecordedStatus(
        code=record.code,
        from_=record.from_org,
        to=record.to_org,
        timestamp=record.timestamp,
        description=record.description,
        direction="sent" if record.direction == "sent" else "received",
    )


class ReferenceSut:
    """The reference document-management client.

    ``data_dir`` holds its register (a private temporary folder when ``None``); ``clock`` is
    its clock until a configuration brings one; ``poll_interval`` (model seconds) applies when
    the configuration names none; ``axis_transport`` lets tests reach an in-process axis;
    ``axis_timeout`` bounds each axis call in real seconds (by default one model minute, kept
    between 1 and 10 real seconds); ``send_wait`` is how long (real seconds) a send waits for
    the axis's DocId before answering without it.
    """

    def __init__(
        self,
        behaviour: Behaviour | None = None,
        *,
        data_dir: Path | str | None = None,
        clock: HarnessClock | None = None,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        retry: RetryPolicy | None = None,
        axis_transport: httpx.BaseTransport | None = None,
        axis_timeout: float | None = None,
        send_wait: float = 10.0,
    ) -> None:
        if not poll_interval > 0:
            raise ValueError(f"poll_interval={poll_interval!r} must be > 0 (model seconds)")
        self.behaviour = behaviour or Behaviour()
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        if data_dir is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="reference-sut-")
            data_dir = self._tmp.name
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.register = Register(self.data_dir / "register.sqlite")
        self.clock = clock or HarnessClock()
        self.poll_interval = poll_interval
        self.retry = retry or RetryPolicy()
        self.axis_transport = axis_transport
        self.axis_timeout = axis_timeout
        self.send_wait = send_wait
        self._session: Session | None = None
        self._worker: threading.Thread | None = None
        self._control = threading.Lock()  # configure/reset/close one at a time
        self.cycles = 0
        self.last_error: str | None = None

    def __repr__(self) -> str:
        return f"ReferenceSut({self.behaviour!r}, data_dir={str(self.data_dir)!r})"

    # -- lifecycle of the SUT itself -----------------------------------------------------

    def info(self) -> SutIdentity:
        s = self._session
        return SutIdentity(
            product=PRODUCT,
            vendor=VENDOR,
            version=VERSION,
            contract_version=CONTRACT_VERSION,
            capabilities=CAPABILITIES,
            configured=s is not None,
            organ_id=s.organ_id if s else None,
            system_id=s.config.system_id if s else None,
            build=build_id(self.behaviour),
        )

    def configure(self, config: Configuration) -> None:
        """Start (or restart) working for ``config``'s agency against its axis."""
        trusted_ca, signing = _credentials(config)
        clock = self.clock
        if config.clock is not None:
            try:
                start = parse_timestamp(config.clock.model_time)
            except ValueError as exc:
                raise SutError("bad-request", f"clock.modelTime: {exc}") from None
            clock = HarnessClock(config.clock.time_scale, start)
        secret = config.secret
        if self.behaviour.wrong_secret:
            secret += WRONG_SECRET_SUFFIX
        with self._control:
            self._stop()
            client = AxisClient(
                config.axis_endpoint.rstrip("/"),
                config.system_id,
                secret,
                transport=self.axis_transport,
                timeout=self._timeout(clock),
            )
            stop = threading.Event()
            session = Session(
                config=config,
                clock=clock,
                register=self.register,
                behaviour=self.behaviour,
                me=identity(config.organ_id),
                link=AxisLink(
                    client, clock, self.retry, stop, retry=not self.behaviour.no_retry_on_5xx
                ),
                poll_interval=config.poll_interval or self.poll_interval,
                trusted_ca=trusted_ca,
                signing=signing,
                stop=stop,
            )
            self._session = session
            self._worker = threading.Thread(
                target=self._run, args=(session,), name="reference-sut", daemon=True
            )
            self._worker.start()

    def _timeout(self, clock: HarnessClock) -> float:
        if self.axis_timeout is not None:
            return self.axis_timeout
        return min(MAX_AXIS_TIMEOUT, max(MIN_AXIS_TIMEOUT, clock.real(AXIS_TIMEOUT)))

    def reset(self) -> None:
        """Stop working and forget every document, status and the configuration."""
        with self._control:
            self._stop()
            self._session = None
            self.register.wipe()

    def close(self) -> None:
        with self._control:
            self._stop()
            self._session = None
            self.register.close()
            if self._tmp is not None:
                self._tmp.cleanup()
                self._tmp = None

    def __enter__(self) -> ReferenceSut:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _stop(self) -> None:
        session, worker = self._session, self._worker
        if session is not None:
            session.stop.set()
            session.wake.set()
        if worker is not None:
            worker.join(2 * MAX_AXIS_TIMEOUT + 5)
        if session is not None:
            session.link.close()
        self._worker = None

    # -- the worker ----------------------------------------------------------------------

    def _run(self, session: Session) -> None:
        outbox = Outbox(session)
        poller = Poller(session, Workflow(session))
        failures = 0
        while not session.stop.is_set():
            session.wake.clear()
            ok = self._cycle(session, outbox, poller)
            failures = 0 if ok else min(failures + 1, 20)
            ceiling = max(session.poll_interval, MAX_BACKOFF)
            interval = min(session.poll_interval * 2**failures, ceiling)
            session.wake.wait(session.clock.real(interval))

    def _cycle(self, session: Session, outbox: Outbox, poller: Poller) -> bool:
        """One round: send what waits, read the inbox, send what that produced."""
        try:
            ok = outbox.flush()
            poller.cycle()
            ok = outbox.flush() and ok
        except Exception as exc:  # the loop must survive anything; the next cycle retries
            if session.stop.is_set():
                return True
            self.last_error = f"{type(exc).__name__}: {exc}"
            log.warning("reference SUT: cycle failed: %s", self.last_error)
            ok = False
        self.cycles += 1
        return ok

    # -- what the controller asks --------------------------------------------------------

    def _configured(self) -> Session:
        session = self._session
        if session is None:
            raise NotConfigured(
                "not-configured", "configure the SUT first (POST /lienthong/v1/configure)"
            )
        return session

    def send(self, request: DocumentRequest) -> SentDocument:
        session = self._configured()
        sent, item = Sender(session).send(request)
        seen = session.generation
        deadline = time.monotonic() + self.send_wait
        while (remaining := deadline - time.monotonic()) > 0:
            row = self.register.outbox_item(item)
            if row is not None and row.state != PENDING:
                return SentDocument(
                    sent.document_id,
                    sent.to,
                    sent.business_kind,
                    sent.code,
                    sent.promulgation_date,
                    row.axis_doc_id,
                )
            seen = session.wait_change(seen, remaining)
        return sent

    def act(
        self, document_id: str, action: Action, reason: str | None = None, staff: str | None = None
    ) -> ActionResult:
        return Workflow(self._configured()).act(document_id, action, reason, staff)

    def request_take_back(self, document_id: str, recipient: str, reason: str) -> ActionResult:
        return Sender(self._configured()).request_take_back(document_id, recipient, reason)

    def answer_take_back(
        self, document_id: str, requester: str | None, agree: bool, reason: str | None = None
    ) -> ActionResult:
        return Workflow(self._configured()).answer_take_back(document_id, requester, agree, reason)

    def documents(self, direction: str | None = None) -> list[RegisteredDocument]:
        out: list[RegisteredDocument] = []
        if direction in (None, "received"):
            latest = {doc.document_id: doc for doc in self.register.all_received()}
            out += [self._received(doc.document_id) for doc in latest.values()]
        if direction in (None, "sent"):
            out += [
                self._sent(s.document_id)
                for s in self.register.all_sent()
                if BusinessKind.from_word(s.business_kind)
                in (BusinessKind.NEW, BusinessKind.REPLACE)
            ]
        return out

    def document(self, document_id: str) -> RegisteredDocument:
        if self.register.received(document_id) is not None:
            return self._received(document_id)
        if self.register.sent_document(document_id) is not None:
            return self._sent(document_id)
        raise UnknownDocument(
            "unknown-document", f"no document with DocumentId {document_id!r} in the register"
        )

    def _received(self, document_id: str) -> RegisteredDocument:
        doc = self.register.received(document_id)
        if doc is None:
            raise UnknownDocument("unknown-document", f"no received document {document_id!r}")
        organ_id = self._session.organ_id if self._session else ""
        records = self.register.statuses(document_id, organ_id)
        lifecycle = replay(records, organ_id)
        return RegisteredDocument(
            document_id=doc.document_id,
            direction="received",
            sender=doc.sender,
            recipients=doc.recipients,
            subject=doc.subject,
            code=doc.code,
            promulgation_date=doc.promulgation_date,
            business_kind=BusinessKind.parse(doc.business_kind).word,  # type: ignore[arg-type]
            state=lifecycle.state.value,
            revoked=doc.revoked,
            withdrawn=lifecycle.withdrawn,
            take_back_pending=lifecycle.pending_take_back,
            axis_doc_ids=(doc.axis_doc_id,),
            statuses=tuple(_recorded(r) for r in records),
        )

    def _sent(self, document_id: str) -> RegisteredDocument:
        sent = self.register.sent_document(document_id)
        if sent is None:
            raise UnknownDocument("unknown-document", f"no sent document {document_id!r}")
        states = []
        for recipient in sent.recipients:
            lifecycle = replay(self.register.statuses(document_id, recipient), recipient)
            states.append(
                RecipientState(recipient, lifecycle.state.value, lifecycle.pending_take_back)
            )
        outbox = self.register.outbox_item(sent.outbox_id)
        return RegisteredDocument(
            document_id=sent.document_id,
            direction="sent",
            sender=self._session.organ_id if self._session else "",
            recipients=sent.recipients,
            subject=sent.subject,
            code=sent.code,
            promulgation_date=sent.promulgation_date,
            business_kind=sent.business_kind,  # type: ignore[arg-type]
            recipient_states=tuple(states),
            axis_doc_ids=(outbox.axis_doc_id,) if outbox and outbox.axis_doc_id else (),
            statuses=tuple(_recorded(r) for r in self.register.statuses(document_id)),
        )


def _credentials(
    config: Configuration,
) -> tuple[x509.Certificate | None, tuple[rsa.RSAPrivateKey, x509.Certificate] | None]:
    """The trusted CA and the signing key of a configuration (bad PEM is a bad request)."""
    trusted_ca = None
    signing = None
    try:
        if config.ca_pem:
            trusted_ca = x509.load_pem_x509_certificate(config.ca_pem.encode("ascii"))
        if config.signing is not None:
            key = load_pem_private_key(config.signing.key_pem.encode("ascii"), password=None)
            cert = x509.load_pem_x509_certificate(config.signing.cert_pem.encode("ascii"))
            if not isinstance(key, rsa.RSAPrivateKey):
                raise ValueError(f"the signing key is a {type(key).__name__}, not an RSA key")
            signing = (key, cert)
    except (ValueError, TypeError, UnicodeEncodeError) as exc:
        raise SutError("bad-request", f"unreadable key or certificate: {exc}") from None
    return trusted_ca, signing
