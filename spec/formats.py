"""The text formats of edXML fields: dates (``yyyy/MM/dd``) and timestamps (``yyyy/MM/dd HH:mm:ss``)."""

from __future__ import annotations

import re
from datetime import date, datetime

DATE_FORMAT = "%Y/%m/%d"
TIMESTAMP_FORMAT = "%Y/%m/%d %H:%M:%S"

# ASCII digits only (\d would take other scripts' digits) and fullmatch (``$`` allows a "\n").
_DATE_RE = re.compile(r"([0-9]{4})/([0-9]{2})/([0-9]{2})")
_TIMESTAMP_RE = re.compile(r"([0-9]{4})/([0-9]{2})/([0-9]{2}) ([0-9]{2}):([0-9]{2}):([0-9]{2})")


def parse_date(text: str) -> date:
    """``"2015/09/30"`` → ``date(2015, 9, 30)``; ValueError names the problem (shape or calendar)."""
    m = _DATE_RE.fullmatch(text)
    if not m:
        raise ValueError(f"date {text!r} is not in the form yyyy/MM/dd")
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError as exc:
        raise ValueError(f"date {text!r} is not a real calendar date ({exc})") from None


def parse_timestamp(text: str) -> datetime:
    """``"2015/09/20 11:08:36"`` → naive ``datetime`` (Vietnam local time, as the wire carries)."""
    m = _TIMESTAMP_RE.fullmatch(text)
    if not m:
        raise ValueError(f"timestamp {text!r} is not in the form yyyy/MM/dd HH:mm:ss")
    try:
        # naive on purpose: edXML timestamps carry Vietnam wall time without an offset
        return datetime(*(int(g) for g in m.groups()))  # type: ignore[arg-type]  # noqa: DTZ001
    except ValueError as exc:
        raise ValueError(f"timestamp {text!r} is not a real date and time ({exc})") from None


def format_date(value: date) -> str:
    return value.strftime(DATE_FORMAT)


def format_timestamp(value: datetime) -> str:
    return value.strftime(TIMESTAMP_FORMAT)
