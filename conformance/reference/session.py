"""One configuration of the reference SUT: the axis account and agency it was given, its clock,
its register, its keys, and the events its worker waits on. Everything the SUT's parts share
travels in this object; nothing is global."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa

from conformance.clock import HarnessClock
from conformance.contract import Configuration
from conformance.reference.behaviour import Behaviour
from conformance.reference.documents import Identity
from conformance.reference.link import AxisLink
from conformance.reference.register import Register
from spec.clock import VIETNAM, vietnam_today
from spec.formats import format_timestamp
from spec.rules.checker import Options
from spec.signature import sign

__all__ = ["Session", "model_seconds"]


def model_seconds(moment: datetime) -> float:
    """A naive Vietnam local time as POSIX seconds (what the register stores)."""
    return moment.replace(tzinfo=VIETNAM).timestamp()


@dataclass
class Session:
    config: Configuration
    clock: HarnessClock
    register: Register
    behaviour: Behaviour
    me: Identity
    link: AxisLink
    poll_interval: float  # model seconds
    trusted_ca: x509.Certificate | None = None
    signing: tuple[rsa.RSAPrivateKey, x509.Certificate] | None = None
    stop: threading.Event = field(default_factory=threading.Event)
    wake: threading.Event = field(default_factory=threading.Event)
    changed: threading.Condition = field(default_factory=threading.Condition)
    generation: int = 0

    @property
    def organ_id(self) -> str:
        return self.config.organ_id

    def now(self) -> datetime:
        return self.clock.wall()

    def stamp(self, moment: datetime) -> str:
        """A status Timestamp for ``moment`` (ISO 8601 for the wrong-timestamp-format defect)."""
        if self.behaviour.wrong_timestamp_format:
            return moment.replace(tzinfo=VIETNAM).isoformat(timespec="seconds")
        return format_timestamp(moment)

    def check_options(self) -> Options:
        """What received documents are judged against: not dated after today (model or
        real, whichever is later), signatures as the configuration asks."""
        ignore = self.behaviour.ignore_signature
        return Options(
            today=max(self.clock.today(), vietnam_today()),
            require_signature=self.config.require_signature and not ignore,
            trusted_ca=None if ignore else self.trusted_ca,
        )

    def sign(self, data: bytes) -> bytes:
        """``data`` signed with the agency's key when the SUT has one, else unchanged."""
        if self.signing is None:
            return data
        key, cert = self.signing
        return sign(data, key, cert)

    def notify(self) -> None:
        """Wake the worker and whoever waits for the register to change."""
        self.wake.set()
        with self.changed:
            self.generation += 1
            self.changed.notify_all()

    def wait_change(self, seen: int, timeout: float) -> int:
        """Wait (at most ``timeout`` real seconds) for a change after generation ``seen``;
        returns the generation now. Callers read the register without holding ``changed``."""
        with self.changed:
            if self.generation == seen:
                self.changed.wait(timeout)
            return self.generation
