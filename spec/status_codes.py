"""The status codes of an edXML status message (SPEC §3): the one table of what each code is.

A status message reports the processing state of one document at one receiving agency. The
receiver walks the forward path 01 → 03 → 04 → 05 → 06 or refuses with 02; the sender asks
to take a document back with 13, which the receiver answers with 15 (agreed) or 16 (refused).

:class:`StatusCode` is that table: each member carries everything the rest of the harness says
about its code (who sends it, its :class:`Stage`, a short name, its meaning in English and in
Vietnamese, whether a reason is required). The dashboard, the reports, the simulator, the load
generator and the reference SUT read these attributes instead of keeping lists of their own, so
a code added here is parsed, labelled, coloured and counted everywhere without another edit.
The codes QCVN 102 leaves unused (:data:`UNUSED_CODES`) are the gaps of the table. The order
in which codes may follow each other lives in :mod:`spec.lifecycle`.
"""

from __future__ import annotations

import enum
from typing import Literal

from spec.errors import SpecError

Role = Literal["receiver", "sender"]


class InvalidStatusCode(SpecError, ValueError):
    """A StatusCode text that is not one of the codes of :class:`StatusCode`."""


class Stage(enum.Enum):
    """What a status says about its document at the receiver, in the words people read: the
    dashboard's badges and the report timeline's colours are drawn per stage, so a new code
    needs only its stage to be shown right."""

    PROGRESS = "in progress"
    COMPLETED = "completed"
    REFUSED = "refused"
    TAKE_BACK_ASKED = "take-back asked"
    TAKE_BACK_AGREED = "take-back agreed"
    TAKE_BACK_REFUSED = "take-back refused"

    def __repr__(self) -> str:
        return f"Stage.{self.name}"

    @property
    def is_forward(self) -> bool:
        """True for the stages of the forward path (in progress, completed)."""
        return self in _FORWARD_STAGES

    @property
    def answers_take_back(self) -> bool:
        """True for the receiver's answers to a take-back request (agreed, refused)."""
        return self in _ANSWER_STAGES


_FORWARD_STAGES = frozenset({Stage.PROGRESS, Stage.COMPLETED})
_ANSWER_STAGES = frozenset({Stage.TAKE_BACK_AGREED, Stage.TAKE_BACK_REFUSED})


class StatusCode(enum.Enum):
    """One status code. The value is the two-digit text written on the wire.

    Each member carries ``sent_by`` (``"receiver"`` or ``"sender"``), ``stage`` (a
    :class:`Stage`), ``short`` (a short English name, as tables and legends print it),
    ``meaning`` (English), ``meaning_vi`` (the Vietnamese wording of the vendor SDK's sample
    statuses) and ``needs_description`` (the reason must be given in Description);
    ``is_forward`` (a step of the forward path) follows from the stage, ``label`` is the code
    with its short name (``"06 completed"``). Members are declared in the order of the forward
    path and then of the take-back exchange: :data:`FORWARD_PATH` is their forward members in
    declaration order.
    """

    sent_by: Role
    stage: Stage
    short: str
    meaning: str
    meaning_vi: str
    needs_description: bool
    is_forward: bool
    position: int

    ARRIVED = (
        "01",
        "receiver",
        Stage.PROGRESS,
        "arrived",
        "arrived: the software has it, the registry clerk has not acted",
        "Đã đến - Phần mềm QLVB đã nhận nhưng văn thư chưa xử lý",
        False,
    )
    REFUSED = (
        "02",
        "receiver",
        Stage.REFUSED,
        "refused",
        "refused by the registry clerk",
        "Từ chối không tiếp nhận văn bản điện tử",
        True,
    )
    ACCEPTED = (
        "03",
        "receiver",
        Stage.PROGRESS,
        "accepted",
        "accepted and entered in the incoming register",
        "Tiếp nhận văn bản điện tử, vào sổ văn bản đến",
        False,
    )
    ASSIGNED = (
        "04",
        "receiver",
        Stage.PROGRESS,
        "assigned",
        "a leader assigned who handles it",
        "Phân công xử lý",
        False,
    )
    PROCESSING = (
        "05",
        "receiver",
        Stage.PROGRESS,
        "processing",
        "being processed",
        "Đang xử lý văn bản đến",
        False,
    )
    COMPLETED = (
        "06",
        "receiver",
        Stage.COMPLETED,
        "completed",
        "completed",
        "Hoàn thành xử lý",
        False,
    )
    TAKE_BACK_REQUESTED = (
        "13",
        "sender",
        Stage.TAKE_BACK_ASKED,
        "take-back requested",
        "the sender asks to take back or update the document",
        "Yêu cầu lấy lại văn bản điện tử",
        True,
    )
    TAKE_BACK_AGREED = (
        "15",
        "receiver",
        Stage.TAKE_BACK_AGREED,
        "take-back agreed",
        "the receiver agrees to the take-back or update",
        "Đồng ý yêu cầu cập nhật, lấy lại",
        False,
    )
    TAKE_BACK_REFUSED = (
        "16",
        "receiver",
        Stage.TAKE_BACK_REFUSED,
        "take-back refused",
        "the receiver refuses the take-back or update",
        "Từ chối yêu cầu cập nhật, lấy lại",
        True,
    )

    def __new__(
        cls,
        code: str,
        sent_by: Role,
        stage: Stage,
        short: str,
        meaning: str,
        meaning_vi: str,
        needs_description: bool,
    ) -> StatusCode:
        member = object.__new__(cls)
        member._value_ = code
        member.sent_by = sent_by
        member.stage = stage
        member.short = short
        member.meaning = meaning
        member.meaning_vi = meaning_vi
        member.needs_description = needs_description
        member.is_forward = stage.is_forward
        # position in declaration order: lets spec.lifecycle index its tables by a plain int
        member.position = len(cls._member_names_)
        return member

    def __repr__(self) -> str:
        return f"StatusCode.{self.name}"

    def __str__(self) -> str:
        return str(self._value_)

    @property
    def label(self) -> str:
        """The code and its short name, as tables and legends print it: ``"06 completed"``."""
        return f"{self.value} {self.short}"

    @classmethod
    def parse(cls, text: str | StatusCode) -> StatusCode:
        """The member for ``text``: ``"01"``, ``"1"`` and ``" 01 "`` all give ``ARRIVED``.

        Raises :class:`InvalidStatusCode` for anything else, naming the unused codes
        (:data:`UNUSED_CODES`) when ``text`` is one of them.
        """
        if isinstance(text, cls):
            return text
        if not isinstance(text, str):
            raise InvalidStatusCode(f"status code (text={text!r}) must be a str such as '01'")
        digits = text.strip()
        if len(digits) == 1:
            digits = "0" + digits
        member = _BY_TEXT.get(digits)
        if member is not None:
            return member
        known = ", ".join(_BY_TEXT)
        if digits in UNUSED_CODES:
            raise InvalidStatusCode(
                f"status code (text={text!r}) is not used: QCVN 102 leaves "
                f"{_spans(UNUSED_CODES)} unused; the codes are {known}"
            )
        raise InvalidStatusCode(f"status code (text={text!r}) must be two digits, one of {known}")


def _spans(codes: tuple[str, ...]) -> str:
    """``("07", "08", …, "12", "14")`` as ``"07–12 and 14"``."""
    runs: list[list[str]] = []
    for code in codes:
        if runs and int(code) == int(runs[-1][-1]) + 1:
            runs[-1].append(code)
        else:
            runs.append([code])
    parts = [run[0] if len(run) == 1 else f"{run[0]}–{run[-1]}" for run in runs]
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


_BY_TEXT: dict[str, StatusCode] = {member.value: member for member in StatusCode}

UNUSED_CODES: tuple[str, ...] = tuple(
    f"{n:02d}" for n in range(1, max(int(c) for c in _BY_TEXT)) if f"{n:02d}" not in _BY_TEXT
)
"""The two-digit codes below the highest one in use that QCVN 102 leaves unused (07–12, 14)."""

FORWARD_PATH: tuple[StatusCode, ...] = tuple(c for c in StatusCode if c.is_forward)
"""The receiver's forward path in order: 01, 03, 04, 05, 06."""
