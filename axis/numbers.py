"""Numbers read from the network (headers, query parameters): one reader for all of them.

Python's ``str.isdigit`` accepts ``²`` and ``٣``, which ``int`` then refuses or reads as
another digit, and ``int``/``float`` accept spaces, underscores, signs, ``nan`` and ``inf``. A
number on the wire is plain ASCII: digits, and for a decimal one dot; anything else is not a
number, and the caller refuses it with a clear answer.
"""

from __future__ import annotations

import re

MAX_DIGITS = 18

_WHOLE = re.compile(rf"[0-9]{{1,{MAX_DIGITS}}}", re.ASCII)
_DECIMAL = re.compile(rf"[0-9]{{1,{MAX_DIGITS}}}(?:\.[0-9]{{1,9}})?", re.ASCII)

__all__ = ["decimal_number", "whole_number"]


def whole_number(text: str | None) -> int | None:
    """``text`` as a non-negative integer written in ASCII digits (at most 18), else None."""
    if text is None or _WHOLE.fullmatch(text) is None:
        return None
    return int(text)


def decimal_number(text: str | None) -> float | None:
    """``text`` as a non-negative decimal (``12``, ``0.25``) in ASCII digits, else None."""
    if text is None or _DECIMAL.fullmatch(text) is None:
        return None
    return float(text)
