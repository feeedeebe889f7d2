"""Who may see the dashboard's documents: a login form takes the admin token and gives an
HTTP-only session cookie (a random id, never the token itself), kept in memory until logout or
until the axis stops.

Anonymous visitors on the axis's own machine (loopback) see the summary counts only; from
anywhere else the dashboard asks to log in first.
"""

from __future__ import annotations

import ipaddress
import secrets
from collections import OrderedDict

from starlette.requests import Request

COOKIE = "lienthong_ui"
MAX_SESSIONS = 1000

__all__ = ["COOKIE", "Sessions", "from_loopback"]


class Sessions:
    """Open sessions (at most ``MAX_SESSIONS``, the oldest dropped first)."""

    def __init__(self) -> None:
        self._open: OrderedDict[str, None] = OrderedDict()

    def __repr__(self) -> str:
        return f"Sessions({len(self._open)} open)"

    def open(self) -> str:
        session = secrets.token_urlsafe(32)
        self._open[session] = None
        while len(self._open) > MAX_SESSIONS:
            self._open.popitem(last=False)
        return session

    def close(self, session: str) -> None:
        self._open.pop(session, None)

    def valid(self, request: Request) -> bool:
        session = request.cookies.get(COOKIE, "")
        return bool(session) and session in self._open


def from_loopback(request: Request) -> bool:
    """Whether the request comes from this machine (an in-process client counts as local)."""
    if request.client is None:
        return True
    try:
        return ipaddress.ip_address(request.client.host).is_loopback
    except ValueError:
        return request.client.host in ("testclient", "localhost")
