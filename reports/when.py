"""Times as people read them in reports: Vietnam time, with the offset said once."""

from __future__ import annotations

from datetime import datetime

from spec.clock import VIETNAM

__all__ = ["vietnam_time"]


def vietnam_time(moment: datetime) -> str:
    """``2025-03-14 09:00 (UTC+7)`` for an aware ``moment``, whatever zone it was stored in."""
    if moment.tzinfo is None:
        raise ValueError(f"moment={moment!r} must be timezone-aware")
    return moment.astimezone(VIETNAM).strftime("%Y-%m-%d %H:%M") + " (UTC+7)"
