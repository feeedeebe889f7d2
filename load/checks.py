"""Correctness under load: after a run, the axis's records (admin API and hash-chained
transcript) and the clients' journal are held against what the protocol and the spec promise.

Under load nothing may be lost or doubled and every status must still arrive. Each check says
how many things it looked at and lists what broke; a run passes only when every check does.
The rules themselves are not restated here: the status lifecycle is :mod:`spec.lifecycle`'s,
the chain verification is :mod:`axis.transcript`'s.

- ``transcript-chain``: the transcript export verifies, link by link.
- ``stored-once``: every send the client saw answered OK is stored, with its bytes, under the
  DocId it was given; no DocId answers two different sends; nothing is stored that no client
  was told about.
- ``documents-delivered`` / ``statuses-delivered``: every such message has one delivery per
  addressed system and no other, each acked ``done``, and each addressed system downloaded
  exactly the bytes that were sent.
- ``done-not-relisted``: once a delivery is acked ``done`` it is never listed again.
- ``statuses-once``: no business status (DocumentId, From, StatusCode) is stored twice.
- ``lifecycle-legal``: each document's statuses at each receiver, in the order the axis stored
  them, are legal by the spec's lifecycle, and every received document got the statuses its
  receiver owed (the whole lifecycle, or 01 in ``arrived`` mode).
- ``clean-exchanges``: the axis refused no valid message, every download parsed, and every
  document reached an agency of the system that fetched it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from axis.client import AxisAdmin
from axis.events import CallEvent, Event, parse_event
from axis.transcript import Verification, verify_file
from load.journal import read_journals
from load.plan import LoadPlan
from spec.formats import parse_timestamp
from spec.jsonmap import JsonWritable, Layout
from spec.lifecycle import LifecycleBook, receiver_of
from spec.status_codes import InvalidStatusCode, StatusCode

MAX_EXAMPLES = 20
PAGE = 1000

__all__ = ["CheckResult", "Evidence", "collect", "message_cursor", "run_checks"]


@dataclass(frozen=True, slots=True)
class CheckResult(JsonWritable):
    """One check: what it verifies, how many cases it looked at, how many broke (with the
    first few explained)."""

    json_layout: ClassVar[Layout] = Layout(
        extra={"ok": lambda c: c.ok},
        order=("id", "title", "ok", "checked", "violations", "examples"),
    )
    id: str
    title: str
    checked: int
    violations: int
    examples: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return self.violations == 0


@dataclass(slots=True)
class _Tally:
    id: str
    title: str
    checked: int = 0
    problems: list[str] = field(default_factory=list)
    count: int = 0

    def fail(self, problem: str) -> None:
        self.count += 1
        if len(self.problems) < MAX_EXAMPLES:
            self.problems.append(problem)

    def result(self) -> CheckResult:
        return CheckResult(self.id, self.title, self.checked, self.count, tuple(self.problems))


@dataclass(frozen=True, slots=True)
class Evidence:
    """What the checks read: the transcript's verification and its events after the run's
    cursor, the axis's stored messages of the run (with their deliveries) and the journal."""

    verification: Verification
    events: list[Event]
    messages: list[dict[str, Any]]
    journal: list[dict[str, Any]]


def message_cursor(admin: AxisAdmin) -> int:
    """The sequence number of the last message the axis stores (0 when none): a run's
    messages are those after it."""
    last = 0
    while True:
        page = admin.messages(after=last, limit=PAGE)
        if not page:
            return last
        last = int(page[-1]["seq"])


def collect(
    admin: AxisAdmin,
    *,
    cursor: int,
    after_message: int,
    journal_dir: Path,
    transcript_path: Path,
) -> Evidence:
    """Fetch the evidence of a run: the whole transcript (saved to ``transcript_path`` and
    verified there), its events after ``cursor``, the messages after ``after_message`` and the
    journal files."""
    transcript_path.write_text(admin.transcript(), "utf-8")
    verification = verify_file(transcript_path)
    events = []
    with open(transcript_path, encoding="utf-8") as handle:
        for line in handle:
            event = parse_event(line)
            if event.seq > cursor:
                events.append(event)
    messages: list[dict[str, Any]] = []
    last = after_message
    while True:
        page = admin.messages(after=last, limit=PAGE)
        if not page:
            break
        messages.extend(page)
        last = int(page[-1]["seq"])
    return Evidence(verification, events, messages, list(read_journals(journal_dir)))


def _entries(journal: Iterable[dict[str, Any]], event: str) -> list[dict[str, Any]]:
    return [e for e in journal if e["ev"] == event]


def _transcript_chain(evidence: Evidence) -> CheckResult:
    tally = _Tally("transcript-chain", "the transcript's hash chain verifies")
    tally.checked = evidence.verification.events
    if not evidence.verification.ok:
        tally.fail(str(evidence.verification))
    return tally.result()


def _stored_once(evidence: Evidence) -> CheckResult:
    tally = _Tally(
        "stored-once",
        "every send answered OK is stored once, with its bytes; nothing else is stored",
    )
    by_doc = {m["doc_id"]: m for m in evidence.messages}
    answered: dict[str, set[str]] = defaultdict(set)
    seen: set[tuple[str, str]] = set()
    for sent in _entries(evidence.journal, "sent"):
        tally.checked += 1
        doc_id, sha = sent["doc_id"], sent["sha256"]
        what = f"{sent['kind']} {sent['document_id']} from {sent['system']}"
        if (sent["system"], sha) in seen:
            tally.fail(f"{what} was sent as new twice (same bytes)")
        seen.add((sent["system"], sha))
        answered[doc_id].add(sha)
        stored = by_doc.get(doc_id)
        if stored is None:
            tally.fail(
                f"{what} was answered OK as DocId {doc_id}, but the axis holds no such message"
            )
        elif stored["sha256"] != sha or stored["sender"] != sent["system"]:
            tally.fail(f"{what}: DocId {doc_id} holds other bytes or another sender")
    for doc_id, hashes in answered.items():
        if len(hashes) > 1:
            tally.fail(f"DocId {doc_id} was the answer to {len(hashes)} different messages")
    for doc_id, stored in by_doc.items():
        if doc_id not in answered:
            tally.fail(
                f"the axis stored {stored['messagetype']} {doc_id} from {stored['sender']} "
                "that no client was told about (doubled or injected)"
            )
    return tally.result()


def _delivered(evidence: Evidence, plan: LoadPlan, kind: str) -> CheckResult:
    noun = "document" if kind == "edoc" else "status"
    tally = _Tally(
        f"{'documents' if kind == 'edoc' else 'statuses'}-delivered",
        f"every {noun} answered OK reached each addressed system intact and was acked done",
    )
    system_of = plan.system_of()
    by_doc = {m["doc_id"]: m for m in evidence.messages}
    received = {(e["system"], e["doc_id"]): e for e in _entries(evidence.journal, "received")}
    for sent in _entries(evidence.journal, "sent"):
        if sent["kind"] != kind:
            continue
        doc_id = sent["doc_id"]
        what = f"{noun} {sent['document_id']} ({doc_id}) from {sent['system']}"
        unknown = [code for code in sent["to"] if code not in system_of]
        for code in unknown:
            tally.fail(f"{what} is addressed to {code}, which no system of the run serves")
        expected = {system_of[code] for code in sent["to"] if code in system_of}
        stored = by_doc.get(doc_id)
        deliveries = {d["system_id"]: d for d in stored["deliveries"]} if stored else {}
        for system in sorted(expected):
            tally.checked += 1
            delivery = deliveries.get(system)
            if delivery is None:
                tally.fail(f"{what} has no delivery to {system}")
                continue
            if delivery["status"] != "done":
                tally.fail(f"{what}: the delivery to {system} is {delivery['status']!r}, not done")
            got = received.get((system, doc_id))
            if got is None:
                tally.fail(f"{what} was never downloaded by {system}")
            elif got["sha256"] != sent["sha256"]:
                tally.fail(f"{what} reached {system} with other bytes than were sent")
        for system in sorted(set(deliveries) - expected):
            tally.fail(f"{what} was delivered to {system}, which it does not address")
    return tally.result()


def _done_not_relisted(evidence: Evidence) -> CheckResult:
    tally = _Tally("done-not-relisted", "a delivery acked done is never listed again")
    done: dict[tuple[str, str], int] = {}
    for event in sorted(evidence.events, key=lambda e: e.seq):
        call = event.body
        if not isinstance(call, CallEvent) or call.error_code != "0":
            continue
        if call.op == "updateStatus" and call.ack == "done":
            done.setdefault((call.system, call.doc_id), event.seq)
        elif call.op == "getReceivedEdocList":
            for doc_id in call.listed:
                acked_at = done.get((call.system, doc_id))
                if acked_at is not None:
                    tally.fail(
                        f"{doc_id} was listed to {call.system} at event {event.seq} after its "
                        f"done ack at event {acked_at}"
                    )
    tally.checked = len(done)
    for entry in _entries(evidence.journal, "relisted"):
        tally.fail(f"{entry['doc_id']} came back in {entry['system']}'s inbox after its done ack")
    return tally.result()


def _statuses_once(evidence: Evidence) -> CheckResult:
    tally = _Tally(
        "statuses-once", "no business status (DocumentId, From, StatusCode) is stored twice"
    )
    seen: dict[tuple[str, str, str], str] = {}
    for message in evidence.messages:
        if message["messagetype"] != "status":
            continue
        tally.checked += 1
        key = (message["document_id"], message["from_code"], message["status_code"])
        earlier = seen.setdefault(key, message["doc_id"])
        if earlier != message["doc_id"]:
            tally.fail(
                f"status {key[2]} from {key[1]} about {key[0]} is stored twice "
                f"({earlier} and {message['doc_id']})"
            )
    return tally.result()


def _lifecycle_legal(evidence: Evidence, plan: LoadPlan) -> CheckResult:
    tally = _Tally(
        "lifecycle-legal",
        "each document's statuses at each receiver follow the spec's lifecycle, and are all there",
    )
    sent = {e["doc_id"]: e for e in _entries(evidence.journal, "sent") if e["kind"] == "status"}
    book = LifecycleBook()
    for message in sorted(evidence.messages, key=lambda m: m["seq"]):
        if message["messagetype"] != "status":
            continue
        document_id = message["document_id"]
        try:
            code = StatusCode.parse(message["status_code"])
        except (InvalidStatusCode, ValueError) as exc:
            tally.fail(f"status {message['doc_id']} about {document_id}: {exc}")
            continue
        ours = sent.get(message["doc_id"])
        addressee = ours["to"][0] if ours else ""
        receiver = receiver_of(code, message["from_code"], addressee)
        if not receiver:
            tally.fail(f"status {code} {message['doc_id']}: its receiving agency is not known")
            continue
        stamp = parse_timestamp(ours["timestamp"]) if ours else None
        rejection = book.record(document_id, receiver, code, stamp)
        if rejection is not None:
            tally.fail(f"{document_id} at {receiver}: {rejection}")
    for entry in _entries(evidence.journal, "received"):
        reporter = entry.get("reporter")
        if entry["kind"] != "edoc" or reporter is None:
            continue
        lifecycle = book.lifecycle(entry["document_id"], reporter)
        codes = ", ".join(c.value for c in lifecycle.codes) or "none"
        if plan.behaviour.lifecycle == "full" and not lifecycle.finished:
            tally.fail(f"{entry['document_id']} at {reporter}: statuses stop at {codes}")
        elif lifecycle.first_report is None:
            tally.fail(f"{entry['document_id']} at {reporter}: no 01 or 02 ({codes})")
    tally.checked = len(book)
    return tally.result()


def _clean_exchanges(evidence: Evidence) -> CheckResult:
    tally = _Tally(
        "clean-exchanges",
        "the axis refused no valid message; every download parsed and was addressed to its system",
    )
    for entry in evidence.journal:
        kind = entry["ev"]
        if kind in ("sent", "received"):
            tally.checked += 1
        if kind == "refused":
            tally.fail(
                f"the axis refused {entry['kind']} {entry['document_id']} from {entry['system']}: "
                f"{entry['problem']}"
            )
        elif kind == "unparsed":
            tally.fail(f"{entry['doc_id']} downloaded by {entry['system']}: {entry['problem']}")
        elif kind == "received" and entry.get("misrouted"):
            tally.fail(f"{entry['doc_id']} reached {entry['system']}, which serves none of its To")
    return tally.result()


def run_checks(evidence: Evidence, plan: LoadPlan) -> list[CheckResult]:
    """Every check, in the order of the module's list."""
    return [
        _transcript_chain(evidence),
        _stored_once(evidence),
        _delivered(evidence, plan, "edoc"),
        _delivered(evidence, plan, "status"),
        _done_not_relisted(evidence),
        _statuses_once(evidence),
        _lifecycle_legal(evidence, plan),
        _clean_exchanges(evidence),
    ]
