"""Evidence an officer can read: what each transcript event of a piece of evidence means, in a
sentence ("the SUT (00.44.W00) sent status 03 on document X to 000.00.00.G12, after 01 at
10:01:40"), with the faults the harness injected marked as such and the message bytes named.

:class:`Story` indexes a run's transcript once; :meth:`Story.narrate` adds
:class:`~reports.model.EvidenceLine` sentences to a piece of evidence whose detail holds
transcript events or a message the SUT sent. This module is where transcript events are read
to be told; the report keeps the raw events beside the sentences.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from axis.events import (
    CallEvent,
    DeliveryEvent,
    DuplicateEvent,
    EventKind,
    FaultEvent,
    FindingsEvent,
    StoredEvent,
)
from conformance.observe import READ_OPS, WireEvent, ack_word
from reports.layout import MESSAGES
from reports.model import Evidence, EvidenceLine, Outcome, Report, RequirementResult
from spec.clock import VIETNAM

__all__ = ["MAX_MESSAGES", "Story", "told", "write_messages"]

_MAX_RECIPIENTS = 4
_MAX_FAULTED = 4
_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
MAX_MESSAGES = 60
"""At most this many message files are kept beside a report (the failures need a few)."""


def _clock(at: datetime) -> str:
    return at.astimezone(VIETNAM).strftime("%H:%M:%S")


def xml_path(doc_id: str) -> str | None:
    """Where the bytes of axis message ``doc_id`` are kept in the run's folder (None for a
    docId that is not a safe file name)."""
    if not _SAFE_NAME.fullmatch(doc_id):
        return None
    return f"{MESSAGES}/{doc_id}.xml"


class Story:
    """The transcript of a run, indexed to tell its events in sentences. ``sut_system`` is the
    SUT's system; ``organ_of`` names the agency each system serves."""

    def __init__(
        self, events: Iterable[WireEvent], sut_system: str, organ_of: Mapping[str, str]
    ) -> None:
        self.sut_system = sut_system
        self.organ_of = dict(organ_of)
        self.events = {e.seq: e for e in events}
        self.stored: dict[str, WireEvent] = {}
        self._statuses: dict[tuple[str, str], list[WireEvent]] = defaultdict(list)
        self._faulted: dict[str, list[WireEvent]] = defaultdict(list)
        for event in self.events.values():
            fault = self.fault_of(event)
            if fault is not None and event.doc_id:
                self._faulted[event.doc_id] += [fault, event]
            if isinstance(event.body, StoredEvent) and event.doc_id:
                self.stored.setdefault(event.doc_id, event)
                if event.body.messagetype == "status":
                    key = (event.system or "", _document(event))
                    self._statuses[key].append(event)
        self.linked: set[str] = set()

    def fault_of(self, event: WireEvent) -> WireEvent | None:
        """The fault the harness injected into the call ``event``, if any (the axis records
        it just before the call)."""
        if event.kind != EventKind.CALL:
            return None
        before = self.events.get(event.seq - 1)
        if before is None or before.kind != EventKind.FAULT:
            return None
        if before.op != event.op or before.system != event.system:
            return None
        return before

    # -- who and what ---------------------------------------------------------------------

    def who(self, system: str | None) -> str:
        if not system:
            return "the axis"
        if system == self.sut_system:
            return f"the SUT ({system})"
        organ = self.organ_of.get(system)
        return f"the harness as {organ} ({system})" if organ else f"system {system}"

    def what(self, doc_id: str | None) -> str:
        """A message as people know it: its kind, code and DocumentId, else its axis docId."""
        if not doc_id:
            return "a message"
        stored = self.stored.get(doc_id)
        if stored is None:
            return f"docId {doc_id}"
        document = _document(stored) or f"docId {doc_id}"
        if _stored(stored).messagetype == "status":
            return f"status {_code(stored)} on document {document}"
        return f"document {document}"

    # -- sentences ------------------------------------------------------------------------

    def sentence(self, event: WireEvent) -> tuple[str, bool]:
        """What ``event`` means, and whether it is a fault the harness injected."""
        body = event.body
        if isinstance(body, CallEvent):
            return self._call(event, body), False
        if isinstance(body, StoredEvent):
            return self._stored(event, body), False
        if isinstance(body, FaultEvent):
            status = body.params.get("http_status")
            detail = " ".join(str(v) for v in (body.fault, status) if v not in (None, ""))
            return (
                f"the harness disturbed {self.who(event.system)}'s {event.op} on purpose: "
                f"{detail} (fault rule {body.rule or '?'})",
                True,
            )
        if isinstance(body, DeliveryEvent):
            to = ", ".join(body.to) or "?"
            return f"the axis queued {self.what(event.doc_id)} for {event.system} ({to})", False
        if isinstance(body, DuplicateEvent):
            return (
                f"the axis recognised a re-send of the same bytes by {self.who(event.system)} "
                f"and kept {self.what(event.doc_id)}",
                False,
            )
        if isinstance(body, FindingsEvent):
            first = body.findings[0] if body.findings else None
            named = f"; first: {first.req_id} {first.message}" if first else ""
            return (
                f"the validator found {body.errors} error(s) in what "
                f"{self.who(event.system)} sent{named}",
                False,
            )
        return f"{event.kind} {event}", False

    def _call(self, event: WireEvent, call: CallEvent) -> str:
        who, op = self.who(event.system), event.op or "?"
        if not call.ok:
            about = f" of {self.what(event.doc_id)}" if event.doc_id else ""
            status = f", HTTP {call.http_status}" if call.http_status != 200 else ""
            return (
                f"the axis refused {who}'s {op}{about}: ErrorCode {call.error_code} "
                f"({call.error_desc}{status})"
            )
        if call.channel == "admin":
            return f"{who} put {self.what(event.doc_id)} on the axis"
        if op == "getReceivedEdocList":
            kind = call.messagetype or "?"
            return f"{who} listed its {kind} inbox ({len(call.listed)} listed)"
        if op in READ_OPS:
            return f"{who} downloaded {self.what(event.doc_id)} ({op})"
        if op == "updateStatus":
            return f"{who} acknowledged {self.what(event.doc_id)} '{ack_word(event)}'"
        if op == "sendEdoc":
            return f"{who} sent {self.what(event.doc_id)}"
        return f"{who} called {op}" + (f" on {self.what(event.doc_id)}" if event.doc_id else "")

    def _stored(self, event: WireEvent, stored: StoredEvent) -> str:
        recipients = [r.code for r in stored.recipients]
        shown = ", ".join(recipients[:_MAX_RECIPIENTS]) or "nobody"
        if len(recipients) > _MAX_RECIPIENTS:
            shown += f" and {len(recipients) - _MAX_RECIPIENTS} more"
        text = f"{self.who(event.system)} sent {self.what(event.doc_id)} to {shown}"
        if stored.messagetype == "status":
            earlier = [
                e
                for e in self._statuses[(event.system or "", _document(event))]
                if e.seq < event.seq
            ]
            if earlier:
                text += ", after " + ", ".join(f"{_code(e)} at {_clock(e.at)}" for e in earlier)
        return text

    def line(self, event: WireEvent) -> EvidenceLine:
        text, fault = self.sentence(event)
        xml = None
        if (
            event.doc_id
            and event.doc_id in self.stored
            and (event.kind == EventKind.STORED or event.op in READ_OPS)
        ):
            xml = xml_path(event.doc_id)
        return EvidenceLine(text, event.at, event.seq, fault, xml)

    # -- evidence -------------------------------------------------------------------------

    def narrate(self, evidence: Evidence, *, link: bool = False) -> Evidence:
        """``evidence`` with sentences for the transcript events it rests on; ``link`` keeps
        the XML bytes each sentence names for the run's folder (for failures)."""
        events = self._events_of(evidence)
        if not events:
            return evidence
        lines = tuple(self._linked(self.line(e), link) for e in events)
        return replace(evidence, lines=lines)

    def _linked(self, line: EvidenceLine, link: bool) -> EvidenceLine:
        """The line, naming its message bytes only for a failure and while the run's folder
        has room for them."""
        if line.xml is None or (link and line.xml in self.linked):
            return line
        if not link or len(self.linked) >= MAX_MESSAGES:
            return replace(line, xml=None)
        self.linked.add(line.xml)
        return line

    def _events_of(self, evidence: Evidence) -> list[WireEvent]:
        detail: Any = evidence.detail
        if evidence.kind == "transcript" and isinstance(detail, list):
            seqs = [item.get("seq") for item in detail if isinstance(item, dict)]
            seqs += self._faults_around(s for s in seqs if isinstance(s, int))
            seqs = sorted(set(seqs), key=lambda s: s if isinstance(s, int) else 0)
        elif evidence.kind == "exchange" and isinstance(detail, dict) and detail.get("doc_id"):
            stored = self.stored.get(str(detail["doc_id"]))
            seqs = [stored.seq] if stored else list(evidence.seqs)
        else:
            seqs = list(evidence.seqs)
        return [self.events[s] for s in seqs if isinstance(s, int) and s in self.events]

    def _faults_around(self, seqs: Iterable[int]) -> list[int]:
        """The faulted calls (and their faults) on the messages of ``seqs``, from the first
        of them on: what the harness did to the SUT while it handled them."""
        chosen = [self.events[s] for s in seqs if s in self.events]
        if not chosen:
            return []
        first = min(e.seq for e in chosen)
        found: list[int] = []
        for doc_id in dict.fromkeys(e.doc_id for e in chosen if e.doc_id):
            found += [e.seq for e in self._faulted.get(doc_id, ()) if e.seq > first]
        return found[: 2 * _MAX_FAULTED]


def _stored(event: WireEvent) -> StoredEvent:
    if not isinstance(event.body, StoredEvent):
        raise TypeError(f"{event} is not a stored event")
    return event.body


def _document(event: WireEvent) -> str:
    return _stored(event).document_id.strip()


def _code(event: WireEvent) -> str:
    return _stored(event).status_code.strip() or "?"


def told(report: Report, story: Story) -> tuple[RequirementResult, ...]:
    """Every requirement's evidence with its sentences; the failures' also name the bytes of
    the messages they are about (kept by :func:`write_messages`)."""
    out = []
    for result in report.requirements:
        link = result.verdict is Outcome.FAILED
        evidence = tuple(story.narrate(e, link=link) for e in result.evidence)
        out.append(replace(result, evidence=evidence))
    return tuple(out)


def write_messages(
    folder: Path, paths: Iterable[str], body: Callable[[str], bytes | None]
) -> list[Path]:
    """Keep the bytes of the messages the report links (at most :data:`MAX_MESSAGES`), as
    the axis stored them, under ``folder/messages/``."""
    written = []
    for relative in sorted(paths):
        doc_id = Path(relative).stem
        data = body(doc_id)
        if data is None:
            continue
        target = folder / relative
        target.parent.mkdir(exist_ok=True)
        target.write_bytes(data)
        written.append(target)
    return written
