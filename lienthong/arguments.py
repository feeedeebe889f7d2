"""Argument types the ``lienthong`` commands share: each turns a command-line word into a value
or says, in one line, what the word should have been."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date

__all__ = ["at_least", "iso_day", "share"]


def at_least(minimum: int) -> Callable[[str], int]:
    """A whole number ``>= minimum``: ``at_least(1)`` for counts, ``at_least(0)`` for seeds."""

    def whole_number(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{text!r} must be >= {minimum}")
        return value

    return whole_number


def iso_day(text: str) -> date:
    """A calendar day written ``YYYY-MM-DD``."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date written YYYY-MM-DD") from None


def share(text: str) -> float:
    """A share in (0, 1]."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be in (0, 1]")
    return value
