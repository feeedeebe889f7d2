"""The paperwork of one simulated connection system: the documents its agencies send, with
realistic sizes and recipient counts, and the statuses they send back about what they receive.

Documents come from the Faker factory (:mod:`fixtures.factory`). Making one from scratch at a
given size costs a few milliseconds, too much for a load generator, so each system makes a few
*templates* of drawn sizes once and then, per document, gives a template new recipients, a new
number (so a new DocumentId) and the send time, and serializes it. Every document's bytes are
therefore unique, which matters: the axis answers a re-send of the same bytes with the earlier
DocId.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, datetime

from fixtures.agencies import Agency, lookup
from fixtures.factory import DocumentFactory
from load.errors import PlanError
from load.plan import LoadPlan, SlotPlan
from spec import model
from spec.codec import serialize
from spec.document_id import DocumentKey, parse_document_id
from spec.formats import format_timestamp
from spec.limits import fit
from spec.status_codes import FORWARD_PATH, StatusCode

MIN_DOC_BYTES = 2_000

__all__ = ["DocumentMill", "NewDocument", "poisson"]


@dataclass(frozen=True, slots=True)
class NewDocument:
    """A document ready to send: its bytes, DocumentId and recipient agency codes."""

    data: bytes
    document_id: str
    sender: str
    to: tuple[str, ...]


def poisson(rng: random.Random, lam: float) -> int:
    """A Poisson draw (Knuth's method; ``lam`` is small here)."""
    if lam <= 0:
        return 0
    limit = math.exp(-lam)
    count, product = 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def _agency(code: str) -> Agency:
    found = lookup(code)
    if found is None:
        raise PlanError(f"agency {code!r} is not in the fixture registry")
    return found


class DocumentMill:
    """Documents and statuses of one slot of ``plan``, drawn from ``rng``."""

    def __init__(self, slot: SlotPlan, plan: LoadPlan, rng: random.Random) -> None:
        self.behaviour = plan.behaviour
        self.rng = rng
        self.factory = DocumentFactory(
            seed=rng.getrandbits(32), today=date.fromisoformat(plan.behaviour.today)
        )
        self.own = {code: _agency(code) for code in slot.agencies}
        self.others = [
            [_agency(code) for code in s.agencies] for s in plan.slots if s.index != slot.index
        ]
        if not self.others:
            raise PlanError("a plan needs at least two slots: documents go to other systems")
        self.templates = [self._template() for _ in range(self.behaviour.templates)]
        self.serial = 0

    def __repr__(self) -> str:
        return f"<DocumentMill of {sorted(self.own)!r}>"

    def _template(self) -> model.Edoc:
        b = self.behaviour
        size = int(self.rng.lognormvariate(math.log(b.doc_bytes_median), b.doc_bytes_sigma))
        size = min(b.doc_bytes_max, max(MIN_DOC_BYTES, size))
        sender = self.rng.choice(list(self.own.values()))
        placeholder = self.rng.choice(self.rng.choice(self.others))
        return self.factory.edoc(
            sender, [placeholder], attachments=self.rng.randint(1, 3), target_bytes=size
        )

    def recipients(self) -> list[Agency]:
        """``1 + Poisson(mean - 1)`` agencies, each served by a different other system."""
        count = 1 + poisson(self.rng, self.behaviour.recipients_mean - 1.0)
        systems = self.rng.sample(self.others, min(count, len(self.others)))
        return [self.rng.choice(agencies) for agencies in systems]

    def document(self, now: datetime) -> NewDocument:
        """A new document sent at ``now``: a template with new recipients, number and time."""
        doc = self.rng.choice(self.templates)
        to = self.recipients()
        header = doc.header
        header.to = [self.factory.organization(a) for a in to]
        header.to_places = [fit("ToPlaces/Place", a.name) for a in to[:5]] + ["Lưu: VT"]
        self.serial += 1
        key = parse_document_id(header.document_id or "")
        number = str(self.serial)
        if header.code is None:  # pragma: no cover - the factory always writes a Code
            raise PlanError("factory template has no Code")
        header.code.code_number = number
        header.document_id = str(
            DocumentKey(key.issuer, key.promulgation_date, number, key.code_notation)
        )
        doc.trace_headers[0].timestamp = format_timestamp(now.replace(microsecond=0))
        return NewDocument(
            serialize(doc),
            header.document_id,
            doc.sender or "",
            tuple(a.organ_id for a in to),
        )

    def reporter_for(self, edoc: model.Edoc) -> str | None:
        """The agency of this system that ``edoc`` is addressed to (the first), or None."""
        return next((code for code in edoc.recipients if code in self.own), None)

    def status(self, edoc: model.Edoc, reporter: str, code: str, now: datetime) -> bytes:
        """Status ``code`` from ``reporter`` about ``edoc``, stamped ``now``."""
        status = self.factory.status(edoc, self.own[reporter], code, at=now.replace(microsecond=0))
        return serialize(status)

    def lifecycle(self) -> list[str]:
        """The status codes a receiver will send about one document, in order: spec's forward
        path (its first step only for the ``arrived`` lifecycle), each step between the first
        and the last skipped at the skip rate; or a refusal alone, at the refusal rate."""
        b = self.behaviour
        first, *middle, last = FORWARD_PATH
        if b.lifecycle == "arrived":
            return [first.value]
        if self.rng.random() < b.refusal_rate:
            return [StatusCode.REFUSED.value]
        kept = [c.value for c in middle if self.rng.random() >= b.skip_rate]
        return [first.value, *kept, last.value]
