"""The certification profiles: which requirements a SUT is certified against, and the bounds
(in model time, see :mod:`conformance.clock`) that its behaviour is judged by.

Three profiles exist. ``receiver`` is for software that only receives documents (the
transport, the statuses it sends, the flows on received documents); ``sender`` for software
that only issues them (the documents it produces, the statuses it reads back, take-back
requests); ``full`` is both, with signed documents required. Which requirements a profile
holds is computed from the catalogue's ``roles`` (spec/requirements/*.yaml), never listed
here. A requirement of the profile that no test verified leaves the run INCOMPLETE, never
CERTIFIED.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from conformance.errors import ConformanceError
from spec.catalogue import Level, catalogue

__all__ = ["PROFILES", "Bounds", "Profile", "ProfileError", "profile"]


class ProfileError(ConformanceError, ValueError):
    """A profile name that is not one of :data:`PROFILES`, or bounds that make no sense."""


@dataclass(frozen=True, slots=True)
class Bounds:
    """How long (model seconds) the SUT may take, and how the robustness tests are sized.

    ``poll_interval``: between two polls of one message type; ``transport``: from a message
    being listed to its download and ack; ``first_status``: from the download of a document to
    its 01 (or 02) — the bound of LC-FIRST-ARRIVED-TIMELY; ``action``: from the clerk's action
    (or a take-back answer) to the status on the wire; ``recovery``: from the end of an
    outage to the SUT's first successful poll; ``outage``: the length of the outage window;
    ``outage_calls``: how many calls per operation the SUT may make during the outage (a
    tight retry loop makes hundreds).
    """

    poll_interval: float = 120.0
    transport: float = 300.0
    first_status: float = 300.0
    action: float = 300.0
    recovery: float = 600.0
    outage: float = 300.0
    outage_calls: int = 40

    def __post_init__(self) -> None:
        for name in ("poll_interval", "transport", "first_status", "action", "recovery", "outage"):
            value = getattr(self, name)
            if not value > 0:
                raise ProfileError(f"{name}={value!r} must be > 0 model seconds")
        if self.outage_calls < 1:
            raise ProfileError(f"outage_calls={self.outage_calls!r} must be >= 1")


@dataclass(frozen=True, slots=True)
class Profile:
    """A certification profile. ``roles`` is a subset of {"receiver", "sender"};
    ``require_signature`` makes signed documents mandatory (both ways); ``bounds`` are the
    deadlines in model time."""

    name: str
    title: str
    description: str
    roles: frozenset[str]
    require_signature: bool
    bounds: Bounds = field(default_factory=Bounds)

    def __repr__(self) -> str:
        return f"profile({self.name!r})"

    @property
    def requirement_ids(self) -> tuple[str, ...]:
        """Every requirement id of the profile (any level), in catalogue order: those whose
        catalogue ``roles`` name one of the profile's roles (spec/requirements/*.yaml)."""
        signed = self.require_signature
        return tuple(
            i for i, r in catalogue().items() if r.certified_for(self.roles, signed=signed)
        )

    @property
    def must_ids(self) -> tuple[str, ...]:
        """The MUST requirements: all of them must pass (or be waived) to certify."""
        table = catalogue()
        return tuple(i for i in self.requirement_ids if table[i].level is Level.MUST)

    def covers(self, req_id: str) -> bool:
        return req_id in self.requirement_ids

    def with_signatures(self, required: bool) -> Profile:
        """The same profile with signed documents required or not (``--require-signature``)."""
        return replace(self, require_signature=required)


PROFILES: dict[str, Profile] = {
    p.name: p
    for p in (
        Profile(
            "full",
            "Full exchange (receiver and sender), signed documents",
            "Software that receives and sends documents and statuses through the axis, "
            "including revoke/update/replace, take-back, robustness under faults and "
            "signed documents checked and produced.",
            frozenset({"receiver", "sender"}),
            require_signature=True,
        ),
        Profile(
            "receiver",
            "Receiving side",
            "Software that receives documents, reports their statuses and answers "
            "take-back requests.",
            frozenset({"receiver"}),
            require_signature=False,
        ),
        Profile(
            "sender",
            "Sending side",
            "Software that issues documents (new, revoke, update, replace), reads the "
            "statuses that come back and asks to take documents back.",
            frozenset({"sender"}),
            require_signature=False,
        ),
    )
}


def profile(name: str) -> Profile:
    """The profile called ``name``; raises :class:`ProfileError` naming the known ones."""
    try:
        return PROFILES[name]
    except KeyError:
        raise ProfileError(
            f"profile={name!r} is not a profile; choose one of {', '.join(PROFILES)}"
        ) from None
