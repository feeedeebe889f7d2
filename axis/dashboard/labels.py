"""How the dashboard names things: business status codes with their meanings, transport
delivery states, and transcript times in Vietnam's local time.

Two acknowledgements must never be confused on the page (SPEC §5): the transport ack
(``updateStatus`` done/fail, a *delivery state*) and the business status (a status message,
code 01–16). They get different words and different badge shapes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from spec.clock import VIETNAM
from spec.status_codes import InvalidStatusCode, Stage, StatusCode

__all__ = [
    "STAGE_TONES",
    "DeliveryState",
    "StatusLabel",
    "delivery_state",
    "local_time",
    "status_label",
]


@dataclass(frozen=True, slots=True)
class StatusLabel:
    """A business status code as shown: the code, its meanings and a badge tone."""

    code: str
    meaning: str
    meaning_vi: str
    tone: str
    known: bool = True


STAGE_TONES: dict[Stage, str] = {
    Stage.PROGRESS: "info",
    Stage.COMPLETED: "good",
    Stage.REFUSED: "bad",
    Stage.TAKE_BACK_ASKED: "warn",
    Stage.TAKE_BACK_AGREED: "muted",
    Stage.TAKE_BACK_REFUSED: "bad",
}
"""The badge tone of each stage of spec's status codes: a code is shown by its stage."""


def status_label(text: str) -> StatusLabel:
    """The label of a status code as stored (unknown or malformed codes get a label too: a
    lenient axis stores what it was sent)."""
    try:
        code = StatusCode.parse(text)
    except InvalidStatusCode:
        return StatusLabel(
            text or "?", "not a QCVN 102 status code", "mã không hợp lệ", "bad", False
        )
    return StatusLabel(code.value, code.meaning, code.meaning_vi, STAGE_TONES[code.stage])


@dataclass(frozen=True, slots=True)
class DeliveryState:
    """Where one delivery (a message to one receiving system) stands on the transport side."""

    key: str
    label: str
    tone: str
    explanation: str


_WAITING = DeliveryState("waiting", "waiting", "muted", "stored; the receiver has not listed it")
_LISTED = DeliveryState("listed", "listed", "info", "shown to the receiver by getReceivedEdocList")
_FETCHED = DeliveryState("fetched", "fetched", "warn", "downloaded by the receiver, not yet acked")
_DONE = DeliveryState("done", "acked done", "good", "the receiver acked it: updateStatus done")
_FAIL = DeliveryState("fail", "acked fail", "bad", "the receiver acked fail; it is listed again")


def delivery_state(status: str, *, listed: bool, fetched: bool) -> DeliveryState:
    """The state of a delivery from the store's ack word and what the transcript saw."""
    if status == "done":
        return _DONE
    if status == "fail":
        return _FAIL
    if status != "pending":
        return DeliveryState(status, status, "warn", f"the receiver reported {status!r}")
    if fetched:
        return _FETCHED
    if listed:
        return _LISTED
    return _WAITING


def _parse_iso(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def local_time(text: str, *, with_date: bool = False) -> str:
    """An ISO-8601 UTC time of the store as Vietnam time: ``19:23:15`` or, ``with_date``,
    ``2026-11-21 19:23:15.206``; the text itself when it is not a time."""
    moment = _parse_iso(text)
    if moment is None:
        return text
    local = moment.astimezone(VIETNAM)
    if with_date:
        return local.strftime("%Y-%m-%d %H:%M:%S.") + f"{local.microsecond // 1000:03d}"
    return local.strftime("%H:%M:%S")
