"""The status codes of an edXML status message (SPEC §3): what each one means and who sends it.

A status message reports the processing state of one document at one receiving agency. The
receiver walks the forward path 01 → 03 → 04 → 05 → 06 or refuses with 02; the sender asks
to take a document back with 13, which the receiver answers with 15 (agreed) or 16 (refused).
QCVN 102 leaves 07–12 and 14 unused. The order in which codes may follow each other lives in
:mod:`spec.lifecycle`.
"""

from __future__ import annotations

import enum
from typing import Literal

from spec.errors import SpecError

Role = Literal["receiver", "sender"]

UNUSED_CODES: tuple[str, ...] = ("07", "08", "09", "10", "11", "12", "14")


class InvalidStatusCode(SpecError, ValueError):
    """A StatusCode text that is not one of the nine codes QCVN 102 uses."""


class StatusCode(enum.Enum):
    """One of the nine status codes. The value is the two-digit text written on the wire.

    Each member carries ``meaning`` (English), ``meaning_vi`` (the Vietnamese wording of the
    vendor SDK's sample statuses), ``sent_by`` (``"receiver"`` or ``"sender"``),
    ``needs_description`` (the reason must be given in Description) and ``is_forward`` (a step
    of the forward path 01 → 03 → 04 → 05 → 06).
    """

    _value_: str
    meaning: str
    meaning_vi: str
    sent_by: Role
    needs_description: bool
    is_forward: bool
    position: int

    ARRIVED = (
        "01",
        "receiver",
        "arrived: the software has it, the registry clerk has not acted",
        "Đã đến - Phần mềm QLVB đã nhận nhưng văn thư chưa xử lý",
    )
    REFUSED = (
        "02",
        "receiver",
        "refused by the registry clerk",
        "Từ chối không tiếp nhận văn bản điện tử",
    )
    ACCEPTED = (
        "03",
        "receiver",
        "accepted and entered in the incoming register",
        "Tiếp nhận văn bản điện tử, vào sổ văn bản đến",
    )
    ASSIGNED = (
        "04",
        "receiver",
        "a leader assigned who handles it",
        "Phân công xử lý",
    )
    PROCESSING = (
        "05",
        "receiver",
        "being processed",
        "Đang xử lý văn bản đến",
    )
    COMPLETED = (
        "06",
        "receiver",
        "completed",
        "Hoàn thành xử lý",
    )
    TAKE_BACK_REQUESTED = (
        "13",
        "sender",
        "the sender asks to take back or update the document",
        "Yêu cầu lấy lại văn bản điện tử",
    )
    TAKE_BACK_AGREED = (
        "15",
        "receiver",
        "the receiver agrees to the take-back or update",
        "Đồng ý yêu cầu cập nhật, lấy lại",
    )
    TAKE_BACK_REFUSED = (
        "16",
        "receiver",
        "the receiver refuses the take-back or update",
        "Từ chối yêu cầu cập nhật, lấy lại",
    )

    def __new__(cls, code: str, sent_by: Role, meaning: str, meaning_vi: str) -> StatusCode:
        member = object.__new__(cls)
        member._value_ = code
        member.sent_by = sent_by
        member.meaning = meaning
        member.meaning_vi = meaning_vi
        member.needs_description = code in ("02", "13", "16")
        member.is_forward = code in ("01", "03", "04", "05", "06")
        # position in declaration order: lets spec.lifecycle index its tables by a plain int
        member.position = len(cls._member_names_)
        return member

    def __repr__(self) -> str:
        return f"StatusCode.{self.name}"

    def __str__(self) -> str:
        return self._value_

    @classmethod
    def parse(cls, text: str) -> StatusCode:
        """The member for ``text``: ``"01"``, ``"1"`` and ``" 01 "`` all give ``ARRIVED``.

        Raises :class:`InvalidStatusCode` for anything else, naming the unused codes
        07–12 and 14 when ``text`` is one of them.
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
                f"status code (text={text!r}) is not used: QCVN 102 leaves 07–12 and 14 "
                f"unused; the codes are {known}"
            )
        raise InvalidStatusCode(f"status code (text={text!r}) must be two digits, one of {known}")


_BY_TEXT: dict[str, StatusCode] = {member.value: member for member in StatusCode}

FORWARD_PATH: tuple[StatusCode, ...] = tuple(c for c in StatusCode if c.is_forward)
