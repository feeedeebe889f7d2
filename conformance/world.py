"""The harness's side of a certification run: the fake axis, the cast (the certified agency
and the agencies the harness plays as its counterparts, :mod:`conformance.party`), the test
CA, the SUT behind its adapter, and the means to put documents and statuses on the axis as
those counterparts.

A :class:`World` is built once per run (:func:`open_world`) and closed at its end. It knows
every secret of the systems it registered, so it can read back what the SUT sent to them;
the SUT's own credentials are made here and handed to the SUT through its adapter.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx

from axis.client import AdminError, AxisAdmin, AxisClient
from axis.config import AxisConfig
from axis.errors import AxisError
from axis.server import running_axis
from conformance.adapters.base import SutAdapter, make_configuration
from conformance.clock import HarnessClock
from conformance.contract import SigningCredentials, SutIdentity
from conformance.errors import ConformanceError, RunIncomplete
from conformance.observe import Observer
from conformance.party import Cast, Party, sut_party
from conformance.profiles import Bounds, Profile
from conformance.settings import CertifySettings
from fixtures.factory import DocumentFactory, Kind
from spec import Options, serialize
from spec.model import Edoc, Status
from spec.signature import sign
from spec.testca import TestCA

__all__ = ["Cast", "Delivered", "Party", "World", "certificate_time", "open_world"]

LISTING_FAULTS = ("duplicate", "reorder", "outage")
"""Fault kinds that act on listings or on every call, never aimed at one document."""


@dataclass(frozen=True, slots=True)
class Delivered:
    """A message the harness put on the axis for the SUT: its axis DocId, the cursor just
    before it (everything the SUT does about it comes after), and the message itself."""

    doc_id: str
    cursor: int
    data: bytes = field(repr=False)
    message: Edoc | Status | None = None

    @property
    def document_id(self) -> str:
        if isinstance(self.message, Edoc):
            return self.message.header.document_id or ""
        if isinstance(self.message, Status) and self.message.response_for is not None:
            return self.message.response_for.document_id or ""
        return ""


class World:
    """Everything a run works with. Build it with :func:`open_world`."""

    def __init__(
        self,
        settings: CertifySettings,
        profile: Profile,
        clock: HarnessClock,
        cast: Cast,
        axis_url: str,
        admin: AxisAdmin,
        bodies: Callable[[str], bytes | None],
        sut: SutAdapter,
        ca: TestCA | None,
    ) -> None:
        self.settings = settings
        self.profile = profile
        self.clock = clock
        self.cast = cast
        self.axis_url = axis_url
        self.admin = admin
        self.sut = sut
        self.ca = ca
        self.factory = DocumentFactory(seed=settings.seed, today=clock.today())
        self.observer = Observer(admin, clock, cast.sut.system_id, bodies, self.validator_options())
        self.identity: SutIdentity | None = None
        self.started_cursor = 0
        self.was_reset = False
        self._document_ids: set[str] = set()

    def __repr__(self) -> str:
        return f"<World {self.settings!r} axis={self.axis_url!r}>"

    @property
    def bounds(self) -> Bounds:
        return self.profile.bounds

    @property
    def capabilities(self) -> frozenset[str]:
        return self.identity.capabilities if self.identity else frozenset()

    def validator_options(self) -> Options:
        """How spec's validator judges what the SUT sends: today in model time, signatures as
        the profile says, certificates from the harness's CA."""
        return Options(
            clock=self.clock,
            require_signature=self.profile.require_signature,
            trusted_ca=self.ca.certificate if self.ca else None,
        )

    # -- setting the SUT up ----------------------------------------------------------------

    def register_parties(self) -> None:
        """Register the SUT's system and the harness's systems with their agencies."""
        for party in (self.cast.sut, *self.cast.harness):
            self.admin.put_system(
                party.system_id, party.secret, name=party.name, agencies=[party.organ_id]
            )

    def configure_sut(self) -> SutIdentity:
        """Ask the SUT who it is, reset it when it offers that (capability ``reset``: the run
        starts from an empty register, so nothing of an earlier run is taken for a duplicate),
        and point it at the axis as the SUT's system and agency."""
        identity = self.sut.describe()
        self.identity = identity
        if "reset" in identity.capabilities:
            # A test build that ran before keeps that run's documents, and the same seed gives
            # the same DocumentIds: they must not count as duplicates now.
            self.sut.reset()
            self.was_reset = True
        signing = None
        ca_pem = None
        if self.ca is not None:
            ca_pem = _pem(self.ca.certificate)
            creds = self.ca.issued[self.cast.sut.organ_id]
            signing = SigningCredentials(_key_pem(creds.key), _pem(creds.certificate))
        self.sut.configure(
            make_configuration(
                self.axis_url,
                self.cast.sut.system_id,
                self.cast.sut.secret,
                self.cast.sut.organ_id,
                ca_pem=ca_pem,
                signing=signing,
                require_signature=self.profile.require_signature,
                clock=self.clock,
                poll_interval=self.bounds.poll_interval / 6,
            )
        )
        return identity

    # -- documents and statuses from the harness's parties ---------------------------------

    def new_document(
        self,
        sender: Party,
        recipients: Sequence[Party] | None = None,
        *,
        kind: Kind = "new",
        original: Edoc | None = None,
        attachments: int = 1,
    ) -> Edoc:
        """A valid document from ``sender`` (to the SUT unless ``recipients`` is given) with a
        DocumentId not used before in this run."""
        to = [p.agency for p in (recipients or [self.cast.sut])]
        while True:
            doc = self.factory.edoc(
                sender.agency,
                to,
                kind=kind,
                original=original,
                attachments=attachments,
            )
            document_id = doc.header.document_id or ""
            if document_id not in self._document_ids:
                self._document_ids.add(document_id)
                return doc

    def encode(self, message: Edoc | Status, signer: Party | None) -> bytes:
        """The message's bytes, signed by ``signer``'s credentials when the profile requires
        signed documents (``signer`` None: unsigned)."""
        data = serialize(message)
        if signer is not None and self.ca is not None:
            creds = self.ca.issued[signer.organ_id]
            data = sign(data, creds.key, creds.certificate)
        return data

    def deliver(
        self,
        message: Edoc | Status,
        sender: Party,
        *,
        data: bytes | None = None,
        to: Sequence[str] = (),
        signed: bool = True,
    ) -> Delivered:
        """Put ``message`` (or ``data``, its bytes as given) on the axis as ``sender``; ``to``
        adds recipients (organ ids) beyond the message's own."""
        if data is None:
            data = self.encode(message, sender if signed else None)
        messagetype = "status" if isinstance(message, Status) else "edoc"
        return self._inject(data, sender, messagetype, to, message)

    def deliver_bytes(self, data: bytes, sender: Party, to: Sequence[str]) -> Delivered:
        """Put bytes that are not an edXML message on the axis, addressed to ``to``."""
        return self._inject(data, sender, "edoc", to, None, unparsed=True)

    def _inject(
        self,
        data: bytes,
        sender: Party,
        messagetype: str,
        to: Sequence[str],
        message: Edoc | Status | None,
        *,
        unparsed: bool = False,
    ) -> Delivered:
        cursor = self.observer.head()
        answer = self.admin.inject(
            data,
            system_id=sender.system_id,
            messagetype=messagetype,
            to=list(to),
            unparsed=unparsed,
        )
        if answer.get("status") != "OK":
            raise RunIncomplete(
                f"the axis refused a message the harness sent as {sender.system_id}: "
                f"{answer.get('ErrorDesc')!r}"
            )
        return Delivered(str(answer["DocId"]), cursor, data, message)

    def status_from(
        self,
        reporter: Party,
        document: Edoc,
        code: str,
        description: str | None = None,
    ) -> Status:
        """A status from ``reporter`` (a recipient of ``document``) on it, stamped now."""
        return self.factory.status(document, reporter.agency, code, self.clock.wall(), description)

    def take_back_request(self, document: Edoc, receiver: Party, reason: str) -> Status:
        """Status 13 from ``document``'s sender to ``receiver``, stamped now."""
        return self.factory.take_back(document, receiver.agency, self.clock.wall(), reason)

    def client(self, party: Party) -> AxisClient:
        """A protocol client signed as ``party``'s system (close it after use)."""
        return AxisClient(self.axis_url, party.system_id, party.secret)

    def clear_faults(self) -> None:
        self.admin.clear_faults()

    def set_faults(self, rules: list[dict[str, Any]], *, document_id: str | None = None) -> None:
        """Install a fault plan for the SUT's system, seeded from the run's seed; with
        ``document_id``, every rule that can be is aimed at that document (only calls about a
        message carrying it meet the fault), so what the SUT does about other messages never
        spends a fault meant for the document under test."""
        for rule in rules:
            rule.setdefault("system", self.cast.sut.system_id)
            if document_id and rule.get("kind") not in LISTING_FAULTS:
                rule.setdefault("document_id", document_id)
        self.admin.set_faults({"seed": self.settings.seed, "rules": rules})


def _pem(certificate: Any) -> str:
    from cryptography.hazmat.primitives import serialization

    return certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")


def _key_pem(key: Any) -> str:
    from cryptography.hazmat.primitives import serialization

    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")


CERTIFICATE_BACKDATE = timedelta(days=1)
"""How long before the run's start the test CA and its certificates become valid: a SUT may
check validity at real time or at model time (which runs ahead of it), and a clock a little
behind; both must fall inside."""


def certificate_time(clock: HarnessClock) -> datetime:
    """The not-before time of every certificate the harness issues in a run."""
    return clock.start - CERTIFICATE_BACKDATE


def make_ca(cast: Cast, now: datetime) -> TestCA:
    """A fresh test CA with signing credentials for every party, valid from ``now`` (keys
    made at run time, never written to the repository)."""
    ca = TestCA.create("lienthong certification test CA", now=now)
    for party in (cast.sut, *cast.harness):
        ca.issue(party.name, party.organ_id, now=now)
    return ca


@contextlib.contextmanager
def _axis(
    settings: CertifySettings, clock: HarnessClock
) -> Iterator[tuple[str, AxisAdmin, Callable[[str], bytes | None]]]:
    """The suite's own axis (judging documents' dates by the model clock, so that model dates
    near Vietnam midnight never overtake the axis's date; it salts its DocIds with a run id
    of its own, recorded in its start event, so no two runs share one even with the same
    seed), or the running one at ``--axis``."""
    if settings.axis_url is None:
        config = AxisConfig(seed=settings.seed, seed_defaults=False)
        with running_axis(config, calendar=clock) as axis, axis.admin() as admin:
            yield axis.url, admin, _admin_bodies(admin)
        return
    with AxisAdmin(settings.axis_url, settings.axis_token or "") as admin:
        try:
            admin.stats()
        except (AxisError, OSError, httpx.HTTPError) as exc:
            raise RunIncomplete(
                f"the axis at {settings.axis_url!r} does not answer its admin API: {exc}"
            ) from exc
        yield settings.axis_url, admin, _admin_bodies(admin)


def _admin_bodies(admin: AxisAdmin) -> Callable[[str], bytes | None]:
    """Read a message's stored bytes from a running axis through its admin API."""

    def read(doc_id: str) -> bytes | None:
        try:
            return admin.message_body(doc_id)
        except AdminError as exc:
            if exc.status == 404:
                return None
            raise

    return read


@contextlib.contextmanager
def open_world(
    settings: CertifySettings,
    adapter_factory: Callable[[CertifySettings], SutAdapter],
) -> Iterator[World]:
    """Start (or reach) the axis, register the cast, make the CA, build the SUT's adapter
    with ``adapter_factory`` and configure the SUT; close everything at the end."""
    profile = settings.resolved_profile()
    clock = HarnessClock(settings.time_scale)
    cast = Cast.for_run(sut_party(settings.agency, settings.system_id))
    # Valid from before the clock's start: the SUT may judge by real time, the harness by
    # model time.
    ca = make_ca(cast, certificate_time(clock)) if profile.require_signature else None
    with _axis(settings, clock) as (url, admin, bodies):
        sut = adapter_factory(settings)
        try:
            world = World(settings, profile, clock, cast, url, admin, bodies, sut, ca)
            world.register_parties()
            world.started_cursor = world.observer.head()
            world.configure_sut()
            yield world
        finally:
            with contextlib.suppress(ConformanceError, AxisError, OSError):
                admin.clear_faults()
            sut.close()
